//! The `authorization_codes` table (RFC 6749 §4.1.2, RFC 7636): single-use codes, stored hashed.

use sea_orm::entity::prelude::*;

/// One authorization code and what it was bound to.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorization_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the code.
    #[sea_orm(column_type = "Text", unique)]
    pub code_hash: String,
    #[sea_orm(column_type = "Text")]
    pub client_id: String,
    pub user_id: i64,
    /// The `redirect_uri` of the authorization request, `None` when it was omitted.
    #[sea_orm(column_type = "Text", nullable)]
    pub redirect_uri: Option<String>,
    /// Space-separated scopes.
    #[sea_orm(column_type = "Text")]
    pub scope: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub nonce: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub code_challenge: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub code_challenge_method: Option<String>,
    pub auth_time: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// The refresh-token family the first exchange started.
    #[sea_orm(column_type = "Text", nullable)]
    pub family_id: Option<String>,
    /// The access token the first exchange issued, and when it expires.
    #[sea_orm(column_type = "Text", nullable)]
    pub access_jti: Option<String>,
    pub access_expires_at: Option<DateTimeUtc>,
}

/// Relations of `authorization_codes`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user who authorized the client.
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
