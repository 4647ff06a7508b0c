//! `POST /api/token/verify/` and `POST /api/token/blacklist/`: simplejwt's answers, and Sesame's
//! stronger checks in the same format (a revoked access token, a deactivated user).

use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::on_both_databases;
use crate::support::requests::Answers;
use crate::support::{TestApp, TestResponse};
use sesame::auth::clients::Client;
use sesame::auth::scope::Scope;
use sesame::auth::tokens::{self, UserGrant};
use sesame::entities::refresh_tokens;

const VERIFY: &str = "/api/token/verify/";
const BLACKLIST: &str = "/api/token/blacklist/";

async fn verify(app: &TestApp, token: &str) -> TestResponse {
    app.post(VERIFY).json(&json!({ "token": token })).await
}

async fn blacklist(app: &TestApp, token: &str) -> TestResponse {
    app.post(BLACKLIST).json(&json!({ "refresh": token })).await
}

async fn verify_accepts_any_good_token_and_names_what_is_wrong_with_a_bad_one(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    for token in [&access, &refresh] {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.body_str(), "{}");
        assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    }
    let client = Client::builtin_api();
    let past = app.now() - Duration::hours(1);
    let grant = UserGrant {
        user: &alice,
        client: &client,
        scope: &Scope::default(),
        auth_time: past,
        nonce: None,
    };
    let expired = tokens::issue_access_only(&app.state, &grant, past)
        .unwrap()
        .access_token;
    // An ID token carries no jti.
    let web = app.client("web").create().await;
    let id_token = app.password_tokens(&web, "alice").await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("garbage", "x"),
        ("an expired access token", &expired),
        ("an ID token", &id_token),
    ];
    let mut answers = Answers::default();
    for (label, token) in cases {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label}");
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer realm="api""#)
        );
        answers.add(label, &response);
    }
    insta::assert_snapshot!("verify_errors", answers);
    let response = app.post(VERIFY).json(&json!({})).await;
    insta::assert_snapshot!("token_required", response.body_str());
}

async fn verify_refuses_revoked_access_tokens_and_tokens_of_deactivated_users(app: TestApp) {
    app.user("alice").create().await;
    let bob = app.user("bob").create().await;
    let web = app.client("web").create().await;
    let oauth = app.password_tokens(&web, "alice").await;
    let oauth_access = oauth["access_token"].as_str().unwrap();
    let revoked = app
        .post("/oauth/revoke")
        .form(&[("token", oauth_access)])
        .client(&web)
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let (bob_access, bob_refresh) = app.api_tokens("bob").await;
    app.deactivate(bob.id).await;
    for token in [oauth_access, &bob_access, &bob_refresh] {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        insta::assert_snapshot!("verify_blacklisted", response.body_str());
    }
}

async fn blacklisting_revokes_the_family_and_cannot_be_done_twice(app: TestApp) {
    app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    let response = blacklist(&app, &refresh).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body_str(), "{}");
    assert_eq!(response.header("cache-control"), Some("no-store"));

    let again = blacklist(&app, &refresh).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("blacklisted", again.body_str());
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": refresh }))
        .await;
    insta::assert_snapshot!("blacklisted", refreshed.body_str());
    let verified = verify(&app, &refresh).await;
    insta::assert_snapshot!("verify_blacklisted", verified.body_str());

    let wrong = blacklist(&app, &access).await;
    insta::assert_snapshot!("wrong_type", wrong.body_str());
    let missing = app.post(BLACKLIST).json(&json!({})).await;
    insta::assert_snapshot!("refresh_required", missing.body_str());
}

async fn blacklisting_a_rotated_token_is_reuse_and_revokes_the_newer_ones(app: TestApp) {
    app.user("alice").create().await;
    let (_, old) = app.api_tokens("alice").await;
    let rotated = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": old }))
        .await
        .json();
    let newer = rotated["refresh"].as_str().unwrap();
    let response = blacklist(&app, &old).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("blacklisted", response.body_str());
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": newer }))
        .await;
    insta::assert_snapshot!("blacklisted", refreshed.body_str());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(rows.iter().all(|r| r.revoked_at.is_some()));
}

on_both_databases!(
    verify_accepts_any_good_token_and_names_what_is_wrong_with_a_bad_one,
    verify_refuses_revoked_access_tokens_and_tokens_of_deactivated_users,
    blacklisting_revokes_the_family_and_cannot_be_done_twice,
    blacklisting_a_rotated_token_is_reuse_and_revokes_the_newer_ones,
);
