//! The `sessions` table: signed-in browser sessions. (Rows without a user were the pre-sessions of
//! older versions, which kept the login form's CSRF token; they are read as signed out and expire.)

use sea_orm::entity::prelude::*;

/// One session. The cookie holds a random id; `token_hash` is its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub token_hash: String,
    /// `None` only for an older version's pre-session.
    pub user_id: Option<i64>,
    /// The synchronizer token every form of this session must carry.
    #[sea_orm(column_type = "Text")]
    pub csrf_token: String,
    /// When the user proved who they are (OIDC `auth_time`).
    pub auth_time: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

/// Relations of `sessions`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The signed-in user.
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
