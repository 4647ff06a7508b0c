//! The resource-owner password credentials grant (RFC 6749 §4.3). Legacy: RFC 9700 §2.4 says it
//! MUST NOT be used, so it is opt-in per client and refused to public clients; Sesame keeps it for
//! first-party apps and simplejwt's `/api/token/`.

use chrono::{DateTime, Utc};

use super::Granted;
use crate::auth::Error;
use crate::auth::accounts::{self, Origin};
use crate::auth::clients::{Client, ClientKind, GrantType};
use crate::auth::scope::Scope;
use crate::auth::tokens::{self, Family, UserGrant};
use crate::state::AppState;

/// What the user typed, and where from (for the throttle).
#[derive(Clone, Debug)]
pub struct Credentials<'a> {
    /// A username, an email or a phone number.
    pub identifier: &'a str,
    pub password: &'a str,
    pub origin: Origin,
}

/// Checks the password (throttled, `InvalidCredentials` for every kind of wrong) and issues an
/// access token, a refresh token when the client may refresh, and an ID token for `openid`.
pub async fn grant(
    state: &AppState,
    client: &Client,
    credentials: Credentials<'_>,
    requested_scope: Option<Scope>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    if client.kind == ClientKind::Public {
        return Err(Error::UnauthorizedClient(
            "public clients may not use the password grant".into(),
        ));
    }
    let scope = Scope::grant(requested_scope, &client.scopes)?;
    let Credentials {
        identifier,
        password,
        origin,
    } = credentials;
    let user = accounts::check_password(state, identifier, password, &origin, now).await?;
    let grant = UserGrant {
        user: &user,
        client,
        scope: &scope,
        auth_time: now,
        nonce: None,
    };
    let tokens = if client.allows(GrantType::RefreshToken) {
        tokens::issue_token_pair(state, &grant, Family::New, now).await?
    } else {
        tokens::issue_access_only(state, &grant, now)?
    };
    Ok(Granted {
        user: Some(user),
        tokens,
    })
}
