//! Issue 10: instances on one database, each with its own empty `keys` directory and the same
//! key-encryption key, are one server to a client: one JWKS, each other's tokens; a key rotated
//! through one is published by the others at their next look at the ring's version and signs on
//! all when its time comes; a token naming a key an instance lacks makes it look once.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::oauth::jwt_parts;
use crate::support::requests::form;
use crate::support::{Backend, TestApp};
use sesame::auth::clients::GrantType;
use sesame::crypto::key_store;
use sesame::crypto::keys::Algorithm;

/// The JWKS body and its ETag.
async fn jwks(app: &TestApp) -> (Vec<u8>, String) {
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status, StatusCode::OK);
    (
        response.body.clone(),
        response.header("etag").unwrap().to_owned(),
    )
}

fn kid_of(token: &str) -> String {
    jwt_parts(token).0["kid"].as_str().unwrap().to_owned()
}

/// Adds an ES256 key through `app` (quick to generate), published now, signing after
/// `jwks_max_age`; answers its kid.
/// Rotates through `app`'s store without announcing it, as when the other instances' listeners
/// were disconnected: only the version check and the unknown-kid look can find the new key.
async fn rotate_unannounced(app: &TestApp) -> String {
    let state = &app.state;
    let kek = state.key_encryption_key();
    let ahead = state.config.jwks_max_age;
    let info = key_store::rotate(
        &state.db,
        &state.writes,
        kek,
        Algorithm::ES256,
        app.now(),
        ahead,
    )
    .await
    .unwrap();
    state.reload_keys().await.unwrap();
    info.kid
}

