//! `POST /oauth/introspect` (RFC 7662), for authenticated confidential clients.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::OAuthError;
use super::token::no_store;
use crate::auth::clients::{self, ClientKind};
use crate::auth::{Error, introspection};
use crate::http::extract::{self, Form};
use crate::state::AppState;

#[tracing::instrument(skip_all)]
pub async fn introspect_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form, extract::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(params) = form?;
    let credentials = extract::client_credentials(&headers, &params)?;
    let now = state.now();
    let client = clients::authenticate_client(&state, credentials, now).await?;
    // RFC 7662 §2.1: the endpoint is protected; a public client proves nothing.
    if client.kind == ClientKind::Public {
        return Err(Error::InvalidClient.into());
    }
    let token = params
        .get("token")
        .ok_or_else(|| Error::InvalidRequest("missing parameter `token`".into()))?;
    Ok(match introspection::introspect(&state, token, now).await? {
        Some(active) => no_store(Json(active)),
        None => no_store(Json(json!({ "active": false }))),
    })
}
