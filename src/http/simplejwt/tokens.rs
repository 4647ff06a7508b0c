//! simplejwt's token views: obtain a pair, refresh, verify, blacklist, and the sliding pair of
//! obtain and refresh. Each one reads DRF-style fields, calls the domain as the built-in client
//! `sesame-api`, and answers simplejwt's body.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use serde_json::json;

use super::body::{Body, Data};
use super::error::ApiError;
use crate::auth::accounts::{Origin, Surface};
use crate::auth::clients::Client;
use crate::auth::grant::{self, Granted, TokenRequest};
use crate::auth::{blacklist, sliding};
use crate::http::cookies::refresh as cookie;
use crate::http::extract::ClientOrigin;
use crate::state::AppState;

/// `TokenObtainPairSerializer`'s answer; `refresh` moves to the cookie in cookie mode.
#[derive(Serialize)]
struct Pair {
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<String>,
    access: String,
}

/// `TokenRefreshSerializer`'s answer: `refresh` only when rotating (and not in cookie mode).
#[derive(Serialize)]
struct Refreshed {
    access: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<String>,
}

/// `TokenObtainPairSerializer`: the `username` and `password` fields, then the password grant
/// as the built-in client (the compat login shares it).
pub async fn obtain_pair(
    state: &AppState,
    origin: Origin,
    data: &Data,
) -> Result<Granted, ApiError> {
    let mut fields = data.fields()?;
    let credentials = fields.required("username").zip(fields.required("password"));
    let (username, password) = fields.finish(credentials)?;
    let request = TokenRequest::Password {
        username,
        password,
        scope: None,
    };
    let client = Client::builtin_api();
    grant::grant_tokens(state, &client, request, origin, state.now())
        .await
        .map_err(ApiError::Domain)
}

/// `POST /api/token/`.
#[tracing::instrument(skip_all)]
pub async fn token_post(
    State(state): State<AppState>,
    ClientOrigin { ip: client_ip, .. }: ClientOrigin,
    jar: CookieJar,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let issued = obtain_pair(&state, Origin::new(Surface::Api, client_ip), &data)
        .await?
        .tokens;
    let (jar, refresh) = refresh_cookie(&state, jar, issued.refresh_token);
    Ok((
        jar,
        Json(Pair {
            refresh,
            access: issued.access_token,
        }),
    )
        .into_response())
}

/// Cookie mode (`[refresh_cookie]`): a new refresh token goes into the cookie instead of the body.
/// Answers the jar and the body's `refresh`.
fn refresh_cookie(
    state: &AppState,
    jar: CookieJar,
    refresh: Option<String>,
) -> (CookieJar, Option<String>) {
    let jar = match &refresh {
        Some(token) => cookie::set(&state.config, jar, token),
        None => jar,
    };
    (jar, refresh.filter(|_| !cookie::enabled(&state.config)))
}

/// The `refresh` field, or in cookie mode the refresh cookie when the body has none.
fn refresh_field(state: &AppState, jar: &CookieJar, data: &Data) -> Result<String, ApiError> {
    let mut fields = data.fields()?;
    let refresh = fields.required_or("refresh", cookie::read(&state.config, jar));
    fields.finish(refresh)
}

/// `POST /api/token/refresh/`: rotates through the same refresh grant `/oauth/token` uses.
#[tracing::instrument(skip_all)]
pub async fn refresh_post(
    State(state): State<AppState>,
    jar: CookieJar,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let request = TokenRequest::RefreshToken {
        refresh_token: refresh_field(&state, &jar, &data)?,
        scope: None,
    };
    let client = Client::builtin_api();
    let granted = grant::grant_tokens(
        &state,
        &client,
        request,
        Origin::new(Surface::Api, None),
        state.now(),
    )
    .await
    .map_err(ApiError::Domain)?;
    let tokens = granted.tokens;
    let (jar, refresh) = refresh_cookie(&state, jar, tokens.refresh_token);
    Ok((
        jar,
        Json(Refreshed {
            access: tokens.access_token,
            refresh,
        }),
    )
        .into_response())
}

/// `POST /api/token/verify/`: `{}` for any good token, whatever its type.
#[tracing::instrument(skip_all)]
pub async fn verify_post(
    State(state): State<AppState>,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let mut fields = data.fields()?;
    let token = fields.required("token");
    let token = fields.finish(token)?;
    blacklist::check_token(&state, &token, state.now())
        .await
        .map_err(ApiError::Verify)?;
    Ok(Json(json!({})).into_response())
}

/// `POST /api/token/blacklist/`: revokes the refresh token's family; clears the cookie.
#[tracing::instrument(skip_all)]
pub async fn blacklist_post(
    State(state): State<AppState>,
    jar: CookieJar,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let refresh = refresh_field(&state, &jar, &data)?;
    blacklist::blacklist_refresh_token(&state, &refresh, state.now())
        .await
        .map_err(ApiError::Domain)?;
    let jar = cookie::clear(&state.config, jar);
    Ok((jar, Json(json!({}))).into_response())
}

/// `POST /api/token/sliding/`.
#[tracing::instrument(skip_all)]
pub async fn sliding_post(
    State(state): State<AppState>,
    ClientOrigin { ip: client_ip, .. }: ClientOrigin,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let mut fields = data.fields()?;
    let credentials = fields.required("username").zip(fields.required("password"));
    let (username, password) = fields.finish(credentials)?;
    let client = Client::builtin_api();
    let (_, token) = sliding::obtain_sliding_token(
        &state,
        &client,
        &username,
        &password,
        Origin::new(Surface::Api, client_ip),
        state.now(),
    )
    .await
    .map_err(ApiError::Domain)?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// `POST /api/token/sliding/refresh/`: same `jti` and `refresh_exp`, a later `exp`.
#[tracing::instrument(skip_all)]
pub async fn sliding_refresh_post(
    State(state): State<AppState>,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let mut fields = data.fields()?;
    let token = fields.required("token");
    let token = fields.finish(token)?;
    let token = sliding::refresh_sliding_token(&state, &token, state.now())
        .await
        .map_err(ApiError::Sliding)?;
    Ok(Json(json!({ "token": token })).into_response())
}
