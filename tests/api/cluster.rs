//! Three instances of one server on one PostgreSQL database (issue 10): tokens, sessions and the
//! login throttle are shared, and a change made through one instance applies at the others at
//! once, announced through `NOTIFY` (`sesame::cluster`). The instances cache for an hour and
//! their clocks stand still, so only a notification can explain a change seen elsewhere; the
//! tests wait for it by polling the listeners' counters, never by sleeping a fixed time.
//! PostgreSQL only: a note and a pass without it (the suite's skip policy).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::refresh_retries::{assert_one_rotation, one_successor};
use crate::support::oauth::{REDIRECT_URI, authorize_path, query_param};
use crate::support::{Backend, PASSWORD, TestApp, TestResponse};
use sesame::Config;
use sesame::auth::accounts;
use sesame::auth::admin::clients::set_client_active;
use sesame::auth::audit::Actor;
use sesame::auth::clients::GrantType;
use sesame::store;

mod listener;

/// Long enough that no cached record expires during a test.
const HOUR: Duration = Duration::from_secs(3600);

fn cache_for_an_hour(config: &mut Config) {
    config.cache_ttl = HOUR;
}

/// Three instances on one fresh PostgreSQL schema, caching for an hour; `None` when PostgreSQL
/// is skipped here.
async fn three() -> Option<[TestApp; 3]> {
    let first = TestApp::on(Backend::Postgres, cache_for_an_hour).await?;
    let second = first.instance(cache_for_an_hour).await;
    let third = first.instance(cache_for_an_hour).await;
    Some([first, second, third])
}

/// [`three`] instances, the user alice and the client `web` (password and refresh grants).
async fn alice_at_web() -> Option<([TestApp; 3], (String, String))> {
    let apps = three().await?;
    apps[0].user("alice").create().await;
    let web = apps[0].client("web").create().await;
    Some((apps, web))
}

