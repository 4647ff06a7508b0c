//! What the throttle must not let an attacker do (issue 15): keep the owner out by guessing at
//! the `Retry-After` pace from another address or from behind the same one, have right passwords
//! counted as failures when they arrive together, or guess from many addresses at full speed.
//! Source addresses are from 127.0.0.0/8, as a real attacker on the loopback listener would use.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration as StdDuration;

use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::on_both_databases;
use crate::support::admin::{assert_page, assert_see_other};
use crate::support::html::csrf_token;
use crate::support::{PASSWORD, TestApp};
use sesame::auth::throttle::{ACCOUNT_MAX_DELAY, Scope, Source};
use sesame::auth::{Error, accounts};
use sesame::entities::login_attempts;

on_both_databases!(
    an_attacker_at_the_retry_after_pace_never_keeps_the_owner_out,
    a_device_cookie_lets_the_owner_in_from_behind_the_attackers_address,
    sixteen_simultaneous_right_passwords_all_succeed,
    the_account_ceiling_slows_a_distributed_guess,
    an_admin_sees_and_clears_a_throttle,
    a_device_cookie_is_honoured_for_180_days,
);

const WRONG: &str = "wrong password";

fn peer(ip: [u8; 4]) -> SocketAddr {
    SocketAddr::from((ip, 41000))
}

/// PostgreSQL keeps microseconds: from a whole second on, the waits are exact on both databases.
fn on_a_whole_second(app: &TestApp) {
    let nanos = app.now().timestamp_subsec_nanos();
    app.advance(StdDuration::from_nanos(u64::from(1_000_000_000 - nanos)));
}

async fn api_login(app: &TestApp, password: &str, from: [u8; 4]) -> (StatusCode, Option<u64>) {
    let body = json!({ "username": "alice", "password": password });
    let response = app.post("/api/token/").json(&body).peer(peer(from)).await;
    let retry_after = response
        .header("retry-after")
        .map(|v| v.parse::<u64>().unwrap());
    (response.status, retry_after)
}

async fn an_attacker_at_the_retry_after_pace_never_keeps_the_owner_out(app: TestApp) {
    app.user("alice").create().await;
    on_a_whole_second(&app);
    let (attacker, owner) = ([127, 0, 0, 66], [127, 0, 0, 7]);
    let mut waits = Vec::new();
    // 5 free guesses, then one guess each time Retry-After runs out, well past the 15-minute cap.
    for _ in 0..16 {
        let retry_after = loop {
            match api_login(&app, WRONG, attacker).await {
                (StatusCode::UNAUTHORIZED, None) => continue,
                (StatusCode::TOO_MANY_REQUESTS, Some(retry_after)) => break retry_after,
                other => panic!("{other:?}"),
            }
        };
        waits.push(retry_after);
        // The owner, from elsewhere, gets in every time the attacker is throttled.
        assert_eq!(api_login(&app, PASSWORD, owner).await.0, StatusCode::OK);
        app.advance(StdDuration::from_secs(retry_after));
        assert_eq!(api_login(&app, PASSWORD, owner).await.0, StatusCode::OK);
    }
    assert_eq!(
        waits,
        [
            1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900
        ],
        "the attacker's own delay doubles up to the cap; the owner's successes do not reset it"
    );
    let rows = login_attempts::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 20);
    assert!(
        rows.iter()
            .all(|r| r.ip_key.as_deref() == Some("127.0.0.66"))
    );
}

async fn a_device_cookie_lets_the_owner_in_from_behind_the_attackers_address(app: TestApp) {
    app.user("alice").create().await;
    let shared = [127, 0, 0, 80];
    let mut owner = app.agent().with_ip(shared);
    owner.sign_in("alice").await;
    let device = owner.cookies.get("sesame_device").cloned().unwrap();
    // Someone behind the same address exhausts its budget on alice.
    let mut attacker = app.agent().with_ip(shared);
    for _ in 0..5 {
        assert_eq!(
            attacker.login("alice", WRONG, None).await.status,
            StatusCode::OK
        );
    }
    let refused = attacker.login("alice", PASSWORD, None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.header("retry-after"), Some("1"));
    // The owner's browser, its session long over, is its own source; a forged cookie is nobody's.
    owner.cookies.remove("sesame_session");
    let response = owner.login("alice", PASSWORD, None).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    let mut forger = app.agent().with_ip(shared);
    let forged = format!("{}x", &device[..device.len() - 1]);
    forger.cookies.insert("sesame_device".into(), forged);
    let page = forger.get("/login").await;
    let csrf = csrf_token(&page.text());
    let params = [
        ("username", "alice"),
        ("password", PASSWORD),
        ("csrf_token", &csrf),
    ];
    let response = forger.post("/login", &params).await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn sixteen_simultaneous_right_passwords_all_succeed(app: TestApp) {
    app.user("alice").create().await;
    let body = json!({ "username": "alice", "password": PASSWORD });
    let mut logins = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let request = app
            .post("/api/token/")
            .json(&body)
            .peer(peer([127, 0, 0, 5]));
        logins.spawn(async move { request.await.status });
    }
    let statuses: Vec<StatusCode> = logins.join_all().await;
    assert_eq!(statuses, [StatusCode::OK; 16]);
    let rows = login_attempts::Entity::find()
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing failed, so nothing is recorded");
}

