//! simplejwt's blacklist, kept in Sesame's revocation records: whether any token is still good
//! (`/api/token/verify/`), blacklisting a refresh token (`/api/token/blacklist/`), and logging a
//! caller out (the compat profile's `/logout/`).
//!
//! A refresh token is blacklisted by revoking its whole rotation family; an access or sliding
//! token by recording its `jti` (see [`super::revocation`]).

use chrono::{DateTime, Utc};

use super::tokens::{self, AuthenticatedAccess};
use super::{Error, TokenError, refresh, revocation};
use crate::state::AppState;
use crate::store;

/// Why a refresh token's family was revoked through the blacklist endpoint.
pub const BLACKLIST_REASON: &str = "blacklisted";
/// Why tokens were revoked by a logout.
pub const LOGOUT_REASON: &str = "logout";

/// Checks a token of any type (simplejwt's `UntypedToken` and its blacklist check): signature,
/// expiry, `jti`, then what that type needs — the refresh row for a refresh token (a rotated one
/// counts as blacklisted), revocation and the user for an access or sliding token.
pub async fn check_token(
    state: &AppState,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let verified = tokens::verify_signature(state, presented, now)?;
    verified.jti().ok_or(TokenError::NoId)?;
    match verified.token_type() {
        Some(tokens::REFRESH) => {
            let (row, _) = refresh::load_usable(state, presented, now).await?;
            if row.used_at.is_some() && state.config.blacklist_after_rotation {
                return Err(TokenError::Revoked.into());
            }
            Ok(())
        }
        Some(kind @ (tokens::ACCESS | tokens::SLIDING)) => {
            tokens::authenticate_access_token(state, presented, &[kind], now).await?;
            Ok(())
        }
        _ => Err(TokenError::Invalid.into()),
    }
}

/// Blacklists a refresh token: its family is revoked. A token that is already revoked, or was
/// rotated already (presenting it again is reuse), answers `Revoked` — the latter after revoking
/// the family, newer tokens included.
pub async fn blacklist_refresh_token(
    state: &AppState,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let verified = tokens::verify_typed(state, presented, tokens::REFRESH, now)?;
    let jti = verified.jti().ok_or(TokenError::NoId)?;
    let Some(row) = store::refresh_tokens::find_by_jti(&state.db, jti).await? else {
        // Its user was deleted (and the row with them): there is nothing left to revoke.
        return Ok(());
    };
    if row.revoked_at.is_some() {
        return Err(TokenError::Revoked.into());
    }
    let reused = row.used_at.is_some() && state.config.blacklist_after_rotation;
    let reason = if reused {
        refresh::REUSE_REASON
    } else {
        BLACKLIST_REASON
    };
    revocation::revoke_refresh_family(state, &verified, reason, now).await?;
    if reused {
        tracing::warn!(family = %row.family_id, user_id = row.user_id, "rotated refresh token blacklisted; family revoked");
        metrics::counter!("sesame_refresh_reuse_total").increment(1);
        return Err(TokenError::Revoked.into());
    }
    Ok(())
}

/// Logs the caller of an authenticated request out: every refresh token the user holds through
/// the client the access token was issued to is revoked, and the access token itself is
/// blacklisted until it expires.
pub async fn log_out(
    state: &AppState,
    access: &AuthenticatedAccess,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if let Some(user) = &access.user {
        let client_id = access.token.str("client_id").unwrap_or_default();
        store::refresh_tokens::revoke_for_user_and_client(
            &state.db,
            user.id,
            client_id,
            now,
            LOGOUT_REASON,
        )
        .await?;
    }
    let kind = access
        .token
        .token_type()
        .unwrap_or(tokens::ACCESS)
        .to_owned();
    revocation::revoke_by_jti(state, &access.token, &kind, LOGOUT_REASON, now).await
}
