//! Revocation (RFC 7009).

use axum::http::StatusCode;
use sea_orm::EntityTrait;

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::entities::{refresh_tokens, revocations};

async fn revoking_a_refresh_token_revokes_its_family(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let response = app
        .post("/oauth/revoke")
        .form(&[("token", refresh)])
        .client(&client)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.is_empty());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.revoked_at.is_some() && r.revoke_reason.as_deref() == Some("revoked"))
    );
    let again = app
        .post("/oauth/token")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .client(&client)
        .await;
    insta::assert_json_snapshot!("refresh_after_revocation", again.json());
}

async fn revoking_an_access_token_records_its_jti_and_userinfo_refuses_it(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let access = app.password_tokens(&client, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .post("/oauth/revoke")
        .form(&[("token", &access), ("token_type_hint", "access_token")])
        .client(&client)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let rows = revocations::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_type, "access");
    let introspected = app
        .post("/oauth/introspect")
        .form(&[("token", &access)])
        .client(&client)
        .await;
    assert_eq!(introspected.json(), serde_json::json!({"active": false}));
}

async fn invalid_tokens_revoke_nothing_and_answer_200(app: TestApp) {
    let client = app.client("web").create().await;
    let response = app
        .post("/oauth/revoke")
        .form(&[("token", "garbage")])
        .client(&client)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        revocations::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn another_clients_token_is_refused(app: TestApp) {
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let other = app.client("other").create().await;
    let tokens = app.password_tokens(&web, "alice").await;
    let response = app
        .post("/oauth/revoke")
        .form(&[("token", tokens["refresh_token"].as_str().unwrap())])
        .client(&other)
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("another_clients_token", response.json());
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert!(rows.iter().all(|r| r.revoked_at.is_none()));
}

async fn revocation_requires_client_authentication(app: TestApp) {
    let response = app
        .post("/oauth/revoke")
        .form(&[("token", "x")])
        .basic("ghost", "x")
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("no_client_authentication", response.json());
}

on_both_databases!(
    revoking_a_refresh_token_revokes_its_family,
    revoking_an_access_token_records_its_jti_and_userinfo_refuses_it,
    invalid_tokens_revoke_nothing_and_answer_200,
    another_clients_token_is_refused,
    revocation_requires_client_authentication,
);
