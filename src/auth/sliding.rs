//! Sliding tokens (simplejwt's `SlidingToken`): one JWT that authenticates like an access token
//! and is refreshed in place — same `jti`, same `refresh_exp`, a later `exp` — until
//! `refresh_exp` has passed.
//!
//! A sliding token is an RFC 9068 access token with `token_type: "sliding"` and `refresh_exp`.
//! Refreshing one runs every check a Bearer token gets (revocation, user active, password
//! unchanged since `iat`), so a refresh never carries a token past a revocation.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::accounts::{self, Origin};
use super::clients::{Client, GrantType};
use super::tokens;
use super::{Error, TokenError};
use crate::entities::users;
use crate::state::AppState;

/// Why a sliding token could not be refreshed.
#[derive(Debug, thiserror::Error)]
pub enum SlidingError {
    /// simplejwt: "Token 'refresh_exp' claim has expired".
    #[error("the token's refresh period is over")]
    RefreshExpired,
    /// simplejwt: "Token has no 'refresh_exp' claim".
    #[error("the token has no refresh_exp claim")]
    NoRefreshExp,
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<TokenError> for SlidingError {
    fn from(err: TokenError) -> Self {
        SlidingError::Other(err.into())
    }
}

/// Checks a password (the one check every surface shares) and issues a sliding token.
pub async fn obtain_sliding_token(
    state: &AppState,
    client: &Client,
    identifier: &str,
    password: &str,
    origin: Origin,
    now: DateTime<Utc>,
) -> Result<(users::Model, String), Error> {
    client.require(GrantType::Password)?;
    let user = accounts::check_password(state, identifier, password, &origin, now).await?;
    let token = issue_sliding_token(state, client, &user, now)?;
    metrics::counter!("sesame_tokens_issued_total", "grant" => "sliding").increment(1);
    Ok((user, token))
}

/// Signs a new sliding token for `user`: `exp` one sliding lifetime away, `refresh_exp` one
/// sliding refresh lifetime away.
pub fn issue_sliding_token(
    state: &AppState,
    client: &Client,
    user: &users::Model,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let config = &state.config;
    let expires_at = tokens::after(now, config.sliding_token_lifetime);
    let jti = tokens::new_jti(now);
    let mut claims = tokens::access_claims(state, client, &client.scopes, &jti, expires_at, now);
    claims.insert(config.token_type_claim.clone(), json!(tokens::SLIDING));
    claims.insert("sub".into(), json!(user.id.to_string()));
    claims.insert(config.user_id_claim.clone(), tokens::user_id_claim(user.id));
    let refresh_exp = tokens::after(now, config.sliding_token_refresh_lifetime);
    claims.insert(
        tokens::REFRESH_EXP_CLAIM.into(),
        json!(refresh_exp.timestamp()),
    );
    tokens::add_extra_claims(state, &mut claims, user);
    Ok(state.keys().sign_access(&claims, "at+jwt", now)?)
}

/// Re-signs a valid sliding token with `exp` and `iat` moved to `now`, keeping every other claim
/// (`jti`, `refresh_exp` included), as simplejwt's `TokenRefreshSlidingSerializer` does.
pub async fn refresh_sliding_token(
    state: &AppState,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<String, SlidingError> {
    let access =
        tokens::authenticate_access_token(state, presented, &[tokens::SLIDING], now).await?;
    if access.user.is_none() {
        return Err(TokenError::Invalid.into());
    }
    let mut claims = access.token.claims;
    let refresh_exp = claims
        .get(tokens::REFRESH_EXP_CLAIM)
        .and_then(serde_json::Value::as_i64)
        .and_then(|at| DateTime::from_timestamp(at, 0))
        .ok_or(SlidingError::NoRefreshExp)?;
    let leeway = chrono::Duration::from_std(state.config.leeway).unwrap_or_default();
    if refresh_exp <= now - leeway {
        return Err(SlidingError::RefreshExpired);
    }
    let exp = tokens::after(now, state.config.sliding_token_lifetime);
    claims.insert("exp".into(), json!(exp.timestamp()));
    claims.insert("iat".into(), json!(now.timestamp()));
    Ok(state
        .keys()
        .sign_access(&claims, "at+jwt", now)
        .map_err(Error::from)?)
}
