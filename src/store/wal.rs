//! Keeping SQLite's write-ahead log small under any load (issue 15).
//!
//! SQLite appends every commit to the log and starts it again from its beginning only once a
//! checkpoint has copied all of it back into the database *and* no reader still reads a snapshot
//! in it. SQLite's own checkpoints are PASSIVE: they never wait, so while single-row commits
//! stream in and readers come and go the log is never reset (745 MB in 8 seconds of `GET /login`
//! back when the login form wrote a row). Checkpoints on a timer were not enough either: on the
//! loaded CI box the log still reached 34-92 MB between two of them, because writers that did not
//! queue at the [`WriteGate`](super::WriteGate) raced the checkpoint for SQLite's writer lock (and,
//! with the checkpoint holding it while it waited for readers, some gave up after the 5-second
//! busy timeout: `database is locked`).
//!
//! The bound here holds by construction, not by timing:
//!
//! - every write of this process, statement or transaction, takes its turn at the `WriteGate`;
//! - a turn begins by looking at the log file's size (one `stat`); past [`LOG_BOUND`], a
//!   `wal_checkpoint(TRUNCATE)` runs before the writer is let in. No writer of this process can
//!   add to the log meanwhile; the checkpoint waits out another process's writer, copies the log
//!   back, waits for the readers that began before the copy finished (readers that begin after
//!   it read the database file alone, so a stream of short reads cannot hold it off), and
//!   truncates the log to zero bytes.
//!
//! So the log holds at most [`LOG_BOUND`] plus one write transaction however the tasks are
//! scheduled. Under a server's load the largest are a group of 64 rotations and a cleanup batch
//! (at most 200 rows while others write: `auth::maintenance::Pacing`), well under a MiB.
//!
//! The one exception is a bulk job's turns (the expiry cleanup): they checkpoint past
//! [`BULK_LOG_BOUND`] instead. Alone, `sesame tokens flush` writes batches of 20,000 rows, about
//! 12 MiB of log each, and checkpoints every few batches; with a server writing too, the server's
//! turns keep the log at `LOG_BOUND`.
//! Reads are short: sqlx steps a statement to its end on the connection's own thread, whatever the
//! task that asked for it is doing, unless more than 50 rows wait to be taken, and the server's
//! reads are single rows or pages.
//!
//! The wait is bounded and never fails a write. The checkpoint runs on a connection of its own
//! whose busy timeout is [`CHECKPOINT_WAIT`] (per lock it waits for). If a reader holds on longer,
//! or another process keeps writing, the checkpoint gives up: the writer goes ahead, a warning
//! and `sesame_sqlite_wal_checkpoints_total{outcome="busy"}` say so, and the next attempt waits
//! until the log has grown by another `LOG_BOUND`, so a stuck reader costs writers one wait per
//! `LOG_BOUND` written, never a deadlock. `sesame_sqlite_wal_bytes` is the log's size at the last
//! turn that looked.
//!
//! Besides: `journal_size_limit` ([`JOURNAL_SIZE_LIMIT`]) makes SQLite truncate the file when it
//! starts the log again itself, instead of keeping its high-water mark; and every
//! [`CHECKPOINT_INTERVAL`] a checkpoint empties a log that holds anything, so an idle server's
//! database file is whole on its own (a copy of it is a backup).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::{self, Connection as _, SqliteConnection};
use sea_orm::{DatabaseConnection, DbErr, RuntimeErr};

use super::WriteGate;

/// The size, in bytes, SQLite truncates the log file to when it starts it again (4 MiB).
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;
/// Past this size, in bytes, the next write waits for a checkpoint that empties the log (1 MiB).
pub const LOG_BOUND: u64 = 1024 * 1024;
/// The bound of a bulk job's turns (`auth::maintenance`), in bytes (32 MiB). Each checkpoint
/// costs two fsyncs, which cost a bulk delete alone as much as its deletes when it checkpointed
/// every 1 MiB; while a server writes too, the server's own turns keep the log at
/// [`LOG_BOUND`], and the job's checkpoint, which would hold the server's writes off while it
/// waited for the server's readers, does not come.
pub const BULK_LOG_BOUND: u64 = 32 * 1024 * 1024;
/// How long a checkpoint waits for each lock it needs (another process's writer, the readers of
/// the log) before it gives up.
pub const CHECKPOINT_WAIT: Duration = Duration::from_millis(500);
/// How often a log that holds anything is checkpointed and truncated, load or not.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// What `PRAGMA wal_checkpoint(TRUNCATE)` answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// A reader or another process's writer kept the checkpoint from emptying the log within
    /// [`CHECKPOINT_WAIT`].
    pub busy: bool,
    /// Pages in the log before the checkpoint.
    pub log_pages: i64,
    /// Pages copied back into the database.
    pub checkpointed_pages: i64,
}

