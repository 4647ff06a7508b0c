//! Verifying tokens Sesame signed: the signature (the algorithm comes from the key, never from the
//! token; RFC 8725 §3.1), `exp`/`nbf` at `now`, and for Bearer access tokens everything else a
//! resource request needs (RFC 9068 §4): the type, the issuer, revocation, the user.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::auth::scope::Scope;
use crate::auth::{Error, TokenError};
use crate::config::ClaimNames;
use crate::crypto::keys::VerifyError;
use crate::entities::users;
use crate::state::AppState;

/// The verified claims of a token Sesame signed, with the configured claim names to read them by.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: Map<String, Value>,
    names: Arc<ClaimNames>,
}

impl Verified {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// simplejwt's `token_type` (under its configured name): `access`, `refresh` or `sliding`.
    pub fn token_type(&self) -> Option<&str> {
        self.str(&self.names.token_type)
    }

    /// The token's id (under the configured `jti` claim name).
    pub fn jti(&self) -> Option<&str> {
        self.str(&self.names.jti)
    }

    /// The user id claim. simplejwt 5.5.1's `for_user` writes `str(user.id)` (tokens.py, "user_id =
    /// str(user_id)"); older versions and other issuers wrote the integer. Its `get_user` hands
    /// either to `User.objects.get(id=...)`, which takes both, so both are read here.
    pub fn user_id(&self) -> Option<i64> {
        match self.claims.get(&self.names.user_id)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.int("exp")
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub fn scope(&self) -> Scope {
        self.str("scope")
            .and_then(|s| Scope::parse(s).ok())
            .unwrap_or_default()
    }
}

/// Checks the signature (the algorithm comes from the key, never the token), `exp` and `nbf` at
/// `now` with the configured leeway.
pub async fn verify_signature(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Verified, TokenError> {
    let leeway = state.config.leeway.as_secs();
    match verify_claims(state, token, leeway, now).await {
        Ok(claims) => Ok(Verified {
            claims,
            names: Arc::clone(&state.claim_names),
        }),
        Err(VerifyError::Expired) => Err(TokenError::Expired),
        Err(VerifyError::NoExp) => Err(TokenError::NoExp),
        Err(VerifyError::Invalid) => Err(TokenError::Invalid),
    }
}

/// Every token Sesame verifies goes through here: the ring's check, and when the token names a key
/// this instance's ring lacks (another instance may have just added it), one look at the ring
/// (rate-limited, see [`AppState::look_for_unknown_key`]) and a second check if it changed.
pub async fn verify_claims(
    state: &AppState,
    token: &str,
    leeway_secs: u64,
    now: DateTime<Utc>,
) -> Result<Map<String, Value>, VerifyError> {
    let ring = state.keys();
    match ring.verify_at(token, leeway_secs, now) {
        Err(VerifyError::Invalid) if ring.lacks_key_of(token) => {
            match state.look_for_unknown_key(&ring, now).await {
                Some(reloaded) => reloaded.verify_at(token, leeway_secs, now),
                None => Err(VerifyError::Invalid),
            }
        }
        checked => checked,
    }
}

/// Verifies a token and requires its `jti` and its `token_type`.
pub async fn verify_typed(
    state: &AppState,
    token: &str,
    expected: &str,
    now: DateTime<Utc>,
) -> Result<Verified, TokenError> {
    let verified = verify_signature(state, token, now).await?;
    check_id_and_type(&verified, &[expected])?;
    Ok(verified)
}

/// What simplejwt's `Token.verify()` checks after `exp`, in its order: a `jti` ("Token has no
/// id"), a `token_type` ("Token has no type"), one of `accepted` ("Token has wrong type").
fn check_id_and_type(verified: &Verified, accepted: &[&str]) -> Result<(), TokenError> {
    verified.jti().ok_or(TokenError::NoId)?;
    let token_type = verified.token_type().ok_or(TokenError::NoType)?;
    if !accepted.contains(&token_type) {
        return Err(TokenError::WrongType);
    }
    Ok(())
}

/// An `iss`, when present, must be ours (refresh tokens carry none).
pub fn check_issuer(state: &AppState, verified: &Verified) -> Result<(), TokenError> {
    match verified.str("iss") {
        Some(iss) if iss != state.config.issuer => Err(TokenError::Invalid),
        _ => Ok(()),
    }
}

/// The token's `jti` is not among the revoked ones (`NoId` without one).
pub async fn check_not_revoked(
    state: &AppState,
    verified: &Verified,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let jti = verified.jti().ok_or(TokenError::NoId)?;
    if state.directory.is_revoked(&state.db, jti, now).await? {
        return Err(TokenError::Revoked.into());
    }
    Ok(())
}

/// An access token that passed every check, with its user (absent for client-credentials tokens).
#[derive(Debug, Clone)]
pub struct AuthenticatedAccess {
    pub token: Verified,
    pub user: Option<users::Model>,
}

/// Authenticates a Bearer access token: signature, type, issuer, not revoked, user present and
/// active, issued after the user's last password change. Every surface that takes a Bearer token
/// calls this.
pub async fn authenticate_access_token(
    state: &AppState,
    token: &str,
    accepted_types: &[&str],
    now: DateTime<Utc>,
) -> Result<AuthenticatedAccess, Error> {
    let verified = verify_signature(state, token, now).await?;
    authenticate_verified(state, verified, accepted_types, now).await
}

/// [`authenticate_access_token`] for a token whose signature was checked already, so no caller
/// verifies one token twice.
pub async fn authenticate_verified(
    state: &AppState,
    verified: Verified,
    accepted_types: &[&str],
    now: DateTime<Utc>,
) -> Result<AuthenticatedAccess, Error> {
    // PyJWT checks the issuer while decoding, before simplejwt looks at any claim.
    check_issuer(state, &verified)?;
    check_id_and_type(&verified, accepted_types)?;
    check_not_revoked(state, &verified, now).await?;
    let Some(user_id) = verified.user_id() else {
        // A client-credentials token acts for its client, not a user.
        return Ok(AuthenticatedAccess {
            token: verified,
            user: None,
        });
    };
    let user = state
        .directory
        .user(&state.db, user_id, now)
        .await?
        .ok_or(TokenError::UserNotFound)?;
    if !user.is_active {
        return Err(TokenError::UserInactive.into());
    }
    let issued_at = verified.int("iat").unwrap_or(i64::MIN);
    if issued_at < user.password_changed_at.timestamp() {
        return Err(TokenError::Revoked.into());
    }
    Ok(AuthenticatedAccess {
        token: verified,
        user: Some(user),
    })
}
