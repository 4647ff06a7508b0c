//! Revocation (RFC 7009): a refresh token takes its whole family with it; an access token's `jti`
//! is recorded until the token would have expired anyway.

use chrono::{DateTime, Utc};

use super::audit::{self, Action, Actor, AuditEvent};
use super::clients::Client;
use super::tokens::{self, Verified};
use super::{Error, TokenError};
use crate::state::AppState;
use crate::store;

/// Revokes `token` on behalf of `client`. Invalid, expired and unknown tokens are not an error
/// (RFC 7009 §2.2); a token issued to another client is refused (§2.1).
pub async fn revoke_token(
    state: &AppState,
    client: &Client,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Ok(verified) = tokens::verify_signature(state, token, now) else {
        return Ok(());
    };
    let issued_to = verified.str("client_id").unwrap_or_default();
    if issued_to != client.client_id {
        return Err(Error::UnauthorizedClient(
            "the token was issued to another client".into(),
        ));
    }
    let kind = match verified.token_type() {
        Some(tokens::REFRESH) => {
            revoke_refresh_family(state, &verified, "revoked", now).await?;
            tokens::REFRESH
        }
        Some(kind @ (tokens::ACCESS | tokens::SLIDING)) => {
            revoke_by_jti(state, &verified, kind, "revoked", now).await?;
            kind
        }
        _ => return Ok(()),
    };
    let event = AuditEvent::new(&Actor::system(), Action::TokenRevoke)
        .target(format!("client:{}", client.client_id))
        .details(serde_json::json!({
            "token_type": kind,
            "jti": verified.jti(),
            "user_id": verified.user_id(),
        }));
    audit::record(state, event, now).await
}

/// Revokes the family of a verified refresh token (also simplejwt's blacklist endpoint, logout).
pub async fn revoke_refresh_family(
    state: &AppState,
    token: &Verified,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let jti = token.jti().ok_or(TokenError::NoId)?;
    if let Some(row) = store::refresh_tokens::find_by_jti(&state.db, jti).await? {
        store::refresh_tokens::revoke_family(&state.db, &row.family_id, now, reason).await?;
    }
    Ok(())
}

/// Records a token's `jti` as revoked until it expires (access and sliding tokens).
pub async fn revoke_by_jti(
    state: &AppState,
    token: &Verified,
    token_type: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let jti = token.jti().ok_or(TokenError::NoId)?;
    let until = super::sliding::revocable_until(state, token);
    store::revocations::insert(&state.db, jti, token_type, until, now, reason).await?;
    state.directory.revoked(jti);
    Ok(())
}

/// Revokes every refresh token of a user (logout everywhere, password change, deactivation).
pub async fn revoke_user_tokens(
    state: &AppState,
    user_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    Ok(store::refresh_tokens::revoke_for_user(&state.db, user_id, now, reason).await?)
}
