//! Health, readiness and metrics.

use axum::http::StatusCode;

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let health = app.get("/healthz", None).await;
    assert_eq!(
        (health.status, health.text().as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(
        (ready.status, ready.text().as_str()),
        (StatusCode::OK, "ready")
    );
    app.state.db.clone().close().await.unwrap();
    let down = app.get("/readyz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.get("/.well-known/jwks.json", None).await;
    app.post_form(
        "/oauth/token",
        &[("grant_type", "password")],
        Some(("ghost", "x")),
    )
    .await;
    let metrics = app.get("/metrics", None).await;
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