/// Why a checkpoint ran, for the metric's `trigger` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trigger {
    /// The log had passed [`LOG_BOUND`] at the start of a turn.
    Bound,
    /// [`CHECKPOINT_INTERVAL`] elapsed.
    Interval,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Bound => "bound",
            Trigger::Interval => "interval",
        }
    }
}

/// The log of the database behind a [`WriteGate`], kept inside it: only the holder of a turn
/// checkpoints.
pub(super) struct Log {
    db: DatabaseConnection,
    file: LogFile,
    /// The largest size, in bytes, a turn has found the log at.
    largest: u64,
    /// The size, in bytes, past which a turn checkpoints: [`LOG_BOUND`], or after a checkpoint
    /// that could not empty the log, `LOG_BOUND` more than it left.
    retry_above: u64,
}

enum LogFile {
    /// Not looked at yet, or the checkpoint connection failed and is to be opened again.
    Unopened,
    /// No log file: an in-memory database, or one not in WAL mode.
    Absent,
    Open(Checkpointer),
}

/// The log's path and the connection that checkpoints it.
struct Checkpointer {
    wal: PathBuf,
    conn: SqliteConnection,
}

impl Log {
    pub(super) fn new(db: DatabaseConnection) -> Log {
        Log {
            db,
            file: LogFile::Unopened,
            largest: 0,
            retry_above: LOG_BOUND,
        }
    }

    /// Whether a turn must begin with [`Log::bound`]: the log has passed `bound` (or, after a
    /// checkpoint kept busy, grown by [`LOG_BOUND`] since), or has not been looked at yet. Every
    /// write of this process happens in a turn, so the sizes seen here, each after the previous
    /// turn's write, include the largest the log has been.
    pub(super) fn wants_checkpoint(&mut self, bound: u64) -> bool {
        match &self.file {
            LogFile::Unopened => true,
            LogFile::Absent => false,
            LogFile::Open(log) => {
                let size = log.size();
                metrics::gauge!("sesame_sqlite_wal_bytes").set(size as f64);
                self.largest = self.largest.max(size);
                size > self.retry_above.max(bound)
            }
        }
    }

    /// The largest size, in bytes, a turn has found the log at; `None` without a log file.
    pub(super) fn largest(&self) -> Option<u64> {
        matches!(self.file, LogFile::Open(_)).then_some(self.largest)
    }

    /// Checkpoints if the log has passed `bound` (as [`Log::wants_checkpoint`]). Never fails:
    /// what went wrong is logged and counted, and the writer goes ahead.
    pub(super) async fn bound(&mut self, bound: u64) {
        let size = match self.open().await {
            Ok(Some(log)) => log.size(),
            Ok(None) => return,
            // An outage is logged once, by the availability watch; the write will fail on its own.
            Err(err) => {
                tracing::debug!(error = %err, "cannot open a connection to checkpoint the WAL");
                return;
            }
        };
        self.largest = self.largest.max(size);
        if size <= self.retry_above.max(bound) {
            return;
        }
        match self.checkpoint(Trigger::Bound).await {
            Ok(Some(done)) if done.busy => tracing::warn!(
                bytes = size,
                bound = LOG_BOUND,
                log_pages = done.log_pages,
                "the WAL is past its bound and a reader or another process kept the checkpoint \
                 from emptying it; writing on, trying again when it has grown by the bound"
            ),
            Ok(_) => {}
            Err(err) => tracing::warn!(
                bytes = size,
                error = %err,
                "the WAL is past its bound and checkpointing it failed; writing on"
            ),
        }
    }

