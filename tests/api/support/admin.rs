//! The admin UI as a test meets it: sessions started through the domain, the `sesame_admin`
//! cookie, form posts carrying the session's CSRF token, the headers every page carries, and
//! the audit trail the changes leave.

use axum::http::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};

use sesame::auth::sessions;
use sesame::entities::{audit_events, users};

use super::TestApp;
use super::requests::{TestRequest, TestResponse};

/// A signed-in browser session of the admin UI: its cookie and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub cookie: String,
    pub csrf: String,
}

impl AdminSession {
    /// The `Cookie` header of the admin UI for a session id.
    pub fn cookie_for(session_id: &str) -> String {
        format!("sesame_admin={session_id}")
    }
}

impl TestRequest {
    /// The request carries `session`'s cookie.
    pub fn session(self, session: &AdminSession) -> Self {
        self.cookie(&session.cookie)
    }
}

impl TestApp {
    /// Starts a session for `user`, as the login form does.
    pub async fn admin_session(&self, user: &users::Model) -> AdminSession {
        let session = sessions::sign_in(&self.state, user, None, self.now())
            .await
            .expect("sign in");
        AdminSession {
            cookie: AdminSession::cookie_for(&session.id),
            csrf: session.csrf_token,
        }
    }

    /// A user `root` with the admin role, signed in.
    pub async fn admin(&self) -> (users::Model, AdminSession) {
        let user = self.user("root").roles(&["admin"]).create().await;
        let session = self.admin_session(&user).await;
        (user, session)
    }

    /// POSTs a form in `session` with its CSRF token first.
    pub fn admin_post(
        &self,
        path: &str,
        session: &AdminSession,
        params: &[(&str, &str)],
    ) -> TestRequest {
        let mut all = vec![("csrf_token", session.csrf.as_str())];
        all.extend_from_slice(params);
        self.post(path).session(session).form(&all)
    }

    /// Every audit event, oldest first.
    pub async fn audit_trail(&self) -> Vec<audit_events::Model> {
        audit_events::Entity::find()
            .order_by_asc(audit_events::Column::Id)
            .all(self.db())
            .await
            .expect("audit events")
    }

    /// The newest audit event other than a login, which must be `action` by `actor` on
    /// `target`.
    pub async fn assert_last_event(
        &self,
        action: &str,
        actor: &str,
        target: &str,
    ) -> audit_events::Model {
        let mut trail = self.audit_trail().await;
        // The domain also audits the logins a test makes to get tokens.
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
}

/// Asserts a 303 to `location`.
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
