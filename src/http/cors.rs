//! CORS for the surfaces single-page front ends call from another origin (`/api/`, the compat
//! profile): the configured origins only, credentials allowed in cookie mode, preflight answered
//! by the layer before any route runs.

use std::time::Duration;

use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The CORS layer for `cors_allowed_origins`, or `None` when the list is empty (same-origin
/// callers only). The origins were checked by `Config::validate`.
pub fn layer(config: &Config) -> Option<CorsLayer> {
    let origins = &config.cors_allowed_origins;
    if origins.is_empty() {
        return None;
    }
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    let layer = CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(PREFLIGHT_MAX_AGE)
        // The refresh cookie is a credential: only cookie mode needs the browser to send it.
        .allow_credentials(config.refresh_cookie.enabled);
    Some(layer)
}
