//! `POST /api/token/sliding/` and `/api/token/sliding/refresh/`: one token that is refreshed in
//! place (same `jti` and `refresh_exp`, later `exp`) until `refresh_exp`.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::requests::Answers;
use crate::support::{PASSWORD, TestApp};
use sesame::auth::clients::Client;
use sesame::auth::sliding;
use sesame::config::{AuthTokenClass, Config};

const SLIDING: &str = "/api/token/sliding/";
const SLIDING_REFRESH: &str = "/api/token/sliding/refresh/";

/// Moves the user's password change before `at`, so a token "issued" then is not revoked by it.
async fn password_set_before(
    app: &TestApp,
    user: &sesame::entities::users::Model,
    at: chrono::DateTime<Utc>,
) {
    let earlier = at - Duration::minutes(1);
    sesame::store::users::set_password_hash(app.db(), user.id, &user.password_hash, earlier)
        .await
        .unwrap();
}

async fn sliding(app: &TestApp) -> String {
    let response = app
        .post(SLIDING)
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    response.json()["token"].as_str().unwrap().to_owned()
}

async fn a_sliding_token_refreshes_in_place(app: TestApp) {
    let alice = app.user("alice").create().await;
    let issued_at = app.now() - Duration::minutes(2);
    password_set_before(&app, &alice, issued_at).await;
    let token = sliding::issue_sliding_token(&app.state, &Client::builtin_api(), &alice, issued_at)
        .unwrap();
    let (header, before) = jwt_parts(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(before["token_type"], "sliding");
    assert_eq!(
        before["exp"],
        (issued_at + Duration::minutes(5)).timestamp()
    );
    assert_eq!(
        before["refresh_exp"],
        (issued_at + Duration::days(1)).timestamp()
    );

    let response = app
        .post(SLIDING_REFRESH)
        .json(&json!({ "token": token }))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.keys(), ["token"]);
    let (_, after) = jwt_parts(response.json()["token"].as_str().unwrap());
    assert_eq!(after["jti"], before["jti"]);
    assert_eq!(after["refresh_exp"], before["refresh_exp"]);
    assert!(after["exp"].as_i64() > before["exp"].as_i64());
    assert!(after["iat"].as_i64() > before["iat"].as_i64());
}

async fn obtaining_and_refreshing_answer_simplejwts_errors(app: TestApp) {
    app.user("alice").create().await;
    let token = sliding(&app).await;
    let (access, refresh) = app.api_tokens("alice").await;
    let mut answers = Answers::default();
    for (label, bad) in [("an access token", &access), ("a refresh token", &refresh)] {
        let response = app
            .post(SLIDING_REFRESH)
            .json(&json!({ "token": bad }))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        answers.add(&format!("sliding refresh of {label}"), &response);
    }
    // A sliding token is neither a refresh token nor, by default, an authentication token.
    let response = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": token }))
        .await;
    answers.add("refresh of a sliding token", &response);
    let response = app
        .post("/api/token/verify/")
        .json(&json!({ "token": token }))
        .await;
    assert_eq!(response.body_str(), "{}");
    let response = app
        .post(SLIDING)
        .json(&json!({ "username": "alice", "password": "nope" }))
        .await;
    answers.add("sliding token for a wrong password", &response);
    let response = app.post(SLIDING_REFRESH).json(&json!({})).await;
    answers.add("sliding refresh without a token", &response);
    insta::assert_snapshot!("errors", answers);
}

fn long_tokens_short_refresh_window(config: &mut Config) {
    config.sliding_token_lifetime = std::time::Duration::from_secs(2 * 86_400);
    config.sliding_token_refresh_lifetime = std::time::Duration::from_secs(3600);
    config.auth_token_classes = vec![AuthTokenClass::AccessToken, AuthTokenClass::SlidingToken];
}

async fn past_refresh_exp_a_sliding_token_can_no_longer_be_refreshed(app: TestApp) {
    let alice = app.user("alice").create().await;
    let issued_at = app.now() - Duration::hours(2);
    password_set_before(&app, &alice, issued_at).await;
    let token = sliding::issue_sliding_token(&app.state, &Client::builtin_api(), &alice, issued_at)
        .unwrap();
    let response = app
        .post(SLIDING_REFRESH)
        .json(&json!({ "token": token }))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("refresh_exp_passed", response.body_str());
    // Still a valid token to authenticate with until its exp.
    let me = app.get("/api/me/").bearer(&token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
}

async fn a_sliding_token_of_a_logged_out_caller_cannot_be_refreshed(app: TestApp) {
    app.user("alice").create().await;
    let token = sliding(&app).await;
    let config = app.state.config.clone();
    assert!(
        config
            .auth_token_classes
            .contains(&AuthTokenClass::SlidingToken)
    );
    let me = app.get("/api/me/").bearer(&token).await;
    assert_eq!(me.status, StatusCode::OK);
    let access = sesame::auth::tokens::authenticate_access_token(
        &app.state,
        &token,
        &["sliding"],
        app.state.now(),
    )
    .await
    .unwrap();
    sesame::auth::blacklist::log_out(&app.state, &access, app.now())
        .await
        .unwrap();
    let response = app
        .post(SLIDING_REFRESH)
        .json(&json!({ "token": token }))
        .await;
    insta::assert_snapshot!("blacklisted", response.body_str());
    let me = app.get("/api/me/").bearer(&token).await;
    insta::assert_snapshot!("me_with_a_blacklisted_sliding_token", me.body_str());
}

on_both_databases!(
    a_sliding_token_refreshes_in_place,
    obtaining_and_refreshing_answer_simplejwts_errors
);
on_both_databases!(
    long_tokens_short_refresh_window =>
    past_refresh_exp_a_sliding_token_can_no_longer_be_refreshed,
    a_sliding_token_of_a_logged_out_caller_cannot_be_refreshed,
);
