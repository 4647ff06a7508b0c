//! The vue-admin profile: the `{code, msg, data}` envelope byte for byte as SPEC §7 gives it,
//! and a logout that really revokes.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{PASSWORD, TestApp, TestResponse};
use sesame::config::Config;

fn vue_admin(config: &mut Config) {
    config.compat.vue_admin = true;
}

async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post("/login/")
        .json(&json!({ "username": username, "password": password }))
        .await
}

async fn login_answers_the_envelope_byte_for_byte(app: TestApp) {
    app.user("alice").phone("13800138000").create().await;
    let response = login(&app, "13800138000", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    let access = body["data"]["accessToken"].as_str().unwrap();
    let refresh = body["data"]["refresh"].as_str().unwrap();
    let envelope = response
        .body_str()
        .replace(access, "<access token>")
        .replace(refresh, "<refresh token>");
    insta::assert_snapshot!("login", envelope);
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": refresh }))
        .await;
    assert_eq!(
        refreshed.status,
        StatusCode::OK,
        "the refresh token serves /api/ too"
    );
}

async fn a_failed_login_is_the_failure_envelope(app: TestApp) {
    app.user("alice").create().await;
    let response = login(&app, "alice", "wrong").await;
    assert_eq!(response.status, StatusCode::OK);
    insta::assert_snapshot!("login_with_a_wrong_password", response.body_str());
    let response = app
        .post("/login/")
        .json(&json!({ "username": "alice" }))
        .await;
    insta::assert_snapshot!("login_without_a_password", response.body_str());
}

async fn user_info_answers_roles_ability_username_and_avatar(app: TestApp) {
    app.user("alice").roles(&["admin"]).create().await;
    let (access, _) = app.api_tokens("alice").await;
    let response = app.post("/userInfo/").bearer(&access).await;
    assert_eq!(response.status, StatusCode::OK);
    insta::assert_snapshot!("user_info", response.body_str());
    let anonymous = app.post("/userInfo/").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.header("www-authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    insta::assert_snapshot!("user_info_without_credentials", anonymous.body_str());
}

async fn logout_revokes_the_callers_refresh_tokens_and_access_token(app: TestApp) {
    app.user("alice").create().await;
    let login_body = login(&app, "alice", PASSWORD).await.json();
    let access = login_body["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = login_body["data"]["refresh"].as_str().unwrap().to_owned();
    let (_, other_device) = app.api_tokens("alice").await;
    let web = app.client("web").create().await;
    let third_party = app.password_tokens(&web, "alice").await;

    let response = app.post("/logout/").bearer(&access).await;
    assert_eq!(response.status, StatusCode::OK);
    insta::assert_snapshot!("logout", response.body_str());

    for token in [&refresh, &other_device] {
        let refreshed = app
            .post("/api/token/refresh/")
            .json(&json!({ "refresh": token }))
            .await;
        insta::assert_snapshot!("refresh_after_logout", refreshed.body_str());
    }
    let again = app.post("/userInfo/").bearer(&access).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    let me = app.get("/api/me/").bearer(&access).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    // A third-party app's grant is not this front end's to end.
    let oauth_refresh = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                third_party["refresh_token"].as_str().unwrap(),
            ),
        ])
        .client(&web)
        .await;
    assert_eq!(oauth_refresh.status, StatusCode::OK);
}

async fn the_profile_is_absent_unless_configured(app: TestApp) {
    app.user("alice").create().await;
    for path in ["/login/", "/userInfo/", "/logout/"] {
        let response = app
            .post(path)
            .json(&json!({ "username": "alice", "password": PASSWORD }))
            .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
}

on_both_databases!(
    vue_admin =>
    login_answers_the_envelope_byte_for_byte,
    a_failed_login_is_the_failure_envelope,
    user_info_answers_roles_ability_username_and_avatar,
    logout_revokes_the_callers_refresh_tokens_and_access_token,
);
on_both_databases!(the_profile_is_absent_unless_configured);
