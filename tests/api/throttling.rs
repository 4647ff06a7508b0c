//! Login throttling (SPEC §10): an exponential delay after 5 failures of one source on one account
//! and after 100 failures in 10 minutes from an IP, never a hard lock, the same on every surface.
//! Time is an input of the domain, so kicking in and releasing need no sleeping. What an attacker
//! cannot do with it (keep the owner out, count right passwords as failures) is in
//! `throttling_abuse.rs`.

use std::net::IpAddr;
use std::time::Duration as StdDuration;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::on_both_databases;
use crate::support::html::csrf_token;
use crate::support::{PASSWORD, TestApp};
use sesame::auth::throttle::{self, Scope, Source};
use sesame::auth::{Error, accounts, maintenance};
use sesame::entities::login_attempts;
use sesame::progress::Silent;

on_both_databases!(
    the_login_form_answers_429_after_five_failures,
    the_password_grant_answers_slow_down,
    the_api_token_endpoint_answers_drf_throttled,
    the_delay_doubles_and_releases,
    a_success_resets_the_count,
    unknown_identifiers_are_throttled_alike,
    an_ip_waits_after_100_failures_in_10_minutes,
    failures_older_than_a_day_are_forgotten,
);

const WRONG: &str = "wrong password";

async fn check(
    app: &TestApp,
    identifier: &str,
    password: &str,
    ip: Option<IpAddr>,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let origin = accounts::Origin {
        surface: accounts::Surface::Api,
        source: Source::ip(ip),
    };
    accounts::check_password(&app.state, identifier, password, &origin, at)
        .await
        .map(|_| ())
}

/// PostgreSQL keeps microseconds; whole seconds make the expected waits exact on both databases.
fn whole_seconds_now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

fn retry_after(result: Result<(), Error>) -> StdDuration {
    match result {
        Err(Error::Throttled { retry_after, .. }) => retry_after,
        other => panic!("expected Throttled, got {other:?}"),
    }
}

async fn the_login_form_answers_429_after_five_failures(app: TestApp) {
    app.user("alice").create().await;
    let mut agent = app.agent().with_ip([198, 51, 100, 7]);
    for _ in 0..5 {
        let response = agent.login("alice", WRONG, None).await;
        assert_eq!(response.status, StatusCode::OK);
        assert!(response.text().contains("incorrect"));
    }
    let page = agent.get("/login").await;
    let csrf = csrf_token(&page.text());
    // Even the right password waits: the delay is not a hint that it was right.
    let response = agent
        .post(
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.header("retry-after"), Some("1"));
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    assert!(
        response.text().contains(
            "Too many failed login attempts for this account from this client. \
             Try again in 1 seconds."
        ),
        "{}",
        response.text()
    );
    assert!(response.text().contains("value=\"alice\""));
    let rows = login_attempts::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 5, "the throttled attempt is not recorded");
    assert!(
        rows.iter()
            .all(|r| r.ip_key.as_deref() == Some("198.51.100.7"))
    );

    // Released once the delay has passed; the success forgets this source's failures.
    let later = rows.iter().map(|r| r.attempted_at).max().unwrap() + Duration::seconds(1);
    let ip = Some(IpAddr::from([198, 51, 100, 7]));
    check(&app, "alice", PASSWORD, ip, later).await.unwrap();
    assert_eq!(
        login_attempts::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        0
    );
    let metrics = app.ops_get("/metrics").await.text();
    let counted = "sesame_login_throttled_total{surface=\"form\",scope=\"source\"}";
    assert!(metrics.contains(counted), "{metrics}");
}

async fn the_password_grant_answers_slow_down(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("app").create().await;
    let params = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", WRONG),
    ];
    for _ in 0..5 {
        let response = app.post("/oauth/token").form(&params).client(&client).await;
        insta::assert_json_snapshot!("wrong_password", response.json());
    }
    let response = app.post("/oauth/token").form(&params).client(&client).await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.header("retry-after"), Some("1"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    insta::assert_json_snapshot!("slow_down", response.json());
    let metrics = app.ops_get("/metrics").await.text();
    let counted = "sesame_login_throttled_total{surface=\"oauth\",scope=\"source\"}";
    assert!(metrics.contains(counted), "{metrics}");
}

async fn the_api_token_endpoint_answers_drf_throttled(app: TestApp) {
    app.user("alice").create().await;
    let body = serde_json::json!({ "username": "alice", "password": WRONG });
    for _ in 0..5 {
        let response = app.post("/api/token/").json(&body).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    let response = app.post("/api/token/").json(&body).await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.header("retry-after"), Some("1"));
    insta::assert_snapshot!("drf_throttled", response.body_str());
    let metrics = app.ops_get("/metrics").await.text();
    let counted = "sesame_login_throttled_total{surface=\"api\",scope=\"source\"}";
    assert!(metrics.contains(counted), "{metrics}");
}

