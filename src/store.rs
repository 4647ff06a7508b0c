//! Storage: the database connection, migrations, and SeaORM queries, one module per table.
//!
//! Every query function is generic over `ConnectionTrait` so that the domain can run
//! several of them in one transaction. Queries are built with SeaORM / sea-query and run
//! unchanged on SQLite and PostgreSQL. SQLite keeps timestamps as RFC 3339 text, always
//! in UTC with the same offset suffix, which sorts chronologically: `expires_at < ?`
//! means the same on both databases.

pub mod audit_events;
pub mod authorization_codes;
pub mod availability;
pub mod bulk;
pub mod clients;
mod gate;
pub mod login_attempts;
mod migration_lock;
pub mod open;
pub mod pool;
pub mod refresh_tokens;
pub mod revocations;
pub mod rotations;
pub mod sessions;
pub mod signing_keys;
pub mod users;
pub mod wal;

pub use gate::{Turn, WriteGate, WriteTxn};

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use migration::MigratorTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, SqlErr,
};

use crate::progress::Progress;

/// Pool size for SQLite when the caller does not choose one. It serialises writers anyway, and
/// the hot reads come from the directory's caches; each connection adds a thread, its own page
/// cache and prepared statements. Measured (`bench/README.md`, 2026-12-02): 4 connections serve
/// every path as fast as 8 and peak 6 MiB lower.
const SQLITE_MAX_CONNECTIONS: u32 = 4;
/// Pool size for PostgreSQL when the caller does not choose one.
const POSTGRES_MAX_CONNECTIONS: u32 = 16;

/// Opens a connection pool for `url` (`sqlite:...` or `postgres://...`).
///
/// SQLite databases run in WAL mode with `synchronous=NORMAL`, foreign keys on, a 5-second busy
/// timeout and the log truncated to `wal::JOURNAL_SIZE_LIMIT` after a checkpoint. Statement
/// logging is off on every backend because bound parameters include token identifiers and
/// password hashes. A connection that cannot be had within `acquire_timeout` (opening one
/// included: sqlx bounds both by one deadline, retrying a refused connection until then) fails
/// with an error `availability::is_unavailable` accepts.
pub async fn connect(
    url: &str,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    connect_tuned(url, max_connections, acquire_timeout, Tuning::Pool).await
}

/// Whether this build's SQLite keeps a statement's plan whatever values are bound to it (the
/// query-planner stability guarantee, compiled in by `.cargo/config.toml`'s
/// `LIBSQLITE3_FLAGS`). Without it, SQLite 3.51 re-prepares every statement with a bound
/// `LIMIT ?` (each SeaORM `.one()`) at each execution. `true` on PostgreSQL, which has no such
/// setting.
///
/// # Errors
/// The database's, if `PRAGMA compile_options` cannot be read.
pub async fn sqlite_plans_are_stable(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(true);
    }
    let statement = sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Sqlite,
        "SELECT 1 FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'",
    );
    Ok(db.query_one_raw(statement).await?.is_some())
}

/// How [`connect_tuned`] sets up SQLite connections beyond [`connect`]'s settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tuning {
    /// The server's and the CLI's pool: SQLite's defaults.
    Pool,
    /// A bulk job's connection of its own: no automatic checkpoint, and a page cache of
    /// `cache_kib` KiB if given.
    Bulk { cache_kib: Option<u32> },
}

/// [`connect`], with `tuning`'s settings on SQLite: a bulk job's are for its connection of its
/// own, never the server's pool, whose connections would each hold a large cache for good.
pub(crate) async fn connect_tuned(
    url: &str,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
    tuning: Tuning,
) -> Result<DatabaseConnection, DbErr> {
    let is_sqlite = url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .acquire_timeout(acquire_timeout)
        .connect_timeout(acquire_timeout)
        .max_connections(max_connections.unwrap_or(if is_sqlite {
            SQLITE_MAX_CONNECTIONS
        } else {
            POSTGRES_MAX_CONNECTIONS
        }));
    if is_sqlite {
        opts.map_sqlx_sqlite_opts(move |o| {
            let o = o
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("journal_size_limit", wal::JOURNAL_SIZE_LIMIT.to_string());
            match tuning {
                Tuning::Pool => o,
                // A negative cache_size is in KiB, a positive one in pages.
                Tuning::Bulk {
                    cache_kib: Some(kib),
                } => o
                    .pragma("wal_autocheckpoint", "0")
                    .pragma("cache_size", format!("-{kib}")),
                Tuning::Bulk { cache_kib: None } => o.pragma("wal_autocheckpoint", "0"),
            }
        });
        if availability::sqlite_path(url).is_none() {
            // An in-memory database lives only while a connection to it is open: never let
            // the pool close its last one.
            opts.min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
    }
    Database::connect(opts).await
}

/// A table whose rows expire: its integer key and the column that says until when a row matters.
pub trait Expiring: EntityTrait {
    /// The `i64` primary key; within one expiry instant, batches are taken in its order.
    const ID: Self::Column;
    /// The UTC instant after which the row may be deleted.
    const EXPIRES_AT: Self::Column;
}

/// `n` as a row count SQL takes: SQLite and PostgreSQL read `OFFSET` and `LIMIT` as signed 64-bit
/// integers, and sea-query panics binding a larger `u64` (an admin page number from a query
/// string can make one); no table holds `i64::MAX` rows, so nothing is lost.
pub(crate) fn row_count(n: u64) -> u64 {
    n.min(i64::MAX.unsigned_abs())
}

/// The tables `sesame tokens flush` empties, each keyed by `id` and expiring at `expires_at`.
macro_rules! expiring_tables {
    ($($table:ident),+) => {$(
        impl Expiring for crate::entities::$table::Entity {
            const ID: Self::Column = crate::entities::$table::Column::Id;
            const EXPIRES_AT: Self::Column = crate::entities::$table::Column::ExpiresAt;
        }
    )+};
}
expiring_tables!(authorization_codes, refresh_tokens, revocations, sessions);

/// Deletes at most `batch` rows of `E` that expired before `before`; answers how many. The
/// callers loop until it answers fewer than `batch`, so no statement holds the writer long.
///
/// # Errors
/// The database's.
pub async fn delete_expired<E: Expiring, C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    delete_batch::<E, _>(db, E::ID, E::EXPIRES_AT, before, batch).await
}

