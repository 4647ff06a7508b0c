//! The listener's life: a lost connection is re-established and clears the caches (notifications
//! sent meanwhile are lost); the CLI's changes and key-ring changes reach the running instances;
//! SQLite has nothing to announce.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::{HOUR, alice_seen_by_all, cache_for_an_hour, settle};
use crate::support::{Backend, TestApp};
use sesame::auth::admin::keys::rotate_key;
use sesame::auth::audit::Actor;
use sesame::crypto::keys::Algorithm;
use sesame::store;

/// Polls `done` on `app`'s cluster health until it holds; fails after 10 s.
async fn until(app: &TestApp, what: &str, done: impl Fn(sesame::cluster::Health) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(app.state.cluster.health()) {
        let health = app.state.cluster.health();
        assert!(Instant::now() < deadline, "{what}: {health:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Ends the listener connection of `victim`, as an operator or a failover would.
async fn terminate_listener(through: &TestApp, victim: &TestApp) {
    let name = format!("sesame-listener-{}", victim.state.cluster.instance());
    let sql = "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
               WHERE application_name = $1";
    let rows = through
        .db()
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [name.into()],
        ))
        .await
        .unwrap();
    let ended: Vec<bool> = rows
        .iter()
        .map(|row| row.try_get("", "ended").unwrap())
        .collect();
    assert_eq!(ended, [true], "one listener connection ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_whose_connection_is_killed_reconnects_and_clears_the_caches() {
    let Some(first) = TestApp::on(Backend::Postgres, cache_for_an_hour).await else {
        return;
    };
    let second = first.instance(cache_for_an_hour).await;
    assert!(second.state.cluster.health().connected);
    let apps = [first, second];
    let (alice, access) = alice_seen_by_all(&apps).await;
    // A change no instance announced, as one sent while a listener was away would be lost.
    store::users::set_active(apps[0].db(), alice, false)
        .await
        .unwrap();
    assert_eq!(
        apps[1].get("/api/me/").bearer(&access).await.status,
        StatusCode::OK,
        "served from the cache"
    );

    terminate_listener(&apps[0], &apps[1]).await;
    until(&apps[1], "reconnected", |h| {
        h.reconnects == 1 && h.connected
    })
    .await;
    let me = apps[1].get("/api/me/").bearer(&access).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.text());
    assert_eq!(me.json()["detail"], "User is inactive");

    // Listening again: the next announcement arrives.
    let received = apps[1].state.cluster.health().received;
    apps[0].deactivate(alice).await;
    settle(&apps).await;
    assert!(apps[1].state.cluster.health().received > received);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_command_is_announced_to_the_running_instances() {
    let Some(apps) = super::three().await else {
        return;
    };
    let (_, access) = alice_seen_by_all(&apps).await;
    let config = &apps[0].state.config;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(["user", "deactivate", "alice"])
        .current_dir(apps[0].dir.path())
        .env("SESAME_DATABASE_URL", config.database_url.expose())
        .env("SESAME_KEYS_DIR", &config.keys_dir)
        .env("SESAME_KEY_ENCRYPTION_KEY", crate::support::TEST_KEK)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The profile save and the deactivation each announce the user.
    for app in &apps {
        until(app, "the CLI's two events", |h| h.received >= 2).await;
        let me = app.get("/api/me/").bearer(&access).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotated_through_one_instance_is_published_by_the_others_at_once() {
    let Some(first) = TestApp::on(Backend::Postgres, |_| {}).await else {
        return;
    };
    // Until the ring lives in the database, the instances share one keys directory here.
    let keys_dir = first.state.config.keys_dir.clone();
    let second = first.instance(|c| c.keys_dir = keys_dir).await;
    let apps = [first, second];
    let actor = Actor::system();
    let rotated = rotate_key(&apps[0].state, &actor, Algorithm::RS256, apps[0].now())
        .await
        .unwrap();
    settle(&apps).await;
    let jwks = apps[1].get("/.well-known/jwks.json").await.json();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|key| key["kid"].as_str())
        .collect();
    assert!(kids.contains(&rotated.kid.as_str()), "{kids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_there_is_no_channel_and_nothing_is_announced() {
    let app = TestApp::spawn_with(|c| c.cache_ttl = HOUR).await;
    let (alice, _) = alice_seen_by_all(std::slice::from_ref(&app)).await;
    app.deactivate(alice).await;
    let health = app.state.cluster.health();
    assert_eq!(health, sesame::cluster::Health::default());
    assert_eq!(app.state.cluster.channel(app.db()).await.unwrap(), None);
}
