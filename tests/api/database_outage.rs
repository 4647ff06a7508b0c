//! A database outage (issue 15): a PostgreSQL server of the test's own is stopped under a running
//! app. Every surface then answers 503 with `Retry-After` in its own body shape within 5 seconds
//! (the pool's acquire timeout is 3 s), `/readyz` within one; once the server is back everything
//! works again without restarting the app.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::support::cluster::PgCluster;
use crate::support::oauth::{REDIRECT_URI, authorize_path, pkce};
use crate::support::{PASSWORD, TestApp, TestResponse};

/// What the issue allows a request to take while the database is away.
const WITHIN: Duration = Duration::from_secs(5);

/// One request of each surface, sent at once; each answer with how long it took.
struct Answers {
    oauth: (TestResponse, Duration),
    api: (TestResponse, Duration),
    compat: (TestResponse, Duration),
    page: (TestResponse, Duration),
    admin: (TestResponse, Duration),
    readyz: (TestResponse, Duration),
}

async fn timed(request: impl IntoFuture<Output = TestResponse>) -> (TestResponse, Duration) {
    let started = Instant::now();
    let response = request.await;
    (response, started.elapsed())
}

async fn every_surface(app: &TestApp, client: &(String, String), admin_cookie: &str) -> Answers {
    let token_form = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", PASSWORD),
    ];
    let credentials = json!({ "username": "alice", "password": PASSWORD });
    let (_, challenge) = pkce();
    // A client no request has looked up yet, so no cache can answer for the database.
    let authorize = authorize_path(&[
        ("client_id", "web"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let (oauth, api, compat, page, admin, readyz) = tokio::join!(
        timed(app.post("/oauth/token").form(&token_form).client(client)),
        timed(app.post("/api/token/").json(&credentials)),
        timed(app.post("/login/").json(&credentials)),
        timed(app.get(&authorize)),
        timed(app.get("/admin/users").cookie(admin_cookie)),
        timed(app.get("/readyz")),
    );
    Answers {
        oauth,
        api,
        compat,
        page,
        admin,
        readyz,
    }
}

fn assert_unavailable((response, took): &(TestResponse, Duration), within: Duration) {
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.text()
    );
    assert_eq!(response.header("retry-after"), Some("5"));
    assert!(*took < within, "answered after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_surface_answers_503_while_the_database_is_down_and_recovers_without_a_restart() {
    let Some(cluster) = PgCluster::start() else {
        return;
    };
    let app = TestApp::on_postgres_url(cluster.url(), |c| c.compat.vue_admin = true).await;
    app.user("alice").create().await;
    let client = app.client("cli").create().await;
    app.client("web").code_flow().create().await;
    let (_, admin) = app.admin().await;

    cluster.stop();
    let down = every_surface(&app, &client, &admin.cookie).await;

    assert_unavailable(&down.oauth, WITHIN);
    assert_eq!(down.oauth.0.json()["error"], "temporarily_unavailable");
    assert_eq!(down.oauth.0.header("cache-control"), Some("no-store"));
    assert_unavailable(&down.api, WITHIN);
    assert_eq!(
        down.api.0.json(),
        json!({ "detail": "Service temporarily unavailable, try again later." })
    );
    assert_unavailable(&down.compat, WITHIN);
    assert_eq!(
        down.compat.0.json(),
        json!({ "code": 503, "msg": "Service temporarily unavailable, try again later." })
    );
    for page in [&down.page, &down.admin] {
        assert_unavailable(page, WITHIN);
        assert!(
            page.0
                .header("content-type")
                .unwrap()
                .starts_with("text/html"),
            "an HTML page"
        );
        assert!(page.0.text().contains("Temporarily unavailable"));
    }
    assert!(down.admin.0.text().contains("admin"), "the admin frame");
    assert_unavailable(&down.readyz, Duration::from_secs(1));
    assert!(app.state.availability.is_down(), "the outage is on record");

    cluster.resume();
    let up = every_surface(&app, &client, &admin.cookie).await;

    assert_eq!(up.oauth.0.status, StatusCode::OK, "{}", up.oauth.0.text());
    assert!(up.oauth.0.json()["access_token"].is_string());
    assert_eq!(up.api.0.status, StatusCode::OK, "{}", up.api.0.text());
    assert_eq!(up.compat.0.json()["code"], 200);
    assert_eq!(up.page.0.status, StatusCode::SEE_OTHER, "to the login form");
    assert_eq!(up.admin.0.status, StatusCode::OK, "{}", up.admin.0.text());
    assert_eq!(up.readyz.0.status, StatusCode::OK);
    assert_eq!(up.readyz.0.text(), "ready");
}