async fn the_account_ceiling_slows_a_distributed_guess(app: TestApp) {
    app.user("alice").create().await;
    on_a_whole_second(&app);
    let t0 = app.now();
    let from = |i: u8| Source::ip(Some(IpAddr::from([127, 0, 1, i])));
    let check = |source: Source, password: &'static str, at| {
        let app = &app;
        async move {
            let origin = accounts::Origin {
                surface: accounts::Surface::Api,
                source,
            };
            accounts::check_password(&app.state, "alice", password, &origin, at)
                .await
                .map(|_| ())
        }
    };
    // 60 addresses, one guess each: no address comes near its own limit of 5.
    for i in 0..60 {
        let result = check(from(i), WRONG, t0 + Duration::milliseconds(i64::from(i))).await;
        assert!(matches!(result, Err(Error::InvalidCredentials)));
    }
    // Each of them must now wait a minute from its own guess before the next.
    let at = t0 + Duration::seconds(10);
    match check(from(0), WRONG, at).await {
        Err(Error::Throttled { retry_after, scope }) => {
            assert_eq!(scope, Scope::Account);
            assert_eq!(retry_after, StdDuration::from_secs(50));
        }
        other => panic!("expected the ceiling, got {other:?}"),
    }
    // An address that has not failed on alice is never slowed by the others: the owner gets in.
    check(from(200), PASSWORD, at).await.unwrap();
    // Bounded: a minute after its own guess, the guesser is checked again.
    let later = t0 + Duration::from_std(ACCOUNT_MAX_DELAY).unwrap();
    let result = check(from(0), WRONG, later).await;
    assert!(
        matches!(result, Err(Error::InvalidCredentials)),
        "{result:?}"
    );
}

async fn an_admin_sees_and_clears_a_throttle(app: TestApp) {
    let alice = app.user("alice").create().await;
    let attacker = [127, 0, 0, 66];
    for _ in 0..5 {
        assert_eq!(
            api_login(&app, WRONG, attacker).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        api_login(&app, WRONG, attacker).await,
        (StatusCode::TOO_MANY_REQUESTS, Some(1))
    );
    let (_, session) = app.admin().await;

    let page = app.get("/admin/throttles").session(&session).await;
    assert_page(&page, StatusCode::OK);
    let text = page.text();
    let row = format!(
        "<td><a href=\"/admin/users/{}\">alice</a></td>\n      <td>127.0.0.66</td>\n      \
         <td>5</td>",
        alice.id
    );
    assert!(text.contains(&row), "{text}");
    assert!(text.contains("<td>1 second</td>"), "{text}");
    let account = format!("user:{}", alice.id);
    let fields = [
        ("account", account.as_str()),
        ("ip", "127.0.0.66"),
        ("device", ""),
    ];

    // Without the CSRF token nothing is cleared.
    let mut forged = vec![("csrf_token", "forged")];
    forged.extend_from_slice(&fields);
    let refused = app
        .post("/admin/throttles/clear")
        .session(&session)
        .form(&forged)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        login_attempts::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        5
    );

    let response = app
        .admin_post("/admin/throttles/clear", &session, &fields)
        .await;
    assert_see_other(&response, "/admin/throttles?notice=cleared");
    assert_eq!(
        login_attempts::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        0
    );
    let event = app
        .assert_last_event("throttle.clear", "root", &account)
        .await;
    let details: serde_json::Value = serde_json::from_str(&event.details.unwrap()).unwrap();
    assert_eq!(
        details,
        json!({ "ip": "127.0.0.66", "device": null, "failures": 5 })
    );
    // The source is checked again at once; clearing again finds nothing and records nothing.
    assert_eq!(
        api_login(&app, WRONG, attacker).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = [("account", "user:0"), ("ip", ""), ("device", "")];
    let response = app
        .admin_post("/admin/throttles/clear", &session, &again)
        .await;
    assert_see_other(&response, "/admin/throttles?notice=nothing_cleared");
    app.assert_last_event("throttle.clear", "root", &account)
        .await;
}

async fn a_device_cookie_is_honoured_for_180_days(app: TestApp) {
    app.user("alice").create().await;
    let shared = [127, 0, 0, 81];
    let mut owner = app.agent().with_ip(shared);
    owner.sign_in("alice").await;
    owner.cookies.remove("sesame_session");
    app.advance(StdDuration::from_secs(180 * 24 * 3600));
    let mut attacker = app.agent().with_ip(shared);
    for _ in 0..5 {
        attacker.login("alice", WRONG, None).await;
    }
    // Half a year on, the browser is one of the crowd behind its address again.
    let response = owner.login("alice", PASSWORD, None).await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
}
