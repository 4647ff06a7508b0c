//! RFC 6749 §5.2 errors of the token endpoint, with exact statuses, bodies and headers, and
//! bad input that must never become a 500.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::{PASSWORD, TestApp, TestResponse};
use sesame::auth::clients::GrantType;

/// Asserts an error answer of the token endpoint: `status`, `Cache-Control: no-store`, and the
/// body as the snapshot `name`.
fn assert_oauth_error(response: &TestResponse, status: StatusCode, name: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    insta::assert_json_snapshot!(name, response.json());
}

async fn unknown_user_and_wrong_password_are_answered_identically(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let wrong = app.password_grant(&client, "alice", "nope").await;
    let unknown = app.password_grant(&client, "nobody", "nope").await;
    assert_oauth_error(&wrong, StatusCode::BAD_REQUEST, "wrong_password");
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
}

async fn inactive_user_is_answered_like_a_wrong_password(app: TestApp) {
    let user = app.user("bob").create().await;
    app.deactivate(user.id).await;
    let client = app.client("web").create().await;
    let response = app.password_grant(&client, "bob", PASSWORD).await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "wrong_password");
}

async fn wrong_client_secret_is_invalid_client_with_a_challenge(app: TestApp) {
    let client = app.client("web").create().await;
    let response = app
        .post("/oauth/token")
        .form(&[("grant_type", "client_credentials")])
        .basic(&client.0, "wrong")
        .await;
    assert_oauth_error(&response, StatusCode::UNAUTHORIZED, "wrong_client_secret");
    assert_eq!(
        response.header("www-authenticate"),
        Some("Basic realm=\"sesame\"")
    );
    let unknown = app
        .post("/oauth/token")
        .form(&[("grant_type", "password")])
        .basic("ghost", "x")
        .await;
    assert_oauth_error(&unknown, StatusCode::UNAUTHORIZED, "unknown_client");
    let missing = app
        .post("/oauth/token")
        .form(&[("grant_type", "password")])
        .await;
    assert_oauth_error(
        &missing,
        StatusCode::UNAUTHORIZED,
        "no_client_authentication",
    );
}

async fn grant_not_enabled_is_unauthorized_client(app: TestApp) {
    app.user("alice").create().await;
    let client = app
        .client("cc-only")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let response = app.password_grant(&client, "alice", PASSWORD).await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "grant_not_enabled");
}

async fn public_clients_may_not_use_the_password_grant(app: TestApp) {
    let client = app
        .client("spa")
        .public()
        .grants(&[GrantType::RefreshToken])
        .create()
        .await;
    app.user("alice").create().await;
    let response = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("client_id", &client.0),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .await;
    assert_oauth_error(
        &response,
        StatusCode::BAD_REQUEST,
        "password_grant_of_a_public_client",
    );
}

async fn unknown_grant_type_and_missing_parameters(app: TestApp) {
    let client = app.client("web").create().await;
    let unsupported = app
        .post("/oauth/token")
        .form(&[("grant_type", "magic")])
        .client(&client)
        .await;
    assert_oauth_error(&unsupported, StatusCode::BAD_REQUEST, "unknown_grant_type");
    let no_grant = app.post("/oauth/token").form(&[]).client(&client).await;
    assert_oauth_error(&no_grant, StatusCode::BAD_REQUEST, "no_grant_type");
    let no_password = app
        .post("/oauth/token")
        .form(&[("grant_type", "password"), ("username", "a")])
        .client(&client)
        .await;
    assert_oauth_error(&no_password, StatusCode::BAD_REQUEST, "missing_password");
}

async fn scope_beyond_the_clients_is_invalid_scope(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").scopes(&["read"]).create().await;
    let response = app
        .password_grant_for_scope(&client, "alice", "read admin")
        .await;
    assert_oauth_error(
        &response,
        StatusCode::BAD_REQUEST,
        "scope_beyond_the_clients",
    );
}

on_both_databases!(
    unknown_user_and_wrong_password_are_answered_identically,
    inactive_user_is_answered_like_a_wrong_password,
    wrong_client_secret_is_invalid_client_with_a_challenge,
    grant_not_enabled_is_unauthorized_client,
    public_clients_may_not_use_the_password_grant,
    unknown_grant_type_and_missing_parameters,
    scope_beyond_the_clients_is_invalid_scope,
);

#[tokio::test]
async fn repeated_parameters_are_invalid_request() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/oauth/token")
        .body(
            "application/x-www-form-urlencoded",
            b"grant_type=password&grant_type=client_credentials".to_vec(),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "repeated_parameter");
}

#[tokio::test]
async fn wrong_content_type_is_invalid_request() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/oauth/token")
        .body("application/json", br#"{"grant_type":"password"}"#.to_vec())
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "wrong_content_type");
}

#[tokio::test]
async fn invalid_utf8_and_bad_basic_header_are_invalid_request() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/oauth/token")
        .body(
            "application/x-www-form-urlencoded",
            b"grant_type=%FF".to_vec(),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_utf8");
    let bad_basic = app
        .post("/oauth/token")
        .form(&[("grant_type", "client_credentials")])
        .header("authorization", "Basic !!!notbase64");
    assert_oauth_error(
        &bad_basic.await,
        StatusCode::BAD_REQUEST,
        "bad_basic_header",
    );
}

#[tokio::test]
async fn oversized_body_is_413_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let body = format!("grant_type=password&username={}", "a".repeat(100 * 1024));
    let response = app
        .post("/oauth/token")
        .body("application/x-www-form-urlencoded", body.into_bytes())
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    insta::assert_json_snapshot!("oversized_body", response.json());
}

#[tokio::test]
async fn two_authentication_methods_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.client("web").create().await;
    let response = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", &client.1),
        ])
        .client(&client)
        .await;
    assert_oauth_error(
        &response,
        StatusCode::BAD_REQUEST,
        "two_authentication_methods",
    );
}
