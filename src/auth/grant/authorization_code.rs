//! The authorization-code grant at the token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5-§4.6,
//! OIDC Core §3.1.3).
//!
//! A code is single use: the exchange marks it used with one conditional UPDATE inside the
//! transaction that issues the tokens and records them on the code's row. A second exchange finds
//! the row used and revokes what the first one issued, the refresh family and the access token
//! (RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
//! MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on
//! that authorization code").

use chrono::{DateTime, Utc};

use super::Granted;
use crate::auth::audit::Actor;
use crate::auth::authorize::{is_pkce_value, pkce_verifies};
use crate::auth::clients::{Client, ClientKind, GrantType};
use crate::auth::redirect_uri;
use crate::auth::revocation::{self, AccessToken, Families, Reason};
use crate::auth::scope::Scope;
use crate::auth::tokens::{self, Family, IssuedTokens, UserGrant};
use crate::auth::{Error, TokenError};
use crate::crypto::secrets;
use crate::entities::authorization_codes;
use crate::state::AppState;
use crate::store;
use crate::store::authorization_codes::Issued;

/// What the client sends with `grant_type=authorization_code`.
#[derive(Clone, Debug)]
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

fn invalid(why: &str) -> Error {
    Error::InvalidGrant(why.to_owned())
}

/// Exchanges an authorization code for tokens (an ID token too when the scope has `openid`).
pub async fn grant(
    state: &AppState,
    client: &Client,
    exchange: CodeExchange<'_>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let hash = secrets::sha256_hex(exchange.code);
    let row = store::authorization_codes::find_by_hash(&state.db, &hash)
        .await?
        .ok_or_else(|| invalid("the authorization code is invalid"))?;
    // A code presented by another client says nothing about its owner: refuse, revoke nothing.
    if row.client_id != client.client_id {
        return Err(invalid(
            "the authorization code was issued to another client",
        ));
    }
    if row.used_at.is_some() {
        return Err(reused(state, &row, now).await);
    }
    if row.expires_at <= now {
        return Err(invalid("the authorization code is expired"));
    }
    check_redirect_uri(client, &row, exchange.redirect_uri)?;
    check_pkce(client, &row, exchange.code_verifier)?;
    let user = store::users::find_by_id(&state.db, row.user_id)
        .await?
        .filter(|user| user.is_active)
        .ok_or(TokenError::UserInactive)?;
    let scope = Scope::parse(&row.scope)?;
    let grant = UserGrant {
        user: &user,
        client,
        scope: &scope,
        auth_time: row.auth_time,
        nonce: row.nonce.as_deref(),
    };
    let tokens = issue_once(state, &grant, &row, now).await?;
    Ok(Granted {
        user: Some(user),
        tokens,
    })
}

/// RFC 6749 §4.1.3: the `redirect_uri` must be identical to the authorization request's when
/// that one had it; when it did not, any URI given must match one registered for the client
/// (`redirect_uri::matches`: any port on a loopback IP literal).
fn check_redirect_uri(
    client: &Client,
    row: &authorization_codes::Model,
    given: Option<&str>,
) -> Result<(), Error> {
    let matches = match (&row.redirect_uri, given) {
        (Some(expected), Some(given)) => expected == given,
        (Some(_), None) => false,
        (None, Some(given)) => client
            .redirect_uris
            .iter()
            .any(|uri| redirect_uri::matches(uri, given)),
        (None, None) => true,
    };
    if matches {
        Ok(())
    } else {
        Err(invalid(
            "redirect_uri does not match the authorization request",
        ))
    }
}

/// RFC 7636 §4.6, and RFC 9700 §2.1.1: a verifier without a challenge is refused too, so PKCE
/// cannot be stripped from a request on the way.
fn check_pkce(
    client: &Client,
    row: &authorization_codes::Model,
    verifier: Option<&str>,
) -> Result<(), Error> {
    match (&row.code_challenge, verifier) {
        (None, None) if client.kind == ClientKind::Confidential => Ok(()),
        (None, None) => Err(invalid("public clients must use PKCE")),
        (None, Some(_)) => Err(invalid(
            "code_verifier was sent but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(Error::InvalidRequest(
            "missing parameter `code_verifier`".into(),
        )),
        (Some(_), Some(verifier)) if !is_pkce_value(verifier) => Err(Error::InvalidRequest(
            "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]".into(),
        )),
        (Some(challenge), Some(verifier)) => {
            if pkce_verifies(challenge, row.code_challenge_method.as_deref(), verifier) {
                Ok(())
            } else {
                Err(invalid("code_verifier does not match the code_challenge"))
            }
        }
    }
}

/// Marks the code used, issues the tokens and records them on the row, in one transaction.
async fn issue_once(
    state: &AppState,
    grant: &UserGrant<'_>,
    row: &authorization_codes::Model,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    let txn = state.writes.begin(&state.db).await?;
    if !store::authorization_codes::mark_used(txn.conn(), row.id, now).await? {
        txn.rollback().await?;
        return Err(reused(state, row, now).await);
    }
    let refresh = if grant.client.allows(GrantType::RefreshToken) {
        let (refresh_row, token) = tokens::prepare_refresh_token(state, grant, Family::New, now)?;
        let family_id = refresh_row.family_id.clone();
        store::refresh_tokens::insert(txn.conn(), refresh_row).await?;
        Some((family_id, token))
    } else {
        None
    };
    let mut issued = tokens::issue_access_only(state, grant, now)?;
    let (family_id, refresh_token) = refresh.unzip();
    let record = Issued {
        family_id,
        access_jti: issued.access_jti.clone(),
        access_expires_at: issued.access_expires_at,
    };
    store::authorization_codes::record_issued(txn.conn(), row.id, record).await?;
    txn.commit().await?;
    issued.refresh_token = refresh_token;
    Ok(issued)
}

/// A used code came back: revoke what its first exchange issued, and refuse.
async fn reused(state: &AppState, row: &authorization_codes::Model, now: DateTime<Utc>) -> Error {
    match revoke_issued(state, row.id, now).await {
        Ok(()) => invalid("the authorization code was already used"),
        Err(err) => err,
    }
}

/// RFC 6749 §4.1.2: the refresh family and the access token the first exchange issued, as one
/// revocation (one audit event).
async fn revoke_issued(state: &AppState, id: i64, now: DateTime<Utc>) -> Result<(), Error> {
    // Read again: the winner's transaction has committed by now and recorded what it issued.
    let Some(row) = store::authorization_codes::find_by_id(&state.db, id).await? else {
        return Ok(());
    };
    let actor = Actor::client(&row.client_id);
    let reason = Reason::CodeReuse;
    let access = match (&row.access_jti, row.access_expires_at) {
        (Some(jti), Some(until)) => Some(AccessToken {
            jti: jti.clone(),
            token_type: tokens::ACCESS.to_owned(),
            until,
            user_id: Some(row.user_id),
        }),
        _ => None,
    };
    match (row.family_id.as_deref(), &access) {
        (Some(family_id), Some(access)) => {
            let families = Families::One(family_id);
            revocation::revoke_family_and_access_token(
                state, families, access, reason, &actor, now,
            )
            .await?;
        }
        (Some(family_id), None) => {
            revocation::revoke_family(state, Families::One(family_id), reason, &actor, now).await?;
        }
        (None, Some(access)) => {
            revocation::revoke_access_token(state, access, reason, &actor, now).await?;
        }
        // The first exchange has not recorded what it issued: nothing to take back yet.
        (None, None) => {}
    }
    Ok(())
}
