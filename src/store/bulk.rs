//! A connection of its own for a bulk job (the expiry cleanup), and what it can tell about the
//! database's other writers (issue 14).
//!
//! A cleanup batch deletes thousands of rows from six B-trees; with SQLite's default 2 MiB page
//! cache every batch read the same index pages from the file again ([`page_cache_kib`]). The
//! server's pooled connections keep the default: eight of them with a large cache would hold that
//! much memory for good, while this connection lives as long as its job.
//!
//! Its commits never checkpoint on their own (`wal_autocheckpoint = 0`): SQLite's automatic
//! checkpoint would run inside them, copying the log while a server in another process waits to
//! checkpoint it at its own turn, its requests' writes held up behind it. The job's turns at the
//! write gate checkpoint while it is alone; while others write, their turns do.
//!
//! On a connection of its own, SQLite's `PRAGMA data_version` changes exactly when some other
//! connection, of this process or another, committed (or checkpointed the log): the cleanup
//! learns that requests are writing without being told, and [`crate::auth::maintenance`] then
//! gives way to them.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// The largest page cache of a bulk connection, in KiB (64 MiB).
pub const MAX_CACHE_KIB: u32 = 64 * 1024;

/// SQLite's page cache for a job deleting `batch` rows a statement, in KiB: 3 KiB a row, so that
/// the pages a batch touches stay in memory for the next (a 20,000-row batch writes ~2,900 pages
/// of log), at most [`MAX_CACHE_KIB`]; `None` (SQLite's default, 2 MiB) when that is less, as
/// for the server's 500-row batches, whose memory does not grow while it cleans up. With 60,000
/// KiB, `sesame tokens flush` of 800,000 rows took 0.87x the wall time of the default cache.
pub fn page_cache_kib(batch: u64) -> Option<u32> {
    const DEFAULT_KIB: u64 = 2000;
    let kib = batch.saturating_mul(3).min(u64::from(MAX_CACHE_KIB));
    (kib > DEFAULT_KIB).then(|| u32::try_from(kib).unwrap_or(MAX_CACHE_KIB))
}

/// How long opening the bulk connection may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection a bulk job runs its statements on.
pub struct BulkConnection {
    db: DatabaseConnection,
    /// `PRAGMA data_version` when [`Self::settle`] last read it; `None` where it tells
    /// nothing: PostgreSQL, or an in-memory SQLite database (reached only through the shared
    /// pool, whose other connections' commits it cannot tell from this job's own).
    seen: Option<i64>,
}

impl BulkConnection {
    /// A connection of its own to the database at `url`, with a page cache of `cache_kib` KiB
    /// (SQLite's default if `None`) and no automatic checkpoint, if `shared` (the pool opened for
    /// `url`) is SQLite on a file; otherwise `shared` itself.
    ///
    /// # Errors
    /// The database's, opening the connection or reading `data_version`.
    pub async fn open(
        shared: &DatabaseConnection,
        url: &str,
        cache_kib: Option<u32>,
    ) -> Result<BulkConnection, DbErr> {
        // No file (PostgreSQL, or SQLite in memory, which lives only in the shared pool).
        if shared.get_database_backend() != DbBackend::Sqlite
            || super::availability::sqlite_path(url).is_none()
        {
            return Ok(BulkConnection {
                db: shared.clone(),
                seen: None,
            });
        }
        let tuning = super::Tuning::Bulk { cache_kib };
        let db = super::connect_tuned(url, Some(1), OPEN_TIMEOUT, tuning).await?;
        let seen = Some(data_version(&db).await?);
        Ok(BulkConnection { db, seen })
    }

    /// The connection, for the store's query functions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Whether [`Self::others_wrote`] can tell: SQLite on a file.
    pub fn tells_others(&self) -> bool {
        self.seen.is_some()
    }

    /// Whether another connection committed to the database (or checkpointed its log) since the
    /// last [`Self::settle`]; always `false` where that cannot be told.
    ///
    /// # Errors
    /// The database's.
    pub async fn others_wrote(&self) -> Result<bool, DbErr> {
        match self.seen {
            Some(seen) => Ok(data_version(&self.db).await? != seen),
            None => Ok(false),
        }
    }

    /// Takes the present `data_version` as the one [`Self::others_wrote`] compares with. Called
    /// while the job holds its turn at the write gate, after its own write: its own commits do not
    /// change the version, but the checkpoint its turn may have begun with does.
    ///
    /// # Errors
    /// The database's.
    pub async fn settle(&mut self) -> Result<(), DbErr> {
        if self.seen.is_some() {
            self.seen = Some(data_version(&self.db).await?);
        }
        Ok(())
    }
}

async fn data_version(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA data_version",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("PRAGMA data_version answered no row".to_owned()))?;
    row.try_get_by_index(0)
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
