//! Issue 14: every surface checks a presented token's signature once (`KeyRing::verifications`
//! counts the checks), whether the token is good or not: verify, `/api/me/` with one token class
//! or two, introspection, userinfo, and refresh on both surfaces.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::requests::TestRequest;
use sesame::config::AuthTokenClass;

/// Asserts that answering `request` with `status` checked exactly one signature.
async fn one_check(app: &TestApp, request: TestRequest, status: StatusCode) {
    let before = app.state.keys().verifications();
    let response = request.await;
    let checked = app.state.keys().verifications() - before;
    assert_eq!(
        (checked, response.status),
        (1, status),
        "{}",
        response.text()
    );
}

fn me(app: &TestApp, token: &str) -> TestRequest {
    app.get("/api/me/").bearer(token)
}

fn post_json(app: &TestApp, path: &str, body: &serde_json::Value) -> TestRequest {
    app.post(path).json(body)
}

fn both_classes(config: &mut sesame::Config) {
    config.auth_token_classes = vec![AuthTokenClass::AccessToken, AuthTokenClass::SlidingToken];
}

async fn the_api_surface_checks_one_signature_per_token(app: TestApp) {
    app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    let verify = |token: &str| post_json(&app, "/api/token/verify/", &json!({ "token": token }));
    one_check(&app, verify(&access), StatusCode::OK).await;
    one_check(&app, verify(&refresh), StatusCode::OK).await;
    let forged = format!("{}x", &access[..access.len() - 1]);
    one_check(&app, verify(&forged), StatusCode::UNAUTHORIZED).await;
    one_check(&app, me(&app, &access), StatusCode::OK).await;
    one_check(&app, me(&app, &forged), StatusCode::UNAUTHORIZED).await;
    let refreshed = post_json(&app, "/api/token/refresh/", &json!({ "refresh": refresh }));
    one_check(&app, refreshed, StatusCode::OK).await;
}

/// With two token classes, simplejwt tries the token as each; the signature is still checked
/// once, for a sliding token (the second class) and for a bad token (refused by both).
async fn two_token_classes_share_one_signature_check(app: TestApp) {
    app.user("alice").create().await;
    let body = json!({ "username": "alice", "password": crate::support::PASSWORD });
    let sliding = post_json(&app, "/api/token/sliding/", &body).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    one_check(&app, me(&app, &sliding), StatusCode::OK).await;
    let (access, _) = app.api_tokens("alice").await;
    one_check(&app, me(&app, &access), StatusCode::OK).await;
    let expired_or_bad = format!("{sliding}x");
    one_check(&app, me(&app, &expired_or_bad), StatusCode::UNAUTHORIZED).await;
    let renewed = post_json(
        &app,
        "/api/token/sliding/refresh/",
        &json!({ "token": sliding }),
    );
    one_check(&app, renewed, StatusCode::OK).await;
}

async fn the_oauth_surface_checks_one_signature_per_token(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let introspect = |token: &str| {
        app.post("/oauth/introspect")
            .form(&[("token", token)])
            .client(&client)
    };
    one_check(&app, introspect(&access), StatusCode::OK).await;
    one_check(&app, introspect(&refresh), StatusCode::OK).await;
    let userinfo = app.get("/oauth/userinfo").bearer(&access);
    one_check(&app, userinfo, StatusCode::OK).await;
    let refreshed = app
        .post("/oauth/token")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .client(&client);
    one_check(&app, refreshed, StatusCode::OK).await;
}

on_both_databases!(
    the_api_surface_checks_one_signature_per_token,
    the_oauth_surface_checks_one_signature_per_token,
);
on_both_databases!(both_classes => two_token_classes_share_one_signature_check);
