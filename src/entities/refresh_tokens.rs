//! The `refresh_tokens` table: simplejwt's OutstandingToken, extended with rotation
//! families so that reuse of a rotated token can revoke every descendant.

use sea_orm::entity::prelude::*;

/// One issued refresh token. `used_at` is set when it is rotated, `revoked_at` when it
/// (or its family) is revoked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub jti: String,
    /// Shared by every token rotated from the same original grant.
    #[sea_orm(column_type = "Text")]
    pub family_id: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub parent_jti: Option<String>,
    pub user_id: i64,
    #[sea_orm(column_type = "Text")]
    pub client_id: String,
    /// Space-separated scopes.
    #[sea_orm(column_type = "Text")]
    pub scope: String,
    /// When the user authenticated; kept across rotations for the OIDC `auth_time` claim.
    pub auth_time: DateTimeUtc,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revoke_reason: Option<String>,
}

/// Relations of `refresh_tokens`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user the token acts for.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