/// Moves every clock past `jwks_max_age`, when a key rotated now starts signing.
fn past_publish_ahead(apps: &[&TestApp]) {
    for app in apps {
        app.advance(app.state.config.jwks_max_age + Duration::from_secs(1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_serve_one_jwks_and_accept_each_others_tokens() {
    let Some(a) = TestApp::on(Backend::Postgres, |_| {}).await else {
        return;
    };
    let (b, c) = (a.instance(|_| {}).await, a.instance(|_| {}).await);
    let published = jwks(&a).await;
    assert_eq!(jwks(&b).await, published, "byte-identical");
    assert_eq!(jwks(&c).await, published, "byte-identical");
    for app in [&b, &c] {
        let left: Vec<_> = std::fs::read_dir(app.dir.path().join("keys"))
            .unwrap()
            .collect();
        assert!(
            left.is_empty(),
            "an instance with the setting writes no key file: {left:?}"
        );
    }

    a.user("alice").create().await;
    let client = a.client("web").create().await;
    let tokens = a.password_tokens(&client, "alice").await;
    let access = tokens["access_token"].as_str().unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let userinfo = b.get("/oauth/userinfo").bearer(access).await;
    assert_eq!(userinfo.status, StatusCode::OK, "{}", userinfo.text());
    let me = c.get("/api/me/").bearer(access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    let hint = form(&[("id_token_hint", id_token)]);
    let logout = b.get(&format!("/oauth/logout?{hint}")).await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.text());
    assert!(logout.text().contains("You are signed out"));

    let refreshed = c
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let next = refreshed.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let again = a.refresh_grant(&client, &next).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());

    let (api_access, api_refresh) = b.api_tokens("alice").await;
    for token in [&api_access, &api_refresh] {
        let verified = a
            .post("/api/token/verify/")
            .json(&json!({ "token": token }))
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    }
    let refreshed = c
        .post("/api/token/refresh/")
        .json(&json!({ "refresh": api_refresh }))
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
}

/// Two instances on `backend`: on SQLite, two apps on one database file.
async fn two_instances(backend: Backend) -> Option<(TestApp, TestApp, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Postgres => {
            let a = TestApp::on(Backend::Postgres, |_| {}).await?;
            let b = a.instance(|_| {}).await;
            Some((a, b, None))
        }
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
            let a = TestApp::spawn_with(|c| c.database_url = url.clone().into()).await;
            let empty = dir.path().join("keys-b");
            std::fs::create_dir(&empty).unwrap();
            let b = TestApp::spawn_with(|c| {
                c.database_url = url.into();
                c.keys_dir = empty;
            })
            .await;
            Some((a, b, Some(dir)))
        }
    }
}

async fn a_rotated_key_reaches_the_other_instance_at_its_next_version_check(backend: Backend) {
    let Some((a, b, _dir)) = two_instances(backend).await else {
        return;
    };
    let old = a.state.keys().signing_key_id(a.now()).to_owned();
    let new = rotate_unannounced(&a).await;
    assert!(!String::from_utf8_lossy(&jwks(&b).await.0).contains(&new));
    assert!(b.state.check_key_ring().await.unwrap(), "the version moved");
    assert!(!b.state.check_key_ring().await.unwrap(), "and was read");
    assert_eq!(jwks(&b).await, jwks(&a).await);
    assert!(String::from_utf8_lossy(&jwks(&b).await.0).contains(&new));
    assert_eq!(
        b.state.keys().signing_key_id(b.now()),
        old,
        "published ahead of signing"
    );

    past_publish_ahead(&[&a, &b]);
    let service = b
        .client("svc")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let params = [("grant_type", "client_credentials")];
    for (issuer, verifier) in [(&b, &a), (&a, &b)] {
        let issued = issuer
            .post("/oauth/token")
            .form(&params)
            .client(&service)
            .await;
        let access = issued.json()["access_token"].as_str().unwrap().to_owned();
        assert_eq!(kid_of(&access), new, "the new key signs on every instance");
        let introspected = verifier
            .post("/oauth/introspect")
            .form(&[("token", &access)])
            .client(&service)
            .await;
        assert_eq!(introspected.json()["active"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_reaches_the_other_instance_on_sqlite() {
    a_rotated_key_reaches_the_other_instance_at_its_next_version_check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_reaches_the_other_instance_on_postgres() {
    a_rotated_key_reaches_the_other_instance_at_its_next_version_check(Backend::Postgres).await;
}

/// A token signed with `kid` by no key at all, shaped like an access token.
fn token_naming(kid: &str) -> String {
    use base64::Engine as _;
    let b64 = |value: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let header = b64(json!({"alg": "ES256", "typ": "at+jwt", "kid": kid}));
    let claims = b64(json!({"token_type": "access", "jti": "x", "exp": 4_000_000_000_u64}));
    format!("{header}.{claims}.AAAA")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_naming_an_unknown_key_makes_an_instance_look_at_the_ring_once() {
    let Some(a) = TestApp::on(Backend::Postgres, |_| {}).await else {
        return;
    };
    let (b, c) = (a.instance(|_| {}).await, a.instance(|_| {}).await);
    a.user("alice").create().await;
    let new = rotate_unannounced(&a).await;
    past_publish_ahead(&[&a, &b, &c]);
    let (access, _) = a.api_tokens("alice").await;
    assert_eq!(kid_of(&access), new);

    assert_eq!(b.state.key_ring_loads(), 0);
    let me = b.get("/api/me/").bearer(&access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(b.state.key_ring_loads(), 1, "one look found the new key");
    let again = b.get("/api/me/").bearer(&access).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(b.state.key_ring_loads(), 1);

    // A made-up kid: refused; the ring is looked at no more than once a second.
    rotate_unannounced(&a).await;
    let forged = token_naming("no-such-key");
    assert_eq!(
        b.get("/api/me/").bearer(&forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.state.key_ring_loads(),
        1,
        "within the second of the last look"
    );
    b.advance(Duration::from_secs(1));
    assert_eq!(
        b.get("/api/me/").bearer(&forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.state.key_ring_loads(),
        2,
        "a second later it looked, and the ring had moved"
    );
    assert_eq!(
        b.get("/api/me/").bearer(&forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(b.state.key_ring_loads(), 2);

    // Concurrent presentations of a token of the new key share one look.
    let requests: Vec<_> = (0..8)
        .map(|_| tokio::spawn(c.get("/api/me/").bearer(&access).into_future()))
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().status, StatusCode::OK);
    }
    assert_eq!(c.state.key_ring_loads(), 1);
}
