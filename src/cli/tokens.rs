//! `sesame tokens flush`: simplejwt's `flushexpiredtokens`, for every table that expires.

use clap::Subcommand;

use crate::auth::maintenance::{self, Flushed};
use crate::cli::progress::Reporter;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Delete expired refresh-token, revocation, session, authorization-code and login-attempt
    /// rows, in batches.
    Flush {
        /// Rows deleted per transaction (at least 1) while nothing else writes; at most 200
        /// while the server (or anything else) writes to the database.
        #[arg(long, default_value_t = maintenance::BULK_BATCH, value_parser = clap::value_parser!(u64).range(1..))]
        batch: u64,
    },
}

/// Deletes every expired row (`auth::maintenance`, the same cleanup `sesame serve` runs) and
/// prints the counts.
pub(super) async fn flush(state: &AppState, batch: u64) -> anyhow::Result<()> {
    let flushed =
        maintenance::delete_expired(state, state.now(), batch, &Reporter::for_stderr()).await?;
    let Flushed {
        refresh_tokens,
        revocations,
        sessions,
        authorization_codes,
        login_attempts,
    } = flushed;
    println!(
        "deleted {refresh_tokens} expired refresh tokens and {revocations} expired revocations"
    );
    println!(
        "deleted {sessions} expired sessions, {authorization_codes} old authorization codes and \
         {login_attempts} old login attempts"
    );
    Ok(())
}
