//! `GET /api/me/`: simplejwt's `JWTAuthentication` answers, the configured header types, and
//! every Sesame access token accepted until it is revoked.

use axum::http::{Method, StatusCode};
use chrono::Utc;
use sea_orm::EntityTrait;

use crate::helpers::{TestApp, body_json};
use crate::{on_both_databases, on_both_databases_with};
use sesame::auth::accounts;
use sesame::auth::clients::GrantType;
use sesame::config::Config;
use sesame::entities::users;

const ME: &str = "/api/me/";
const CHALLENGE: &str = r#"Bearer realm="api""#;

fn invalid_for_every_class(message: &str) -> String {
    format!(
        r#"{{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{{"token_class":"AccessToken","token_type":"access","message":"{message}"}}]}}"#
    )
}

async fn me_answers_the_caller_without_the_hash(app: TestApp) {
    let alice = app
        .user("alice")
        .email("alice@example.com")
        .roles(&["admin"])
        .create()
        .await;
    let (access, _) = app.api_tokens("alice").await;
    let response = app
        .get_authorized(ME, Some(&format!("Bearer {access}")))
        .await;
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
    let not_provided = r#"{"detail":"Authentication credentials were not provided."}"#.to_owned();
    let bad_header = r#"{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}"#.to_owned();
    let cases = [
        (None, not_provided.clone()),
        (Some("Basic abc".to_owned()), not_provided.clone()),
        (Some(format!("bearer {access}")), not_provided),
        (Some("Bearer".to_owned()), bad_header.clone()),
        (Some("Bearer a b".to_owned()), bad_header),
        (
            Some("Bearer xx".to_owned()),
            invalid_for_every_class("Token is invalid"),
        ),
        (
            Some(format!("Bearer {refresh}")),
            invalid_for_every_class("Token has wrong type"),
        ),
    ];
    for (authorization, expected) in cases {
        let response = app.get_authorized(ME, authorization.as_deref()).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{authorization:?}"
        );
        assert_eq!(body_json(&response), expected, "{authorization:?}");
        assert_eq!(response.header("www-authenticate"), Some(CHALLENGE));
    }
    // DRF authenticates before it looks at the method.
    let anonymous = app.request(Method::POST, ME, &[], None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let bearer = format!("Bearer {access}");
    let authenticated = app
        .request(Method::POST, ME, &[("authorization", &bearer)], None)
        .await;
    assert_eq!(authenticated.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        body_json(&authenticated),
        r#"{"detail":"Method \"POST\" not allowed."}"#
    );
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
    accounts::deactivate_user(
        &app.state,
        &sesame::auth::audit::Actor::system(),
        bob.id,
        Utc::now(),
    )
    .await
    .unwrap();
    let service = app
        .client("service")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let machine = app
        .post_form(
            "/oauth/token",
            &[("grant_type", "client_credentials")],
            Some((&service.0, &service.1)),
        )
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        (
            alice_access,
            r#"{"detail":"User not found","code":"user_not_found"}"#,
        ),
        (
            bob_access,
            r#"{"detail":"User is inactive","code":"user_inactive"}"#,
        ),
        (
            machine,
            r#"{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}"#,
        ),
    ];
    for (token, expected) in cases {
        let response = app
            .get_authorized(ME, Some(&format!("Bearer {token}")))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(body_json(&response), expected);
    }
}

async fn any_sesame_access_token_works_until_revoked(app: TestApp) {
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let oauth = app.password_tokens(&web, "alice").await;
    let access = oauth["access_token"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    assert_eq!(
        app.get_authorized(ME, Some(&bearer)).await.status,
        StatusCode::OK
    );
    app.post_form(
        "/oauth/revoke",
        &[("token", access)],
        Some((&web.0, &web.1)),
    )
    .await;
    let response = app.get_authorized(ME, Some(&bearer)).await;
    assert_eq!(
        body_json(&response),
        invalid_for_every_class("Token is blacklisted")
    );
}

fn jwt_header_type_too(config: &mut Config) {
    config.auth_header_types = vec!["JWT".into(), "Bearer".into()];
}

async fn configured_header_types_are_accepted_and_the_first_is_the_challenge(app: TestApp) {
    app.user("alice").create().await;
    let (access, _) = app.api_tokens("alice").await;
    for scheme in ["JWT", "Bearer"] {
        let response = app
            .get_authorized(ME, Some(&format!("{scheme} {access}")))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{scheme}");
    }
    let response = app.get_authorized(ME, None).await;
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
on_both_databases_with!(
    jwt_header_type_too => configured_header_types_are_accepted_and_the_first_is_the_challenge
);
