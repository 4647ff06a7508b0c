//! Deleting what has expired: simplejwt's `flushexpiredtokens`, for every table that expires. One
//! implementation, run by `sesame tokens flush` and, every `expiry_cleanup_interval`, by
//! `sesame serve` itself (so nobody has to cron it).
//!
//! Rows go in batches of `batch`, one statement each, earliest expiry first, on a connection of
//! the cleanup's own ([`BulkConnection`]: on SQLite a page cache sized to the batch). On SQLite
//! each batch takes its turn at the [`WriteGate`](crate::store::WriteGate) like any request's
//! write, so a cleanup of a million rows never holds the writer for more than one batch.
//!
//! Alone it runs at bulk speed. While other connections write (the server's requests, or another
//! process), it gives way ([`Pacing::GIVING_WAY`]): small batches, each followed by a rest several
//! times as long as the batch took, so a request waits for it a millisecond or two at most and it
//! takes a small share of the writer's time. It looks before its first batch (`probe`) and after
//! every batch; it goes back to bulk speed only once it has seen nobody else write for `calm`: a
//! writer that waits for SQLite's lock sleeps in the busy handler, and is not seen committing the
//! instant a long batch ends.
//! PostgreSQL locks rows, not the database: there the cleanup never waits.

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::time::{Duration, Instant};

use super::Error;
use crate::entities::{authorization_codes, refresh_tokens, revocations, sessions};
use crate::progress::Progress;
use crate::state::AppState;
use crate::store::bulk::{self, BulkConnection};
use crate::store::{self, Expiring, WriteGate, wal};

/// Rows per statement of the server's own cleanup: a batch holds SQLite's writer for a few
/// milliseconds, well under a refresh's own latency.
pub const SERVER_BATCH: u64 = 500;

/// Rows per statement of `sesame tokens flush` by default: a batch of 20,000 writes about 12 MiB
/// of log; smaller ones cost more log per row (1,000 rows: 1.5 MiB), and so more checkpoints
/// (bench/README.md). While others write it is cut to
/// [`Pacing::GIVING_WAY`]'s `contended_batch`.
pub const BULK_BATCH: u64 = 20_000;

/// How the cleanup gives way to the database's other writers (see the module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacing {
    /// Rows per statement, at most, while others write.
    pub contended_batch: u64,
    /// While others write, the rest after each batch, in multiples of the time the batch took
    /// (its turn at the write gate, and the checkpoint that may begin it, included).
    pub rest_per_work: u32,
    /// How long the cleanup watches the database before its first batch.
    pub probe: Duration,
    /// How long nobody else must have written before the cleanup goes back to bulk speed.
    pub calm: Duration,
}

impl Pacing {
    /// The pacing of `sesame serve`'s cleanup and of `sesame tokens flush`. While others write,
    /// a batch of 200 rows holds SQLite's writer for about a millisecond, about the first sleeps
    /// (1 ms, then 2 ms) of a writer waiting in SQLite's busy handler; resting nineteen times as
    /// long keeps the cleanup to a twentieth of the writer's time: at a tenth, refresh p99 under
    /// load still rose by 1.7x (bench/README.md), from the checkpoints of the log it fills. A
    /// server under load commits many times in 50 ms.
    pub const GIVING_WAY: Pacing = Pacing {
        contended_batch: 200,
        rest_per_work: 19,
        probe: Duration::from_millis(50),
        calm: Duration::from_secs(2),
    };

    /// Rows the next statement deletes: `batch`, or while others write at most
    /// `contended_batch`.
    pub fn batch_size(&self, batch: u64, contended: bool) -> u64 {
        match contended {
            true => batch.min(self.contended_batch),
            false => batch,
        }
    }

    /// How long the cleanup rests after a batch that took `took`: `rest_per_work` times that
    /// while others write, nothing (`None`) while it is alone.
    pub fn rest_after(&self, took: Duration, contended: bool) -> Option<Duration> {
        contended.then(|| took.saturating_mul(self.rest_per_work))
    }
}

/// How many rows one cleanup deleted, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Refresh tokens past their `expires_at` (revoked or not: an expired token is refused anyway).
    pub refresh_tokens: u64,
    /// Revocation records of tokens that have expired since.
    pub revocations: u64,
    /// Browser sessions past their `expires_at`.
    pub sessions: u64,
    /// Authorization codes expired longer than `refresh_token_lifetime` ago (see below).
    pub authorization_codes: u64,
    /// Login failures older than the throttle's retention.
    pub login_attempts: u64,
}

impl Flushed {
    /// All rows deleted.
    pub fn total(&self) -> u64 {
        self.refresh_tokens
            + self.revocations
            + self.sessions
            + self.authorization_codes
            + self.login_attempts
    }
}

