//! Moving users in from Django (`sesame import django`): rows of `auth_user` (or a custom user
//! table with the same columns) become Sesame users with their password hashes kept as they are.
//!
//! Django's `pbkdf2_sha256$...` and `argon2$...` hashes verify as they are and are upgraded to
//! argon2id at the user's next login ([`super::accounts::check_password`]). Ids are kept, so the
//! `user_id` claim still names the same person for resource servers that stored it. Users already
//! present (same identifier) are skipped, so an import can be run again; a Django user whose id
//! another Sesame user holds is skipped too, or given a new id with [`TakenIds::Renumber`].

use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement};
use serde_json::json;

use super::Error;
use super::audit::{self, Action, Actor, AuditEvent};
use crate::progress::Progress;
use crate::state::AppState;
use crate::store::{self, InsertError, UniqueField};

/// Columns a custom Django user model may use for a phone number (the seed's login by phone).
const PHONE_COLUMNS: [&str; 3] = ["phone", "mobile", "phone_number"];

/// What to do with a Django user whose id a Sesame user already holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TakenIds {
    /// Leave the user out (reported in [`ImportReport::skipped`]): ids are what resource servers
    /// that stored `user_id` know people by.
    #[default]
    Skip,
    /// Import the user with the next free id, after every user whose id was free.
    Renumber,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: u64,
    /// `(username, Django id, Sesame id)` for every user given a new id ([`TakenIds::Renumber`]).
    pub renumbered: Vec<(String, i64, i64)>,
    /// `(username, why)` for every row left out.
    pub skipped: Vec<(String, String)>,
    /// `(username, "email" or "phone")` for users imported without a value another user holds.
    pub adjusted: Vec<(String, String)>,
    /// Imported users whose hash Sesame cannot verify (another hasher, or an unusable password):
    /// they need a password reset.
    pub unverifiable: Vec<String>,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("`{0}` is not a plain table name")]
    TableName(String),
    #[error("reading the Django database: {0}")]
    Source(#[source] DbErr),
    #[error("a row of the Django table has no usable {0}")]
    Row(&'static str),
    #[error(transparent)]
    Target(#[from] Error),
}

/// One Django user, as read.
struct DjangoUser {
    id: i64,
    username: String,
    password: String,
    email: Option<String>,
    phone: Option<String>,
    display_name: Option<String>,
    is_active: bool,
    admin: bool,
    last_login: Option<DateTime<Utc>>,
    date_joined: Option<DateTime<Utc>>,
}

/// Imports every row of `table` from `source` (Django's SQLite or PostgreSQL database).
/// `progress` sees one item per row read (imported or skipped).
pub async fn import_django_users(
    state: &AppState,
    actor: &Actor,
    source: &DatabaseConnection,
    table: &str,
    taken_ids: TakenIds,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let valid_name = table
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(ImportError::TableName(table.to_owned()));
    }
    let sql = format!("SELECT * FROM \"{table}\" ORDER BY id");
    let rows = source
        .query_all_raw(Statement::from_string(source.get_database_backend(), sql))
        .await
        .map_err(ImportError::Source)?;
    let mut report = ImportReport::default();
    progress.start("importing users", Some(rows.len() as u64));
    let imported = import_rows(state, &rows, taken_ids, now, &mut report, progress).await;
    progress.finish();
    let deferred = imported?;
    renumber(state, deferred, now, &mut report).await?;
    let sync = store::users::sync_id_sequence(&state.db);
    state.writes.run(sync).await.map_err(Error::from)?;
    let event = AuditEvent::new(actor, Action::UserImport)
        .target(format!("table:{table}"))
        .details(json!({
            "imported": report.imported,
            "skipped": report.skipped.len(),
            "renumbered": report.renumbered.len(),
            "unverifiable": report.unverifiable.len(),
        }));
    audit::record(state, event, now).await?;
    Ok(report)
}

/// Imports the rows whose ids are free; answers the users to renumber.
async fn import_rows(
    state: &AppState,
    rows: &[QueryResult],
    taken_ids: TakenIds,
    now: DateTime<Utc>,
    report: &mut ImportReport,
    progress: &dyn Progress,
) -> Result<Vec<DjangoUser>, ImportError> {
    let mut deferred = Vec::new();
    for row in rows {
        let user = read_user(row)?;
        let taken = store::users::find_by_id(&state.db, user.id)
            .await
            .map_err(Error::from)?
            .is_some();
        match (taken, taken_ids) {
            (false, _) => import_one(state, user.id, user, now, report).await?,
            (true, TakenIds::Renumber) => deferred.push(user),
            (true, TakenIds::Skip) => report
                .skipped
                .push((user.username, format!("id {} is taken", user.id))),
        }
        progress.advance(1);
    }
    Ok(deferred)
}

/// Imports `users` with the ids after the largest one now taken, in their Django order.
async fn renumber(
    state: &AppState,
    users: Vec<DjangoUser>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), Error> {
    for user in users {
        let id = store::users::max_id(&state.db).await? + 1;
        let (name, django_id) = (user.username.clone(), user.id);
        let imported = report.imported;
        import_one(state, id, user, now, report).await?;
        if report.imported > imported {
            report.renumbered.push((name, django_id, id));
        }
    }
    Ok(())
}

/// Imports `user` as Sesame user `id`, unless its username is taken.
async fn import_one(
    state: &AppState,
    id: i64,
    user: DjangoUser,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), Error> {
    if store::users::find_by_login(&state.db, &user.username)
        .await?
        .is_some()
    {
        report
            .skipped
            .push((user.username, "the username is taken".into()));
        return Ok(());
    }
    let verifiable = ["pbkdf2_sha256$", "argon2$"]
        .iter()
        .any(|p| user.password.starts_with(p));
    let mut new = store::users::NewUser {
        username: user.username.clone(),
        email: user.email,
        phone: user.phone,
        password_hash: user.password,
        is_active: user.is_active,
        roles: if user.admin {
            vec!["admin".into()]
        } else {
            Vec::new()
        },
        display_name: user.display_name,
        avatar_url: None,
    };
    let created_at = user.date_joined.unwrap_or(now);
    // Django does not make emails unique and Sesame does: keep the first holder's, drop repeats.
    loop {
        let attempt = new.clone();
        let insert =
            store::users::insert_imported(&state.db, id, attempt, created_at, user.last_login);
        match state.writes.run(insert).await {
            Ok(_) => break,
            Err(InsertError::Duplicate(UniqueField::Email)) if new.email.is_some() => {
                report
                    .adjusted
                    .push((user.username.clone(), "email".into()));
                new.email = None;
            }
            Err(InsertError::Duplicate(UniqueField::Phone)) if new.phone.is_some() => {
                report
                    .adjusted
                    .push((user.username.clone(), "phone".into()));
                new.phone = None;
            }
            Err(InsertError::Duplicate(_)) => {
                report
                    .skipped
                    .push((user.username, "the username is taken".into()));
                return Ok(());
            }
            Err(InsertError::Db(err)) => return Err(err.into()),
        }
    }
    if !verifiable {
        report.unverifiable.push(user.username);
    }
    report.imported += 1;
    Ok(())
}

fn read_user(row: &QueryResult) -> Result<DjangoUser, ImportError> {
    let text = |col: &str| -> Option<String> {
        row.try_get::<Option<String>>("", col)
            .ok()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let flag = |col: &str| -> Option<bool> {
        row.try_get::<Option<bool>>("", col)
            .ok()
            .flatten()
            .or_else(|| {
                row.try_get::<Option<i64>>("", col)
                    .ok()
                    .flatten()
                    .map(|v| v != 0)
            })
    };
    let id = row
        .try_get::<i64>("", "id")
        .or_else(|_| row.try_get::<i32>("", "id").map(i64::from))
        .map_err(|_| ImportError::Row("id"))?;
    let username = text("username").ok_or(ImportError::Row("username"))?;
    let password = row
        .try_get::<String>("", "password")
        .map_err(|_| ImportError::Row("password"))?;
    let name = [text("first_name"), text("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(DjangoUser {
        id,
        username,
        password,
        email: text("email"),
        phone: PHONE_COLUMNS.iter().find_map(|col| text(col)),
        display_name: (!name.is_empty()).then_some(name),
        is_active: flag("is_active").unwrap_or(true),
        admin: flag("is_superuser").unwrap_or(false) || flag("is_staff").unwrap_or(false),
        last_login: timestamp(row, "last_login"),
        date_joined: timestamp(row, "date_joined"),
    })
}

/// A Django `DateTimeField`: `timestamptz` on PostgreSQL, text such as
/// `2024-05-01 10:20:30.123456` (UTC when `USE_TZ`) on SQLite.
fn timestamp(row: &QueryResult, col: &str) -> Option<DateTime<Utc>> {
    if let Ok(Some(at)) = row.try_get::<Option<DateTime<Utc>>>("", col) {
        return Some(at);
    }
    if let Ok(Some(at)) = row.try_get::<Option<NaiveDateTime>>("", col) {
        return Some(at.and_utc());
    }
    let text = row.try_get::<Option<String>>("", col).ok().flatten()?;
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|at| at.and_utc())
        })
}
