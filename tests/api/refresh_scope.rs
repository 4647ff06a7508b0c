//! RFC 6749 §6 on refresh: a requested scope narrows the new access token only; the refresh
//! token keeps the scope originally granted, so a later refresh may widen back up to it, and
//! never beyond it.

use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::{TestApp, TestResponse};
use sesame::entities::refresh_tokens;

const GRANTED: &str = "email openid profile";

/// The body of a 200, its access token's `scope` claim and its refresh token's row scope.
async fn refreshed(app: &TestApp, response: TestResponse) -> (Value, String, String) {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    let (_, refresh) = jwt_parts(body["refresh_token"].as_str().unwrap());
    let row = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::Jti.eq(refresh["jti"].as_str().unwrap()))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let access_scope = access["scope"].as_str().unwrap().to_owned();
    (body, access_scope, row.scope)
}

async fn narrowing_a_refresh_keeps_the_grant_and_widening_back_works(app: TestApp) {
    app.user("alice").email("alice@example.com").create().await;
    let client = app.client("web").create().await;
    let first = app
        .password_grant_for_scope(&client, "alice", GRANTED)
        .await;
    let (first, _, row_scope) = refreshed(&app, first).await;
    assert_eq!(row_scope, GRANTED);

    // Narrowed: the access token and the response say `openid`, the grant stays whole.
    let token = first["refresh_token"].as_str().unwrap();
    let narrowed = app.refresh_grant_for_scope(&client, token, "openid").await;
    let (body, access_scope, row_scope) = refreshed(&app, narrowed).await;
    assert_eq!(body["scope"], "openid");
    assert_eq!(access_scope, "openid");
    assert_eq!(row_scope, GRANTED);
    let (_, id_claims) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id_claims.get("email"), None, "email was not asked for");

    // Without `scope`: everything originally granted (§6: "treated as equal to the scope
    // originally granted").
    let token = body["refresh_token"].as_str().unwrap();
    let (body, access_scope, row_scope) =
        refreshed(&app, app.refresh_grant(&client, token).await).await;
    assert_eq!(body["scope"], GRANTED);
    assert_eq!(access_scope, GRANTED);
    assert_eq!(row_scope, GRANTED);

    // Narrow again, then widen back explicitly to the whole grant.
    let token = body["refresh_token"].as_str().unwrap();
    let narrowed = app
        .refresh_grant_for_scope(&client, token, "openid email")
        .await;
    let (body, access_scope, _) = refreshed(&app, narrowed).await;
    assert_eq!(access_scope, "email openid");
    let token = body["refresh_token"].as_str().unwrap();
    let widened = app
        .refresh_grant_for_scope(&client, token, "openid profile email")
        .await;
    let (body, access_scope, row_scope) = refreshed(&app, widened).await;
    assert_eq!(body["scope"], GRANTED);
    assert_eq!(access_scope, GRANTED);
    assert_eq!(row_scope, GRANTED);
    let (_, id_claims) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id_claims["email"], "alice@example.com");
}

async fn a_refresh_wider_than_the_grant_is_invalid_scope_and_spends_nothing(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    // `read` is allowed to the client but was not granted to this token.
    let first = app
        .password_grant_for_scope(&client, "alice", "openid")
        .await;
    let (first, _, _) = refreshed(&app, first).await;
    let token = first["refresh_token"].as_str().unwrap();
    for wider in ["openid read", "read", "openid admin"] {
        let response = app.refresh_grant_for_scope(&client, token, wider).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{wider}");
        assert_eq!(
            response.json(),
            json!({
                "error": "invalid_scope",
                "error_description": "exceeds the scope originally granted",
            }),
            "{wider}"
        );
    }
    let rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].used_at, rows[0].revoked_at), (None, None));
    let (body, _, row_scope) = refreshed(&app, app.refresh_grant(&client, token).await).await;
    assert_eq!(
        (body["scope"].as_str(), row_scope.as_str()),
        (Some("openid"), "openid")
    );
}

async fn without_rotation_a_narrowed_refresh_narrows_only_the_access_token(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let first = app
        .password_grant_for_scope(&client, "alice", GRANTED)
        .await;
    let first = first.json();
    let token = first["refresh_token"].as_str().unwrap();
    let narrowed = app.refresh_grant_for_scope(&client, token, "openid").await;
    assert_eq!(narrowed.json()["scope"], "openid");
    let whole = app.refresh_grant_for_scope(&client, token, GRANTED).await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.text());
    assert_eq!(whole.json()["scope"], GRANTED);
}

fn no_rotation(config: &mut sesame::Config) {
    config.rotate_refresh_tokens = false;
}

on_both_databases!(
    narrowing_a_refresh_keeps_the_grant_and_widening_back_works,
    a_refresh_wider_than_the_grant_is_invalid_scope_and_spends_nothing,
);
on_both_databases!(no_rotation => without_rotation_a_narrowed_refresh_narrows_only_the_access_token);
