//! SQLite's write-ahead log under a sustained mixed load through the router (issue 15): sign-ins
//! on both surfaces, wrong passwords, refreshes and login forms from eight clients at once, on a
//! database file. However the requests interleave, the log never passes its bound by more than
//! one write (`store::wal`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use tempfile::TempDir;

use crate::support::{PASSWORD, TestApp};
use sesame::entities::{login_attempts, refresh_tokens, sessions};
use sesame::store::wal::LOG_BOUND;

const CLIENTS: u8 = 8;
const ROUNDS: u8 = 60;

/// One client's share of the load: a password grant, then a refresh and a login form each
/// round, a wrong password every fifth round and a browser's sign-in every tenth.
async fn one_client(app: Arc<TestApp>, client: (String, String), n: u8) {
    let tokens = app.password_tokens(&client, "alice").await;
    let mut refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    for round in 0..ROUNDS {
        let response = app.refresh_grant(&client, &refresh).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        refresh = response.json()["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(app.get("/login").await.status, StatusCode::OK);
        if round % 5 == 0 {
            let params = [
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "not her password"),
            ];
            let peer = SocketAddr::from(([127, 2, n, round], 40000));
            let response = app
                .post("/oauth/token")
                .form(&params)
                .client(&client)
                .peer(peer)
                .await;
            assert_eq!(
                response.status,
                StatusCode::BAD_REQUEST,
                "{}",
                response.text()
            );
        }
        if round % 10 == 0 {
            let mut browser = app.agent().with_ip([127, 1, n, round]);
            let response = browser.login("alice", PASSWORD, None).await;
            assert_eq!(
                response.status,
                StatusCode::SEE_OTHER,
                "{}",
                response.text()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_stays_bounded_through_a_sustained_mixed_load() {
    let dir = TempDir::new().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("sesame.db").display()
    );
    let app = TestApp::spawn_with(|c| {
        c.database_url = url.into();
        c.update_last_login = true;
    })
    .await;
    app.user("alice").create().await;
    let client = app.client("app").create().await;
    let app = Arc::new(app);
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..CLIENTS {
        clients.spawn(one_client(Arc::clone(&app), client.clone(), n));
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
    let largest = app.state.writes.largest_log().await.unwrap();
    eprintln!("the log peaked at {largest} bytes");
    // The largest single write here is a group of rotations: a few dozen pages.
    assert!(
        largest <= LOG_BOUND + 512 * 1024,
        "the log reached {largest} bytes, past its bound of {LOG_BOUND}"
    );
    let (clients, rounds) = (u64::from(CLIENTS), u64::from(ROUNDS));
    let db = app.db();
    let tokens = refresh_tokens::Entity::find().count(db).await.unwrap();
    assert_eq!(tokens, clients * (1 + rounds));
    let failures = login_attempts::Entity::find().count(db).await.unwrap();
    assert_eq!(failures, clients * rounds / 5);
    let signed_in = sessions::Entity::find().count(db).await.unwrap();
    assert_eq!(signed_in, clients * rounds / 10);
}
