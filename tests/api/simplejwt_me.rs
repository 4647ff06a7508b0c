//! `GET /api/me/`: simplejwt's `JWTAuthentication` answers, the configured header types, and
//! every Sesame access token accepted until it is revoked.

use axum::http::{Method, StatusCode};
use sea_orm::EntityTrait;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::requests::Answers;
use sesame::auth::clients::GrantType;
use sesame::config::Config;
use sesame::entities::users;

const ME: &str = "/api/me/";
const CHALLENGE: &str = r#"Bearer realm="api""#;

async fn me_answers_the_caller_without_the_hash(app: TestApp) {
    let alice = app
        .user("alice")
        .email("alice@example.com")
        .roles(&["admin"])
        .create()
        .await;
    let (access, _) = app.api_tokens("alice").await;
    let response = app.get(ME).bearer(&access).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    let body = response.json();
    assert_eq!(body["id"], alice.id);
    assert_eq!(body["username"], "alice");
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["phone"], serde_json::Value::Null);
    assert_eq!(body["roles"], serde_json::json!(["admin"]));
    assert!(!response.text().contains("argon2"), "{}", response.text());
}

async fn every_authentication_failure_has_simplejwts_body_and_challenge(app: TestApp) {
    app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    let cases = [
        ("no Authorization", None),
        ("Basic abc", Some("Basic abc".to_owned())),
        (
            "bearer <access> (lower case)",
            Some(format!("bearer {access}")),
        ),
        ("Bearer", Some("Bearer".to_owned())),
        ("Bearer a b", Some("Bearer a b".to_owned())),
        ("Bearer xx", Some("Bearer xx".to_owned())),
        ("Bearer <refresh>", Some(format!("Bearer {refresh}"))),
    ];
    let mut answers = Answers::default();
    for (label, authorization) in cases {
        let response = app.get(ME).authorization(authorization.as_deref()).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label}");
        assert_eq!(response.header("www-authenticate"), Some(CHALLENGE));
        answers.add(label, &response);
    }
    insta::assert_snapshot!("authentication_failures", answers);
    // DRF authenticates before it looks at the method.
    let anonymous = app.request(Method::POST, ME).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let authenticated = app.request(Method::POST, ME).bearer(&access).await;
    assert_eq!(authenticated.status, StatusCode::METHOD_NOT_ALLOWED);
    insta::assert_snapshot!("post_not_allowed", authenticated.body_str());
}

async fn missing_inactive_and_unnamed_users_are_refused(app: TestApp) {
    let alice = app.user("alice").create().await;
    let bob = app.user("bob").create().await;
    let (alice_access, _) = app.api_tokens("alice").await;
    let (bob_access, _) = app.api_tokens("bob").await;
    users::Entity::delete_by_id(alice.id)
        .exec(app.db())
        .await
        .unwrap();
    app.deactivate(bob.id).await;
    let service = app
        .client("service")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let machine = app
        .post("/oauth/token")
        .form(&[("grant_type", "client_credentials")])
        .client(&service)
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("a deleted user's token", alice_access),
        ("an inactive user's token", bob_access),
        ("a client's token", machine),
    ];
    let mut answers = Answers::default();
    for (label, token) in cases {
        let response = app.get(ME).bearer(&token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label}");
        answers.add(label, &response);
    }
    insta::assert_snapshot!("users_refused", answers);
}

async fn any_sesame_access_token_works_until_revoked(app: TestApp) {
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let oauth = app.password_tokens(&web, "alice").await;
    let access = oauth["access_token"].as_str().unwrap();
    assert_eq!(app.get(ME).bearer(access).await.status, StatusCode::OK);
    app.post("/oauth/revoke")
        .form(&[("token", access)])
        .client(&web)
        .await;
    let response = app.get(ME).bearer(access).await;
    insta::assert_snapshot!("revoked_access_token", response.body_str());
}

fn jwt_header_type_too(config: &mut Config) {
    config.auth_header_types = vec!["JWT".into(), "Bearer".into()];
}

async fn configured_header_types_are_accepted_and_the_first_is_the_challenge(app: TestApp) {
    app.user("alice").create().await;
    let (access, _) = app.api_tokens("alice").await;
    for scheme in ["JWT", "Bearer"] {
        let response = app
            .get(ME)
            .authorization(Some(&format!("{scheme} {access}")))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{scheme}");
    }
    let response = app.get(ME).await;
    assert_eq!(
        response.header("www-authenticate"),
        Some(r#"JWT realm="api""#)
    );
}

on_both_databases!(
    me_answers_the_caller_without_the_hash,
    every_authentication_failure_has_simplejwts_body_and_challenge,
    missing_inactive_and_unnamed_users_are_refused,
    any_sesame_access_token_works_until_revoked,
);
on_both_databases!(
    jwt_header_type_too => configured_header_types_are_accepted_and_the_first_is_the_challenge
);
