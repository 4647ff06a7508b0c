//! Successful grants: the response shape (RFC 6749 §5.1), the RFC 9068 access-token header and
//! claims, login by username, email or phone, client credentials, and ID tokens.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::{PASSWORD, TestApp};
use sesame::auth::clients::GrantType;
use sesame::config::ExtraClaim;

async fn password_grant_issues_rfc9068_access_tokens(app: TestApp) {
    let user = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let response = app.password_grant_for_scope(&client, "alice", "read").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("pragma"), Some("no-cache"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "read");
    assert!(body.get("id_token").is_none());
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    let kid = app.state.keys().signing_key_id(app.now()).to_owned();
    assert_eq!(header["kid"], kid);
    assert_eq!(claims["iss"], "http://sesame.test");
    assert_eq!(claims["sub"], user.id.to_string());
    assert_eq!(claims["aud"], "web");
    assert_eq!(claims["client_id"], "web");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["token_type"], "access");
    assert_eq!(claims["user_id"], json!(user.id.to_string()));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
    let (refresh_header, refresh_claims) = jwt_parts(body["refresh_token"].as_str().unwrap());
    assert_eq!(refresh_header["alg"], "HS256");
    assert_eq!(refresh_claims["token_type"], "refresh");
    assert_eq!(
        refresh_claims["exp"].as_i64().unwrap() - refresh_claims["iat"].as_i64().unwrap(),
        86_400
    );
}

async fn login_by_email_or_phone_case_insensitively(app: TestApp) {
    app.user("Alice")
        .email("Alice@Example.com")
        .phone("+8613800000000")
        .create()
        .await;
    let client = app.client("web").create().await;
    for identifier in ["alice", "ALICE", "alice@example.com", "+8613800000000"] {
        let response = app.password_grant(&client, identifier, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{identifier}: {}",
            response.text()
        );
    }
}

async fn client_secret_post_works_like_basic(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let response = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", PASSWORD),
            ("client_id", &client.0),
            ("client_secret", &client.1),
        ])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

async fn client_credentials_issue_a_client_token_without_refresh(app: TestApp) {
    let client = app
        .client("svc")
        .grants(&[GrantType::ClientCredentials])
        .scopes(&["read"])
        .create()
        .await;
    let response = app
        .post("/oauth/token")
        .form(&[("grant_type", "client_credentials")])
        .client(&client)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert!(body.get("refresh_token").is_none());
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "svc");
    assert!(claims.get("user_id").is_none());
    assert_eq!(claims["scope"], "read");
}

async fn openid_scope_adds_an_id_token_with_at_hash(app: TestApp) {
    let user = app.user("alice").email("alice@example.com").create().await;
    let client = app.client("web").create().await;
    let response = app
        .password_grant_for_scope(&client, "alice", "openid email")
        .await;
    let body = response.json();
    let (header, claims) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["aud"], "web");
    assert_eq!(claims["sub"], user.id.to_string());
    assert_eq!(claims["email"], "alice@example.com");
    assert!(claims["auth_time"].is_i64());
    assert_eq!(claims["at_hash"].as_str().unwrap().len(), 22);
}

async fn no_refresh_token_for_clients_without_the_refresh_grant(app: TestApp) {
    app.user("alice").create().await;
    let client = app
        .client("web")
        .grants(&[GrantType::Password])
        .create()
        .await;
    let body = app.password_tokens(&client, "alice").await;
    assert!(body.get("refresh_token").is_none());
}

on_both_databases!(
    password_grant_issues_rfc9068_access_tokens,
    login_by_email_or_phone_case_insensitively,
    client_secret_post_works_like_basic,
    client_credentials_issue_a_client_token_without_refresh,
    openid_scope_adds_an_id_token_with_at_hash,
    no_refresh_token_for_clients_without_the_refresh_grant,
);

#[tokio::test]
async fn configured_extra_claims_and_claim_names_are_used() {
    let app = TestApp::spawn_with(|c| {
        c.extra_claims = vec![ExtraClaim::Username, ExtraClaim::Roles];
        c.user_id_claim = "uid".into();
        c.access_token_lifetime = std::time::Duration::from_secs(900);
    })
    .await;
    let user = app.user("alice").roles(&["admin", "staff"]).create().await;
    let client = app.client("web").create().await;
    let body = app.password_tokens(&client, "alice").await;
    assert_eq!(body["expires_in"], 900);
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["roles"], json!(["admin", "staff"]));
    assert_eq!(claims["uid"], json!(user.id.to_string()));
    assert!(claims.get("user_id").is_none());
}