    /// Checkpoints and truncates the log if it holds anything; `None` when there is no log file
    /// or it is empty.
    pub(super) async fn checkpoint(
        &mut self,
        trigger: Trigger,
    ) -> Result<Option<Checkpoint>, DbErr> {
        let Some(log) = self.open().await? else {
            return Ok(None);
        };
        if log.size() == 0 {
            return Ok(None);
        }
        let done = log.checkpoint().await;
        let size = log.size();
        metrics::gauge!("sesame_sqlite_wal_bytes").set(size as f64);
        let (outcome, retry_above) = match &done {
            Ok(done) if !done.busy => ("reset", LOG_BOUND),
            Ok(_) => ("busy", size.saturating_add(LOG_BOUND)),
            Err(_) => ("error", size.saturating_add(LOG_BOUND)),
        };
        metrics::counter!(
            "sesame_sqlite_wal_checkpoints_total",
            "trigger" => trigger.as_str(),
            "outcome" => outcome
        )
        .increment(1);
        self.retry_above = retry_above;
        if done.is_err() {
            // Opened again at the next turn: the connection may be what failed.
            self.file = LogFile::Unopened;
        }
        done.map(Some)
    }

    /// The checkpointer, opened on first use; `None` when the database has no log file.
    async fn open(&mut self) -> Result<Option<&mut Checkpointer>, DbErr> {
        if matches!(self.file, LogFile::Unopened) {
            self.file = match Checkpointer::open(&self.db).await? {
                Some(log) => LogFile::Open(log),
                None => LogFile::Absent,
            };
        }
        Ok(match &mut self.file {
            LogFile::Open(log) => Some(log),
            _ => None,
        })
    }
}

impl Checkpointer {
    /// A connection of its own to `db`'s file, waiting at most [`CHECKPOINT_WAIT`] for a lock;
    /// `None` for a database without a log file.
    async fn open(db: &DatabaseConnection) -> Result<Option<Checkpointer>, DbErr> {
        let options = db.get_sqlite_connection_pool().connect_options();
        // An in-memory database has no file (sqlx names it `file:sqlx-in-memory-N`).
        if std::fs::metadata(options.get_filename()).is_err() {
            return Ok(None);
        }
        let options = (*options).clone().busy_timeout(CHECKPOINT_WAIT);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(conn_err)?;
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&mut conn)
                .await
                .map_err(conn_err)?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .map_err(conn_err)?;
        if file.is_empty() || !mode.eq_ignore_ascii_case("wal") {
            let _ = conn.close().await;
            return Ok(None);
        }
        Ok(Some(Checkpointer {
            wal: PathBuf::from(format!("{file}-wal")),
            conn,
        }))
    }

    /// The log file's size in bytes; 0 when it does not exist (SQLite removes it on close).
    fn size(&self) -> u64 {
        std::fs::metadata(&self.wal).map_or(0, |meta| meta.len())
    }

    async fn checkpoint(&mut self) -> Result<Checkpoint, DbErr> {
        let (busy, log_pages, checkpointed_pages): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut self.conn)
                .await
                .map_err(conn_err)?;
        Ok(Checkpoint {
            busy: busy != 0,
            log_pages,
            checkpointed_pages,
        })
    }
}

fn conn_err(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))
}

/// Checkpoints every [`CHECKPOINT_INTERVAL`] for as long as the process runs (SQLite only).
pub async fn checkpoint_periodically(gate: WriteGate) {
    if !gate.queues() {
        return;
    }
    let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        interval.tick().await;
        let done = gate.checkpoint().await;
        match &done {
            // The bound is kept by the writers' turns; this one only tidies up.
            Ok(Some(done)) if done.busy => {
                tracing::debug!(log_pages = done.log_pages, "WAL checkpoint was kept busy");
            }
            Ok(done) => tracing::trace!(?done, "WAL checkpointed"),
            // Once per spell of failures, not every second of an outage.
            Err(err) if !failing => tracing::error!(
                error = %err,
                "WAL checkpoint failed; trying again every second, logging when it works"
            ),
            Err(_) => {}
        }
        if failing && done.is_ok() {
            tracing::info!("WAL checkpoints work again");
        }
        failing = done.is_err();
    }
}

#[cfg(test)]
#[path = "wal_tests.rs"]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests;
