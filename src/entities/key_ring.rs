//! The `key_ring` table: one row (`id` 1) whose `version` moves with every write to
//! `signing_keys`, in the same transaction, so an instance learns whether its ring is current
//! from one row.

use sea_orm::entity::prelude::*;

/// The ring's version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_ring")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Moves by one with every change of the ring.
    pub version: i64,
    pub changed_at: DateTimeUtc,
}

/// `key_ring` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
