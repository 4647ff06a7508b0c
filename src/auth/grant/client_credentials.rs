//! The client credentials grant (RFC 6749 §4.4): a confidential client acting on its own behalf.
//! No refresh token is issued (§4.4.3).

use chrono::{DateTime, Utc};

use super::Granted;
use crate::auth::Error;
use crate::auth::clients::{Client, ClientKind};
use crate::auth::scope::Scope;
use crate::auth::tokens;
use crate::state::AppState;

/// An access token whose `sub` is the client itself, for the scope asked (or all it may have).
pub fn grant(
    state: &AppState,
    client: &Client,
    requested_scope: Option<Scope>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    if client.kind == ClientKind::Public {
        return Err(Error::UnauthorizedClient(
            "public clients may not use client_credentials".into(),
        ));
    }
    let scope = Scope::grant(requested_scope, &client.scopes)?;
    let tokens = tokens::issue_client_token(state, client, &scope, now)?;
    Ok(Granted { user: None, tokens })
}
