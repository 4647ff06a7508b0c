//! Health, readiness and metrics.

use crate::support::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status, health.text().as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.text().as_str()),
        (StatusCode::OK, "ready")
    );
    app.state.db.clone().close().await.unwrap();
    let down = app.get("/readyz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/.well-known/jwks.json").await;
    app.post("/oauth/token")
        .form(&[("grant_type", "password")])
        .basic("ghost", "x")
        .await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.text();
    assert!(
        text.contains(
            "http_requests_total{route=\"/.well-known/jwks.json\",method=\"GET\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("sesame_failures_total{reason=\"invalid_client\"}"),
        "{text}"
    );
}
