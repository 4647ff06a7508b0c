//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6): single use (a replay revokes
//! what the first exchange issued), bound to client and redirect URI, the PKCE verifier checked,
//! short-lived, and an ID token carrying the nonce.

use axum::http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::time::Duration;

use crate::on_both_databases;
use crate::support::oauth::{REDIRECT_URI, authorize_path, jwt_parts, pkce, query_param};
use crate::support::{TestApp, TestResponse};
use sesame::auth::clients::GrantType;
use sesame::entities::refresh_tokens;

on_both_databases!(
    a_code_exchanges_once_and_a_replay_revokes_its_tokens,
    the_verifier_must_match_the_challenge,
    a_code_is_bound_to_its_client_and_redirect_uri,
    an_expired_code_is_refused,
    a_public_client_exchanges_with_its_verifier_alone,
);

/// Signs alice in and runs an authorization request for `client_id`; returns the code.
async fn code_for(app: &TestApp, client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let mut params = vec![("client_id", client_id), ("redirect_uri", REDIRECT_URI)];
    params.extend_from_slice(extra);
    let response = agent.get(&authorize_path(&params)).await;
    let target = response.location();
    query_param(&target, "code").unwrap_or_else(|| panic!("no code in {target}"))
}

async fn exchange(
    app: &TestApp,
    client: &(String, String),
    code: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let mut params = vec![("grant_type", "authorization_code"), ("code", code)];
    params.extend_from_slice(extra);
    if client.1.is_empty() {
        params.push(("client_id", &client.0));
        return app.post("/oauth/token").form(&params).await;
    }
    app.post("/oauth/token").form(&params).client(client).await
}

/// Asserts a 400 whose body is the snapshot `name` (an `invalid_grant` in every case here).
fn assert_invalid_grant(response: &TestResponse, name: &str) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text()
    );
    insta::assert_json_snapshot!(name, response.json());
}

async fn setup(app: &TestApp) -> (String, String) {
    app.user("alice").email("alice@example.com").create().await;
    app.client("app").code_flow().create().await
}

async fn a_code_exchanges_once_and_a_replay_revokes_its_tokens(app: TestApp) {
    let client = setup(&app).await;
    let (verifier, challenge) = pkce();
    let code = code_for(
        &app,
        "app",
        &[
            ("scope", "openid email"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let params = [
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier.as_str()),
    ];
    let first = exchange(&app, &client, &code, &params).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let tokens = first.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "email openid");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["aud"], "app");
    assert_eq!(claims["iss"], "http://sesame.test");
    assert_eq!(claims["email"], "alice@example.com");
    assert!(claims["at_hash"].is_string());
    assert!(claims["auth_time"].as_i64().unwrap() <= app.now().timestamp());
    let userinfo = app.get("/oauth/userinfo").bearer(access).await;
    assert_eq!(userinfo.status, StatusCode::OK);

    let replay = exchange(&app, &client, &code, &params).await;
    assert_invalid_grant(&replay, "replayed_code");
    // Everything the first exchange issued is revoked.
    let userinfo = app.get("/oauth/userinfo").bearer(access).await;
    assert_eq!(userinfo.status, StatusCode::UNAUTHORIZED);
    let refreshed = app
        .post("/oauth/token")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .client(&client)
        .await;
    insta::assert_json_snapshot!("refresh_after_code_replay", refreshed.json());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].revoke_reason.as_deref(), Some("code_reuse"));
}

async fn the_verifier_must_match_the_challenge(app: TestApp) {
    let client = setup(&app).await;
    let (verifier, challenge) = pkce();
    let with_pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = code_for(&app, "app", &with_pkce).await;
    let (other, _) = pkce();
    let wrong = exchange(
        &app,
        &client,
        &code,
        &[("code_verifier", &other), ("redirect_uri", REDIRECT_URI)],
    )
    .await;
    assert_invalid_grant(&wrong, "verifier_mismatch");
    let missing = exchange(&app, &client, &code, &[("redirect_uri", REDIRECT_URI)]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("missing_verifier", missing.json());
    let malformed = exchange(
        &app,
        &client,
        &code,
        &[("code_verifier", "short"), ("redirect_uri", REDIRECT_URI)],
    )
    .await;
    insta::assert_json_snapshot!("malformed_verifier", malformed.json());
    // Failed exchanges do not spend the code.
    let ok = exchange(
        &app,
        &client,
        &code,
        &[("code_verifier", &verifier), ("redirect_uri", REDIRECT_URI)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());

    // A verifier for a code that had no challenge is refused: PKCE cannot be stripped.
    let code = code_for(&app, "app", &[]).await;
    let downgraded = exchange(
        &app,
        &client,
        &code,
        &[("code_verifier", &verifier), ("redirect_uri", REDIRECT_URI)],
    )
    .await;
    assert_invalid_grant(&downgraded, "verifier_for_a_code_without_challenge");
    let plain = exchange(&app, &client, &code, &[("redirect_uri", REDIRECT_URI)]).await;
    assert_eq!(
        plain.status,
        StatusCode::OK,
        "a confidential client may skip PKCE"
    );
}

async fn a_code_is_bound_to_its_client_and_redirect_uri(app: TestApp) {
    let client = setup(&app).await;
    let other = app.client("other").code_flow().create().await;
    let code = code_for(&app, "app", &[]).await;
    let stolen = exchange(&app, &other, &code, &[("redirect_uri", REDIRECT_URI)]).await;
    assert_invalid_grant(&stolen, "code_of_another_client");
    for redirect in [vec![], vec![("redirect_uri", "https://app.example/other")]] {
        let response = exchange(&app, &client, &code, &redirect).await;
        assert_invalid_grant(&response, "redirect_uri_mismatch");
    }
    let garbage = exchange(
        &app,
        &client,
        "not-a-code",
        &[("redirect_uri", REDIRECT_URI)],
    )
    .await;
    assert_invalid_grant(&garbage, "garbage_code");
    let ok = exchange(&app, &client, &code, &[("redirect_uri", REDIRECT_URI)]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(ok.json().get("id_token").is_some_and(Value::is_string));

    // A client not registered for the grant cannot exchange at all.
    let password_only = app
        .client("legacy")
        .grants(&[GrantType::Password])
        .create()
        .await;
    let refused = exchange(&app, &password_only, &code, &[]).await;
    insta::assert_json_snapshot!("exchange_without_the_grant", refused.json());
}

async fn an_expired_code_is_refused(app: TestApp) {
    let client = setup(&app).await;
    let code = code_for(&app, "app", &[]).await;
    app.advance(app.state.config.authorization_code_lifetime + Duration::from_secs(1));
    let response = exchange(&app, &client, &code, &[("redirect_uri", REDIRECT_URI)]).await;
    assert_invalid_grant(&response, "expired_code");
}

async fn a_public_client_exchanges_with_its_verifier_alone(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("spa").public().code_flow().create().await;
    assert!(client.1.is_empty());
    let (verifier, challenge) = pkce();
    let code = code_for(
        &app,
        "spa",
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let response = exchange(
        &app,
        &client,
        &code,
        &[("code_verifier", &verifier), ("redirect_uri", REDIRECT_URI)],
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["scope"], json!("email openid profile read"));
    assert!(body["refresh_token"].is_string());
}