/// Deletes every row that expired before `now`, `batch` (at least 1) rows per statement (fewer
/// while others write: see the module), and answers the counts per table.
///
/// A used authorization code is kept `refresh_token_lifetime` past its expiry, as long as the
/// refresh tokens it issued can live, so a late replay still revokes them (RFC 6749 §4.1.2).
///
/// # Errors
/// The database's (opening the cleanup's connection included); the batches deleted before it
/// stay deleted.
pub async fn delete_expired(
    state: &AppState,
    now: DateTime<Utc>,
    batch: u64,
    progress: &dyn Progress,
) -> Result<Flushed, Error> {
    let batch = batch.max(1);
    let url = state.config.database_url.expose();
    let bulk = BulkConnection::open(&state.db, url, bulk::page_cache_kib(batch)).await?;
    let mut table = Table {
        state,
        sweep: Sweep::start(bulk, Pacing::GIVING_WAY).await?,
        batch,
        progress,
    };
    let refresh_tokens = table.drain::<refresh_tokens::Entity>(now).await?;
    let revocations = table.drain::<revocations::Entity>(now).await?;
    let sessions = table.drain::<sessions::Entity>(now).await?;
    let keep = chrono::Duration::from_std(state.config.refresh_token_lifetime)
        .unwrap_or(chrono::Duration::MAX);
    let codes_before = now
        .checked_sub_signed(keep)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let authorization_codes = table
        .drain::<authorization_codes::Entity>(codes_before)
        .await?;
    let forgotten = super::throttle::forgotten_before(now);
    let login_attempts =
        drain(
            &state.writes,
            &mut table.sweep,
            batch,
            |db, size| async move {
                store::login_attempts::delete_older_than(&db, forgotten, size).await
            },
        )
        .await?;
    Ok(Flushed {
        refresh_tokens,
        revocations,
        sessions,
        authorization_codes,
        login_attempts,
    })
}

/// One cleanup's connection and settings, shared by its tables.
struct Table<'a> {
    state: &'a AppState,
    sweep: Sweep,
    batch: u64,
    progress: &'a dyn Progress,
}

impl Table<'_> {
    /// Deletes `E`'s rows that expired before `before`, reporting each batch to the progress
    /// (after counting them first when it shows a rate and ETA, and nobody else writes).
    async fn drain<E: Expiring>(&mut self, before: DateTime<Utc>) -> Result<u64, DbErr> {
        // Not while others write: counting a large table is a long read, and a checkpoint by the
        // server waits for it with the server's writes held up behind.
        let total = match self.progress.wants_totals() && !self.sweep.contended().await? {
            true => Some(store::count_expired::<E, _>(self.sweep.bulk.conn(), before).await?),
            false => None,
        };
        let progress = self.progress;
        progress.start(&format!("flushing {}", E::default().table_name()), total);
        let writes = &self.state.writes;
        let deleted = drain(writes, &mut self.sweep, self.batch, |db, size| async move {
            let deleted = store::delete_expired::<E, _>(&db, before, size).await?;
            progress.advance(deleted);
            Ok(deleted)
        })
        .await;
        progress.finish();
        deleted
    }
}

/// The cleanup's connection and what it has seen of the database's other writers.
pub(crate) struct Sweep {
    bulk: BulkConnection,
    pacing: Pacing,
    /// When another connection's write was last seen.
    others_seen: Option<Instant>,
    /// What the last look answered.
    was_contended: bool,
}

impl Sweep {
    /// Watches `bulk` for `pacing.probe` first, where it can tell others' writes.
    pub(crate) async fn start(bulk: BulkConnection, pacing: Pacing) -> Result<Sweep, DbErr> {
        let mut sweep = Sweep {
            bulk,
            pacing,
            others_seen: None,
            was_contended: false,
        };
        if sweep.bulk.tells_others() {
            tokio::time::sleep(pacing.probe).await;
            sweep.contended().await?;
        }
        Ok(sweep)
    }

    /// Whether others wrote within the last `calm`, taking what happened since the last look.
    async fn contended(&mut self) -> Result<bool, DbErr> {
        let now = Instant::now();
        if self.bulk.others_wrote().await? {
            self.others_seen = Some(now);
        }
        let calm = self.pacing.calm;
        let contended = self
            .others_seen
            .is_some_and(|seen| now.duration_since(seen) < calm);
        if contended != self.was_contended {
            tracing::debug!(others_writing = contended, "expiry cleanup pace");
            self.was_contended = contended;
        }
        Ok(contended)
    }
}

/// Runs `delete(connection, size)` (one statement deleting at most `size` rows) until it deletes
/// fewer than `size`, each run at its turn at `writes`; answers the total. `size` is `batch`, or
/// while others write at most the pacing's `contended_batch`, each such run followed by a rest
/// ([`Pacing::rest_after`]).
pub(crate) async fn drain<F, Fut>(
    writes: &WriteGate,
    sweep: &mut Sweep,
    batch: u64,
    mut delete: F,
) -> Result<u64, DbErr>
where
    F: FnMut(DatabaseConnection, u64) -> Fut,
    Fut: Future<Output = Result<u64, DbErr>>,
{
    let mut total = 0;
    loop {
        let contended = sweep.contended().await?;
        let size = sweep.pacing.batch_size(batch, contended);
        let (deleted, took) = {
            // The turn may begin with a checkpoint of the log this cleanup filled: its time
            // counts. While others write, their own turns keep the log small.
            let started = Instant::now();
            let _turn = writes.turn_with_bound(wal::BULK_LOG_BOUND).await;
            let deleted = delete(sweep.bulk.conn().clone(), size).await?;
            sweep.bulk.settle().await?;
            (deleted, started.elapsed())
        };
        total += deleted;
        if deleted < size {
            return Ok(total);
        }
        match sweep.pacing.rest_after(took, contended) {
            Some(rest) => tokio::time::sleep(rest).await,
            None => tokio::task::yield_now().await,
        }
    }
}

#[cfg(test)]
#[path = "maintenance_tests.rs"]
mod tests;
