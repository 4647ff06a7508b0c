//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2-§3): which user the relying
//! party asks to sign out (`id_token_hint`), which client asks (`client_id` or the hint's `aud`),
//! and where to send the browser afterwards: only to a `post_logout_redirect_uri` registered for
//! that client, with `state` passed back.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::{Error, tokens};
use crate::entities::clients;
use crate::state::AppState;
use crate::store;

/// The parameters of an end-session request.
#[derive(Clone, Debug, Default)]
pub struct EndSessionRequest {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

/// A checked end-session request.
#[derive(Clone, Debug)]
pub struct EndSession {
    /// The user the ID token hint names: the RP knows who is signed in.
    pub hinted_user: Option<i64>,
    /// The client's display name.
    pub client_name: Option<String>,
    /// Where to go once signed out: the registered URI with `state` added.
    pub redirect: Option<Url>,
}

fn invalid(why: &str) -> Error {
    Error::InvalidRequest(why.to_owned())
}

/// Checks an end-session request.
pub async fn check_end_session(
    state: &AppState,
    request: &EndSessionRequest,
    now: DateTime<Utc>,
) -> Result<EndSession, Error> {
    let hint = match &request.id_token_hint {
        Some(token) => Some(read_id_token_hint(state, token, now).await?),
        None => None,
    };
    let client_id = match (
        hint.as_ref().map(|h| h.audience.as_str()),
        &request.client_id,
    ) {
        (Some(aud), Some(client_id)) if aud != client_id => {
            return Err(invalid("client_id does not match the id_token_hint"));
        }
        (Some(aud), _) => Some(aud.to_owned()),
        (None, client_id) => client_id.clone(),
    };
    let client = match &client_id {
        Some(id) => Some(find_active_client(state, id).await?),
        None => None,
    };
    let redirect = match (&request.post_logout_redirect_uri, &client) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(invalid(
                "post_logout_redirect_uri needs an id_token_hint or a client_id",
            ));
        }
        (Some(uri), Some(client)) => Some(registered_redirect(client, uri, request)?),
    };
    Ok(EndSession {
        hinted_user: hint.map(|h| h.user_id),
        client_name: client.map(|c| c.name),
        redirect,
    })
}

async fn find_active_client(state: &AppState, client_id: &str) -> Result<clients::Model, Error> {
    store::clients::find_by_client_id(&state.db, client_id)
        .await?
        .filter(|c| c.is_active)
        .ok_or_else(|| invalid("the application is unknown or disabled"))
}

fn registered_redirect(
    client: &clients::Model,
    uri: &str,
    request: &EndSessionRequest,
) -> Result<Url, Error> {
    if !client.post_logout_redirect_uris().iter().any(|r| r == uri) {
        return Err(invalid(
            "post_logout_redirect_uri is not registered for this application",
        ));
    }
    let mut url =
        Url::parse(uri).map_err(|_| invalid("post_logout_redirect_uri is not a valid URL"))?;
    if let Some(state) = &request.state {
        url.query_pairs_mut().append_pair("state", state);
    }
    Ok(url)
}

/// Who an `id_token_hint` names and for which client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenHint {
    /// The hint's `sub`: a Sesame user id.
    pub user_id: i64,
    /// The hint's single `aud`: the client it was issued to.
    pub audience: String,
}

/// An ID token Sesame signed, as `id_token_hint` carries it at logout (RP-Initiated Logout §2) and
/// at the authorization endpoint (OIDC Core §3.1.2.1). Its expiry does not matter (RP-Initiated
/// Logout §2 asks OPs to accept hints past `exp`; at the authorization endpoint a hint names a
/// user, it grants nothing), so only the signature, the issuer and the shape are checked; access
/// and refresh tokens carry a `token_type` claim and are refused.
///
/// Errors: `InvalidRequest` for anything that is not such a token.
pub async fn read_id_token_hint(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<IdTokenHint, Error> {
    let refused = || invalid("id_token_hint is not an ID token issued by Sesame");
    let claims = tokens::verify_claims(state, token, u64::MAX, now)
        .await
        .map_err(|_| refused())?;
    let issuer_ok = claims.get("iss").and_then(Value::as_str) == Some(&state.config.issuer);
    if !issuer_ok || claims.contains_key(&state.config.token_type_claim) {
        return Err(refused());
    }
    let user_id = claims
        .get("sub")
        .and_then(Value::as_str)
        .and_then(|sub| sub.parse().ok())
        .ok_or_else(refused)?;
    let audience = match claims.get("aud") {
        Some(Value::String(aud)) => aud.clone(),
        Some(Value::Array(auds)) => match auds.as_slice() {
            [Value::String(aud)] => aud.clone(),
            _ => return Err(refused()),
        },
        _ => return Err(refused()),
    };
    Ok(IdTokenHint { user_id, audience })
}
