//! `POST /oauth/revoke` (RFC 7009).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::error::OAuthError;
use super::token::no_store;
use crate::auth::{Error, clients, revocation};
use crate::http::extract::{self, Form};
use crate::state::AppState;

/// Answers 200 with an empty body whether or not the token was valid (RFC 7009 §2.2).
#[tracing::instrument(skip_all)]
pub async fn revoke_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form, extract::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(params) = form?;
    let credentials = extract::client_credentials(&headers, &params)?;
    let token = params
        .get("token")
        .ok_or_else(|| Error::InvalidRequest("missing parameter `token`".into()))?
        .to_owned();
    let now = state.now();
    let client = clients::authenticate_client(&state, credentials, now).await?;
    revocation::revoke_token(&state, &client, &token, now).await?;
    Ok(no_store(()))
}
