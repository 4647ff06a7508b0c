//! `GET|POST /oauth/userinfo` (OIDC Core §5.3), authenticated by a Bearer token (RFC 6750 §2.1).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::{Error, tokens};
use crate::http::extract;
use crate::state::AppState;

pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = extract::bearer_token(&headers) else {
        return challenge(StatusCode::UNAUTHORIZED, None);
    };
    let access = match tokens::authenticate_access_token(
        &state,
        token,
        &[tokens::ACCESS],
        state.now(),
    )
    .await
    {
        Ok(access) => access,
        Err(Error::Token(_)) => return challenge(StatusCode::UNAUTHORIZED, Some("invalid_token")),
        Err(err) => return super::error::OAuthError::from(err).into_response(),
    };
    let scope = access.token.scope();
    let Some(user) = access.user.filter(|_| scope.contains("openid")) else {
        return challenge(StatusCode::FORBIDDEN, Some("insufficient_scope"));
    };
    let mut claims = tokens::profile_claims(&user, &scope);
    claims.insert("sub".into(), json!(user.id.to_string()));
    let mut response = Json(claims).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// RFC 6750 §3: a request without a token gets a bare challenge; a bad token says why.
fn challenge(status: StatusCode, error: Option<&str>) -> Response {
    let value = match error {
        Some(error) => format!("Bearer realm=\"sesame\", error=\"{error}\""),
        None => "Bearer realm=\"sesame\"".to_owned(),
    };
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
