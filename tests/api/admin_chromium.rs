//! The admin UI in headless Chromium: an admin signs in through the login form, creates a
//! client, copies its secret from the page, and that secret gets a token; screenshots of the
//! dashboard, the client list, the client form and every other page (and the Chinese admin UI)
//! are saved under `target/screenshots/` for a person to look at. At a phone's width (390 px) no admin page is
//! wider than the screen, and a signed-in user who is not an admin sees the 403 page.

use axum::http::StatusCode;
use sesame::auth::audit::{self, Action, Actor, AuditEvent};
use sesame::auth::clients::GrantType;

use crate::support::webdriver::{self, Browser};
use crate::support::{Backend, PASSWORD, TestApp};

/// The admin UI's screenshots are as wide as a laptop screen.
const WIDE: u32 = 1360;

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
    let now = app.now();
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

/// A served, populated app with the admin `root`; the app and its URL.
async fn served_with_admin() -> (TestApp, String) {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    let base = app.state.config.issuer.clone();
    populate(&app).await;
    app.user("root").roles(&["admin"]).create().await;
    (app, base)
}

/// [`served_with_admin`], with `root` signed in on its dashboard in `browser`.
async fn signed_in_admin(browser: &Browser) -> (TestApp, String) {
    let (app, base) = served_with_admin().await;
    browser.goto(&format!("{base}/admin")).await;
    browser.log_in("root", PASSWORD).await;
    let heading = browser.wait_for(".adm-main h1").await;
    assert_eq!(heading.text().await.unwrap(), "Dashboard");
    (app, base)
}

/// Fills the new-client form for a client-credentials service with an http redirect URI.
async fn fill_new_client(browser: &Browser) {
    browser.fill("#name", "Billing service").await;
    browser.fill("#client_id", "billing").await;
    for unticked in ["grant_authorization_code", "grant_refresh_token"] {
        browser.click(&format!("input[name={unticked}]")).await;
    }
    browser.click("input[name=grant_client_credentials]").await;
    browser
        .replace("#scopes", "invoices:read invoices:write")
        .await;
    browser
        .fill("#redirect_uris", "http://billing.example/cb")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_client_in_chromium_and_its_secret_gets_a_token() {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let (_app, base) = signed_in_admin(&browser).await;
    browser
        .screenshot_at("admin-dashboard.png", (WIDE, 900))
        .await;

    let current = "nav a[aria-current=page][href='/admin/clients']";
    browser.follow("Clients", current).await;
    assert!(browser.url().await.as_str().ends_with("/admin/clients"));
    browser
        .screenshot_at("admin-clients.png", (WIDE, 900))
        .await;

    browser.follow("New client", "#name").await;
    fill_new_client(&browser).await;
    let submit = "button.adm-btn-primary[type=submit]";
    // The http redirect URI is refused, next to its field, with the rest kept.
    let error = browser
        .click_and_wait(submit, "#redirect_uris ~ .adm-error")
        .await
        .text()
        .await
        .unwrap();
    assert!(error.contains("must use https"), "{error}");
    browser
        .screenshot_at("admin-client-form.png", (WIDE, 1400))
        .await;
    browser.replace("#redirect_uris", "").await;

    let secret = browser.click_and_wait(submit, "#client-secret").await;
    let secret = secret.text().await.unwrap();
    let client_id = browser.text("#client-id").await;
    assert_eq!(client_id, "billing");
    browser
        .screenshot_at("admin-client-secret.png", (WIDE, 700))
        .await;

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

    browser.goto(&format!("{base}/admin/clients")).await;
    let list = browser.source().await;
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
        browser.goto(&format!("{base}{path}")).await;
        assert!(browser.has("h1").await, "{path}");
        browser.screenshot_at(name, (WIDE, 1000)).await;
    }
}

/// A phone's viewport, and a laptop's, in CSS pixels.
const PHONE: (u32, u32) = (390, 844);
const LAPTOP: (u32, u32) = (1280, 900);

