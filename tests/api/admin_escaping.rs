//! Admin pages escape everything they show: names, emails and audit details are text, never
//! markup, on every page that shows them.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::{assert_page, assert_see_other};

async fn a_client_named_like_a_script_renders_as_text(app: TestApp) {
    let (_, session) = app.admin().await;
    let evil = "<script>alert(1)</script>";
    let escaped = "&#60;script&#62;alert(1)&#60;/script&#62;";
    let params = [
        ("name", evil),
        ("client_id", "evil"),
        ("kind", "confidential"),
        ("grant_client_credentials", "on"),
    ];
    let created = app.admin_post("/admin/clients", &session, &params).await;
    assert_page(&created, StatusCode::OK);
    let mut pages = vec![("secret page", created.text())];
    for path in [
        "/admin/clients",
        "/admin/clients/evil",
        "/admin/clients/evil/delete",
    ] {
        let page = app.get(path).session(&session).await;
        assert_page(&page, StatusCode::OK);
        pages.push((path, page.text()));
    }
    // Shown again after a validation error, too.
    let params = [("name", evil), ("kind", "confidential")];
    let again = app.admin_post("/admin/clients", &session, &params).await;
    assert_page(&again, StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("form error", again.text()));
    for (what, html) in pages {
        assert!(
            !html.contains("<script"),
            "{what} has a live script tag: {html}"
        );
        assert!(
            html.contains(escaped),
            "{what} does not show the name as text: {html}"
        );
    }
}

async fn a_user_with_markup_in_their_profile_renders_as_text(app: TestApp) {
    let (_, session) = app.admin().await;
    let evil = "<img src=x onerror=alert(1)>";
    let escaped = "&#60;img src=x onerror=alert(1)&#62;";
    let mallory = app.user("mallory").create().await;
    let path = format!("/admin/users/{}", mallory.id);
    let params = [("display_name", evil), ("is_active", "on")];
    assert_see_other(
        &app.admin_post(&path, &session, &params).await,
        &format!("{path}?notice=saved"),
    );
    let client = app.client("web").create().await;
    app.password_tokens(&client, "mallory").await;
    for page in [
        path.as_str(),
        "/admin/users",
        "/admin/users?q=%3Cimg",
        "/admin/audit",
    ] {
        let response = app.get(page).session(&session).await;
        assert_page(&response, StatusCode::OK);
        let html = response.text();
        assert!(
            !html.contains("<img src=x"),
            "{page} has a live img tag: {html}"
        );
        if page != "/admin/audit" {
            assert!(
                html.contains(escaped) || html.contains("&#60;img"),
                "{page}: {html}"
            );
        }
    }
}

on_both_databases!(
    a_client_named_like_a_script_renders_as_text,
    a_user_with_markup_in_their_profile_renders_as_text,
);
