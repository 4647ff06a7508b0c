//! Cookie mode (the refresh token in an HttpOnly cookie) and CORS for front ends on another
//! origin.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{PASSWORD, TestApp, TestResponse};
use sesame::config::Config;

const APP_ORIGIN: &str = "https://app.example.com";

fn cookie_mode_and_cors(config: &mut Config) {
    config.refresh_cookie.enabled = true;
    config.cors_allowed_origins = vec![APP_ORIGIN.into()];
    config.compat.vue_admin = true;
}

/// The value of the `refresh_token` cookie a response sets.
fn cookie_value(set_cookie: &str) -> &str {
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("refresh_token=").unwrap()
}

async fn the_refresh_token_lives_in_an_httponly_cookie(app: TestApp) {
    app.user("alice").create().await;
    let login = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(
        login.keys(),
        ["access"],
        "script never sees the refresh token"
    );
    let set_cookie = login.header("set-cookie").unwrap().to_owned();
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/api/token/",
        "Max-Age=86400",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }
    let first = cookie_value(&set_cookie).to_owned();

    let cookie = format!("refresh_token={first}");
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({}))
        .headers(&[("cookie", &cookie)])
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    assert_eq!(refreshed.keys(), ["access"]);
    let second = cookie_value(refreshed.header("set-cookie").unwrap()).to_owned();
    assert_ne!(second, first);

    app.outlast_reuse_grace();
    let reuse = app
        .post("/api/token/refresh/")
        .json(&json!({}))
        .headers(&[("cookie", &cookie)])
        .await;
    insta::assert_snapshot!("reused_refresh_cookie", reuse.body_str());
    let none = app.post("/api/token/refresh/").json(&json!({})).await;
    insta::assert_snapshot!("no_refresh_cookie", none.body_str());
}

async fn blacklisting_reads_and_clears_the_cookie(app: TestApp) {
    app.user("alice").create().await;
    let login = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .await;
    let token = cookie_value(login.header("set-cookie").unwrap()).to_owned();
    let cookie = format!("refresh_token={token}");
    let response = app
        .post("/api/token/blacklist/")
        .json(&json!({}))
        .headers(&[("cookie", &cookie)])
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let cleared = response.header("set-cookie").unwrap();
    assert!(cleared.starts_with("refresh_token=;"), "{cleared}");
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Path=/api/token/"),
        "{cleared}"
    );
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": token }))
        .await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
}

async fn preflight(app: &TestApp, origin: &str) -> TestResponse {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    app.request(Method::OPTIONS, "/api/token/")
        .headers(&headers)
        .await
}

async fn preflight_is_answered_for_allowed_origins_only(app: TestApp) {
    let allowed = preflight(&app, APP_ORIGIN).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    assert!(
        allowed
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .unwrap()
            .contains("content-type")
    );

    let refused = preflight(&app, "https://evil.example").await;
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let request = app
        .post("/userInfo/")
        .json(&json!({}))
        .headers(&[("origin", APP_ORIGIN)])
        .await;
    assert_eq!(request.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        request.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
}

async fn without_cors_settings_no_cors_headers_are_sent(app: TestApp) {
    let headers = [
        ("origin", APP_ORIGIN),
        ("access-control-request-method", "POST"),
    ];
    let response = app
        .request(Method::OPTIONS, "/api/token/")
        .headers(&headers)
        .await;
    assert_eq!(response.header("access-control-allow-origin"), None);
    assert!(response.header("set-cookie").is_none());
}

on_both_databases!(
    cookie_mode_and_cors =>
    the_refresh_token_lives_in_an_httponly_cookie,
    blacklisting_reads_and_clears_the_cookie,
    preflight_is_answered_for_allowed_origins_only,
);
on_both_databases!(without_cors_settings_no_cors_headers_are_sent);
