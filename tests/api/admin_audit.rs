//! The audit log: every admin change is recorded with who, what, when and from which address; the
//! view filters by action, category, actor and target and pages; the dashboard counts logins.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::assert_page;
use sesame::auth::audit::{self, Action, Actor, AuditEvent};

/// A POST to a path with its form, and the action it must record.
type Step<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);

async fn every_admin_change_is_recorded(app: TestApp) {
    let (_, session) = app.admin().await;
    let alice = app.user("alice").create().await;
    let user = format!("/admin/users/{}", alice.id);
    let steps: Vec<Step> = vec![
        (
            "/admin/clients".into(),
            vec![
                ("name", "A"),
                ("client_id", "a"),
                ("kind", "confidential"),
                ("grant_client_credentials", "on"),
            ],
            "client.create",
        ),
        (
            "/admin/clients/a".into(),
            vec![("name", "B"), ("grant_client_credentials", "on")],
            "client.update",
        ),
        (
            "/admin/clients/a/rotate-secret".into(),
            vec![],
            "client.rotate_secret",
        ),
        (
            "/admin/clients/a/revoke-tokens".into(),
            vec![],
            "client.revoke_tokens",
        ),
        ("/admin/clients/a/disable".into(), vec![], "client.disable"),
        ("/admin/clients/a/enable".into(), vec![], "client.enable"),
        ("/admin/clients/a/delete".into(), vec![], "client.delete"),
        (
            "/admin/users".into(),
            vec![("username", "bob"), ("password", "bob's password")],
            "user.create",
        ),
        (
            user.clone(),
            vec![("display_name", "Alice"), ("is_active", "on")],
            "user.update",
        ),
        (
            format!("{user}/password"),
            vec![("password", "a new password")],
            "user.reset_password",
        ),
        (
            format!("{user}/revoke-tokens"),
            vec![],
            "user.revoke_tokens",
        ),
        ("/admin/keys/rotate".into(), vec![], "key.rotate"),
    ];
    for (path, params, action) in &steps {
        let response = app.admin_post(path, &session, params).await;
        assert!(
            response.status.is_success() || response.status.is_redirection(),
            "{path}: {}",
            response.text()
        );
        let trail = app.audit_trail().await;
        let last = trail.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            (*action, "root"),
            "{path}"
        );
        assert!(app.now() - last.at < Duration::minutes(1));
    }
    assert_eq!(app.audit_trail().await.len(), steps.len());
}

async fn the_address_of_the_admin_is_recorded(app: TestApp) {
    let (_, session) = app.admin().await;
    let base = app.serve().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/admin/clients"))
        .header("cookie", &session.cookie)
        .form(&[
            ("csrf_token", session.csrf.as_str()),
            ("name", "Served"),
            ("client_id", "served"),
            ("kind", "confidential"),
            ("grant_client_credentials", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let event = app
        .assert_last_event("client.create", "root", "client:served")
        .await;
    assert_eq!(event.ip.as_deref(), Some("127.0.0.1"));
    let page = app.get("/admin/audit").session(&session).await.text();
    assert!(page.contains("<td>127.0.0.1</td>"));
}

/// Records `action` by `actor` at `at`.
async fn record(
    app: &TestApp,
    actor: &str,
    action: Action,
    target: &str,
    at: chrono::DateTime<Utc>,
) {
    let actor = Actor::unverified(actor, "10.0.0.7".parse().ok());
    let event = AuditEvent::new(&actor, action)
        .target(target)
        .details(json!({ "n": 1 }));
    audit::record(&app.state, event, at).await.unwrap();
}

/// The actions listed on an audit page, newest first.
fn listed(html: &str) -> Vec<String> {
    html.split("<td><span class=\"adm-badge\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect()
}

async fn the_log_filters_and_pages(app: TestApp) {
    let (_, session) = app.admin().await;
    let now = app.now();
    for i in 0..60 {
        record(
            &app,
            "alice",
            Action::LoginSuccess,
            "user:2",
            now - Duration::minutes(i),
        )
        .await;
    }
    record(&app, "mallory", Action::LoginFailure, "user:2", now).await;
    record(&app, "root", Action::ClientCreate, "client:web", now).await;
    record(&app, "root", Action::ClientDelete, "client:web", now).await;

    let first = app.get("/admin/audit").session(&session).await;
    assert_page(&first, StatusCode::OK);
    let html = first.text();
    assert_eq!(listed(&html).len(), 50);
    assert_eq!(
        listed(&html)[..3],
        ["client.delete", "client.create", "login.failure"]
    );
    assert!(html.contains("Page 1 of 2 · 63 in all"));
    assert!(html.contains("<td>10.0.0.7</td>"));
    assert!(html.contains("{&#34;n&#34;:1}"));
    let second = app
        .get("/admin/audit?action=&actor=&target=&page=2")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&second).len(), 13);

    let category = app
        .get("/admin/audit?action=client.*")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&category), ["client.delete", "client.create"]);
    assert!(category.contains("<option value=\"client.*\" selected>"));
    let one = app
        .get("/admin/audit?action=login.failure")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&one), ["login.failure"]);
    let by_actor = app
        .get("/admin/audit?actor=MALLORY")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&by_actor), ["login.failure"]);
    let by_target = app
        .get("/admin/audit?target=client:web")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&by_target).len(), 2);
    assert!(by_target.contains("href=\"/admin/clients/web\">client:web</a>"));
    let unknown = app
        .get("/admin/audit?action=nope")
        .session(&session)
        .await
        .text();
    assert_eq!(listed(&unknown).len(), 50, "an unknown action is no filter");
}

async fn the_dashboard_counts_everything(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("web").create().await;
    app.client("other").create().await;
    app.user("alice").create().await;
    app.password_tokens(&client, "alice").await;
    app.password_tokens(&client, "alice").await;
    let now = app.now();
    for hours in [1, 5, 23] {
        record(
            &app,
            "alice",
            Action::LoginSuccess,
            "user:2",
            now - Duration::hours(hours),
        )
        .await;
    }
    record(
        &app,
        "alice",
        Action::LoginSuccess,
        "user:2",
        now - Duration::hours(25),
    )
    .await;
    record(
        &app,
        "mallory",
        Action::LoginFailure,
        "user:2",
        now - Duration::minutes(3),
    )
    .await;

    let page = app.get("/admin").session(&session).await;
    assert_page(&page, StatusCode::OK);
    let html = page.text();
    let stat = |label: &str| {
        let end = html
            .find(&format!("<span class=\"adm-stat-l\">{label}</span>"))
            .unwrap();
        let start = html[..end].rfind("<span class=\"adm-stat-n\">").unwrap();
        html[start..end]
            .trim_start_matches("<span class=\"adm-stat-n\">")
            .trim_end_matches("</span>")
            .to_owned()
    };
    assert_eq!(stat("users"), "2");
    assert_eq!(stat("clients"), "2");
    assert_eq!(stat("active refresh-token families"), "2");
    // Three recorded above plus the two password grants that made the refresh families.
    assert_eq!(stat("logins in the last 24 hours"), "5");
    // One: the singular, as English writes it.
    assert_eq!(stat("failed login in the last 24 hours"), "1");
    let kid = app.state.keys().signing_key_id(now).to_owned();
    assert!(html.contains(&format!("<dt>Key id</dt><dd><code>{kid}</code></dd>")));
    assert!(html.contains("<dt>Algorithm</dt><dd>RS256</dd>"));
}

on_both_databases!(
    every_admin_change_is_recorded,
    the_address_of_the_admin_is_recorded,
    the_log_filters_and_pages,
    the_dashboard_counts_everything
);
