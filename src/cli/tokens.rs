//! `sesame tokens flush`: simplejwt's `flushexpiredtokens`, for every table that expires.

use clap::Subcommand;

use crate::state::AppState;
use crate::store;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Delete expired refresh-token, revocation, session, authorization-code and login-attempt
    /// rows, in batches.
    Flush {
        #[arg(long, default_value_t = 1000)]
        batch: u64,
    },
}

pub(super) async fn flush(state: &AppState, batch: u64) -> anyhow::Result<()> {
    let now = state.now();
    let mut refresh = 0;
    loop {
        let deleted = store::refresh_tokens::delete_expired(&state.db, now, batch).await?;
        refresh += deleted;
        if deleted < batch {
            break;
        }
        // Let other writers in between batches.
        tokio::task::yield_now().await;
    }
    let mut revocations = 0;
    loop {
        let deleted = store::revocations::delete_expired(&state.db, now, batch).await?;
        revocations += deleted;
        if deleted < batch {
            break;
        }
        tokio::task::yield_now().await;
    }
    println!("deleted {refresh} expired refresh tokens and {revocations} expired revocations");
    flush_browser(state, now, batch).await
}

/// Deletes expired sessions, authorization codes no longer worth remembering and login attempts
/// the throttle has forgotten (issue 4).
async fn flush_browser(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
    batch: u64,
) -> anyhow::Result<()> {
    let db = &state.db;
    let sessions = drain(batch, || store::sessions::delete_expired(db, now, batch)).await?;
    // A used code is kept while the refresh tokens it issued live, so a late replay still
    // revokes them.
    let keep = chrono::Duration::from_std(state.config.refresh_token_lifetime)?;
    let codes = drain(batch, || {
        store::authorization_codes::delete_expired(db, now - keep, batch)
    })
    .await?;
    let attempts = crate::auth::throttle::forget_expired(state, now, batch).await?;
    println!(
        "deleted {sessions} expired sessions, {codes} old authorization codes and {attempts} old login attempts"
    );
    Ok(())
}

/// Runs `delete` until it deletes fewer than `batch` rows, yielding between batches.
async fn drain<F, Fut>(batch: u64, mut delete: F) -> anyhow::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, sea_orm::DbErr>>,
{
    let mut total = 0;
    loop {
        let deleted = delete().await?;
        total += deleted;
        if deleted < batch {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
