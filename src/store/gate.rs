//! This process's writes to SQLite, one at a time, and the write-ahead log's bound: every write
//! statement and write transaction of the server and the CLI takes its turn here (see
//! [`super::wal`] for why that bounds the log).

use std::future::Future;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::wal::{Checkpoint, Log, Trigger};

/// SQLite admits one writer at a time; another one sleeps in SQLite's busy handler and retries
/// (after 1 ms, 2 ms, 5 ms, ...), which under load costs far more than the write itself. This
/// process's write transactions queue here instead, so the next one starts the moment the last
/// one ends. A turn also keeps the write-ahead log bounded: once the log has passed
/// [`super::wal::LOG_BOUND`], the next turn begins with a checkpoint that resets it. PostgreSQL
/// locks rows, not the database: nothing queues there.
#[derive(Clone)]
pub struct WriteGate(Option<Arc<Mutex<Log>>>);

/// A turn at the [`WriteGate`]: the next writer of this process waits until it is dropped.
#[must_use = "the turn ends when it is dropped"]
pub struct Turn(Option<OwnedMutexGuard<Log>>);

impl WriteGate {
    /// A gate for `db`'s writes: a queue on SQLite, nothing on PostgreSQL.
    pub fn new(db: &DatabaseConnection) -> WriteGate {
        let one_writer = db.get_database_backend() == DbBackend::Sqlite;
        WriteGate(one_writer.then(|| Arc::new(Mutex::new(Log::new(db.clone())))))
    }

    /// Whether writes queue here: SQLite's do, PostgreSQL's do not.
    pub fn queues(&self) -> bool {
        self.0.is_some()
    }

    /// Begins a transaction that will write, after the previous one of this process ended.
    ///
    /// # Errors
    /// The database's, from `BEGIN`.
    pub async fn begin(&self, db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
        let turn = self.turn().await;
        Ok(WriteTxn {
            txn: db.begin().await?,
            _turn: turn,
        })
    }

    /// Runs `write` (a store function's future: one statement or a few, each committing on its
    /// own) at this process's turn. The future does nothing until polled, so nothing of it runs
    /// before the turn. `write` must not take a turn itself: the gate is not re-entrant.
    pub async fn run<F: Future>(&self, write: F) -> F::Output {
        let _turn = self.turn().await;
        write.await
    }

    /// Waits for this process's writers before, and for a checkpoint if the log has passed its
    /// bound ([`super::wal::LOG_BOUND`]); holding the turn keeps the next writer waiting.
    pub async fn turn(&self) -> Turn {
        self.turn_with_bound(super::wal::LOG_BOUND).await
    }

    /// [`Self::turn`], checkpointing only once the log has passed `bound` bytes: for a bulk job
    /// (`auth::maintenance`, [`super::wal::BULK_LOG_BOUND`]).
    pub async fn turn_with_bound(&self, bound: u64) -> Turn {
        let Some(gate) = &self.0 else {
            return Turn(None);
        };
        let mut held = Arc::clone(gate).lock_owned().await;
        if !held.wants_checkpoint(bound) {
            return Turn(Some(held));
        }
        // The checkpoint runs in a task of its own: a writer whose request is dropped meanwhile
        // (its client went away) must not end the turn while SQLite is still checkpointing.
        let bounded = tokio::spawn(async move {
            let mut held = held;
            held.bound(bound).await;
            held
        });
        match bounded.await {
            Ok(held) => Turn(Some(held)),
            // Only a panic ends the task early, and its guard went with it: queue again.
            Err(_) => Turn(Some(Arc::clone(gate).lock_owned().await)),
        }
    }

    /// Checkpoints the log and truncates it at the next turn, if it holds anything; `None` on a
    /// database without a log file (PostgreSQL, in-memory SQLite) or with an empty one.
    ///
    /// # Errors
    /// The database's, from the checkpoint connection.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, DbErr> {
        let Some(gate) = &self.0 else {
            return Ok(None);
        };
        let mut held = Arc::clone(gate).lock_owned().await;
        held.checkpoint(Trigger::Interval).await
    }

    /// The largest size, in bytes, the log file has reached since this gate was made, as seen at
    /// the start of each turn (one more is taken to look); `None` without a log file.
    pub async fn largest_log(&self) -> Option<u64> {
        let turn = self.turn().await;
        turn.0.as_ref().and_then(|log| log.largest())
    }
}

/// A transaction holding its turn at the `WriteGate` until it commits or rolls back.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Turn,
}

impl WriteTxn {
    /// The transaction, for the store's query functions.
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Commits, then ends the turn.
    ///
    /// # Errors
    /// The database's.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// Rolls back, then ends the turn.
    ///
    /// # Errors
    /// The database's.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}
