//! The refresh grant: rotation, reuse detection revoking the family, client binding. Retries and
//! concurrent presentations are `refresh_retries`.

use axum::http::StatusCode;
use sea_orm::EntityTrait;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::oauth::jwt_parts;
use sesame::entities::refresh_tokens;

async fn refresh_token_rotates_into_the_same_family(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let first = app.password_tokens(&client, "alice").await;
    let old = first["refresh_token"].as_str().unwrap();
    let response = app.refresh_grant(&client, old).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    let new = body["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(body["token_type"], "Bearer");
    let (_, old_claims) = jwt_parts(old);
    let (_, new_claims) = jwt_parts(new);
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 2);
    let old_row = rows.iter().find(|r| r.jti == old_claims["jti"]).unwrap();
    let new_row = rows.iter().find(|r| r.jti == new_claims["jti"]).unwrap();
    assert!(old_row.used_at.is_some());
    assert_eq!(new_row.family_id, old_row.family_id);
    assert_eq!(new_row.parent_jti.as_deref(), Some(old_row.jti.as_str()));
    assert_eq!(new_row.used_at, None);
    assert_eq!(new_row.auth_time, old_row.auth_time);
}

async fn refresh_token_cannot_be_reused_after_rotation_and_reuse_revokes_the_family(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let first = app.password_tokens(&client, "alice").await;
    let old = first["refresh_token"].as_str().unwrap().to_owned();
    let rotated = app.refresh_grant(&client, &old).await.json();
    let newer = rotated["refresh_token"].as_str().unwrap();

    app.outlast_reuse_grace();
    let reuse = app.refresh_grant(&client, &old).await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("reused_refresh_token", reuse.json());
    // The thief's copy and the legitimate newer token die together.
    let after = app.refresh_grant(&client, newer).await;
    insta::assert_json_snapshot!("revoked_refresh_token", after.json());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(rows.iter().all(|r| r.revoked_at.is_some()));
    assert!(
        rows.iter()
            .all(|r| r.revoke_reason.as_deref() == Some("reuse_detected"))
    );
}

async fn refresh_token_is_bound_to_its_client(app: TestApp) {
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let other = app.client("other").create().await;
    let tokens = app.password_tokens(&web, "alice").await;
    let response = app
        .refresh_grant(&other, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("refresh_token_of_another_client", response.json());
    // The rightful client can still use it: a misdirected token is not a reuse.
    let ok = app
        .refresh_grant(&web, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

async fn access_token_is_not_a_refresh_token(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let response = app
        .refresh_grant(&client, tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("access_token_as_refresh_token", response.json());
    let garbage = app.refresh_grant(&client, "not.a.jwt").await;
    insta::assert_json_snapshot!("garbage_refresh_token", garbage.json());
}

async fn password_change_revokes_refresh_tokens(app: TestApp) {
    let user = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    sesame::auth::accounts::set_password(
        &app.state,
        &sesame::auth::audit::Actor::system(),
        user.id,
        "another long password",
        app.now(),
    )
    .await
    .unwrap();
    let response = app
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    insta::assert_json_snapshot!("revoked_refresh_token", response.json());
}

on_both_databases!(
    refresh_token_rotates_into_the_same_family,
    refresh_token_cannot_be_reused_after_rotation_and_reuse_revokes_the_family,
    refresh_token_is_bound_to_its_client,
    access_token_is_not_a_refresh_token,
    password_change_revokes_refresh_tokens,
);

#[tokio::test]
async fn without_rotation_the_refresh_token_is_kept_and_only_access_is_issued() {
    let app = TestApp::spawn_with(|c| c.rotate_refresh_tokens = false).await;
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let token = tokens["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let response = app.refresh_grant(&client, token).await;
        assert_eq!(response.status, StatusCode::OK);
        assert!(response.json().get("refresh_token").is_none());
    }
}
