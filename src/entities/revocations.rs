//! The `revocations` table: simplejwt's BlacklistedToken, for a token of any type,
//! kept until the token would have expired anyway.

use sea_orm::entity::prelude::*;

/// A revoked token's `jti`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revocations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub jti: String,
    /// `access`, `refresh`, `sliding`, ...
    #[sea_orm(column_type = "Text")]
    pub token_type: String,
    pub expires_at: DateTimeUtc,
    pub revoked_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
}

/// `revocations` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
