//! Retries of a refresh (RFC 9700 §4.14.2, FAPI 2.0's "a retry after a lost response succeeds"):
//! inside `refresh_reuse_grace` the same client presenting a just-rotated refresh token again
//! gets the very successor the first presentation got, so a family never forks; after the
//! window it is reuse and revokes the family. Both surfaces, both databases.

use std::sync::Arc;

use axum::http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::{TestApp, TestResponse};
use sesame::entities::refresh_tokens;

const PRESENTATIONS: usize = 16;

/// `PRESENTATIONS` presentations of `token` at once, at `/oauth/token` through `client`, or at
/// `/api/token/refresh/` when `client` is `None`.
async fn present_at_once(
    app: &Arc<TestApp>,
    client: Option<&(String, String)>,
    token: &str,
) -> Vec<TestResponse> {
    let tasks: Vec<_> = (0..PRESENTATIONS)
        .map(|_| {
            let (app, client, token) = (app.clone(), client.cloned(), token.to_owned());
            tokio::spawn(async move {
                match client {
                    Some(client) => app.refresh_grant(&client, &token).await,
                    None => {
                        app.post("/api/token/refresh/")
                            .json(&json!({ "refresh": token }))
                            .await
                    }
                }
            })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.unwrap());
    }
    responses
}

/// Alice, signed in at the client `web` by the password grant: the client and her refresh token.
async fn alice_at_web(app: &TestApp) -> ((String, String), String) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let first = app.password_tokens(&client, "alice").await;
    let token = first["refresh_token"].as_str().unwrap().to_owned();
    (client, token)
}

/// Every row, oldest first.
async fn rows(app: &TestApp) -> Vec<refresh_tokens::Model> {
    let mut rows = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    rows.sort_by_key(|row| row.id);
    rows
}

/// Each response is a 200 carrying `field`, all the same one; answers it.
pub(crate) fn one_successor(responses: &[TestResponse], field: &str) -> String {
    let bodies: Vec<Value> = responses
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()
        })
        .collect();
    let successor = bodies[0][field].as_str().unwrap().to_owned();
    for body in &bodies {
        assert_eq!(body[field], successor.as_str(), "the family forked");
    }
    successor
}

/// Two rows, the presented token used and its one successor outstanding, nothing revoked.
pub(crate) async fn assert_one_rotation(app: &TestApp, presented: &str, successor: &str) {
    let rows = rows(app).await;
    assert_eq!(rows.len(), 2, "exactly one successor row: {rows:#?}");
    assert_eq!(rows[0].jti, jwt_parts(presented).1["jti"].as_str().unwrap());
    assert!(rows[0].used_at.is_some());
    assert_eq!(rows[1].jti, jwt_parts(successor).1["jti"].as_str().unwrap());
    assert_eq!(rows[1].parent_jti.as_deref(), Some(rows[0].jti.as_str()));
    assert_eq!(rows[1].used_at, None);
    assert!(rows.iter().all(|r| r.revoked_at.is_none()), "{rows:#?}");
}

async fn sixteen_concurrent_retries_at_the_token_endpoint_get_one_successor(app: TestApp) {
    let (client, token) = alice_at_web(&app).await;
    let app = Arc::new(app);
    let responses = present_at_once(&app, Some(&client), &token).await;
    let successor = one_successor(&responses, "refresh_token");
    assert_one_rotation(&app, &token, &successor).await;
    // The family goes on from the one successor.
    let next = app.refresh_grant(&client, &successor).await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.text());
    assert_eq!(rows(&app).await.len(), 3);
}

async fn sixteen_concurrent_retries_at_the_simplejwt_surface_get_one_successor(app: TestApp) {
    app.user("alice").create().await;
    let (_, token) = app.api_tokens("alice").await;
    let app = Arc::new(app);
    let responses = present_at_once(&app, None, &token).await;
    let successor = one_successor(&responses, "refresh");
    assert_one_rotation(&app, &token, &successor).await;
}

