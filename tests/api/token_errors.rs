//! RFC 6749 §5.2 errors of the token endpoint, with exact statuses, bodies and headers, and
//! bad input that must never become a 500.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, TestApp, TestResponse};
use crate::on_both_databases;
use sesame::auth::clients::GrantType;

fn assert_oauth_error(response: &TestResponse, status: StatusCode, error: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.json()["error"], error, "{}", response.text());
    assert!(response.json()["error_description"].is_string());
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

async fn unknown_user_and_wrong_password_are_answered_identically(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let creds = Some((client.0.as_str(), client.1.as_str()));
    let wrong = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "nope"),
            ],
            creds,
        )
        .await;
    let unknown = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "nobody"),
                ("password", "nope"),
            ],
            creds,
        )
        .await;
    assert_oauth_error(&wrong, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(
        wrong.json(),
        json!({"error": "invalid_grant", "error_description": "invalid username or password"})
    );
}

async fn inactive_user_is_answered_like_a_wrong_password(app: TestApp) {
    let user = app.user("bob").create().await;
    sesame::auth::accounts::deactivate_user(
        &app.state,
        &sesame::auth::audit::Actor::system(),
        user.id,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let client = app.client("web").create().await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", PASSWORD),
            ],
            Some((&client.0, &client.1)),
        )
        .await;
    assert_eq!(
        response.json(),
        json!({"error": "invalid_grant", "error_description": "invalid username or password"})
    );
}

async fn wrong_client_secret_is_invalid_client_with_a_challenge(app: TestApp) {
    let client = app.client("web").create().await;
    let response = app
        .post_form(
            "/oauth/token",
            &[("grant_type", "client_credentials")],
            Some((&client.0, "wrong")),
        )
        .await;
    assert_oauth_error(&response, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(
        response.header("www-authenticate"),
        Some("Basic realm=\"sesame\"")
    );
    let unknown = app
        .post_form(
            "/oauth/token",
            &[("grant_type", "password")],
            Some(("ghost", "x")),
        )
        .await;
    assert_oauth_error(&unknown, StatusCode::UNAUTHORIZED, "invalid_client");
    let missing = app
        .post_form("/oauth/token", &[("grant_type", "password")], None)
        .await;
    assert_oauth_error(&missing, StatusCode::UNAUTHORIZED, "invalid_client");
}

async fn grant_not_enabled_is_unauthorized_client(app: TestApp) {
    app.user("alice").create().await;
    let client = app
        .client("cc-only")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", PASSWORD),
            ],
            Some((&client.0, &client.1)),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "unauthorized_client");
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
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &client.0),
                ("username", "alice"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "unauthorized_client");
}

async fn unknown_grant_type_and_missing_parameters(app: TestApp) {
    let client = app.client("web").create().await;
    let creds = Some((client.0.as_str(), client.1.as_str()));
    let unsupported = app
        .post_form("/oauth/token", &[("grant_type", "magic")], creds)
        .await;
    assert_oauth_error(
        &unsupported,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    let no_grant = app.post_form("/oauth/token", &[], creds).await;
    assert_oauth_error(&no_grant, StatusCode::BAD_REQUEST, "invalid_request");
    let no_password = app
        .post_form(
            "/oauth/token",
            &[("grant_type", "password"), ("username", "a")],
            creds,
        )
        .await;
    assert_oauth_error(&no_password, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        no_password.json()["error_description"],
        "missing parameter `password`"
    );
}

async fn scope_beyond_the_clients_is_invalid_scope(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").scopes(&["read"]).create().await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", PASSWORD),
                ("scope", "read admin"),
            ],
            Some((&client.0, &client.1)),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_scope");
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
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .post_raw(
            "/oauth/token",
            "application/x-www-form-urlencoded",
            b"grant_type=password&grant_type=client_credentials".to_vec(),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        response.json()["error_description"],
        "parameter `grant_type` is repeated"
    );
}

#[tokio::test]
async fn wrong_content_type_is_invalid_request() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .post_raw(
            "/oauth/token",
            "application/json",
            br#"{"grant_type":"password"}"#.to_vec(),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn invalid_utf8_and_bad_basic_header_are_invalid_request() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .post_raw(
            "/oauth/token",
            "application/x-www-form-urlencoded",
            b"grant_type=%FF".to_vec(),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
    let request = axum::http::Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Basic !!!notbase64")
        .body(axum::body::Body::from("grant_type=client_credentials"))
        .unwrap();
    assert_oauth_error(
        &app.send(request).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
}

#[tokio::test]
async fn oversized_body_is_413_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let body = format!("grant_type=password&username={}", "a".repeat(100 * 1024));
    let response = app
        .post_raw(
            "/oauth/token",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.json()["error"], "invalid_request");
}

#[tokio::test]
async fn two_authentication_methods_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let client = app.client("web").create().await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_secret", &client.1),
            ],
            Some((&client.0, &client.1)),
        )
        .await;
    assert_oauth_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
}