/// Deletes at most `batch` rows of `E` whose `at` is before `before`, oldest `at` first (then
/// lowest `id`); answers how many. The callers loop until a batch comes back short, so no
/// transaction holds the writer long. Neither database takes `DELETE ... LIMIT` portably: one
/// statement deletes the ids a subquery picks in the order of the index on `at` (every caller's
/// column has one), so the pick reads only the index entries it deletes and no id travels to
/// this process and back (a batch of 20,000 would otherwise bind 20,000 values). Ordered by
/// `id` instead, SQLite scanned the table in key order and the last, short batch of every run
/// read all of it.
pub(crate) async fn delete_batch<E, C>(
    db: &C,
    id: E::Column,
    at: E::Column,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let oldest = E::find()
        .select_only()
        .column(id)
        .filter(at.lt(before))
        .order_by_asc(at)
        .order_by_asc(id)
        .limit(row_count(batch))
        .into_query();
    let res = E::delete_many()
        .filter(id.in_subquery(oldest))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Applies every pending migration, one at a time so that `progress` sees each finish (each
/// runs in its own transaction where the database has transactional DDL). On PostgreSQL under an
/// advisory lock: instances starting at once on one database migrate one after the other.
pub async fn migrate(db: &DatabaseConnection, progress: &dyn Progress) -> Result<(), DbErr> {
    let lock = migration_lock::MigrationLock::acquire(db).await?;
    let applied = migrate_pending(db, progress).await;
    lock.release().await;
    applied
}

async fn migrate_pending(db: &DatabaseConnection, progress: &dyn Progress) -> Result<(), DbErr> {
    let pending = migration::Migrator::get_pending_migrations(db).await?.len();
    progress.start("applying migrations", Some(pending as u64));
    let mut applied = Ok(());
    for _ in 0..pending {
        applied = migration::Migrator::up(db, Some(1)).await;
        if applied.is_err() {
            break;
        }
        progress.advance(1);
    }
    progress.finish();
    applied
}

/// How many rows of `E` expired before `before` (what a flush will delete).
pub async fn count_expired<E: Expiring, C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let count: Option<i64> = E::find()
        .select_only()
        .column_as(E::ID.count(), "n")
        .filter(E::EXPIRES_AT.lt(before))
        .into_tuple()
        .one(db)
        .await?;
    Ok(count.map_or(0, |n| n.max(0).unsigned_abs()))
}

/// Checks that the database answers a trivial query.
pub async fn ping<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.query_one(&Query::select().expr(Expr::val(1)).to_owned())
        .await
        .map(|_| ())
}

/// A column whose uniqueness an insert can violate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniqueField {
    /// `users.username` (case-insensitive).
    Username,
    /// `users.email` (case-insensitive).
    Email,
    /// `users.phone`.
    Phone,
    /// `clients.client_id`.
    ClientId,
}

impl UniqueField {
    /// The column's name, as an API would name the field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::ClientId => "client_id",
        }
    }
}

impl fmt::Display for UniqueField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an insert failed.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    /// Another row already holds this value.
    #[error("{0} is already taken")]
    Duplicate(UniqueField),
    /// Any other database failure.
    #[error("database error")]
    Db(#[from] DbErr),
}

impl InsertError {
    /// Classifies a failed insert, recognising unique violations by index or column name.
    pub(crate) fn from_db(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => match unique_field(&msg) {
                Some(field) => Self::Duplicate(field),
                None => Self::Db(err),
            },
            _ => Self::Db(err),
        }
    }
}

/// Finds the field in a unique-violation message. The messages look like
/// `UNIQUE constraint failed: users.username_canonical` (SQLite) and
/// `duplicate key value violates unique constraint "users_email_canonical_key"` (PostgreSQL).
fn unique_field(msg: &str) -> Option<UniqueField> {
    const NEEDLES: [(&str, UniqueField); 8] = [
        ("users_username_canonical_key", UniqueField::Username),
        ("users.username_canonical", UniqueField::Username),
        ("users_email_canonical_key", UniqueField::Email),
        ("users.email_canonical", UniqueField::Email),
        ("users_phone_canonical_key", UniqueField::Phone),
        ("users.phone_canonical", UniqueField::Phone),
        ("clients_client_id_key", UniqueField::ClientId),
        ("clients.client_id", UniqueField::ClientId),
    ];
    NEEDLES
        .iter()
        .find(|(needle, _)| msg.contains(needle))
        .map(|&(_, field)| field)
}

/// Splits a space-separated list column into its items.
pub fn split_list(s: &str) -> Vec<String> {
    s.split_ascii_whitespace().map(str::to_owned).collect()
}

/// Joins items into a space-separated list column, dropping empty items.
pub fn join_list<I: IntoIterator<Item = impl AsRef<str>>>(items: I) -> String {
    let mut out = String::new();
    for item in items {
        let item = item.as_ref().trim();
        if item.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod testing;
#[cfg(test)]
pub(crate) use testing::{TEST_ACQUIRE_TIMEOUT, expired_batches, test_db, test_now};

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod admin_tests;

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests;
