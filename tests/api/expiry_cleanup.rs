//! The expiry cleanup `sesame serve` runs every `expiry_cleanup_interval` and `sesame tokens flush`
//! runs once (`auth::maintenance`): expired rows of every expiring table go, live ones stay and
//! still work.

use std::time::Duration as StdDuration;

use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::auth::maintenance::{self, Flushed};
use sesame::auth::throttle::{self, Source};
use sesame::auth::{blacklist, tokens};
use sesame::entities::{login_attempts, refresh_tokens, revocations};
use sesame::progress::Silent;

const HOUR: StdDuration = StdDuration::from_secs(3600);

async fn rows<E: EntityTrait>(app: &TestApp) -> u64
where
    E::Model: Sync,
{
    E::find().count(app.db()).await.unwrap()
}

async fn a_run_deletes_what_expired_and_keeps_what_lives(app: TestApp) {
    app.user("alice").create().await;
    // t0: a pair, then a logout: its refresh family is revoked and its access token recorded
    // as revoked until it expires (5 minutes).
    let (access, _) = app.api_tokens("alice").await;
    let authenticated =
        tokens::authenticate_access_token(&app.state, &access, &[tokens::ACCESS], app.now())
            .await
            .unwrap();
    blacklist::log_out(&app.state, &authenticated, app.now())
        .await
        .unwrap();
    assert_eq!(rows::<revocations::Entity>(&app).await, 1);
    // t0 + 23h: a second pair, whose refresh token lives until t0 + 47h.
    app.advance(23 * HOUR);
    let (_, live_refresh) = app.api_tokens("alice").await;
    let pair = throttle::pair(None, "nobody", &Source::ip(None));
    for age in [Duration::hours(25), Duration::zero()] {
        throttle::record_failure(&app.state, &pair, app.now() - age)
            .await
            .unwrap();
    }
    assert_eq!(rows::<refresh_tokens::Entity>(&app).await, 2);
    assert_eq!(rows::<login_attempts::Entity>(&app).await, 2);

    // t0 + 25h: the first refresh token, the revocation and the older failure have expired.
    app.advance(2 * HOUR);
    // One row per statement: every table's loop runs until a batch comes back short.
    let flushed = maintenance::delete_expired(&app.state, app.now(), 1, &Silent)
        .await
        .unwrap();
    let expected = Flushed {
        refresh_tokens: 1,
        revocations: 1,
        sessions: 0,
        authorization_codes: 0,
        login_attempts: 1,
    };
    assert_eq!(flushed, expected);
    assert_eq!(flushed.total(), 3);
    let left = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].expires_at > app.now(), "{left:?}");
    assert_eq!(left[0].revoked_at, None);
    assert_eq!(rows::<revocations::Entity>(&app).await, 0);
    let attempts = login_attempts::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(attempts.len(), 1);
    // The recent one (PostgreSQL keeps microseconds).
    let recent = app.now() - Duration::hours(2);
    assert_eq!(
        attempts[0].attempted_at.timestamp_micros(),
        recent.timestamp_micros()
    );

    // What is left still works, and a second run finds nothing.
    let refreshed = app
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": live_refresh }))
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let again = maintenance::delete_expired(&app.state, app.now(), 500, &Silent)
        .await
        .unwrap();
    assert_eq!(again, Flushed::default());
}

async fn a_batch_of_zero_still_deletes_one_row_at_a_time(app: TestApp) {
    app.user("alice").create().await;
    app.api_tokens("alice").await;
    app.api_tokens("alice").await;
    app.advance(25 * HOUR);
    let flushed = maintenance::delete_expired(&app.state, app.now(), 0, &Silent)
        .await
        .unwrap();
    assert_eq!(flushed.refresh_tokens, 2);
    assert_eq!(rows::<refresh_tokens::Entity>(&app).await, 0);
}

on_both_databases!(
    a_run_deletes_what_expired_and_keeps_what_lives,
    a_batch_of_zero_still_deletes_one_row_at_a_time,
);
