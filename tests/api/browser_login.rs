//! The HTML login form and browser sessions: CSRF in a signed cookie, session cookies, `next`
//! limited to same-origin paths, the admin cookie, logout, security headers.

use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Duration;

use crate::on_both_databases;
use crate::support::agent::Agent;
use crate::support::html::csrf_token;
use crate::support::requests::form;
use crate::support::{PASSWORD, TestApp, TestResponse};
use sesame::entities::sessions;

on_both_databases!(
    login_form_is_a_secure_page_that_stores_nothing,
    username_email_or_phone_sign_in_and_go_to_next,
    a_wrong_password_keeps_the_identifier_and_never_echoes_the_password,
    a_login_without_the_csrf_token_is_refused,
    next_off_site_is_never_followed,
    admins_get_the_admin_cookie_and_logout_clears_both,
    logout_needs_the_csrf_token_and_ends_the_session,
    expired_sessions_and_inactive_users_are_signed_out,
);

fn assert_security_headers(response: &TestResponse) {
    let csp = response.header("content-security-policy").unwrap();
    for directive in [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

/// Whether the login page greets the agent as signed in.
async fn signed_in(agent: &mut Agent<'_>) -> bool {
    agent
        .get("/login")
        .await
        .text()
        .contains("You are signed in")
}

async fn session_rows(app: &TestApp) -> Vec<sessions::Model> {
    sessions::Entity::find().all(app.db()).await.unwrap()
}

async fn login_form_is_a_secure_page_that_stores_nothing(app: TestApp) {
    let mut agent = app.agent();
    let page = agent.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_security_headers(&page);
    let cookies: Vec<&str> = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = cookies[0];
    for attribute in [
        "sesame_login_csrf=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/login",
        "Max-Age=3600",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "http issuer: {cookie}");
    let html = page.text();
    for needle in [
        "Sesame",
        "href=\"/static/sesame.css\"",
        "<label for=\"username\">",
        "<label for=\"password\">",
        "autocomplete=\"current-password\"",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert!(!html.contains("<script"));
    // The form's token is the one the signed cookie carries: `<issued>.<token>.<signature>`.
    let value = agent.cookies["sesame_login_csrf"].clone();
    let parts: Vec<&str> = value.split('.').collect();
    assert_eq!(parts.len(), 3, "{value}");
    assert_eq!(parts[0], app.now().timestamp().to_string());
    assert_eq!(parts[1], csrf_token(&html));
    assert!(
        session_rows(&app).await.is_empty(),
        "showing the form stores nothing"
    );

    // Reloading the form keeps the token; an hour on, it is replaced.
    let again = agent.get("/login").await;
    assert!(again.header("set-cookie").is_none());
    assert_eq!(csrf_token(&again.text()), parts[1]);
    app.advance(Duration::from_secs(3600));
    let later = agent.get("/login").await;
    assert!(later.header("set-cookie").is_some());
    assert_ne!(csrf_token(&later.text()), parts[1]);
    assert!(session_rows(&app).await.is_empty());

    let css = app.get("/static/sesame.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains("prefers-color-scheme"));
}

async fn username_email_or_phone_sign_in_and_go_to_next(app: TestApp) {
    let user = app
        .user("alice")
        .email("alice@example.com")
        .phone("+15550100")
        .create()
        .await;
    for identifier in ["alice", "ALICE@example.com", "+15550100"] {
        let mut agent = app.agent();
        let response = agent
            .login(identifier, PASSWORD, Some("/somewhere?x=1"))
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{identifier}: {}",
            response.text()
        );
        assert_eq!(response.location(), "/somewhere?x=1");
        assert!(!agent.cookies.contains_key("sesame_admin"));
        let page = agent.get("/login").await;
        assert!(page.text().contains("You are signed in"), "{}", page.text());
        assert!(page.text().contains("alice"));
    }
    let signed_in = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(signed_in, 3);
    let pre_sessions = sessions::Entity::find()
        .filter(sessions::Column::UserId.is_null())
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(pre_sessions, 0, "only signed-in sessions are stored");
}

async fn a_wrong_password_keeps_the_identifier_and_never_echoes_the_password(app: TestApp) {
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.get("/login").await;
    let csrf_cookie = agent.cookies["sesame_login_csrf"].clone();
    let response = agent.login("alice", "hunter2-wrong", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_security_headers(&response);
    let html = response.text();
    assert!(
        html.contains("The username or password is incorrect."),
        "{html}"
    );
    assert!(html.contains("value=\"alice\""), "{html}");
    assert!(!html.contains("hunter2-wrong"));
    assert_eq!(
        agent.cookies["sesame_login_csrf"], csrf_cookie,
        "the same form token"
    );
    assert_eq!(agent.session(), None);
    assert!(session_rows(&app).await.is_empty());
    assert!(!html.contains("You are signed in"));
}

async fn a_login_without_the_csrf_token_is_refused(app: TestApp) {
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.get("/login").await;
    for csrf in [None, Some("forged")] {
        let mut params = vec![("username", "alice"), ("password", PASSWORD)];
        if let Some(csrf) = csrf {
            params.push(("csrf_token", csrf));
        }
        let response = agent.post("/login", &params).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{}",
            response.text()
        );
        assert!(response.text().contains("This form has expired"));
        assert!(response.header("location").is_none());
    }
    // A token whose cookie is tampered with, or an hour old, is refused too.
    let page = agent.get("/login").await;
    let csrf = csrf_token(&page.text());
    let params = [
        ("username", "alice"),
        ("password", PASSWORD),
        ("csrf_token", csrf.as_str()),
    ];
    let good = agent.cookies["sesame_login_csrf"].clone();
    let (issued, rest) = good.split_once('.').unwrap();
    let older = (issued.parse::<i64>().unwrap() - 1).to_string();
    let mut forger = app.agent();
    forger
        .cookies
        .insert("sesame_login_csrf".into(), format!("{older}.{rest}"));
    assert_eq!(
        forger.post("/login", &params).await.status,
        StatusCode::FORBIDDEN
    );
    app.advance(Duration::from_secs(3600));
    let mut late = app.agent();
    late.cookies.insert("sesame_login_csrf".into(), good);
    assert_eq!(
        late.post("/login", &params).await.status,
        StatusCode::FORBIDDEN
    );
    // A cross-site POST carries no CSRF cookie at all.
    let mut stranger = app.agent();
    let response = stranger
        .post(
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrf_token", "x"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let signed_in = sessions::Entity::find()
        .filter(sessions::Column::UserId.is_not_null())
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(signed_in, 0);
}

async fn next_off_site_is_never_followed(app: TestApp) {
    app.user("alice").create().await;
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ] {
        let mut agent = app.agent();
        let form = agent
            .get(&format!("/login?{}", form(&[("next", next)])))
            .await;
        assert!(!form.text().contains("name=\"next\""), "{next:?} rendered");
        let csrf = csrf_token(&form.text());
        let response = agent
            .post(
                "/login",
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("csrf_token", &csrf),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER);
        assert_eq!(response.location(), "/login", "{next:?}");
    }
}

async fn admins_get_the_admin_cookie_and_logout_clears_both(app: TestApp) {
    app.user("root").roles(&["admin"]).create().await;
    let mut agent = app.agent();
    let response = agent.login("root", PASSWORD, None).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let cookies: Vec<&str> = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let admin = cookies
        .iter()
        .find(|c| c.starts_with("sesame_admin="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(admin.contains(attribute), "{admin}");
    }
    assert_eq!(
        agent.cookies["sesame_admin"],
        agent.cookies["sesame_session"]
    );

    let page = agent.get("/login").await;
    let csrf = csrf_token(&page.text());
    let response = agent.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    // What the login form reads stays: the device cookie is what the throttle knows this browser
    // by, and the CSRF cookie serves the next form.
    let mut left: Vec<&String> = agent.cookies.keys().collect();
    left.sort();
    assert_eq!(
        left,
        ["sesame_device", "sesame_login_csrf"],
        "{:?}",
        agent.cookies
    );
}

async fn logout_needs_the_csrf_token_and_ends_the_session(app: TestApp) {
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let old_session = agent.session().unwrap().to_owned();
    let refused = agent.post("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_security_headers(&refused);
    assert!(signed_in(&mut agent).await);

    let csrf = csrf_token(&agent.get("/login").await.text());
    let response = agent.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), "/login");
    assert!(agent.session().is_none());
    assert!(session_rows(&app).await.iter().all(|s| s.user_id.is_none()));

    // The old cookie, replayed, signs nobody in.
    agent.cookies.insert("sesame_session".into(), old_session);
    assert!(!signed_in(&mut agent).await);
}

async fn expired_sessions_and_inactive_users_are_signed_out(app: TestApp) {
    let user = app.user("alice").create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    app.advance(app.state.config.session_lifetime + Duration::from_secs(1));
    assert!(!signed_in(&mut agent).await);

    let mut agent = app.agent();
    agent.sign_in("alice").await;
    assert!(signed_in(&mut agent).await);
    app.deactivate(user.id).await;
    assert!(!signed_in(&mut agent).await);
}

#[tokio::test]
async fn cookies_are_secure_behind_an_https_issuer() {
    let app = TestApp::spawn_with(|c| c.issuer = "https://login.example".into()).await;
    let mut agent = app.agent();
    let page = agent.get("/login").await;
    assert!(page.header("set-cookie").unwrap().contains("Secure"));
    let forced = TestApp::spawn_with(|c| c.cookie_secure = Some(true)).await;
    let page = forced.agent().get("/login").await;
    assert!(page.header("set-cookie").unwrap().contains("Secure"));
}

#[tokio::test]
async fn the_login_page_names_the_deployment() {
    let app = TestApp::spawn().await;
    let page = app.agent().get("/login").await;
    let html = page.text();
    assert!(html.contains("<h1>Sign in to Sesame</h1>"), "{html}");
    let acme = TestApp::spawn_with(|c| c.site_name = "Acme & Co".into()).await;
    let html = acme.agent().get("/login").await.text();
    // Escaped as any value in a page is (askama writes &#38;).
    assert!(html.contains("<h1>Sign in to Acme &#38; Co</h1>"), "{html}");
    assert!(
        html.contains("<title>Sign in · Acme &#38; Co</title>"),
        "{html}"
    );
    assert!(!html.contains("Sesame account"), "{html}");
}