async fn a_retry_after_the_window_is_reuse_and_revokes_the_family(app: TestApp) {
    let (client, token) = alice_at_web(&app).await;
    let rotated = app.refresh_grant(&client, &token).await;
    let successor = one_successor(std::slice::from_ref(&rotated), "refresh_token");
    app.advance(std::time::Duration::from_secs(5));
    // The window is inclusive: 5 s after the rotation is still a retry.
    let retry = app.refresh_grant(&client, &token).await;
    assert_eq!(one_successor(&[retry], "refresh_token"), successor);
    app.advance(std::time::Duration::from_secs(1));
    let reuse = app.refresh_grant(&client, &token).await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reuse.json(),
        json!({
            "error": "invalid_grant",
            "error_description": "the refresh token was already used; its family is revoked",
        })
    );
    let rows = rows(&app).await;
    assert_eq!(rows.len(), 2);
    let reasons: Vec<_> = rows.iter().map(|r| r.revoke_reason.as_deref()).collect();
    assert_eq!(reasons, [Some("reuse_detected"); 2]);
    let events: Vec<String> = app
        .audit_trail()
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(events, ["login.success", "refresh.reuse"]);
    assert_eq!(
        app.refresh_grant(&client, &successor).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn a_retry_at_the_simplejwt_surface_after_the_window_is_reuse(app: TestApp) {
    app.user("alice").create().await;
    let (_, token) = app.api_tokens("alice").await;
    let body = json!({ "refresh": token });
    let rotated = app.post("/api/token/refresh/").json(&body).await;
    let successor = one_successor(&[rotated], "refresh");
    let retry = app.post("/api/token/refresh/").json(&body).await;
    assert_eq!(one_successor(&[retry], "refresh"), successor);
    app.outlast_reuse_grace();
    let reuse = app.post("/api/token/refresh/").json(&body).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reuse.body_str(),
        r#"{"detail":"Token is blacklisted","code":"token_not_valid"}"#
    );
    assert!(rows(&app).await.iter().all(|r| r.revoked_at.is_some()));
}

async fn another_client_presenting_inside_the_window_gets_nothing(app: TestApp) {
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let other = app.client("other").create().await;
    let first = app.password_tokens(&web, "alice").await;
    let token = first["refresh_token"].as_str().unwrap().to_owned();
    let successor = one_successor(&[app.refresh_grant(&web, &token).await], "refresh_token");
    let stranger = app.refresh_grant(&other, &token).await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    assert_eq!(stranger.json()["error"], "invalid_grant");
    assert_eq!(stranger.json().get("refresh_token"), None);
    assert_one_rotation(&app, &token, &successor).await;
    let retry = app.refresh_grant(&web, &token).await;
    assert_eq!(one_successor(&[retry], "refresh_token"), successor);
}

async fn the_old_token_after_its_successor_was_rotated_is_reuse(app: TestApp) {
    let (client, token) = alice_at_web(&app).await;
    let successor = one_successor(&[app.refresh_grant(&client, &token).await], "refresh_token");
    let next = app.refresh_grant(&client, &successor).await;
    assert_eq!(next.status, StatusCode::OK);
    // Whoever holds the successor has moved on: the old token now is someone else's copy.
    let reuse = app.refresh_grant(&client, &token).await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    assert!(rows(&app).await.iter().all(|r| r.revoked_at.is_some()));
}

async fn without_a_window_concurrent_presentations_have_one_winner_and_revoke(app: TestApp) {
    let (client, token) = alice_at_web(&app).await;
    let app = Arc::new(app);
    let responses = present_at_once(&app, Some(&client), &token).await;
    let statuses: Vec<_> = responses.iter().map(|r| r.status).collect();
    let wins = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(wins, 1, "{statuses:?}");
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::BAD_REQUEST)
            .count(),
        PRESENTATIONS - 1
    );
    // What `0s` costs: the losers revoke the family, the winner's new token included.
    let rows = rows(&app).await;
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.revoke_reason.as_deref() == Some("reuse_detected"))
    );
}

fn no_grace(config: &mut sesame::Config) {
    config.refresh_reuse_grace = std::time::Duration::ZERO;
}

on_both_databases!(
    sixteen_concurrent_retries_at_the_token_endpoint_get_one_successor,
    sixteen_concurrent_retries_at_the_simplejwt_surface_get_one_successor,
    a_retry_after_the_window_is_reuse_and_revokes_the_family,
    a_retry_at_the_simplejwt_surface_after_the_window_is_reuse,
    another_client_presenting_inside_the_window_gets_nothing,
    the_old_token_after_its_successor_was_rotated_is_reuse,
);
on_both_databases!(no_grace => without_a_window_concurrent_presentations_have_one_winner_and_revoke);
