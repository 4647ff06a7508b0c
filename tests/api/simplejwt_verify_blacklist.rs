//! `POST /api/token/verify/` and `POST /api/token/blacklist/`: simplejwt's answers, and Sesame's
//! stronger checks in the same format (a revoked access token, a deactivated user).

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::helpers::{TestApp, body_json};
use crate::on_both_databases;
use sesame::auth::accounts;
use sesame::auth::clients::Client;
use sesame::auth::scope::Scope;
use sesame::auth::tokens::{self, UserGrant};
use sesame::entities::refresh_tokens;

const VERIFY: &str = "/api/token/verify/";
const BLACKLIST: &str = "/api/token/blacklist/";
const BLACKLISTED_400: &str = r#"{"non_field_errors":["Token is blacklisted"]}"#;
const BLACKLISTED_401: &str = r#"{"detail":"Token is blacklisted","code":"token_not_valid"}"#;

async fn verify(app: &TestApp, token: &str) -> crate::helpers::TestResponse {
    app.post_json(VERIFY, &json!({ "token": token })).await
}

async fn blacklist(app: &TestApp, token: &str) -> crate::helpers::TestResponse {
    app.post_json(BLACKLIST, &json!({ "refresh": token })).await
}

async fn verify_accepts_any_good_token_and_names_what_is_wrong_with_a_bad_one(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    for token in [&access, &refresh] {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(body_json(&response), "{}");
        assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    }
    let client = Client::builtin_api();
    let past = Utc::now() - Duration::hours(1);
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
        (
            "x",
            r#"{"detail":"Token is invalid","code":"token_not_valid"}"#,
        ),
        (
            expired.as_str(),
            r#"{"detail":"Token is expired","code":"token_not_valid"}"#,
        ),
        (
            id_token.as_str(),
            r#"{"detail":"Token has no id","code":"token_not_valid"}"#,
        ),
    ];
    for (token, expected) in cases {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(body_json(&response), expected);
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer realm="api""#)
        );
    }
    let response = app.post_json(VERIFY, &json!({})).await;
    assert_eq!(
        body_json(&response),
        r#"{"token":["This field is required."]}"#
    );
}

async fn verify_refuses_revoked_access_tokens_and_tokens_of_deactivated_users(app: TestApp) {
    app.user("alice").create().await;
    let bob = app.user("bob").create().await;
    let web = app.client("web").create().await;
    let oauth = app.password_tokens(&web, "alice").await;
    let oauth_access = oauth["access_token"].as_str().unwrap();
    let revoked = app
        .post_form(
            "/oauth/revoke",
            &[("token", oauth_access)],
            Some((&web.0, &web.1)),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let (bob_access, bob_refresh) = app.api_tokens("bob").await;
    accounts::deactivate_user(
        &app.state,
        &sesame::auth::audit::Actor::system(),
        bob.id,
        Utc::now(),
    )
    .await
    .unwrap();
    for token in [oauth_access, &bob_access, &bob_refresh] {
        let response = verify(&app, token).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(body_json(&response), BLACKLISTED_400);
    }
}

async fn blacklisting_revokes_the_family_and_cannot_be_done_twice(app: TestApp) {
    app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    let response = blacklist(&app, &refresh).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(body_json(&response), "{}");
    assert_eq!(response.header("cache-control"), Some("no-store"));

    let again = blacklist(&app, &refresh).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(&again), BLACKLISTED_401);
    let refreshed = app
        .post_json("/api/token/refresh/", &json!({ "refresh": refresh }))
        .await;
    assert_eq!(body_json(&refreshed), BLACKLISTED_401);
    assert_eq!(body_json(&verify(&app, &refresh).await), BLACKLISTED_400);

    let wrong = blacklist(&app, &access).await;
    assert_eq!(
        body_json(&wrong),
        r#"{"detail":"Token has wrong type","code":"token_not_valid"}"#
    );
    let missing = app.post_json(BLACKLIST, &json!({})).await;
    assert_eq!(
        body_json(&missing),
        r#"{"refresh":["This field is required."]}"#
    );
}

async fn blacklisting_a_rotated_token_is_reuse_and_revokes_the_newer_ones(app: TestApp) {
    app.user("alice").create().await;
    let (_, old) = app.api_tokens("alice").await;
    let rotated = app
        .post_json("/api/token/refresh/", &json!({ "refresh": old }))
        .await
        .json();
    let newer = rotated["refresh"].as_str().unwrap();
    let response = blacklist(&app, &old).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(&response), BLACKLISTED_401);
    let refreshed = app
        .post_json("/api/token/refresh/", &json!({ "refresh": newer }))
        .await;
    assert_eq!(body_json(&refreshed), BLACKLISTED_401);
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(rows.iter().all(|r| r.revoked_at.is_some()));
}

on_both_databases!(
    verify_accepts_any_good_token_and_names_what_is_wrong_with_a_bad_one,
    verify_refuses_revoked_access_tokens_and_tokens_of_deactivated_users,
    blacklisting_revokes_the_family_and_cannot_be_done_twice,
    blacklisting_a_rotated_token_is_reuse_and_revokes_the_newer_ones,
);
