//! Who may use the admin UI: anonymous visitors are sent to the login form, signed-in users
//! without the `admin` role get a 403 page, admins get every page; every POST needs the session's
//! CSRF token. Also the bootstrap admin setting.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::{AdminSession, assert_page, assert_see_other};

/// Every page, with a client `web` and the user `root` to show.
fn pages(user_id: i64) -> Vec<String> {
    [
        "/admin",
        "/admin/clients",
        "/admin/clients/new",
        "/admin/clients/web",
        "/admin/clients/web/delete",
        "/admin/users",
        "/admin/users?q=ro&page=1",
        "/admin/users/new",
        "/admin/tokens",
        "/admin/tokens?user=root",
        "/admin/tokens?client=web",
        "/admin/keys",
        "/admin/audit",
        "/admin/audit?action=client.*&actor=root&target=client:web",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("/admin/users/{user_id}")])
    .collect()
}

/// Every action.
fn actions(user_id: i64, kid: &str) -> Vec<String> {
    let user = format!("/admin/users/{user_id}");
    vec![
        "/admin/clients".into(),
        "/admin/clients/web".into(),
        "/admin/clients/web/enable".into(),
        "/admin/clients/web/disable".into(),
        "/admin/clients/web/delete".into(),
        "/admin/clients/web/rotate-secret".into(),
        "/admin/clients/web/revoke-tokens".into(),
        "/admin/users".into(),
        user.clone(),
        format!("{user}/password"),
        format!("{user}/revoke-tokens"),
        "/admin/tokens/some-family/revoke".into(),
        "/admin/keys/rotate".into(),
        format!("/admin/keys/{kid}/retire"),
    ]
}

fn signing_kid(app: &TestApp) -> String {
    app.state.keys().signing_key_id(app.now()).to_owned()
}

async fn anonymous_visitors_are_sent_to_the_login_form(app: TestApp) {
    app.client("web").create().await;
    let user = app.user("root").roles(&["admin"]).create().await;
    for path in pages(user.id) {
        let response = app.get(&path).await;
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_see_other(&response, &format!("/login?next={next}"));
    }
    for path in actions(user.id, &signing_kid(&app)) {
        let response = app.post(&path).form(&[("csrf_token", "x")]).await;
        assert_see_other(&response, "/login?next=%2Fadmin");
    }
    assert!(app.audit_trail().await.is_empty());
}

async fn signed_in_users_without_the_admin_role_get_a_403_page(app: TestApp) {
    app.client("web").create().await;
    let alice = app
        .user("alice")
        .roles(&["staff", "administrator"])
        .create()
        .await;
    let session = app.admin_session(&alice).await;
    for path in pages(alice.id) {
        let response = app.get(&path).session(&session).await;
        assert_page(&response, StatusCode::FORBIDDEN);
        assert!(
            response
                .text()
                .contains("You are signed in as alice, who is not an administrator")
        );
        assert!(
            !response.text().contains("/admin/clients"),
            "no admin navigation: {path}"
        );
    }
    for path in actions(alice.id, &signing_kid(&app)) {
        let response = app.admin_post(&path, &session, &[]).await;
        assert_page(&response, StatusCode::FORBIDDEN);
    }
    assert!(app.audit_trail().await.is_empty());
}

async fn admins_see_every_page(app: TestApp) {
    app.client("web").create().await;
    let (root, session) = app.admin().await;
    for path in pages(root.id) {
        let response = app.get(&path).session(&session).await;
        assert_page(&response, StatusCode::OK);
        let html = response.text();
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/static/admin.css\">"),
            "{path}"
        );
        assert!(
            html.contains(&format!("value=\"{}\"", session.csrf)),
            "{path}: sign-out form"
        );
    }
}

