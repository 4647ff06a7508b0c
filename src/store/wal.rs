//! Keeping SQLite's write-ahead log small under any load (issue 15). SQLite's own checkpoints are
//! PASSIVE: they never wait, so while single-row writes stream in and readers hold old snapshots
//! the log is never reset and grows without bound (745 MB in 8 seconds of `GET /login` before the
//! login form stopped writing). Two things bound it here:
//!
//! - `journal_size_limit` ([`JOURNAL_SIZE_LIMIT`]): after a checkpoint resets the log, SQLite
//!   truncates the file to this size instead of keeping its high-water mark;
//! - [`checkpoint`] every [`CHECKPOINT_INTERVAL`]: `wal_checkpoint(TRUNCATE)`, which waits (in the
//!   busy handler) for the writer of the moment, blocks new writers while it is pending, so a
//!   stream of writes cannot starve it, copies the whole log back and truncates it to zero bytes.
//!   It also takes its turn at this process's `WriteGate`, behind the write transactions queued
//!   there rather than racing them.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use super::WriteGate;

/// The size, in bytes, SQLite truncates the log file to after a checkpoint reset it (4 MiB).
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;
/// How often the log is checkpointed and truncated.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// What `PRAGMA wal_checkpoint(TRUNCATE)` answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// A reader or writer kept the checkpoint from finishing within the busy timeout.
    pub busy: bool,
    /// Pages in the log before the checkpoint.
    pub log_pages: i64,
    /// Pages copied back into the database.
    pub checkpointed_pages: i64,
}

/// Checkpoints the log and truncates it, after the write transactions queued at `gate`.
/// `None` on a database that is not SQLite.
pub async fn checkpoint(
    db: &DatabaseConnection,
    gate: &WriteGate,
) -> Result<Option<Checkpoint>, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let _turn = gate.turn().await;
    let sql = "PRAGMA wal_checkpoint(TRUNCATE)";
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Checkpoint {
        busy: row.try_get_by_index::<i64>(0)? != 0,
        log_pages: row.try_get_by_index(1)?,
        checkpointed_pages: row.try_get_by_index(2)?,
    }))
}

/// Checkpoints every [`CHECKPOINT_INTERVAL`] for as long as the process runs (SQLite only).
pub async fn checkpoint_periodically(db: DatabaseConnection, gate: WriteGate) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
    loop {
        interval.tick().await;
        match checkpoint(&db, &gate).await {
            Ok(Some(done)) if done.busy => {
                tracing::warn!(
                    log_pages = done.log_pages,
                    "WAL checkpoint was kept busy; retrying"
                );
            }
            Ok(done) => tracing::debug!(?done, "WAL checkpointed"),
            Err(err) => tracing::error!(error = %err, "WAL checkpoint failed"),
        }
    }
}

#[cfg(test)]
#[path = "wal_tests.rs"]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests;
