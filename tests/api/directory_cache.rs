//! The records hot paths read from memory (`auth::directory`, `cache_ttl`): what changes through
//! Sesame applies at once; what changes behind it (another instance, the CLI, a hand edit)
//! applies within `cache_ttl`.

use std::time::Duration;

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::oauth::jwt_parts;
use sesame::auth::clients::GrantType;

struct Setup {
    user_id: i64,
    web: (String, String),
    resource: (String, String),
    access: String,
}

async fn setup(app: &TestApp) -> Setup {
    let user = app.user("alice").create().await;
    let web = app.client("web").create().await;
    let resource = app
        .client("resource")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let access = app.password_tokens(&web, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    Setup {
        user_id: user.id,
        web,
        resource,
        access,
    }
}

/// The introspection status and whether the token is active.
async fn introspect(app: &TestApp, setup: &Setup, client: &(String, String)) -> (StatusCode, bool) {
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", &setup.access)])
        .client(client)
        .await;
    let active = response.status == StatusCode::OK && response.json()["active"] == true;
    (response.status, active)
}

async fn changes_through_sesame_apply_at_once(app: TestApp) {
    let setup = setup(&app).await;
    // Every lookup below is now in memory.
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true)
    );

    let old = setup.resource.clone();
    let secret = sesame::auth::clients::rotate_client_secret(&app.state, &old.0)
        .await
        .unwrap();
    assert_eq!(
        introspect(&app, &setup, &old).await.0,
        StatusCode::UNAUTHORIZED,
        "the old secret stops working at once"
    );
    let resource = (old.0.clone(), secret.expose().to_owned());
    assert_eq!(
        introspect(&app, &setup, &resource).await,
        (StatusCode::OK, true)
    );

    let revoke = app
        .post("/oauth/revoke")
        .form(&[("token", &setup.access)])
        .client(&setup.web)
        .await;
    assert_eq!(revoke.status, StatusCode::OK);
    assert_eq!(
        introspect(&app, &setup, &resource).await,
        (StatusCode::OK, false)
    );
}

async fn a_deactivation_through_sesame_applies_at_once(app: TestApp) {
    let setup = setup(&app).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true)
    );
    app.deactivate(setup.user_id).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, false)
    );
}

on_both_databases!(
    changes_through_sesame_apply_at_once,
    a_deactivation_through_sesame_applies_at_once,
);

/// An app with `cache_ttl`, whose user was seen active and then deactivated behind Sesame, as
/// `sesame user deactivate` on the same database, or another instance, would do it.
async fn deactivated_behind_sesame(cache_ttl: Duration) -> (TestApp, Setup) {
    let app = TestApp::spawn_with(|c| c.cache_ttl = cache_ttl).await;
    let setup = setup(&app).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true)
    );
    sesame::store::users::set_active(app.db(), setup.user_id, false)
        .await
        .unwrap();
    (app, setup)
}

#[tokio::test]
async fn a_change_behind_sesame_applies_within_cache_ttl() {
    let (app, setup) = deactivated_behind_sesame(Duration::from_secs(2)).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true),
        "this instance still answers from memory"
    );
    app.advance(Duration::from_secs(2));
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, false)
    );
}

#[tokio::test]
async fn a_zero_cache_ttl_reads_through() {
    let (app, setup) = deactivated_behind_sesame(Duration::ZERO).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, false)
    );
}

/// A token revoked behind Sesame (by another instance, or the CLI) stays active here until the
/// next look at recent revocations, at most `cache_ttl` later; tokens seen before stay answered
/// from memory however many there are.
async fn a_revocation_behind_sesame_applies_within_cache_ttl(app: TestApp) {
    let setup = setup(&app).await;
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true)
    );
    let (_, claims) = jwt_parts(&setup.access);
    let jti = claims["jti"].as_str().unwrap();
    let expires = app.now() + chrono::Duration::minutes(5);
    sesame::store::revocations::insert(app.db(), jti, "access", expires, app.now(), "elsewhere")
        .await
        .unwrap();
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, true),
        "this instance still answers from memory"
    );
    app.advance(app.state.config.cache_ttl);
    assert_eq!(
        introspect(&app, &setup, &setup.resource).await,
        (StatusCode::OK, false)
    );
}

on_both_databases!(a_revocation_behind_sesame_applies_within_cache_ttl);
