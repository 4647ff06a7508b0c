//! The `audit_events` table: the audit trail of logins, token events and admin changes.

use sea_orm::entity::prelude::*;

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// The acting user's id; `None` for the system or an unknown login name.
    pub actor_id: Option<i64>,
    /// The acting user's username, a login name that matched no one, or `system`.
    #[sea_orm(column_type = "Text")]
    pub actor: String,
    /// A dotted name such as `client.create` or `login.failure`.
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// What was acted on, as `kind:id` (`client:web`, `user:3`, `family:...`, `key:...`).
    #[sea_orm(column_type = "Text", nullable)]
    pub target: Option<String>,
    /// The peer address of the request, when there was one.
    #[sea_orm(column_type = "Text", nullable)]
    pub ip: Option<String>,
    /// A JSON object with the event's particulars; never a secret.
    #[sea_orm(column_type = "Text", nullable)]
    pub details: Option<String>,
}

/// `audit_events` has no relations: the trail outlives what it mentions.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
