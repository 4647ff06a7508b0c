//! The admin UI in headless Chromium: an admin creates a client, copies its secret from the page,
//! and that secret gets a token; screenshots of the dashboard, the client list and the client
//! form are saved under `target/screenshots/` for a person to look at.
//!
//! Self-contained until issue 4's shared WebDriver harness lands: it starts `chromedriver` on a
//! free port with a fresh profile. The admin starts from a session cookie (after the merge: the
//! real `/login`). Without Debian's `chromium` and `chromium-driver` the test says so and passes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use fantoccini::cookies::Cookie;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::admin_support as ui;
use crate::helpers::{Backend, TestApp};
use sesame::auth::audit::{self, Action, Actor, AuditEvent};
use sesame::auth::clients::GrantType;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process and a browser session; both end when this is dropped.
struct Browser {
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            eprintln!("note: browser test skipped: install chromium and chromium-driver");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let options = json!({ "binary": CHROMIUM, "args": args });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let mut browser = Browser {
            client: None,
            driver,
            _profile: profile,
        };
        for _ in 0..50 {
            // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            if let Ok(client) = connected {
                browser.client = Some(client);
                return Some(browser);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("chromedriver did not answer");
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    async fn screenshot(&self, name: &str, height: u32) {
        self.client().set_window_size(1360, height).await.unwrap();
        let png = self.client().screenshot().await.unwrap();
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    async fn quit(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `target/screenshots/`, beside the directory cargo gives integration tests.
fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots")
}

/// A few users, clients and events, so the pages look like a server in use.
async fn populate(app: &TestApp) {
    let mobile = app.client("mobile-app").create().await;
    app.client("vue-admin")
        .public()
        .grants(&[GrantType::AuthorizationCode, GrantType::RefreshToken])
        .create()
        .await;
    app.client("reports")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    for (name, email) in [
        ("alice", "alice@example.com"),
        ("bob", "bob@example.com"),
        ("carol", "carol@example.com"),
    ] {
        app.user(name).email(email).create().await;
        app.password_tokens(&mobile, name).await;
    }
    let now = Utc::now();
    for (who, action, minutes) in [
        ("alice", Action::LoginSuccess, 5),
        ("bob", Action::LoginSuccess, 42),
        ("mallory", Action::LoginFailure, 61),
        ("carol", Action::LoginSuccess, 180),
    ] {
        let actor = Actor::unverified(who, "192.0.2.10".parse().ok());
        let event = AuditEvent::new(&actor, action).target("user:2");
        audit::record(&app.state, event, now - chrono::Duration::minutes(minutes))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_client_in_chromium_and_its_secret_gets_a_token() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::try_spawn_served(Backend::Sqlite).await.unwrap();
    let base = app.state.config.issuer.clone();
    populate(&app).await;
    let (_, session) = ui::admin(&app).await;
    let session_id = session
        .cookie
        .trim_start_matches("sesame_admin=")
        .to_owned();
    let c = browser.client();

    // A cookie can only be set for the page's own origin; the stylesheet is on it.
    c.goto(&format!("{base}/static/admin.css")).await.unwrap();
    let mut cookie = Cookie::new("sesame_admin", session_id);
    cookie.set_domain("127.0.0.1");
    cookie.set_path("/admin");
    cookie.set_http_only(true);
    cookie.set_same_site(cookie::SameSite::Strict);
    c.add_cookie(cookie).await.unwrap();

    c.goto(&format!("{base}/admin")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Dashboard"
    );
    browser.screenshot("admin-dashboard.png", 900).await;

    c.find(Locator::LinkText("Clients"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/admin/clients")
    );
    browser.screenshot("admin-clients.png", 900).await;

    c.find(Locator::LinkText("New client"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Billing service")
        .await
        .unwrap();
    c.find(Locator::Id("client_id"))
        .await
        .unwrap()
        .send_keys("billing")
        .await
        .unwrap();
    for unticked in ["grant_authorization_code", "grant_refresh_token"] {
        c.find(Locator::Css(&format!("input[name={unticked}]")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    c.find(Locator::Css("input[name=grant_client_credentials]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let scopes = c.find(Locator::Id("scopes")).await.unwrap();
    scopes.clear().await.unwrap();
    scopes
        .send_keys("invoices:read invoices:write")
        .await
        .unwrap();
    c.find(Locator::Id("redirect_uris"))
        .await
        .unwrap()
        .send_keys("http://billing.example/cb")
        .await
        .unwrap();
    c.find(Locator::Css("button.adm-btn-primary[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The http redirect URI is refused, next to its field, with the rest kept.
    // A click that submits a form returns before the next page is there: wait for it.
    let error = c
        .wait()
        .for_element(Locator::Css("#redirect_uris ~ .adm-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("must use https"), "{error}");
    browser.screenshot("admin-client-form.png", 1400).await;
    let uris = c.find(Locator::Id("redirect_uris")).await.unwrap();
    uris.clear().await.unwrap();
    c.find(Locator::Css("button.adm-btn-primary[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let secret = match c.wait().for_element(Locator::Id("client-secret")).await {
        Ok(shown) => shown.text().await.unwrap(),
        Err(err) => panic!(
            "no secret shown ({err}); the page:\n{}",
            c.source().await.unwrap_or_default()
        ),
    };
    let client_id = c
        .find(Locator::Id("client-id"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(client_id, "billing");
    browser.screenshot("admin-client-secret.png", 700).await;

    let response = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "invoices:read invoices:write");

    c.goto(&format!("{base}/admin/clients")).await.unwrap();
    let list = c.source().await.unwrap();
    assert!(list.contains("Billing service") && !list.contains(&secret));

    // The other pages, for a person to look at.
    for (path, name) in [
        ("/admin/clients/billing", "admin-client-edit.png"),
        ("/admin/users", "admin-users.png"),
        ("/admin/users/1", "admin-user-form.png"),
        ("/admin/tokens", "admin-tokens.png"),
        ("/admin/keys", "admin-keys.png"),
        ("/admin/audit", "admin-audit.png"),
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        assert!(c.find(Locator::Css("h1")).await.is_ok(), "{path}");
        browser.screenshot(name, 1000).await;
    }
    browser.quit().await;
}
