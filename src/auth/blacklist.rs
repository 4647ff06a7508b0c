//! simplejwt's blacklist, kept in Sesame's revocation records: whether any token is still good
//! (`/api/token/verify/`), blacklisting a refresh token (`/api/token/blacklist/`), and logging a
//! caller out (the compat profile's `/logout/`).
//!
//! A refresh token is blacklisted by revoking its whole rotation family; an access or sliding
//! token by recording its `jti` (see [`super::revocation`]).

use chrono::{DateTime, Utc};

use super::audit::Actor;
use super::grant::refresh_token;
use super::revocation::{self, AccessToken, Families, Reason};
use super::tokens::{self, AuthenticatedAccess};
use super::{Error, TokenError};
use crate::state::AppState;
use crate::store;

/// Checks a token whatever its `token_type`, as simplejwt's `UntypedToken` and its blacklist
/// check do: signature, `exp`, `jti`, then what the type needs — the refresh row for a refresh
/// token (a rotated one counts as blacklisted), revocation and the user for an access or sliding
/// token, and for any other type or none the revocation of its `jti` (and its issuer). The
/// signature is checked once.
pub async fn check_token(
    state: &AppState,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let verified = tokens::verify_signature(state, presented, now).await?;
    verified.jti().ok_or(TokenError::NoId)?;
    match verified.token_type() {
        Some(tokens::REFRESH) => {
            let (row, _) = refresh_token::load_verified(state, &verified, now).await?;
            if row.used_at.is_some() && state.config.blacklist_after_rotation {
                return Err(TokenError::Revoked.into());
            }
            Ok(())
        }
        Some(tokens::ACCESS) => {
            tokens::authenticate_verified(state, verified, &[tokens::ACCESS], now).await?;
            Ok(())
        }
        Some(tokens::SLIDING) => {
            tokens::authenticate_verified(state, verified, &[tokens::SLIDING], now).await?;
            Ok(())
        }
        _ => {
            tokens::check_issuer(state, &verified)?;
            tokens::check_not_revoked(state, &verified, now).await
        }
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
    let verified = tokens::verify_typed(state, presented, tokens::REFRESH, now).await?;
    let jti = verified.jti().ok_or(TokenError::NoId)?;
    let Some(row) = store::refresh_tokens::find_by_jti(&state.db, jti).await? else {
        // Its user was deleted (and the row with them): there is nothing left to revoke.
        return Ok(());
    };
    if row.revoked_at.is_some() {
        return Err(TokenError::Revoked.into());
    }
    if row.used_at.is_some() && state.config.blacklist_after_rotation {
        refresh_token::revoke_reused(state, &row, now).await?;
        return Err(TokenError::Revoked.into());
    }
    let family = Families::One(&row.family_id);
    let actor = Actor::client(&row.client_id);
    revocation::revoke_family(state, family, Reason::Blacklisted, &actor, now).await?;
    Ok(())
}

/// Logs the caller of an authenticated request out: every refresh token the user holds through
/// the client the access token was issued to is revoked, and the access token itself is
/// blacklisted until it expires, as one revocation.
pub async fn log_out(
    state: &AppState,
    access: &AuthenticatedAccess,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let token = AccessToken::of(state, &access.token)?;
    let reason = Reason::Logout;
    match &access.user {
        Some(user) => {
            let client_id = access.token.str("client_id").unwrap_or_default();
            let families = Families::OfUserAndClient(user.id, client_id);
            let actor = Actor::user(user, None);
            revocation::revoke_family_and_access_token(
                state, families, &token, reason, &actor, now,
            )
            .await?;
        }
        None => {
            let client_id = access.token.str("client_id").unwrap_or_default();
            let actor = Actor::client(client_id);
            revocation::revoke_access_token(state, &token, reason, &actor, now).await?;
        }
    }
    Ok(())
}
