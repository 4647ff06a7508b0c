//! Adds `users.username_canonical`, `email_canonical` and `phone_canonical` (the forms of the
//! `identifiers` crate), fills them for existing rows, and makes them the unique keys in place of
//! the `lower(...)` indexes, which SQLite and PostgreSQL folded differently.
//!
//! Rows that the new rule finds to be one identifier (`Élodie` and `élodie` on SQLite) make the
//! migration fail with a message naming them, before anything is changed.

use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

/// Adds, fills and indexes the canonical identifier columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The unique indexes of the new columns; the store names the taken field by them.
const NEW_INDEXES: [(&str, Users); 3] = [
    ("users_username_canonical_key", Users::UsernameCanonical),
    ("users_email_canonical_key", Users::EmailCanonical),
    ("users_phone_canonical_key", Users::PhoneCanonical),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let rows = read_users(db).await?;
        let collisions = find_collisions(&rows);
        if !collisions.is_empty() {
            return Err(DbErr::Migration(collision_report(&collisions)));
        }
        // SQLite adds one column per ALTER TABLE. NOT NULL needs a default on existing rows; every
        // row gets its real value below, and the store always writes one.
        let columns = [
            ColumnDef::new(Users::UsernameCanonical)
                .text()
                .not_null()
                .default("")
                .to_owned(),
            ColumnDef::new(Users::EmailCanonical)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Users::PhoneCanonical)
                .text()
                .null()
                .to_owned(),
        ];
        for column in columns {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for row in &rows {
            let [username, email, phone] = row.canonical.clone();
            let update = Query::update()
                .table(Users::Table)
                .value(Users::UsernameCanonical, username)
                .value(Users::EmailCanonical, email)
                .value(Users::PhoneCanonical, phone)
                .and_where(Expr::col(Users::Id).eq(row.id))
                .to_owned();
            db.execute(&update).await?;
        }
        for (name, column) in NEW_INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Users::Table)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        // The canonical indexes decide uniqueness now; the old ones would only refuse less.
        for name in [
            "users_username_lower",
            "users_email_lower",
            "users_phone_key",
        ] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in NEW_INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Users::Table).to_owned())
                .await?;
        }
        for column in [
            Users::UsernameCanonical,
            Users::EmailCanonical,
            Users::PhoneCanonical,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        super::m20261126_000001_create_users::create_unique_indexes(manager).await
    }
}

/// The identifier columns, in the order of [`Row`]'s arrays.
const COLUMNS: [&str; 3] = ["username", "email", "phone"];

/// One user's username, email and phone as stored, and their canonical forms.
struct Row {
    id: i64,
    stored: [Option<String>; 3],
    canonical: [Option<String>; 3],
}

async fn read_users(db: &SchemaManagerConnection<'_>) -> Result<Vec<Row>, DbErr> {
    let select = Statement::from_string(
        db.get_database_backend(),
        "SELECT id, username, email, phone FROM users ORDER BY id",
    );
    let mut rows = Vec::new();
    for found in db.query_all_raw(select).await? {
        let id: i64 = found.try_get("", "id")?;
        let username: String = found.try_get("", "username")?;
        let email: Option<String> = found.try_get("", "email")?;
        let phone: Option<String> = found.try_get("", "phone")?;
        rows.push(Row {
            id,
            canonical: [
                Some(identifiers::canonical_username(&username)),
                email.as_deref().map(identifiers::canonical_email),
                phone.as_deref().map(identifiers::canonical_phone),
            ],
            stored: [Some(username), email, phone],
        });
    }
    Ok(rows)
}

/// A canonical value more than one user holds: the column, the value, and (id, stored value) of
/// each holder.
type Collision = (&'static str, String, Vec<(i64, String)>);

fn find_collisions(rows: &[Row]) -> Vec<Collision> {
    let mut out = Vec::new();
    for (index, column) in COLUMNS.into_iter().enumerate() {
        let mut holders: BTreeMap<&str, Vec<(i64, String)>> = BTreeMap::new();
        for row in rows {
            if let (Some(canonical), Some(stored)) = (&row.canonical[index], &row.stored[index]) {
                holders
                    .entry(canonical)
                    .or_default()
                    .push((row.id, stored.clone()));
            }
        }
        for (canonical, ids) in holders {
            if ids.len() > 1 {
                out.push((column, canonical.to_owned(), ids));
            }
        }
    }
    out
}

fn collision_report(collisions: &[Collision]) -> String {
    let mut msg = String::from(
        "users hold identifiers that are one identifier under Sesame's comparison rule \
         (Unicode NFKC and case folding for usernames and emails, digits for phones):\n",
    );
    for (column, canonical, holders) in collisions {
        let who: Vec<String> = holders
            .iter()
            .map(|(id, stored)| format!("id {id} ({stored:?})"))
            .collect();
        msg.push_str(&format!("  {column} {canonical:?}: {}\n", who.join(", ")));
    }
    msg.push_str(
        "Nothing was changed. Give all but one user of each line a different value (for example \
         UPDATE users SET username = '...' WHERE id = ...; an email or phone may be set to NULL), \
         or deactivate and rename the duplicate accounts, then run `sesame migrate` again.",
    );
    msg
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    UsernameCanonical,
    EmailCanonical,
    PhoneCanonical,
}