async fn the_delay_doubles_and_releases(app: TestApp) {
    app.user("alice").create().await;
    let t0 = whole_seconds_now();
    for i in 0..5 {
        let at = t0 + Duration::seconds(i);
        assert!(matches!(
            check(&app, "alice", WRONG, None, at).await,
            Err(Error::InvalidCredentials)
        ));
    }
    let last = t0 + Duration::seconds(4);
    assert_eq!(
        retry_after(check(&app, "alice", PASSWORD, None, last).await),
        StdDuration::from_secs(1)
    );
    // The sixth failure, once allowed, doubles the wait.
    let sixth = last + Duration::seconds(1);
    assert!(matches!(
        check(&app, "alice", WRONG, None, sixth).await,
        Err(Error::InvalidCredentials)
    ));
    let waited = retry_after(
        check(
            &app,
            "alice",
            PASSWORD,
            None,
            sixth + Duration::milliseconds(500),
        )
        .await,
    );
    assert_eq!(waited, StdDuration::from_millis(1500));
    check(&app, "alice", PASSWORD, None, sixth + Duration::seconds(2))
        .await
        .unwrap();
    // Capped: never more than 15 minutes, never a lock.
    assert_eq!(
        throttle::delay_after(1_000, 5),
        Some(StdDuration::from_secs(15 * 60))
    );
}

async fn a_success_resets_the_count(app: TestApp) {
    app.user("alice").create().await;
    let t0 = whole_seconds_now();
    for i in 0..4 {
        check(&app, "alice", WRONG, None, t0 + Duration::seconds(i))
            .await
            .unwrap_err();
    }
    check(&app, "alice", PASSWORD, None, t0 + Duration::seconds(5))
        .await
        .unwrap();
    for i in 6..10 {
        check(&app, "alice", WRONG, None, t0 + Duration::seconds(i))
            .await
            .unwrap_err();
    }
    check(&app, "alice", PASSWORD, None, t0 + Duration::seconds(10))
        .await
        .unwrap();
}

async fn unknown_identifiers_are_throttled_alike(app: TestApp) {
    let t0 = whole_seconds_now();
    for i in 0..5 {
        let result = check(&app, "Nobody", WRONG, None, t0 + Duration::seconds(i)).await;
        assert!(matches!(result, Err(Error::InvalidCredentials)));
    }
    let result = check(&app, "nobody", WRONG, None, t0 + Duration::seconds(4)).await;
    assert!(matches!(
        result,
        Err(Error::Throttled {
            scope: Scope::Source,
            ..
        })
    ));
    assert_eq!(retry_after(result), StdDuration::from_secs(1));
}

async fn an_ip_waits_after_100_failures_in_10_minutes(app: TestApp) {
    app.user("alice").create().await;
    let ip: IpAddr = "203.0.113.9".parse().unwrap();
    let t0 = whole_seconds_now();
    // 100 failures against 100 different accounts, recorded as check_password records them.
    for i in 0..100 {
        let pair = throttle::pair(None, &format!("victim{i}"), &Source::ip(Some(ip)));
        throttle::record_failure(&app.state, &pair, t0 + Duration::seconds(i))
            .await
            .unwrap();
    }
    let last = t0 + Duration::seconds(99);
    let result = check(&app, "alice", PASSWORD, Some(ip), last).await;
    assert!(matches!(
        result,
        Err(Error::Throttled {
            scope: Scope::Address,
            ..
        })
    ));
    assert_eq!(retry_after(result), StdDuration::from_secs(1));
    // Another IP is not affected; the same IP is released after the delay.
    let other: IpAddr = "203.0.113.10".parse().unwrap();
    check(&app, "alice", PASSWORD, Some(other), last)
        .await
        .unwrap();
    check(
        &app,
        "alice",
        PASSWORD,
        Some(ip),
        last + Duration::seconds(1),
    )
    .await
    .unwrap();
    // Ten minutes after the first failures the window has moved on.
    check(&app, "alice", WRONG, Some(ip), last + Duration::seconds(2))
        .await
        .unwrap_err();
    let window_passed = t0 + Duration::minutes(10) + Duration::seconds(30);
    check(&app, "alice", PASSWORD, Some(ip), window_passed)
        .await
        .unwrap();
}

async fn failures_older_than_a_day_are_forgotten(app: TestApp) {
    let t0 = whole_seconds_now();
    let pair = throttle::pair(None, "nobody", &Source::ip(None));
    for age in [25, 24 * 7, 23] {
        let at = t0 - Duration::hours(age);
        throttle::record_failure(&app.state, &pair, at)
            .await
            .unwrap();
    }
    // One row per statement: the sweep loops until a batch comes back short.
    let forgotten = maintenance::delete_expired(&app.state, t0, 1, &Silent)
        .await
        .unwrap()
        .login_attempts;
    assert_eq!(forgotten, 2);
    let rows = login_attempts::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempted_at, t0 - Duration::hours(23));
}
