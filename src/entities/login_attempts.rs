//! The `login_attempts` table: password checks that failed, the input of the
//! login throttle.

use sea_orm::entity::prelude::*;

/// One failed attempt, keyed by account and by source (client IP, device cookie).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `user:<id>` for a known account, `name:<identifier>` for an unknown one.
    #[sea_orm(column_type = "Text")]
    pub account_key: String,
    /// The client IP (an IPv6 address reduced to its /64), when known.
    #[sea_orm(column_type = "Text", nullable)]
    pub ip_key: Option<String>,
    /// The id of the device cookie the attempt came with, when it named this account.
    #[sea_orm(column_type = "Text", nullable)]
    pub device_key: Option<String>,
    pub attempted_at: DateTimeUtc,
}

/// `login_attempts` has no relations: an unknown account has no user row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
