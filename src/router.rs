//! Builds the router: each surface's routes plus the layers every request passes through.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

use crate::http;
use crate::state::AppState;

/// The ops listener's application (`ops_listen`): health, readiness, metrics. No request
/// counting (scrapes are not traffic), but the same timeout: a hung database must not hang probes.
pub fn build_ops_router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    http::ops::ops_routes()
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .with_state(state)
}

/// The whole public application. Tests call this with their own state.
pub fn build_router(state: AppState) -> Router {
    let body_limit = state.config.max_body_size;
    let timeout = state.config.request_timeout;
    let watch_database =
        middleware::from_fn_with_state(state.clone(), http::failure::watch_database);
    // One layer, not six: `Router::layer` boxes every route once per call, and axum clones a
    // route's whole chain of boxes for each request (each `from_fn` clones what is under it
    // again): with six calls that was 37 allocations a request before any handler ran.
    // Outermost first.
    let every_request = ServiceBuilder::new()
        // Spans carry method and path only: query strings could carry tokens. A 5xx is not
        // logged here: each surface logs an internal failure with its cause, and an outage once.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG))
                .make_span_with(|request: &axum::extract::Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                }),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(watch_database)
        .layer(middleware::from_fn(http::ops::track_metrics))
        .layer(middleware::from_fn(http::path_guard::refuse_nul_in_path))
        .layer(DefaultBodyLimit::max(body_limit));
    Router::new()
        .merge(http::oauth::routes(&state.config))
        .merge(http::simplejwt::routes(&state.config))
        .merge(http::compat::routes(&state.config))
        .merge(http::browser::routes(&state.config))
        .merge(http::assets::routes())
        .merge(http::ops::routes())
        .merge(http::admin::routes(&state.config))
        .layer(every_request)
        .with_state(state)
}