async fn posts_without_the_sessions_csrf_token_are_refused(app: TestApp) {
    let (client_id, _) = app.client("web").create().await;
    let (root, session) = app.admin().await;
    let other_admin = app.user("other").roles(&["admin"]).create().await;
    let other = app.admin_session(&other_admin).await;
    let wrong = AdminSession {
        csrf: other.csrf.clone(),
        ..session.clone()
    };
    for path in actions(root.id, &signing_kid(&app)) {
        let missing = app
            .post(&path)
            .session(&session)
            .form(&[("name", "x")])
            .await;
        assert_page(&missing, StatusCode::FORBIDDEN);
        assert!(missing.text().contains("Form expired"), "{path}");
        let mismatched = app.admin_post(&path, &wrong, &[("name", "x")]).await;
        assert_page(&mismatched, StatusCode::FORBIDDEN);
    }
    assert!(app.audit_trail().await.is_empty(), "nothing was changed");
    let client = sesame::store::clients::find_by_client_id(app.db(), &client_id)
        .await
        .unwrap();
    assert!(client.is_some_and(|c| c.is_active && c.name == "web app"));
}

async fn only_the_admin_cookie_opens_the_admin_ui(app: TestApp) {
    let (_, session) = app.admin().await;
    let id = session.cookie.trim_start_matches("sesame_admin=");
    let login_cookie_only = AdminSession {
        cookie: format!("sesame_session={id}"),
        ..session.clone()
    };
    let response = app.get("/admin").session(&login_cookie_only).await;
    assert_see_other(&response, "/login?next=%2Fadmin");
    let unknown = AdminSession {
        cookie: AdminSession::cookie_for("no-such-session"),
        ..session
    };
    let response = app.get("/admin").session(&unknown).await;
    assert_see_other(&response, "/login?next=%2Fadmin");
}

async fn a_deactivated_admin_is_signed_out(app: TestApp) {
    let (root, session) = app.admin().await;
    assert_eq!(
        app.get("/admin").session(&session).await.status,
        StatusCode::OK
    );
    sesame::store::users::set_active(app.db(), root.id, false)
        .await
        .unwrap();
    let response = app.get("/admin/users").session(&session).await;
    assert_see_other(&response, "/login?next=%2Fadmin%2Fusers");
}

/// An app on `app`'s database whose settings name a bootstrap admin with `password`.
async fn bootstrapping(app: &TestApp, password: &str) -> TestApp {
    app.sibling(|c| {
        c.bootstrap_admin = Some("boss".into());
        c.bootstrap_admin_password = Some(password.to_owned().into());
    })
    .await
}

async fn bootstrap_admin_creates_the_first_admin_once(app: TestApp) {
    let app = bootstrapping(&app, "a long enough password").await;
    sesame::server::bootstrap_admin(&app.state).await.unwrap();
    let boss = sesame::store::users::find_by_username(app.db(), "boss")
        .await
        .unwrap()
        .unwrap();
    assert!(boss.has_role("admin") && boss.is_active);
    let trail = app.audit_trail().await;
    let actions: Vec<_> = trail
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [("user.create", "system"), ("admin.bootstrap", "system")]
    );
    // The next start finds an admin and does nothing.
    sesame::server::bootstrap_admin(&app.state).await.unwrap();
    assert_eq!(app.audit_trail().await.len(), 2);
    assert_eq!(sesame::store::users::count(app.db()).await.unwrap(), 1);
}

async fn bootstrap_admin_refuses_a_weak_password(app: TestApp) {
    let app = bootstrapping(&app, "12345678").await;
    sesame::server::bootstrap_admin(&app.state).await.unwrap();
    assert_eq!(sesame::store::users::count(app.db()).await.unwrap(), 0);
}

#[test]
fn bootstrap_settings_go_together() {
    let half = sesame::Config {
        bootstrap_admin: Some("boss".into()),
        ..sesame::Config::default()
    };
    assert!(half.validate().is_err());
}

async fn the_stylesheet_is_served(app: TestApp) {
    let response = app.get("/static/admin.css").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert!(response.text().contains(".adm-table"));
}

on_both_databases!(
    anonymous_visitors_are_sent_to_the_login_form,
    signed_in_users_without_the_admin_role_get_a_403_page,
    admins_see_every_page,
    posts_without_the_sessions_csrf_token_are_refused,
    only_the_admin_cookie_opens_the_admin_ui,
    a_deactivated_admin_is_signed_out,
    the_stylesheet_is_served,
    bootstrap_admin_creates_the_first_admin_once,
    bootstrap_admin_refuses_a_weak_password,
);
