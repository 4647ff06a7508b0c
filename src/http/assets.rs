//! The static files every page links: the public stylesheet and logo, and the admin UI's
//! stylesheet, compiled into the binary.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::paths;
use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../static/sesame.css");
const LOGO: &str = include_str!("../../static/sesame.svg");
const ADMIN_STYLESHEET: &str = include_str!("../../static/admin.css");

const CSS: &str = "text/css; charset=utf-8";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::STYLESHEET, get(stylesheet_get))
        .route(paths::LOGO, get(logo_get))
        .route(paths::ADMIN_STYLESHEET, get(admin_stylesheet_get))
}

/// `body` with its type, cacheable for `cache_control`, never sniffed as anything else.
fn asset(content_type: &'static str, cache_control: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache_control),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet_get() -> Response {
    asset(CSS, "public, max-age=86400", STYLESHEET)
}

async fn logo_get() -> Response {
    asset("image/svg+xml", "public, max-age=86400", LOGO)
}

async fn admin_stylesheet_get() -> Response {
    asset(CSS, "public, max-age=3600", ADMIN_STYLESHEET)
}
