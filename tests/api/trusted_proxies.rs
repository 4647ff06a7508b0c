//! `trusted_proxies` (issue 10): behind a reverse proxy, the client named by `Forwarded` or
//! `X-Forwarded-For` is the one throttled and audited, and https seen by the proxy makes the
//! session cookies Secure; from any other peer those headers are ignored (no spoofing).

use std::net::SocketAddr;

use axum::http::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, PASSWORD, TestApp};
use sesame::auth::throttle;
use sesame::entities::{audit_events, login_attempts};

fn behind_a_proxy(config: &mut sesame::Config) {
    config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
}

on_both_databases!(behind_a_proxy =>
    a_trusted_proxy_names_the_client_that_is_throttled_and_audited,
    an_untrusted_peer_cannot_choose_its_address,
    forwarded_names_ipv6_clients_and_hidden_ones_leave_the_proxy,
    https_at_the_proxy_makes_session_cookies_secure,
);
on_both_databases!(without_trusted_proxies_every_header_is_ignored);

const PROXY: &str = "10.0.0.2:40000";
const WRONG: &str = "wrong password";

/// A simplejwt login through `peer` with `headers`: its status and the audit event it left.
async fn login_from(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    password: &str,
) -> (StatusCode, audit_events::Model) {
    let response = app
        .post("/api/token/")
        .peer(peer.parse::<SocketAddr>().unwrap())
        .headers(headers)
        .json(&json!({ "username": "alice", "password": password }))
        .await;
    (response.status, last_event(app).await)
}

async fn last_event(app: &TestApp) -> audit_events::Model {
    audit_events::Entity::find()
        .order_by_desc(audit_events::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

/// A failed login through `peer` with `headers`; returns the address of its audit event, after
/// checking that its throttling row is keyed by the same client.
async fn failed_login_from(app: &TestApp, peer: &str, headers: &[(&str, &str)]) -> String {
    let (status, event) = login_from(app, peer, headers, WRONG).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(event.action, "login.failure");
    let attempt = login_attempts::Entity::find()
        .order_by_desc(login_attempts::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let ip = event.ip.unwrap();
    assert_eq!(attempt.ip_key, Some(throttle::ip_key(ip.parse().unwrap())));
    ip
}

async fn a_trusted_proxy_names_the_client_that_is_throttled_and_audited(app: TestApp) {
    app.user("alice").create().await;
    let forwarded_for = [("x-forwarded-for", "6.6.6.6, 198.51.100.7")];
    assert_eq!(
        failed_login_from(&app, PROXY, &forwarded_for).await,
        "198.51.100.7"
    );
    // A chain of trusted proxies is skipped from the right.
    let chain = [
        ("x-forwarded-for", "198.51.100.8"),
        ("x-forwarded-for", "10.1.1.1"),
    ];
    assert_eq!(failed_login_from(&app, PROXY, &chain).await, "198.51.100.8");
    // The right password: the success is the client's too.
    let (status, event) = login_from(&app, PROXY, &forwarded_for, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(event.action, "login.success");
    assert_eq!(event.ip.as_deref(), Some("198.51.100.7"));
}

async fn an_untrusted_peer_cannot_choose_its_address(app: TestApp) {
    app.user("alice").create().await;
    let spoofing = [
        ("x-forwarded-for", "198.51.100.7"),
        ("forwarded", "for=198.51.100.7;proto=https"),
    ];
    assert_eq!(
        failed_login_from(&app, "192.0.2.1:40000", &spoofing).await,
        "192.0.2.1"
    );
    // A client behind the proxy cannot pose as another proxy: only the peer is checked.
    let posing = [("x-forwarded-for", "198.51.100.9, 10.0.0.3")];
    assert_eq!(
        failed_login_from(&app, PROXY, &posing).await,
        "198.51.100.9"
    );
}

async fn forwarded_names_ipv6_clients_and_hidden_ones_leave_the_proxy(app: TestApp) {
    app.user("alice").create().await;
    let ipv6 = [(
        "forwarded",
        r#"for="[2001:db8::1]:4711";proto=https, for=10.1.1.1"#,
    )];
    assert_eq!(failed_login_from(&app, PROXY, &ipv6).await, "2001:db8::1");
    let throttled = login_attempts::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(throttled[0].ip_key.as_deref(), Some("2001:db8:0:0::/64"));
    for hidden in [
        "for=unknown",
        "for=_hidden",
        "for=\"_hidden:_port\"",
        "for=\"[2001:db8::1\"",
    ] {
        let headers = [("forwarded", hidden), ("x-forwarded-for", "198.51.100.7")];
        assert_eq!(
            failed_login_from(&app, PROXY, &headers).await,
            "10.0.0.2",
            "{hidden}"
        );
    }
}

async fn https_at_the_proxy_makes_session_cookies_secure(app: TestApp) {
    // GET /login's cookie is the form's CSRF cookie; sessions are written the same way.
    let session_cookie = |peer: &str, proto: &str| {
        let request = app
            .get("/login")
            .peer(peer.parse().unwrap())
            .header("x-forwarded-proto", proto);
        async move {
            let response = request.await;
            assert_eq!(response.status, StatusCode::OK);
            let set_cookies = response.headers.get_all("set-cookie").iter();
            let mut session = set_cookies
                .filter_map(|v| v.to_str().ok())
                .filter(|v| v.starts_with("sesame_login_csrf="));
            session.next().unwrap().to_owned()
        }
    };
    let secure = session_cookie(PROXY, "https").await;
    assert!(
        secure.starts_with("sesame_login_csrf=") && secure.contains("; Secure"),
        "{secure}"
    );
    let plain = session_cookie(PROXY, "http").await;
    assert!(!plain.contains("Secure"), "{plain}");
    let spoofed = session_cookie("192.0.2.1:40000", "https").await;
    assert!(!spoofed.contains("Secure"), "{spoofed}");
}

async fn without_trusted_proxies_every_header_is_ignored(app: TestApp) {
    app.user("alice").create().await;
    let headers = [
        ("x-forwarded-for", "198.51.100.7"),
        ("forwarded", "for=198.51.100.7"),
    ];
    assert_eq!(failed_login_from(&app, PROXY, &headers).await, "10.0.0.2");
}

/// The real server path: `ConnectInfo` from a listener, a proxy on the loopback interface.
async fn over_a_real_listener(backend: Backend) {
    for (trusted, expected) in [(true, "198.51.100.7"), (false, "127.0.0.1")] {
        let Some(app) = TestApp::served_with(backend, |c| {
            if trusted {
                c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
            }
        })
        .await
        else {
            return;
        };
        app.user("alice").create().await;
        let response = reqwest::Client::new()
            .post(format!("{}/api/token/", app.state.config.issuer))
            .header("x-forwarded-for", "198.51.100.7")
            .json(&json!({ "username": "alice", "password": WRONG }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let event = last_event(&app).await;
        assert_eq!(event.ip.as_deref(), Some(expected), "trusted: {trusted}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_proxy_over_a_real_listener_on_sqlite() {
    over_a_real_listener(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_proxy_over_a_real_listener_on_postgres() {
    over_a_real_listener(Backend::Postgres).await;
}
