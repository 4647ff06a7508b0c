//! `GET /.well-known/jwks.json` (RFC 7517 §5): precomputed bytes, cacheable, with an `ETag` and 304
//! on a matching `If-None-Match`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn jwks_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let keys = state.keys();
    let jwks = keys.jwks();
    let cache = format!("public, max-age={}", state.config.jwks_max_age.as_secs());
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == jwks.etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/json")],
            jwks.body.clone(),
        )
            .into_response()
    };
    let out = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&jwks.etag) {
        out.insert(header::ETAG, etag);
    }
    if let Ok(cache) = HeaderValue::from_str(&cache) {
        out.insert(header::CACHE_CONTROL, cache);
    }
    response
}
