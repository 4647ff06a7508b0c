//! The login form in a real browser: headless Chromium, driven over WebDriver (chromedriver) with
//! fantoccini, types into the form, submits, and lands on the client's redirect URI with a code;
//! the consent page is approved by clicking. Screenshots go to `target/screenshots/`.
//!
//! One chromedriver and one browser serve every test of the binary; the tests take turns.
//! Chromium missing is a failure that says how to install it, never a silent skip.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::sync::Mutex;

use crate::helpers::{Backend, PASSWORD, TestApp, form};
use crate::web::{pkce, query_param};
use sesame::auth::clients::GrantType;

const INSTALL: &str = "the browser tests need Chromium and its WebDriver: \
     apt-get update && apt-get install -y chromium chromium-driver";

/// The shared browser: its runtime (which runs the WebDriver session), the client, and the
/// chromedriver watchdog, whose stdin closes when this process ends.
struct Browser {
    client: Client,
    _runtime: tokio::runtime::Runtime,
    _watchdog: (Child, ChildStdin),
    _profile: tempfile::TempDir,
}

/// Taken by each browser test for its whole run: one window, one test at a time.
static TURN: Mutex<()> = Mutex::const_new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn find(program: &str) -> PathBuf {
    ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"]
        .iter()
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{program} not found; {INSTALL}"))
}

/// Starts chromedriver in its own process group under a shell that kills the group once our end
/// of its stdin closes, that is, when this test process exits however it exits.
fn start_chromedriver(port: u16) -> (Child, ChildStdin) {
    let driver = find("chromedriver");
    // `kill -TERM -PGID`: dash has no `--`. The group is the shell's own, made by `setsid`.
    let script = r#""$0" --port="$1" --silent </dev/null & read _; kill -TERM -$$"#;
    let mut child = Command::new("setsid")
        .args(["sh", "-c", script])
        .arg(&driver)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("starting chromedriver: {err}; {INSTALL}"));
    let stdin = child.stdin.take().expect("piped stdin");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start; {INSTALL}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, stdin)
}

