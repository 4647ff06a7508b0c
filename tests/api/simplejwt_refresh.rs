//! `POST /api/token/refresh/`: the domain's rotation with reuse detection, in simplejwt's wire
//! format, and simplejwt's 401 (never its 500) for tokens without an id or a user.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use serde_json::{Map, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::requests::Answers;
use crate::support::{TestApp, TestResponse};
use sesame::auth::clients::Client;
use sesame::auth::scope::Scope;
use sesame::auth::tokens::{self, Family, UserGrant};
use sesame::config::Config;
use sesame::entities::{refresh_tokens, users};

const REFRESH: &str = "/api/token/refresh/";

async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.post(REFRESH).json(&json!({ "refresh": token })).await
}

async fn refresh_rotates_and_answers_access_then_refresh(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (_, old) = app.api_tokens("alice").await;
    let response = refresh(&app, &old).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(response.keys(), ["access", "refresh"]);
    let (_, access) = jwt_parts(body["access"].as_str().unwrap());
    assert_eq!(access["user_id"], alice.id.to_string());
    let (_, old_claims) = jwt_parts(&old);
    let (_, new_claims) = jwt_parts(body["refresh"].as_str().unwrap());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    let old_row = rows.iter().find(|r| r.jti == old_claims["jti"]).unwrap();
    let new_row = rows.iter().find(|r| r.jti == new_claims["jti"]).unwrap();
    assert!(old_row.used_at.is_some());
    assert_eq!(new_row.family_id, old_row.family_id);
    assert_eq!(new_row.client_id, "sesame-api");
}

async fn a_rotated_token_presented_again_is_blacklisted_and_kills_its_family(app: TestApp) {
    app.user("alice").create().await;
    let (_, old) = app.api_tokens("alice").await;
    let newer = refresh(&app, &old).await.json()["refresh"]
        .as_str()
        .unwrap()
        .to_owned();

    app.outlast_reuse_grace();
    let reuse = refresh(&app, &old).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("blacklisted", reuse.body_str());
    assert_eq!(
        reuse.header("www-authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    // Stronger than simplejwt: the legitimate newer token dies with the stolen copy.
    let after = refresh(&app, &newer).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("blacklisted", after.body_str());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.revoke_reason.as_deref() == Some("reuse_detected"))
    );
}

async fn every_token_error_has_simplejwts_exact_message(app: TestApp) {
    app.user("alice").create().await;
    let (access, _) = app.api_tokens("alice").await;
    let mut answers = Answers::default();
    for (label, token) in [("garbage", "garbage"), ("an access token", &access)] {
        let response = refresh(&app, token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label}");
        answers.add(label, &response);
    }
    insta::assert_snapshot!("token_errors", answers);
    let response = app.post(REFRESH).json(&json!({})).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!("refresh_required", response.body_str());
}

/// A refresh token for `user` issued by the domain at `at`, as `/api/token/` would have.
async fn refresh_token_issued_at(
    app: &TestApp,
    user: &users::Model,
    at: chrono::DateTime<Utc>,
) -> String {
    let client = Client::builtin_api();
    let grant = UserGrant {
        user,
        client: &client,
        scope: &Scope::default(),
        auth_time: at,
        nonce: None,
    };
    tokens::issue_refresh_token(&app.state, &grant, Family::New, at)
        .await
        .unwrap()
}

async fn an_expired_refresh_token_is_expired(app: TestApp) {
    let alice = app.user("alice").create().await;
    let token = refresh_token_issued_at(&app, &alice, app.now() - Duration::days(2)).await;
    let response = refresh(&app, &token).await;
    insta::assert_snapshot!("expired", response.body_str());
}

async fn a_token_without_jti_has_no_id_where_simplejwt_would_crash(app: TestApp) {
    let alice = app.user("alice").create().await;
    let mut claims = Map::new();
    claims.insert("token_type".into(), json!("refresh"));
    claims.insert(
        "exp".into(),
        json!((app.now() + Duration::hours(1)).timestamp()),
    );
    claims.insert("user_id".into(), json!(alice.id));
    let token = app.state.keys().sign_refresh(&claims).unwrap();
    let response = refresh(&app, &token).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    insta::assert_snapshot!("no_id", response.body_str());
}

async fn a_deleted_or_inactive_user_has_no_active_account(app: TestApp) {
    let alice = app.user("alice").create().await;
    let bob = app.user("bob").create().await;
    let (_, alice_refresh) = app.api_tokens("alice").await;
    let (_, bob_refresh) = app.api_tokens("bob").await;
    users::Entity::delete_by_id(alice.id)
        .exec(app.db())
        .await
        .unwrap();
    // Deactivated without the revocation deactivate_user does, to reach the user check.
    sesame::store::users::set_active(app.db(), bob.id, false)
        .await
        .unwrap();
    for token in [alice_refresh, bob_refresh] {
        let response = refresh(&app, &token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        insta::assert_snapshot!("no_active_account", response.body_str());
    }
}

async fn a_refresh_token_of_another_client_is_invalid_here(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let oauth = app.password_tokens(&client, "alice").await;
    let response = refresh(&app, oauth["refresh_token"].as_str().unwrap()).await;
    insta::assert_snapshot!("another_clients_token", response.body_str());
}

fn no_rotation(config: &mut Config) {
    config.rotate_refresh_tokens = false;
}

async fn without_rotation_refresh_answers_only_access(app: TestApp) {
    app.user("alice").create().await;
    let (_, token) = app.api_tokens("alice").await;
    for _ in 0..2 {
        let response = refresh(&app, &token).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.keys(), ["access"]);
    }
}

on_both_databases!(
    refresh_rotates_and_answers_access_then_refresh,
    a_rotated_token_presented_again_is_blacklisted_and_kills_its_family,
    every_token_error_has_simplejwts_exact_message,
    an_expired_refresh_token_is_expired,
    a_token_without_jti_has_no_id_where_simplejwt_would_crash,
    a_deleted_or_inactive_user_has_no_active_account,
    a_refresh_token_of_another_client_is_invalid_here,
);
on_both_databases!(no_rotation => without_rotation_refresh_answers_only_access);
