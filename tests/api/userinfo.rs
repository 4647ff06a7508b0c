//! Userinfo (OIDC Core §5.3) and its Bearer challenges (RFC 6750 §3).

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;

async fn userinfo_returns_the_claims_the_scope_releases(app: TestApp) {
    let user = app
        .user("alice")
        .email("alice@example.com")
        .phone("+100")
        .create()
        .await;
    let client = app.client("web").create().await;
    let tokens = app
        .password_grant_for_scope(&client, "alice", "openid email")
        .await
        .json();
    let access = tokens["access_token"].as_str().unwrap();
    let response = app.get("/oauth/userinfo").bearer(access).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        json!({"sub": user.id.to_string(), "email": "alice@example.com"})
    );
    let post = app.post("/oauth/userinfo").bearer(access).await;
    assert_eq!(post.status, StatusCode::OK);
}

async fn userinfo_challenges_missing_bad_and_insufficient_tokens(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let missing = app.get("/oauth/userinfo").await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.header("www-authenticate"),
        Some("Bearer realm=\"sesame\"")
    );
    let bad = app.get("/oauth/userinfo").bearer("garbage").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad.header("www-authenticate"),
        Some("Bearer realm=\"sesame\", error=\"invalid_token\"")
    );
    let tokens = app
        .password_grant_for_scope(&client, "alice", "read")
        .await
        .json();
    let no_openid = app
        .get("/oauth/userinfo")
        .bearer(tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(no_openid.status, StatusCode::FORBIDDEN);
    assert_eq!(
        no_openid.header("www-authenticate"),
        Some("Bearer realm=\"sesame\", error=\"insufficient_scope\"")
    );
}

on_both_databases!(
    userinfo_returns_the_claims_the_scope_releases,
    userinfo_challenges_missing_bad_and_insufficient_tokens,
);
