//! The grants of the token endpoint (RFC 6749 §4.3 password, §4.4 client credentials, §6 refresh),
//! each one function every surface calls.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::clients::{Client, ClientKind, GrantType};
use super::refresh::{self, Refreshed};
use super::scope::Scope;
use super::tokens::{self, Family, IssuedTokens, UserGrant};
use super::{Error, accounts};
use crate::entities::users;
use crate::state::AppState;

/// Resource-owner password credentials (RFC 6749 §4.3; legacy, RFC 9700 §2.4): opt-in per client,
/// refused to public clients.
pub async fn password_grant(
    state: &AppState,
    client: &Client,
    identifier: &str,
    password: &str,
    requested_scope: Option<Scope>,
    client_ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(users::Model, IssuedTokens), Error> {
    client.require(GrantType::Password)?;
    if client.kind == ClientKind::Public {
        return Err(Error::UnauthorizedClient(
            "public clients may not use the password grant".into(),
        ));
    }
    let scope = Scope::grant(requested_scope, &client.scopes)?;
    let user = accounts::check_password(state, identifier, password, client_ip, now).await?;
    let grant = UserGrant {
        user: &user,
        client,
        scope: &scope,
        auth_time: now,
        nonce: None,
    };
    let issued = if client.allows(GrantType::RefreshToken) {
        tokens::issue_token_pair(state, &grant, Family::New, now).await?
    } else {
        tokens::issue_access_only(state, &grant, now)?
    };
    count_issued(GrantType::Password);
    Ok((user, issued))
}

/// The refresh grant (RFC 6749 §6), rotating the token (SPEC §5).
pub async fn refresh_grant(
    state: &AppState,
    client: &Client,
    refresh_token: &str,
    requested_scope: Option<Scope>,
    now: DateTime<Utc>,
) -> Result<Refreshed, Error> {
    client.require(GrantType::RefreshToken)?;
    let refreshed =
        refresh::rotate_refresh_token(state, client, refresh_token, requested_scope, now).await?;
    count_issued(GrantType::RefreshToken);
    Ok(refreshed)
}

/// Client credentials (RFC 6749 §4.4): confidential clients only, no refresh token (§4.4.3).
pub async fn client_credentials_grant(
    state: &AppState,
    client: &Client,
    requested_scope: Option<Scope>,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    client.require(GrantType::ClientCredentials)?;
    if client.kind == ClientKind::Public {
        return Err(Error::UnauthorizedClient(
            "public clients may not use client_credentials".into(),
        ));
    }
    let scope = Scope::grant(requested_scope, &client.scopes)?;
    let issued = tokens::issue_client_token(state, client, &scope, now)?;
    count_issued(GrantType::ClientCredentials);
    Ok(issued)
}

fn count_issued(grant: GrantType) {
    metrics::counter!("sesame_tokens_issued_total", "grant" => grant.as_str()).increment(1);
}
