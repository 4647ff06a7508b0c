//! Deleting what has expired: simplejwt's `flushexpiredtokens`, for every table that expires. One
//! implementation, run by `sesame tokens flush` and, every `expiry_cleanup_interval`, by
//! `sesame serve` itself (so nobody has to cron it).
//!
//! Rows go in batches of `batch`, one statement each, lowest id first. On SQLite each batch takes
//! its turn at the [`WriteGate`](crate::store::WriteGate) like any request's write and the task
//! yields between batches, so a cleanup of a million rows never holds the writer for more than
//! one batch: requests' writes interleave with it.

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

use super::Error;
use crate::entities::{authorization_codes, refresh_tokens, revocations, sessions};
use crate::progress::Progress;
use crate::state::AppState;
use crate::store::{self, Expiring};

/// Rows per statement of the server's own cleanup: a batch holds SQLite's writer for a few
/// milliseconds, well under a refresh's own latency.
pub const SERVER_BATCH: u64 = 500;

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

/// Deletes every row that expired before `now`, `batch` (at least 1) rows per statement, and
/// answers the counts per table.
///
/// A used authorization code is kept `refresh_token_lifetime` past its expiry, as long as the
/// refresh tokens it issued can live, so a late replay still revokes them (RFC 6749 §4.1.2).
///
/// # Errors
/// The database's; the batches deleted before it stay deleted.
pub async fn delete_expired(
    state: &AppState,
    now: DateTime<Utc>,
    batch: u64,
    progress: &dyn Progress,
) -> Result<Flushed, Error> {
    let batch = batch.max(1);
    let table = Table {
        state,
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
    let login_attempts = drain(state, batch, || {
        store::login_attempts::delete_older_than(&state.db, forgotten, batch)
    })
    .await?;
    Ok(Flushed {
        refresh_tokens,
        revocations,
        sessions,
        authorization_codes,
        login_attempts,
    })
}

/// One cleanup's settings, shared by its tables.
struct Table<'a> {
    state: &'a AppState,
    batch: u64,
    progress: &'a dyn Progress,
}

impl Table<'_> {
    /// Deletes `E`'s rows that expired before `before`, reporting each batch to the progress
    /// (after counting them first when it shows a rate and ETA).
    async fn drain<E: Expiring>(&self, before: DateTime<Utc>) -> Result<u64, DbErr> {
        let (state, batch) = (self.state, self.batch);
        let total = match self.progress.wants_totals() {
            true => Some(store::count_expired::<E, _>(&state.db, before).await?),
            false => None,
        };
        self.progress
            .start(&format!("flushing {}", E::default().table_name()), total);
        let deleted = drain(state, batch, || async {
            let deleted = store::delete_expired::<E, _>(&state.db, before, batch).await?;
            self.progress.advance(deleted);
            Ok(deleted)
        })
        .await;
        self.progress.finish();
        deleted
    }
}

/// Runs `delete` (one statement deleting at most `batch` rows) until it deletes fewer than
/// `batch`, each run at its turn at the write gate, yielding between runs; answers the total.
pub(crate) async fn drain<F, Fut>(state: &AppState, batch: u64, mut delete: F) -> Result<u64, DbErr>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<u64, DbErr>>,
{
    let mut total = 0;
    loop {
        let deleted = {
            let _turn = state.writes.turn().await;
            delete().await?
        };
        total += deleted;
        if deleted < batch {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
