//! Queries on `users`: registration, login lookup by username, email or phone, password
//! changes, and the admin UI's list and edits.
//!
//! Usernames, emails and phones are compared through their canonical forms (the `identifiers`
//! crate), computed here in Rust whenever a row is written and stored in `*_canonical` columns
//! under unique indexes: lookups compare those columns with `=`, identically on SQLite and
//! PostgreSQL, and a duplicate is refused by the index whichever surface inserts it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{InsertError, join_list};
use crate::entities::users::{ActiveModel, Column, Entity, Model};

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A PHC string or an imported Django `pbkdf2_sha256$...` hash.
    pub password_hash: String,
    pub is_active: bool,
    pub roles: Vec<String>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
}

/// Inserts a user; `created_at` and `password_changed_at` are set to `now`.
///
/// The username is stored NFKC-normalized (as Django's `normalize_username` does), each
/// identifier's canonical form beside it. A username, email or phone whose canonical form is
/// already taken answers [`InsertError::Duplicate`].
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<Model, InsertError> {
    new_row(new, now, None)
        .insert(db)
        .await
        .map_err(InsertError::from_db)
}

fn new_row(
    new: NewUser,
    created_at: DateTime<Utc>,
    last_login: Option<DateTime<Utc>>,
) -> ActiveModel {
    ActiveModel {
        username_canonical: Set(identifiers::canonical_username(&new.username)),
        username: Set(identifiers::normalize_username(&new.username)),
        email_canonical: Set(new.email.as_deref().map(identifiers::canonical_email)),
        email: Set(new.email),
        phone_canonical: Set(new.phone.as_deref().map(identifiers::canonical_phone)),
        phone: Set(new.phone),
        password_hash: Set(new.password_hash),
        is_active: Set(new.is_active),
        roles: Set(join_list(&new.roles)),
        display_name: Set(new.display_name),
        avatar_url: Set(new.avatar_url),
        created_at: Set(created_at),
        last_login: Set(last_login),
        password_changed_at: Set(created_at),
        ..Default::default()
    }
}

/// Inserts a user moved in from another system, keeping its id (so `user_id` claims keep naming
/// the same person for resource servers), its creation time and its last login.
pub async fn insert_imported<C: ConnectionTrait>(
    db: &C,
    id: i64,
    new: NewUser,
    created_at: DateTime<Utc>,
    last_login: Option<DateTime<Utc>>,
) -> Result<Model, InsertError> {
    let mut row = new_row(new, created_at, last_login);
    row.id = Set(id);
    row.insert(db).await.map_err(InsertError::from_db)
}

/// The largest user id, 0 without users.
pub async fn max_id<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = Entity::find()
        .select_only()
        .column_as(Column::Id.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// After inserts with explicit ids, moves PostgreSQL's id sequence past the largest id so the
/// next ordinary insert does not collide. SQLite's AUTOINCREMENT keeps up by itself.
pub async fn sync_id_sequence<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    db.execute_unprepared(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), \
         GREATEST((SELECT MAX(id) FROM users), 1))",
    )
    .await
    .map(|_| ())
}

/// Finds a user by primary key.
pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Finds the user a login identifier names: a username, an email or a phone number, each
/// compared by its canonical form, in one query.
///
/// When the identifier matches several users (one's username is another's email), the
/// username match wins, then the email match, then the phone match.
pub async fn find_by_login<C: ConnectionTrait>(
    db: &C,
    identifier: &str,
) -> Result<Option<Model>, DbErr> {
    let username = Column::UsernameCanonical.eq(identifiers::canonical_username(identifier));
    let email = Column::EmailCanonical.eq(identifiers::canonical_email(identifier));
    let phone = Column::PhoneCanonical.eq(identifiers::canonical_phone(identifier));
    let preference: SimpleExpr = Expr::case(username.clone(), 0)
        .case(email.clone(), 1)
        .finally(2)
        .into();
    Entity::find()
        .filter(Condition::any().add(username).add(email).add(phone))
        .order_by(preference, Order::Asc)
        .one(db)
        .await
}

