//! Health, readiness and metrics: `/healthz` and `/readyz` on both listeners, `/metrics` only on
//! the ops listener (`ops_listen`), described, with build, process and pool figures, and every
//! refused login counted by surface and reason.
//!
//! The metrics recorder is global to the process and the tests run in parallel, so counters are
//! compared before and after an action: another test can add to them, none can take away.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{PASSWORD, TestApp};

on_both_databases!(metrics_are_served_on_the_ops_listener_only);
on_both_databases!(compat_on => every_surface_counts_its_refused_logins);

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    for health in [app.get("/healthz").await, app.ops_get("/healthz").await] {
        assert_eq!(
            (health.status, health.text().as_str()),
            (StatusCode::OK, "ok")
        );
    }
    for ready in [app.get("/readyz").await, app.ops_get("/readyz").await] {
        assert_eq!(
            (ready.status, ready.text().as_str()),
            (StatusCode::OK, "ready")
        );
    }
    app.state.db.clone().close().await.unwrap();
    assert_eq!(
        app.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        app.ops_get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/.well-known/jwks.json").await;
    app.post("/oauth/token")
        .form(&[("grant_type", "password")])
        .basic("ghost", "x")
        .await;
    let metrics = app.ops_get("/metrics").await;
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

async fn get(url: String) -> (StatusCode, Option<String>, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, content_type, response.text().await.unwrap())
}

async fn metrics_are_served_on_the_ops_listener_only(app: TestApp) {
    let public = app.serve().await;
    let ops = app.serve_ops().await;
    let (status, _, body) = get(format!("{public}/metrics")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    for base in [&public, &ops] {
        assert_eq!(get(format!("{base}/healthz")).await.2, "ok");
        assert_eq!(get(format!("{base}/readyz")).await.2, "ready");
    }
    // Traffic, so the request metrics exist before the scrape.
    get(format!("{public}/.well-known/jwks.json")).await;

    let (status, content_type, text) = get(format!("{ops}/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("text/plain; version=0.0.4"));
    let version = env!("CARGO_PKG_VERSION");
    for line in [
        "# HELP http_requests_total HTTP requests answered on the public listener, by matched \
         route, method and status.",
        "# TYPE http_requests_total counter",
        "# TYPE sesame_build_info gauge",
        &format!("sesame_build_info{{version=\"{version}\"}} 1"),
        "# HELP sesame_db_pool_max_connections The most connections the database pool may open \
         (database_max_connections).",
        // Every test app's pool is capped at 4 connections.
        "sesame_db_pool_max_connections 4",
        "# TYPE process_cpu_seconds_total counter",
        "# TYPE process_resident_memory_bytes gauge",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    for state in ["in_use", "idle"] {
        let prefix = format!("sesame_db_pool_connections{{state=\"{state}\"}} ");
        let value = text.lines().find_map(|l| l.strip_prefix(prefix.as_str()));
        let value: f64 = value.expect(&prefix).parse().unwrap();
        assert!((0.0..=4.0).contains(&value), "{prefix}{value}");
    }
    // Every metric the exporter types is also described: none was recorded and forgotten.
    for typed in text.lines().filter_map(|l| l.strip_prefix("# TYPE ")) {
        let name = typed.split(' ').next().unwrap();
        let help = format!("# HELP {name} ");
        assert!(
            text.lines().any(|l| l.starts_with(&help)),
            "{name} has no HELP"
        );
    }
}

/// The value of `sesame_login_failures_total{surface, reason}`, 0 before the first.
async fn login_failures(app: &TestApp, surface: &str, reason: &str) -> f64 {
    let text = app.ops_get("/metrics").await.text();
    let labels = [
        format!("surface=\"{surface}\""),
        format!("reason=\"{reason}\""),
    ];
    text.lines()
        .filter(|l| l.starts_with("sesame_login_failures_total{"))
        .find(|l| labels.iter().all(|label| l.contains(label.as_str())))
        .map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

fn compat_on(config: &mut sesame::Config) {
    config.compat.vue_admin = true;
}

async fn every_surface_counts_its_refused_logins(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let before = [
        login_failures(&app, "form", "invalid_credentials").await,
        login_failures(&app, "oauth", "invalid_credentials").await,
        login_failures(&app, "api", "invalid_credentials").await,
        login_failures(&app, "compat", "invalid_credentials").await,
    ];

    let form = app.agent().login("alice", "wrong", None).await;
    assert_eq!(
        form.status,
        StatusCode::OK,
        "the form again, with the error"
    );
    let oauth = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wrong"),
        ])
        .basic(&client.0, &client.1)
        .await;
    assert_eq!(oauth.status, StatusCode::BAD_REQUEST, "{}", oauth.text());
    let wrong = json!({ "username": "alice", "password": "wrong" });
    let api = app.post("/api/token/").json(&wrong).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{}", api.text());
    let compat = app.post("/login/").json(&wrong).await;
    assert_eq!(compat.json()["code"], json!(500), "{}", compat.text());
    // A success is not a failure.
    let ok = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": PASSWORD }));
    assert_eq!(ok.await.status, StatusCode::OK);

    for (surface, before) in ["form", "oauth", "api", "compat"].into_iter().zip(before) {
        let after = login_failures(&app, surface, "invalid_credentials").await;
        assert!(after >= before + 1.0, "{surface}: {before} -> {after}");
    }
}