fn launch() -> Browser {
    let chromium = find("chromium");
    let port = free_port();
    let watchdog = start_chromedriver(port);
    let profile = tempfile::tempdir().expect("profile dir");
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--hide-scrollbars".to_owned(),
        "--window-size=1200,900".to_owned(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let capabilities = json!({
        "goog:chromeOptions": { "binary": chromium, "args": args }
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
    };
    let runtime = tokio::runtime::Runtime::new().expect("browser runtime");
    let client = runtime
        .block_on(async {
            // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
        })
        .unwrap_or_else(|err| panic!("starting headless Chromium: {err}; {INSTALL}"));
    Browser {
        client,
        _runtime: runtime,
        _watchdog: watchdog,
        _profile: profile,
    }
}

/// The shared browser, started on first use (on a thread of its own: a runtime cannot be
/// started from inside a test's runtime).
fn browser() -> &'static Client {
    static BROWSER: OnceLock<Browser> = OnceLock::new();
    &BROWSER
        .get_or_init(|| std::thread::spawn(launch).join().expect("browser start"))
        .client
}

/// A stand-in relying party: its `/callback` is where the browser should land.
async fn relying_party() -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/callback",
        get(|| async { "signed in at the relying party" }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn save_screenshot(name: &str, png: &[u8]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let mut file = std::fs::File::create(dir.join(name)).unwrap();
    file.write_all(png).unwrap();
}

/// Types into the login form and submits it.
async fn sign_in_on(client: &Client, username: &str) {
    let field = |css| client.find(Locator::Css(css));
    field("#username")
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    field("#password")
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    field("button[type=submit]")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits until the browser has left `issuer` (the last redirect of a flow).
async fn wait_to_leave(client: &Client, issuer: &str) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.unwrap().to_string();
        if !url.starts_with(issuer) {
            return url;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still at {url}: {}",
            client.source().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app: TestApp) {
    let _turn = TURN.lock().await;
    let client = browser();
    let issuer = app.state.config.issuer.clone();
    let rp = relying_party().await;
    let callback = format!("{rp}/callback");
    app.user("alice").create().await;
    app.client("webapp")
        .grants(&[GrantType::AuthorizationCode])
        .redirect_uris(&[&callback])
        .create()
        .await;
    let (_, challenge) = pkce();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", "webapp"),
        ("redirect_uri", &callback),
        ("scope", "openid profile"),
        ("state", "browser-state"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    client.delete_all_cookies().await.ok();
    client.set_window_size(1200, 900).await.unwrap();
    client
        .goto(&format!("{issuer}/oauth/authorize?{query}"))
        .await
        .unwrap();
    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/login", "{url}");
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Sign in");
    let lead = client
        .find(Locator::Css(".lead"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(lead, "to continue to webapp app");
    // The stylesheet applied: the button has its accent colour.
    let button = client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    let colour = button.css_value("background-color").await.unwrap();
    assert_ne!(colour, "rgba(0, 0, 0, 0)", "the stylesheet did not load");
    save_screenshot("login.png", &client.screenshot().await.unwrap());

    sign_in_on(client, "alice").await;
    let landed = wait_to_leave(client, &issuer).await;
    assert!(landed.starts_with(&format!("{callback}?code=")), "{landed}");
    assert_eq!(
        query_param(&landed, "state").as_deref(),
        Some("browser-state")
    );
    let body = client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "signed in at the relying party");

    client.set_window_size(390, 844).await.unwrap();
    client.delete_all_cookies().await.ok();
    client.goto(&format!("{issuer}/login")).await.unwrap();
    save_screenshot("login-phone.png", &client.screenshot().await.unwrap());
}

async fn chromium_shows_a_wrong_password_and_approves_consent(app: TestApp) {
    let _turn = TURN.lock().await;
    let client = browser();
    let issuer = app.state.config.issuer.clone();
    let rp = relying_party().await;
    let callback = format!("{rp}/callback");
    app.user("alice").email("alice@example.com").create().await;
    app.client("partner")
        .third_party()
        .grants(&[GrantType::AuthorizationCode])
        .redirect_uris(&[&callback])
        .create()
        .await;
    let (_, challenge) = pkce();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", "partner"),
        ("redirect_uri", &callback),
        ("scope", "openid email"),
        ("state", "s2"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    client.delete_all_cookies().await.ok();
    client.set_window_size(1200, 900).await.unwrap();
    client
        .goto(&format!("{issuer}/oauth/authorize?{query}"))
        .await
        .unwrap();

    client
        .find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys("alice")
        .await
        .unwrap();
    client
        .find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("not the password")
        .await
        .unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let alert = client
        .wait()
        .for_element(Locator::Css(".alert"))
        .await
        .unwrap();
    assert_eq!(
        alert.text().await.unwrap(),
        "The username or password is incorrect."
    );
    let username = client.find(Locator::Css("#username")).await.unwrap();
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some("alice")
    );
    let password = client.find(Locator::Css("#password")).await.unwrap();
    assert_eq!(password.prop("value").await.unwrap().as_deref(), Some(""));
    save_screenshot("login-error.png", &client.screenshot().await.unwrap());

    password.send_keys(PASSWORD).await.unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let allow = client
        .wait()
        .for_element(Locator::Css("button[value=approve]"))
        .await
        .unwrap();
    let page = client.source().await.unwrap();
    assert!(page.contains("See your email address"), "{page}");
    save_screenshot("consent.png", &client.screenshot().await.unwrap());
    allow.click().await.unwrap();
    let landed = wait_to_leave(client, &issuer).await;
    assert!(landed.starts_with(&format!("{callback}?code=")), "{landed}");
    assert_eq!(query_param(&landed, "state").as_deref(), Some("s2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_code_flow_on_sqlite() {
    let app = TestApp::try_spawn_served(Backend::Sqlite).await.unwrap();
    chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_code_flow_on_postgres() {
    if let Some(app) = TestApp::try_spawn_served(Backend::Postgres).await {
        chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_consent_on_sqlite() {
    let app = TestApp::try_spawn_served(Backend::Sqlite).await.unwrap();
    chromium_shows_a_wrong_password_and_approves_consent(app).await;
}
