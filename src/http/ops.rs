//! Operations: liveness, readiness (database reachable, signing key loaded) on both listeners, and
//! Prometheus metrics on the ops listener only (`ops_listen`), never on the public one.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::failure::{UNAVAILABLE_RETRY_AFTER, set_retry_after};
use crate::paths;
use crate::state::AppState;
use crate::{store, telemetry};

mod request_metrics;

/// How long `/readyz` waits for the database.
const READINESS_TIMEOUT: Duration = Duration::from_millis(800);

/// The public listener's share: health and readiness.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTHZ, get(healthz_get))
        .route(paths::READYZ, get(readyz_get))
}

/// The ops listener: health, readiness and `/metrics`.
pub fn ops_routes() -> Router<AppState> {
    routes().route(paths::METRICS, get(metrics_get))
}

async fn healthz_get() -> &'static str {
    "ok"
}

/// `/readyz`: 503 within [`READINESS_TIMEOUT`] when the database does not answer (a load
/// balancer must not wait the pool's acquire timeout to learn it), with `Retry-After`.
async fn readyz_get(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(READINESS_TIMEOUT, store::ping(&state.db)).await;
    let failure = match ping {
        Ok(Ok(())) => None,
        Ok(Err(err)) => Some(err.to_string()),
        Err(_) => Some(format!(
            "no answer within {} ms",
            READINESS_TIMEOUT.as_millis()
        )),
    };
    if let Some(cause) = failure {
        state.availability.report(&cause);
        let mut response =
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
        set_retry_after(response.headers_mut(), UNAVAILABLE_RETRY_AFTER);
        return response;
    }
    if state.keys().signing_key_id(state.now()).is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, "no signing key").into_response();
    }
    "ready".into_response()
}

/// The Prometheus text format, with the gauges that are read rather than counted (process, pool)
/// brought up to date first.
async fn metrics_get(State(state): State<AppState>) -> Response {
    telemetry::process_collector().collect();
    if let Some(stats) = store::pool::stats(&state.db) {
        telemetry::catalogue::record_pool(stats);
    }
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are disabled").into_response(),
    }
}

/// Counts requests by route and status and records their latency. The route is the matched
/// pattern, never the raw path, so the label set stays bounded.
pub async fn track_metrics(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let (requests, latency) = request_metrics::handles(route, &method, response.status().as_u16());
    requests.increment(1);
    latency.record(started.elapsed().as_secs_f64());
    response
}
