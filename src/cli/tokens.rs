//! `sesame tokens flush`: simplejwt's `flushexpiredtokens`, for every table that expires.

use clap::Subcommand;

use crate::entities::{authorization_codes, refresh_tokens, revocations, sessions};
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
    let (db, now) = (&state.db, state.now());
    let refresh = drain(batch, || {
        store::delete_expired::<refresh_tokens::Entity, _>(db, now, batch)
    })
    .await?;
    let revocations = drain(batch, || {
        store::delete_expired::<revocations::Entity, _>(db, now, batch)
    })
    .await?;
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
    let sessions = drain(batch, || {
        store::delete_expired::<sessions::Entity, _>(db, now, batch)
    })
    .await?;
    // A used code is kept while the refresh tokens it issued live, so a late replay still
    // revokes them.
    let keep = chrono::Duration::from_std(state.config.refresh_token_lifetime)?;
    let codes = drain(batch, || {
        store::delete_expired::<authorization_codes::Entity, _>(db, now - keep, batch)
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
