//! The login form in a real browser: headless Chromium types into the form, submits, and lands
//! on the client's redirect URI with a code; the consent page is approved by clicking.
//! Screenshots go to `target/screenshots/`.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use sesame::auth::clients::GrantType;

use crate::support::builders::ClientBuilder;
use crate::support::oauth::{pkce, query_param};
use crate::support::requests::form;
use crate::support::webdriver::{self, Browser};
use crate::support::{Backend, PASSWORD, TestApp};

/// A stand-in relying party whose `/callback` is where the browser should land, registered as
/// `client`'s only redirect URI; returns that URI.
async fn relying_party(client: ClientBuilder<'_>) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/callback",
        get(|| async { "signed in at the relying party" }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let callback = format!("{base}/callback");
    let grants = [GrantType::AuthorizationCode];
    client
        .grants(&grants)
        .redirect_uris(&[&callback])
        .create()
        .await;
    callback
}

/// Opens `client_id`'s authorization request (PKCE, `scope`, `state`) in the browser.
async fn open_authorization(
    browser: &Browser,
    app: &TestApp,
    client_id: &str,
    callback: &str,
    (scope, state): (&str, &str),
) {
    let (_, challenge) = pkce();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", callback),
        ("scope", scope),
        ("state", state),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let issuer = &app.state.config.issuer;
    browser
        .goto(&format!("{issuer}/oauth/authorize?{query}"))
        .await;
}

async fn chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app: TestApp) {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let issuer = app.state.config.issuer.clone();
    app.user("alice").create().await;
    let callback = relying_party(app.client("webapp")).await;
    let request = ("openid profile", "browser-state");
    open_authorization(&browser, &app, "webapp", &callback, request).await;
    let url = browser.url().await;
    assert_eq!(url.path(), "/login", "{url}");
    assert_eq!(browser.text("h1").await, "Sign in to Sesame");
    assert_eq!(browser.text(".lead").await, "to continue to webapp app");
    // The stylesheet applied: the button has its accent colour.
    let button = browser.find("button[type=submit]").await;
    let colour = button.css_value("background-color").await.unwrap();
    assert_ne!(colour, "rgba(0, 0, 0, 0)", "the stylesheet did not load");
    browser.screenshot("login.png").await;

    browser.log_in("alice", PASSWORD).await;
    let landed = browser.wait_to_leave(&issuer).await;
    assert!(landed.starts_with(&format!("{callback}?code=")), "{landed}");
    assert_eq!(
        query_param(&landed, "state").as_deref(),
        Some("browser-state")
    );
    assert_eq!(browser.text("body").await, "signed in at the relying party");

    browser.resize(390, 844).await;
    browser.client().delete_all_cookies().await.ok();
    browser.goto(&format!("{issuer}/login")).await;
    browser.screenshot("login-phone.png").await;
}

async fn chromium_shows_a_wrong_password_and_approves_consent(app: TestApp) {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let issuer = app.state.config.issuer.clone();
    app.user("alice").email("alice@example.com").create().await;
    let callback = relying_party(app.client("partner").third_party()).await;
    let request = ("openid email", "s2");
    open_authorization(&browser, &app, "partner", &callback, request).await;

    browser.log_in("alice", "not the password").await;
    let alert = browser.wait_for(".alert").await;
    assert_eq!(
        alert.text().await.unwrap(),
        "The username or password is incorrect."
    );
    assert_eq!(browser.value("#username").await.as_deref(), Some("alice"));
    assert_eq!(browser.value("#password").await.as_deref(), Some(""));
    browser.screenshot("login-error.png").await;

    browser.fill("#password", PASSWORD).await;
    let allow = browser
        .click_and_wait("button[type=submit]", "button[value=approve]")
        .await;
    let page = browser.source().await;
    assert!(page.contains("See your email address"), "{page}");
    browser.screenshot("consent.png").await;
    allow.click().await.unwrap();
    let landed = browser.wait_to_leave(&issuer).await;
    assert!(landed.starts_with(&format!("{callback}?code=")), "{landed}");
    assert_eq!(query_param(&landed, "state").as_deref(), Some("s2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_code_flow_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_code_flow_on_postgres() {
    if let Some(app) = TestApp::served(Backend::Postgres).await {
        chromium_signs_in_and_lands_on_the_redirect_uri_with_a_code(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_consent_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    chromium_shows_a_wrong_password_and_approves_consent(app).await;
}

/// A browser set to Simplified Chinese gets the login page in Chinese, and its language switch
/// goes to English while keeping the authorization request.
async fn chromium_in_chinese_gets_the_chinese_login_page(app: TestApp) {
    let Some(browser) = webdriver::chinese_browser().await else {
        return;
    };
    app.user("alice").create().await;
    let callback = relying_party(app.client("webapp")).await;
    open_authorization(&browser, &app, "webapp", &callback, ("openid", "zh")).await;
    assert_eq!(browser.url().await.path(), "/login");
    let html = browser.find("html").await;
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("zh-CN"));
    assert_eq!(browser.text("h1").await, "登录 Sesame");
    assert_eq!(browser.text(".lead").await, "以继续使用 webapp app");
    assert_eq!(
        browser.text("label[for=username]").await,
        "用户名、电子邮箱或手机号"
    );
    browser.screenshot("login-zh-CN.png").await;

    browser.follow("English", "strong[lang=en]").await;
    assert_eq!(browser.text("h1").await, "Sign in to Sesame");
    assert_eq!(browser.text(".lead").await, "to continue to webapp app");
    let url = browser.url().await;
    assert!(query_param(url.as_str(), "next").is_some(), "{url}");

    // The client's `ui_locales=en` wins over the browser's Chinese Accept-Language.
    let (_, challenge) = pkce();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", "webapp"),
        ("redirect_uri", &callback),
        ("scope", "openid"),
        ("state", "en"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("ui_locales", "en"),
    ]);
    let issuer = &app.state.config.issuer;
    browser
        .goto(&format!("{issuer}/oauth/authorize?{query}"))
        .await;
    assert_eq!(browser.text("h1").await, "Sign in to Sesame");
    let html = browser.find("html").await;
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("en"));
    browser.screenshot("login-ui-locales-en.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_in_chinese_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    chromium_in_chinese_gets_the_chinese_login_page(app).await;
}

/// The brand as a browser renders it, under the pages' real CSP: the site's name, its logo, and
/// the accent colour from `/static/brand.css` on the sign-in button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_the_deployments_brand() {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let app = TestApp::served_with(Backend::Sqlite, |c| {
        c.site_name = "Acme".into();
        c.accent_color = Some("#1d4ed8".into());
    })
    .await
    .unwrap();
    let issuer = &app.state.config.issuer;
    browser.goto(&format!("{issuer}/login")).await;
    assert_eq!(browser.text("h1").await, "Sign in to Acme");
    assert_eq!(browser.text("header.site .brand").await, "Acme");
    let button = browser.find("form button[type=submit]").await;
    let background = button.css_value("background-color").await.unwrap();
    assert_eq!(background, "rgba(29, 78, 216, 1)");
    let loaded = browser
        .client()
        .execute(
            "return document.querySelector('header.site .brand img').naturalWidth > 0",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(loaded, serde_json::Value::Bool(true), "the logo loaded");
    browser.screenshot("login-branded.png").await;
}
