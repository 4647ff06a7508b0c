//! `sesame tokens flush`: simplejwt's `flushexpiredtokens`, for every table that expires.

use clap::Subcommand;

use crate::cli::progress::Reporter;
use crate::entities::{authorization_codes, refresh_tokens, revocations, sessions};
use crate::progress::Progress;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Delete expired refresh-token, revocation, session, authorization-code and login-attempt
    /// rows, in batches.
    Flush {
        /// Rows deleted per transaction (at least 1).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        batch: u64,
    },
}

pub(super) async fn flush(state: &AppState, batch: u64) -> anyhow::Result<()> {
    let now = state.now();
    let progress = Reporter::for_stderr();
    let refresh = flush_table::<refresh_tokens::Entity>(state, now, batch, &progress).await?;
    let revocations = flush_table::<revocations::Entity>(state, now, batch, &progress).await?;
    println!("deleted {refresh} expired refresh tokens and {revocations} expired revocations");
    flush_browser(state, now, batch, &progress).await
}

/// Deletes `E`'s rows that expired before `before`, `batch` at a time, showing progress against
/// the count of them taken first.
async fn flush_table<E: store::Expiring>(
    state: &AppState,
    before: chrono::DateTime<chrono::Utc>,
    batch: u64,
    progress: &Reporter,
) -> anyhow::Result<u64> {
    let db = &state.db;
    let total = store::count_expired::<E, _>(db, before).await?;
    progress.start(
        &format!("flushing {}", E::default().table_name()),
        Some(total),
    );
    let deleted = drain(batch, progress, || {
        store::delete_expired::<E, _>(db, before, batch)
    })
    .await;
    progress.finish();
    deleted
}

/// Deletes expired sessions, authorization codes no longer worth remembering and login attempts
/// the throttle has forgotten (issue 4).
async fn flush_browser(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
    batch: u64,
    progress: &Reporter,
) -> anyhow::Result<()> {
    let sessions = flush_table::<sessions::Entity>(state, now, batch, progress).await?;
    // A used code is kept while the refresh tokens it issued live, so a late replay still
    // revokes them.
    let keep = chrono::Duration::from_std(state.config.refresh_token_lifetime)?;
    let codes =
        flush_table::<authorization_codes::Entity>(state, now - keep, batch, progress).await?;
    let attempts = crate::auth::throttle::forget_expired(state, now, batch).await?;
    println!(
        "deleted {sessions} expired sessions, {codes} old authorization codes and {attempts} old login attempts"
    );
    Ok(())
}

/// Runs `delete` until it deletes fewer than `batch` rows, yielding between batches.
async fn drain<F, Fut>(batch: u64, progress: &Reporter, mut delete: F) -> anyhow::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, sea_orm::DbErr>>,
{
    let mut total = 0;
    loop {
        let deleted = delete().await?;
        total += deleted;
        progress.advance(deleted);
        if deleted < batch {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
