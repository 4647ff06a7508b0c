//! The refresh grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
//!
//! A refresh token is single use: the winner of one atomic conditional update (`used_at IS NULL`)
//! gets the next token of the family; anyone presenting it again after that revokes the whole
//! family, unless the same client brings it back within `refresh_reuse_grace` (a retry after a
//! lost response, two tabs): then it gets the same successor again, never a second one.

use chrono::{DateTime, SubsecRound, Utc};

use super::Granted;
use crate::auth::audit::Actor;
use crate::auth::clients::Client;
use crate::auth::revocation::{self, Families, Reason};
use crate::auth::scope::Scope;
use crate::auth::tokens::{self, Family, UserGrant, Verified};
use crate::auth::{Error, TokenError};
use crate::entities::{refresh_tokens, users};
use crate::state::AppState;
use crate::store;
use crate::store::rotations::Rotation;

/// Exchanges a refresh token for new tokens, rotating it when rotation is on.
///
/// RFC 6749 §6: a requested `scope` must be within what the token was granted
/// (`InvalidScope` otherwise) and applies to the new access token only; the successor refresh
/// token keeps the scope originally granted, so narrowing once and widening back later works.
pub async fn grant(
    state: &AppState,
    client: &Client,
    presented: &str,
    requested_scope: Option<Scope>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let (row, user) = load_usable(state, presented, now).await?;
    if row.client_id != client.client_id {
        return Err(TokenError::WrongClient.into());
    }
    let granted = Scope::parse(&row.scope)?;
    let scope = match requested_scope {
        Some(requested) if !requested.is_subset(&granted) => {
            return Err(Error::InvalidScope(
                "exceeds the scope originally granted".into(),
            ));
        }
        Some(requested) => requested,
        None => granted.clone(),
    };
    let family_grant = UserGrant {
        user: &user,
        client,
        scope: &granted,
        auth_time: row.auth_time,
        nonce: None,
    };
    let access_grant = UserGrant {
        scope: &scope,
        ..family_grant
    };
    let config = &state.config;
    let next = Family::Continue {
        family_id: row.family_id.clone(),
        parent_jti: row.jti.clone(),
    };
    let mut tokens = tokens::issue_access_only(state, &access_grant, now)?;
    tokens.refresh_token = if !config.rotate_refresh_tokens {
        None
    } else if !config.blacklist_after_rotation {
        Some(tokens::issue_refresh_token(state, &family_grant, next, now).await?)
    } else {
        Some(rotate_once(state, &family_grant, &row, next, now).await?)
    };
    Ok(Granted {
        user: Some(user),
        tokens,
    })
}

/// Verifies a refresh token and loads its row and user: the checks every use of a refresh token
/// shares (the refresh grant, simplejwt's refresh and blacklist endpoints, introspection).
pub async fn load_usable(
    state: &AppState,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<(refresh_tokens::Model, users::Model), Error> {
    let verified = tokens::verify_typed(state, presented, tokens::REFRESH, now).await?;
    load_verified(state, &verified, now).await
}

/// [`load_usable`] for a token whose signature was checked already.
pub async fn load_verified(
    state: &AppState,
    verified: &Verified,
    now: DateTime<Utc>,
) -> Result<(refresh_tokens::Model, users::Model), Error> {
    let jti = verified.jti().ok_or(TokenError::NoId)?;
    let Some(row) = store::refresh_tokens::find_by_jti(&state.db, jti).await? else {
        // Deleting a user deletes their refresh tokens: say so rather than "invalid".
        let user_id = verified.user_id().unwrap_or_default();
        if store::users::find_by_id(&state.db, user_id)
            .await?
            .is_none()
        {
            return Err(TokenError::UserNotFound.into());
        }
        return Err(TokenError::Invalid.into());
    };
    if row.revoked_at.is_some() {
        return Err(TokenError::Revoked.into());
    }
    if !state.config.rotate_refresh_tokens && row.used_at.is_some() {
        return Err(TokenError::Revoked.into());
    }
    if row.expires_at <= now {
        return Err(TokenError::Expired.into());
    }
    let user = state
        .directory
        .user(&state.db, row.user_id, now)
        .await?
        .ok_or(TokenError::UserNotFound)?;
    if !user.is_active {
        return Err(TokenError::UserInactive.into());
    }
    Ok((row, user))
}

/// Marks the presented token used and records its successor in one transaction; the conditional
/// update decides the winner, never a read-then-write (`store::rotations`). Answers the successor
/// refresh token.
async fn rotate_once(
    state: &AppState,
    grant: &UserGrant<'_>,
    row: &refresh_tokens::Model,
    next: Family,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let (successor, refresh) = tokens::prepare_refresh_token(state, grant, next, now)?;
    let rotation = Rotation {
        presented_jti: row.jti.clone(),
        successor,
        now,
    };
    if state.rotations.rotate(rotation).await? {
        return Ok(refresh);
    }
    let current = store::refresh_tokens::find_by_jti(&state.db, &row.jti)
        .await?
        .ok_or(TokenError::Invalid)?;
    if current.revoked_at.is_none()
        && within_grace(state, current.used_at, now)
        && let Some(successor) = unspent_successor(state, &current, now).await?
    {
        return tokens::sign_refresh_token(state, &successor.into());
    }
    revoke_reused(state, row, now).await?;
    Err(TokenError::Reused.into())
}

/// The successor a retry inside the grace gets back: the very token the first presentation was
/// given, so a family never forks. Once that successor has been rotated or revoked itself, the
/// client holding it has moved on, and the old token coming back is reuse after all.
async fn unspent_successor(
    state: &AppState,
    used: &refresh_tokens::Model,
    now: DateTime<Utc>,
) -> Result<Option<refresh_tokens::Model>, Error> {
    let successor = store::refresh_tokens::find_successor(&state.db, used).await?;
    Ok(successor.filter(|s| s.used_at.is_none() && s.revoked_at.is_none() && s.expires_at > now))
}

/// A rotated token came back: its whole family goes, the tokens rotated from it included.
pub async fn revoke_reused(
    state: &AppState,
    row: &refresh_tokens::Model,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let family = Families::One(&row.family_id);
    let actor = Actor::system();
    revocation::revoke_family(state, family, Reason::ReuseDetected, &actor, now).await
}

fn within_grace(state: &AppState, used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let grace = state.config.refresh_reuse_grace;
    // PostgreSQL keeps microseconds: compare at that precision on both databases, so the last
    // instant of the window is inside it everywhere.
    let now = now.trunc_subsecs(6);
    match (used_at, chrono::Duration::from_std(grace)) {
        (Some(used_at), Ok(grace)) if !grace.is_zero() => now - used_at.trunc_subsecs(6) <= grace,
        _ => false,
    }
}
