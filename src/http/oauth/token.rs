//! `POST /oauth/token` (RFC 6749 §3.2, §4.1.3, §4.3, §4.4, §5, §6; RFC 7636 §4.5).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::OAuthError;
use crate::auth::accounts::{Origin, Surface};
use crate::auth::clients;
use crate::auth::grant::{self, TokenRequest};
use crate::auth::tokens::IssuedTokens;
use crate::http::extract::{self, ClientOrigin, Form};
use crate::state::AppState;

/// The RFC 6749 §5.1 success body.
#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(tokens: IssuedTokens) -> Self {
        TokenResponse {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
            scope: tokens.scope.to_string(),
            id_token: tokens.id_token,
        }
    }
}

#[tracing::instrument(skip_all, fields(grant_type, client_id))]
pub async fn token_post(
    State(state): State<AppState>,
    ClientOrigin { ip: client_ip, .. }: ClientOrigin,
    headers: HeaderMap,
    form: Result<Form, extract::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(params) = form?;
    let credentials = extract::client_credentials(&headers, &params)?;
    let now = state.now();
    // Authenticate before validating the grant: an unknown caller learns nothing about it.
    let client = clients::authenticate_client(&state, credentials, now).await?;
    tracing::Span::current().record("client_id", client.client_id.as_str());
    let request = TokenRequest::parse(|name| params.get(name))?;
    tracing::Span::current().record("grant_type", request.grant_type().as_str());
    let granted = grant::grant_tokens(
        &state,
        &client,
        request,
        Origin::new(Surface::OAuth, client_ip),
        now,
    )
    .await?;
    Ok(no_store(Json(TokenResponse::from(granted.tokens))))
}

/// RFC 6749 §5.1: token responses MUST NOT be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
