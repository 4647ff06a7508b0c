//! Signing in to the admin UI and speaking to its pages.
//!
//! Sessions come from `sesame::auth::sessions::create_session` (issue 4's interface; a stand-in
//! until it merges) and travel in the `sesame_admin` cookie, as the real login sets it. If the
//! real cookie value is ever more than the session id (signed, say), `admin_cookie` is the one
//! place to change.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use sea_orm::{EntityTrait, QueryOrder};

use crate::helpers::{Backend, TestApp, TestResponse, form};
use sesame::auth::sessions;
use sesame::entities::{audit_events, users};

/// A browser session: its cookie and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// The `Cookie` header of the admin UI for a session id.
pub fn admin_cookie(session_id: &str) -> String {
    format!("sesame_admin={session_id}")
}

/// Starts a session for `user`.
pub async fn sign_in(app: &TestApp, user: &users::Model) -> Session {
    let session = sessions::sign_in(&app.state, user, None, Utc::now())
        .await
        .expect("sign in");
    Session {
        cookie: admin_cookie(&session.id),
        csrf: session.csrf_token,
    }
}

/// A user `root` with the admin role, signed in.
pub async fn admin(app: &TestApp) -> (users::Model, Session) {
    let user = app.user("root").roles(&["admin"]).create().await;
    let session = sign_in(app, &user).await;
    (user, session)
}

/// GETs an admin page.
pub async fn get(app: &TestApp, path: &str, session: Option<&Session>) -> TestResponse {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(session) = session {
        request = request.header(header::COOKIE, &session.cookie);
    }
    app.send(request.body(Body::empty()).expect("request"))
        .await
}

/// POSTs a form with the session's CSRF token added.
pub async fn post(
    app: &TestApp,
    path: &str,
    session: &Session,
    params: &[(&str, &str)],
) -> TestResponse {
    let mut all = vec![("csrf_token", session.csrf.as_str())];
    all.extend_from_slice(params);
    post_raw(app, path, Some(session), &all).await
}

/// POSTs exactly `params` (no CSRF token unless given).
pub async fn post_raw(
    app: &TestApp,
    path: &str,
    session: Option<&Session>,
    params: &[(&str, &str)],
) -> TestResponse {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(session) = session {
        request = request.header(header::COOKIE, &session.cookie);
    }
    app.send(request.body(Body::from(form(params))).expect("request"))
        .await
}

/// Asserts a 303 to `location`, and returns it.
pub fn assert_see_other(response: &TestResponse, location: &str) {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    assert_eq!(response.header("location"), Some(location));
}

/// Asserts an HTML page with `status` and the headers every page carries.
pub fn assert_page(response: &TestResponse, status: StatusCode) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    assert!(response.header("content-security-policy").is_some());
}

/// Every audit event, oldest first.
pub async fn audit_trail(app: &TestApp) -> Vec<audit_events::Model> {
    audit_events::Entity::find()
        .order_by_asc(audit_events::Column::Id)
        .all(app.db())
        .await
        .expect("audit events")
}

/// The newest audit event, which must be `action` by `actor` on `target`.
pub async fn assert_last_event(
    app: &TestApp,
    action: &str,
    actor: &str,
    target: &str,
) -> audit_events::Model {
    let mut trail = audit_trail(app).await;
    // The domain also audits the logins a test makes to get tokens; this asserts admin changes.
    trail.retain(|event| !event.action.starts_with("login."));
    let last = trail
        .last()
        .unwrap_or_else(|| panic!("no audit events; wanted {action}"));
    assert_eq!(
        (
            last.action.as_str(),
            last.actor.as_str(),
            last.target.as_deref()
        ),
        (action, actor, Some(target)),
        "{trail:#?}"
    );
    trail.pop().expect("an event")
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}

/// Another app on the same database as `app`, with settings changed by `configure`.
pub async fn spawn_like(app: &TestApp, configure: impl FnOnce(&mut sesame::Config)) -> TestApp {
    match app.backend {
        Backend::Sqlite => TestApp::spawn_with(configure).await,
        Backend::Postgres => TestApp::try_spawn_postgres(configure)
            .await
            .expect("PostgreSQL is configured: `app` runs on it"),
    }
}