/// Finds a user by username, compared by its canonical form (`ÉLODIE` finds `élodie`).
pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UsernameCanonical.eq(identifiers::canonical_username(username)))
        .one(db)
        .await
}

/// Sets a new password hash chosen by the user or an admin, and records when.
pub async fn set_password_hash<C: ConnectionTrait>(
    db: &C,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::val(hash))
        .col_expr(Column::PasswordChangedAt, Expr::val(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Replaces the hash of an unchanged password (an upgrade to current parameters or from
/// an imported Django hash); `password_changed_at` stays as it was.
pub async fn replace_password_hash<C: ConnectionTrait>(
    db: &C,
    id: i64,
    hash: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::val(hash))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Activates or deactivates a user.
pub async fn set_active<C: ConnectionTrait>(db: &C, id: i64, active: bool) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::IsActive, Expr::val(active))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Records a successful login.
pub async fn touch_last_login<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastLogin, Expr::val(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// `lower(column) LIKE lower('%needle%')`, with the needle's wildcards escaped.
fn lower_contains(column: Column, needle: &str) -> SimpleExpr {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    // sea-query's `like()` takes only a literal pattern; lowering the pattern in SQL keeps
    // its case folding identical to the column's (SQLite's lower() folds ASCII only).
    let pattern = Expr::expr(Func::lower(Expr::val(pattern)))
        .binary(BinOper::Escape, Expr::Constant('!'.into()));
    Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern)
}

/// One page of users ordered by id, and the number of users matching `search` (a
/// case-insensitive substring of username, email or phone) across all pages.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    search: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut query = Entity::find();
    if let Some(needle) = search.map(str::trim).filter(|s| !s.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(lower_contains(Column::Username, needle))
                .add(lower_contains(Column::Email, needle))
                .add(lower_contains(Column::Phone, needle)),
        );
    }
    let total = query.clone().count(db).await?;
    let page = query
        .order_by_asc(Column::Id)
        .offset(super::row_count(offset))
        .limit(super::row_count(limit))
        .all(db)
        .await?;
    Ok((page, total))
}

/// What the admin UI edits of a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
    pub is_active: bool,
}

impl ProfileChanges {
    /// The names of the fields that differ from `current`.
    pub fn changed_fields(&self, current: &Model) -> Vec<&'static str> {
        let checks = [
            ("display_name", self.display_name == current.display_name),
            ("email", self.email == current.email),
            ("phone", self.phone == current.phone),
            ("roles", join_list(&self.roles) == current.roles),
            ("is_active", self.is_active == current.is_active),
        ];
        checks
            .iter()
            .filter(|(_, same)| !same)
            .map(|(name, _)| *name)
            .collect()
    }
}

/// Saves a user's profile, with the canonical forms of its email and phone. An email or phone
/// whose canonical form is taken answers [`InsertError::Duplicate`]; an unknown id changes nothing.
pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    id: i64,
    changes: &ProfileChanges,
) -> Result<(), InsertError> {
    Entity::update_many()
        .col_expr(Column::DisplayName, Expr::val(changes.display_name.clone()))
        .col_expr(Column::Email, Expr::val(changes.email.clone()))
        .col_expr(
            Column::EmailCanonical,
            Expr::val(changes.email.as_deref().map(identifiers::canonical_email)),
        )
        .col_expr(Column::Phone, Expr::val(changes.phone.clone()))
        .col_expr(
            Column::PhoneCanonical,
            Expr::val(changes.phone.as_deref().map(identifiers::canonical_phone)),
        )
        .col_expr(Column::Roles, Expr::val(join_list(&changes.roles)))
        .col_expr(Column::IsActive, Expr::val(changes.is_active))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(InsertError::from_db)
}

/// Whether an active user holds `role`.
pub async fn any_active_with_role<C: ConnectionTrait>(db: &C, role: &str) -> Result<bool, DbErr> {
    // The roles column is a space-separated list: narrow down with LIKE, decide exactly here.
    let candidates = Entity::find()
        .filter(Column::IsActive.eq(true))
        .filter(lower_contains(Column::Roles, role))
        .all(db)
        .await?;
    Ok(candidates.iter().any(|u| u.has_role(role)))
}

/// The number of users.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