/// Waits until every instance has applied every event the others announced (each instance's
/// received count reaches the others' sent counts), polling; fails after 10 s.
async fn settle(apps: &[TestApp]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let health: Vec<_> = apps.iter().map(|app| app.state.cluster.health()).collect();
        let sent: u64 = health.iter().map(|h| h.sent).sum();
        if health.iter().all(|h| h.received >= sent - h.sent) {
            return;
        }
        assert!(Instant::now() < deadline, "undelivered events: {health:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The events announced by all instances so far.
fn announced(apps: &[TestApp]) -> u64 {
    apps.iter().map(|app| app.state.cluster.health().sent).sum()
}

/// A client that may introspect (a resource server).
async fn resource_server(app: &TestApp) -> (String, String) {
    app.client("resource")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await
}

async fn introspect(app: &TestApp, resource: &(String, String), token: &str) -> Value {
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", token)])
        .client(resource)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn field(body: &Value, name: &str) -> String {
    body[name].as_str().unwrap().to_owned()
}

fn assert_status(response: &TestResponse, status: StatusCode) {
    assert_eq!(response.status, status, "{}", response.text());
}

fn assert_ok(response: &TestResponse) {
    assert_status(response, StatusCode::OK);
}

/// An OAuth error answer (RFC 6749 §5.2) with `status` and `error`.
fn assert_oauth_error(response: &TestResponse, status: StatusCode, error: &str) {
    assert_status(response, status);
    assert_eq!(response.json()["error"], error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_issued_by_any_instance_is_accepted_by_every_other_on_every_surface() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    let alice = store::users::find_by_username(apps[0].db(), "alice")
        .await
        .unwrap()
        .unwrap();
    let resource = resource_server(&apps[0]).await;
    for (i, issuer) in apps.iter().enumerate() {
        let oauth = issuer
            .password_grant_for_scope(&web, "alice", "openid profile")
            .await;
        assert_ok(&oauth);
        let (access, refresh) = (
            field(&oauth.json(), "access_token"),
            field(&oauth.json(), "refresh_token"),
        );
        let (api_access, api_refresh) = issuer.api_tokens("alice").await;
        for other in apps.iter().filter(|other| !std::ptr::eq(*other, issuer)) {
            let introspected = introspect(other, &resource, &access).await;
            assert_eq!(introspected["active"], true, "{introspected}");
            let userinfo = other.get("/oauth/userinfo").bearer(&access).await;
            assert_ok(&userinfo);
            assert_eq!(userinfo.json()["sub"], alice.id.to_string());
            let verify = other
                .post("/api/token/verify/")
                .json(&json!({ "token": api_access }))
                .await;
            assert_ok(&verify);
            assert_eq!(verify.json(), json!({}));
            let me = other.get("/api/me/").bearer(&api_access).await;
            assert_ok(&me);
            assert_eq!(me.json()["username"], "alice");
        }
        // Each instance's refresh tokens rotate at the next one.
        let next = &apps[(i + 1) % apps.len()];
        let rotated = next.refresh_grant(&web, &refresh).await;
        assert_ok(&rotated);
        let api_rotated = next
            .post("/api/token/refresh/")
            .json(&json!({ "refresh": api_refresh }))
            .await;
        assert_ok(&api_rotated);
        assert!(api_rotated.json()["access"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_revoked_through_one_instance_is_refused_by_the_others_at_once() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    let tokens = apps[0].password_tokens(&web, "alice").await;
    let refresh = field(&tokens, "refresh_token");
    let revoked = apps[1]
        .post("/oauth/revoke")
        .form(&[("token", refresh.as_str())])
        .client(&web)
        .await;
    assert_ok(&revoked);
    for app in [&apps[0], &apps[2]] {
        let refused = app.refresh_grant(&web, &refresh).await;
        assert_oauth_error(&refused, StatusCode::BAD_REQUEST, "invalid_grant");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_revoked_through_one_instance_is_inactive_at_the_others_at_once() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    let resource = resource_server(&apps[0]).await;
    let access = field(
        &apps[0].password_tokens(&web, "alice").await,
        "access_token",
    );
    // Each instance now holds "not revoked" for this token, for an hour.
    for app in &apps {
        assert_eq!(introspect(app, &resource, &access).await["active"], true);
    }
    let before = announced(&apps);
    let revoked = apps[0]
        .post("/oauth/revoke")
        .form(&[("token", access.as_str())])
        .client(&web)
        .await;
    assert_ok(&revoked);
    assert_eq!(announced(&apps), before + 1, "one jti_revoked announced");
    settle(&apps).await;
    for app in &apps[1..] {
        assert_eq!(
            introspect(app, &resource, &access).await,
            json!({ "active": false })
        );
        let userinfo = app.get("/oauth/userinfo").bearer(&access).await;
        assert_eq!(userinfo.status, StatusCode::UNAUTHORIZED);
    }
}

/// Alice's `/api/` access token, after every instance has cached alice (an accepted `/api/me/`).
async fn alice_seen_by_all(apps: &[TestApp]) -> (i64, String) {
    let alice = apps[0].user("alice").create().await;
    let (access, _) = apps[0].api_tokens("alice").await;
    for app in apps {
        assert_ok(&app.get("/api/me/").bearer(&access).await);
    }
    (alice.id, access)
}

/// `/api/me/` at every instance but the first refuses `access` as simplejwt does.
async fn refused_by_the_others(apps: &[TestApp], access: &str, detail: &str) {
    settle(apps).await;
    for app in &apps[1..] {
        let me = app.get("/api/me/").bearer(access).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.text());
        assert_eq!(me.json()["detail"], detail, "{}", me.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_deactivated_through_one_instance_is_refused_by_the_others_at_once() {
    let Some(apps) = three().await else { return };
    let (alice, access) = alice_seen_by_all(&apps).await;
    let before = announced(&apps);
    apps[0].deactivate(alice).await;
    assert!(announced(&apps) > before);
    refused_by_the_others(&apps, &access, "User is inactive").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_through_one_instance_refuses_older_tokens_at_the_others_at_once() {
    let Some(apps) = three().await else { return };
    let (alice, access) = alice_seen_by_all(&apps).await;
    // A change in a later second than the token's `iat`, on every instance's clock.
    for app in &apps {
        app.advance(Duration::from_secs(1));
    }
    let (system, now) = (Actor::system(), apps[0].now());
    accounts::set_password(&apps[0].state, &system, alice, "a new password 1", now)
        .await
        .unwrap();
    refused_by_the_others(&apps, &access, "Given token not valid for any token type").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_disabled_through_one_instance_is_refused_by_the_others_at_once() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    for app in &apps {
        app.password_tokens(&web, "alice").await;
    }
    let (system, now) = (Actor::system(), apps[0].now());
    set_client_active(&apps[0].state, &system, "web", false, now)
        .await
        .unwrap();
    settle(&apps).await;
    for app in &apps[1..] {
        let refused = app.password_grant(&web, "alice", PASSWORD).await;
        assert_oauth_error(&refused, StatusCode::UNAUTHORIZED, "invalid_client");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_presentations_of_one_refresh_token_over_three_instances_get_one_successor() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    let token = field(
        &apps[0].password_tokens(&web, "alice").await,
        "refresh_token",
    );
    let apps = Arc::new(apps);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (apps, web, token) = (apps.clone(), web.clone(), token.clone());
            tokio::spawn(async move { apps[i % 3].refresh_grant(&web, &token).await })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.unwrap());
    }
    let successor = one_successor(&responses, "refresh_token");
    assert_one_rotation(&apps[0], &token, &successor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_session_made_on_one_instance_authorizes_on_another() {
    let Some(apps) = three().await else { return };
    apps[0].user("alice").create().await;
    let app = apps[0].client("app").code_flow().create().await;
    let mut signed_in = apps[0].agent();
    signed_in.sign_in("alice").await;
    let mut elsewhere = apps[1].agent();
    elsewhere.cookies = signed_in.cookies.clone();
    let request = authorize_path(&[("client_id", "app"), ("redirect_uri", REDIRECT_URI)]);
    let response = elsewhere.get(&request).await;
    assert_status(&response, StatusCode::SEE_OTHER);
    let target = response.location();
    assert!(target.starts_with(REDIRECT_URI), "{target}");
    let code = query_param(&target, "code").unwrap();
    // The third instance exchanges the code the second issued.
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let tokens = apps[2]
        .post("/oauth/token")
        .form(&params)
        .client(&app)
        .await;
    assert_ok(&tokens);
    assert!(tokens.json()["access_token"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_through_two_instances_add_up_in_one_throttle() {
    let Some((apps, web)) = alice_at_web().await else {
        return;
    };
    // Five failures of one source on one account, then a wait (SPEC §10): 3 here, 2 there.
    for app in [&apps[0], &apps[0], &apps[0], &apps[1], &apps[1]] {
        let failed = app.password_grant(&web, "alice", "wrong password").await;
        assert_eq!(failed.status, StatusCode::BAD_REQUEST, "{}", failed.text());
    }
    for app in &apps {
        let throttled = app.password_grant(&web, "alice", PASSWORD).await;
        assert_oauth_error(&throttled, StatusCode::TOO_MANY_REQUESTS, "slow_down");
    }
}
