//! The `users` table: accounts that log in with a username, email or phone and a password.

use sea_orm::entity::prelude::*;

/// A user account. `password_hash` is a PHC string (argon2id) or an imported Django
/// `pbkdf2_sha256$...` hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub username: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub email: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub phone: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    /// [`identifiers::canonical_username`] of `username`: what logins and uniqueness compare.
    #[sea_orm(column_type = "Text")]
    pub username_canonical: String,
    /// [`identifiers::canonical_email`] of `email`.
    #[sea_orm(column_type = "Text", nullable)]
    pub email_canonical: Option<String>,
    /// [`identifiers::canonical_phone`] of `phone`.
    #[sea_orm(column_type = "Text", nullable)]
    pub phone_canonical: Option<String>,
    pub is_active: bool,
    /// Space-separated role names; see [`Model::roles`].
    #[sea_orm(column_type = "Text")]
    pub roles: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub display_name: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub avatar_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_login: Option<DateTimeUtc>,
    pub password_changed_at: DateTimeUtc,
}

impl Model {
    /// The user's roles as a list (`admin` opens the admin UI).
    pub fn roles(&self) -> Vec<String> {
        crate::store::split_list(&self.roles)
    }

    /// Whether the user holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.split_ascii_whitespace().any(|r| r == role)
    }
}

/// `users` names no other table; the tables that refer to it name it (`belongs_to`), which is
/// all the joins need, and keeps the entity files free of import cycles.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