/// Every admin page with a table or a dashboard, by screenshot name.
const PAGES: [(&str, &str); 7] = [
    ("/admin", "dashboard"),
    ("/admin/clients", "clients"),
    ("/admin/users", "users"),
    ("/admin/tokens", "tokens"),
    ("/admin/keys", "keys"),
    ("/admin/throttles", "throttles"),
    ("/admin/audit", "audit"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_admin_page_is_wider_than_a_phone() {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let (_app, base) = signed_in_admin(&browser).await;

    browser.resize(PHONE.0, PHONE.1).await;
    for (path, name) in PAGES {
        browser.goto(&format!("{base}{path}")).await;
        assert!(browser.has(".adm-main h1").await, "{path}");
        assert!(
            !browser.has("header.site").await,
            "{path}: no public header"
        );
        let (page, viewport) = browser.widths().await;
        assert_eq!(
            viewport,
            u64::from(PHONE.0),
            "{path}: the window is a phone's"
        );
        assert!(
            page <= viewport,
            "{path} is {page} px wide at {viewport} px"
        );
        if matches!(name, "dashboard" | "clients") {
            browser.screenshot(&format!("admin-{name}-390.png")).await;
        }
    }
    for (path, name) in &PAGES[..2] {
        browser.goto(&format!("{base}{path}")).await;
        let shot = format!("admin-{name}-1280.png");
        browser.screenshot_at(&shot, LAPTOP).await;
        let (page, viewport) = browser.widths().await;
        assert!(
            page <= viewport,
            "{path} is {page} px wide at {viewport} px"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_is_not_an_admin_sees_why_in_chromium() {
    let Some(browser) = webdriver::browser().await else {
        return;
    };
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    let base = app.state.config.issuer.clone();
    app.user("alice").create().await;
    browser.goto(&format!("{base}/login")).await;
    browser.log_in("alice", PASSWORD).await;
    browser.wait_for("form[action='/logout']").await;

    browser.goto(&format!("{base}/admin")).await;
    let heading = browser.wait_for(".adm-main h1").await;
    assert_eq!(heading.text().await.unwrap(), "Administrators only");
    let message = browser.text(".adm-main p").await;
    assert_eq!(
        message,
        "You are signed in as alice, who is not an administrator."
    );
    assert!(
        browser.url().await.as_str().ends_with("/admin"),
        "no redirect"
    );
    browser.screenshot_at("admin-403-1280.png", LAPTOP).await;
    browser.screenshot_at("admin-403-390.png", PHONE).await;
    let (page, viewport) = browser.widths().await;
    assert!(
        page <= viewport,
        "the 403 page is {page} px wide at {viewport} px"
    );

    // Its way out is the account page, which signs out.
    browser
        .follow("Your account", "form[action='/logout']")
        .await;
    assert!(browser.source().await.contains("as <strong>alice</strong>"));
}

/// A browser set to Simplified Chinese signs in through the Chinese login form and gets the
/// admin UI in Chinese: the frame, the pages, a refused form with its messages, and times written
/// the Chinese way. A screenshot of each page goes to `target/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_ui_in_a_chinese_browser() {
    let Some(browser) = webdriver::chinese_browser().await else {
        return;
    };
    let (_app, base) = served_with_admin().await;

    browser.goto(&format!("{base}/admin/clients")).await;
    assert_eq!(browser.text("h1").await, "登录 Sesame");
    browser.screenshot("admin-login-zh-CN.png").await;
    browser.log_in("root", PASSWORD).await;
    let current = browser
        .wait_for("nav a[aria-current=page][href='/admin/clients']")
        .await;
    assert_eq!(current.text().await.unwrap(), "客户端");
    let html = browser.find("html").await;
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("zh-CN"));
    assert_eq!(browser.text(".adm-head h1").await, "客户端");
    assert_eq!(
        browser.text(".adm-head a.adm-btn-primary").await,
        "新建客户端"
    );
    browser
        .screenshot_at("admin-clients-zh-CN.png", (WIDE, 900))
        .await;

    for (path, heading, shot) in [
        ("/admin", "概览", "admin-dashboard-zh-CN.png"),
        ("/admin/users", "用户", "admin-users-zh-CN.png"),
        ("/admin/tokens", "刷新令牌", "admin-tokens-zh-CN.png"),
        ("/admin/keys", "签名密钥", "admin-keys-zh-CN.png"),
        ("/admin/audit", "审计日志", "admin-audit-zh-CN.png"),
    ] {
        browser.goto(&format!("{base}{path}")).await;
        assert_eq!(browser.text(".adm-main h1").await, heading, "{path}");
        browser.screenshot_at(shot, (WIDE, 900)).await;
    }
    // The audit log's times: CLDR's Chinese pattern, in UTC.
    let when = browser.text(".adm-table td.adm-nowrap").await;
    assert!(when.contains('年') && when.ends_with(" UTC"), "{when}");

    browser.goto(&format!("{base}/admin/clients/new")).await;
    assert_eq!(browser.text(".adm-main h1").await, "新建客户端");
    fill_new_client(&browser).await;
    let error = browser
        .click_and_wait(
            "button.adm-btn-primary[type=submit]",
            "#redirect_uris ~ .adm-error",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(error.contains("必须使用 https"), "{error}");
    assert_eq!(browser.text(".adm-alert").await, "请修正下方标出的字段。");
    browser
        .screenshot_at("admin-client-form-zh-CN.png", (WIDE, 1400))
        .await;
}
