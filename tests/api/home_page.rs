//! `GET /` and the way into the admin UI for a signed-in browser: the account page for a signed-in
//! user, the login form for anyone else, and a 403 page (not the login form again) for a user
//! without the `admin` role who opens `/admin`.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::{assert_page, assert_see_other};

async fn the_root_sends_visitors_to_the_login_form(app: TestApp) {
    let response = app.get("/").await;
    assert_see_other(&response, "/login");
    // A cookie naming no session is a visitor too.
    let response = app.get("/").cookie("sesame_session=no-such-session").await;
    assert_see_other(&response, "/login");
}

async fn the_root_shows_a_signed_in_user_their_account(app: TestApp) {
    app.user("alice").create().await;
    let mut browser = app.agent();
    browser.sign_in("alice").await;
    let response = browser.get("/").await;
    assert_page(&response, StatusCode::OK);
    let html = response.text();
    assert!(html.contains("<h1>You are signed in</h1>"), "{html}");
    assert!(html.contains("as <strong>alice</strong>"), "{html}");
    assert!(html.contains(r#"<form method="post" action="/logout">"#));
    // One page: the same as /login shows a signed-in user.
    assert_eq!(browser.get("/login").await.text(), html);

    // Its sign-out form works, and then / is the login form's again.
    let csrf = crate::support::html::csrf_token(&html);
    let out = browser.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_see_other(&out, "/login");
    assert_see_other(&browser.get("/").await, "/login");
}

async fn a_signed_in_non_admin_at_admin_gets_a_403_not_the_login_form(app: TestApp) {
    app.user("bob").roles(&["staff"]).create().await;
    let mut browser = app.agent();
    browser.sign_in("bob").await;
    assert!(
        !browser.cookies.contains_key("sesame_admin"),
        "only admins get the admin cookie"
    );
    for path in ["/admin", "/admin/clients", "/admin/users?q=x"] {
        let response = browser.get(path).await;
        assert_page(&response, StatusCode::FORBIDDEN);
        let html = response.text();
        assert!(
            html.contains("<h1>Administrators only</h1>"),
            "{path}: {html}"
        );
        assert!(
            html.contains("You are signed in as bob, who is not an administrator."),
            "{path}: {html}"
        );
        assert!(html.contains(r#"<a class="adm-btn" href="/">Your account</a>"#));
        assert!(
            !html.contains("/login"),
            "{path}: no way back into the loop"
        );
        assert!(
            !html.contains(r#"class="site""#),
            "{path}: no public header"
        );
    }
    // A POST is refused the same way, and changes nothing.
    let response = browser.post("/admin/keys/rotate", &[]).await;
    assert_page(&response, StatusCode::FORBIDDEN);
    let actions: Vec<String> = app
        .audit_trail()
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["login.success"]);
}

async fn an_admin_without_the_admin_cookie_signs_in_again(app: TestApp) {
    app.user("root").roles(&["admin"]).create().await;
    let mut browser = app.agent();
    browser.sign_in("root").await;
    browser.cookies.remove("sesame_admin");
    // The login cookie alone never opens the admin UI, even for an admin: the form sets it.
    assert_see_other(&browser.get("/admin").await, "/login?next=%2Fadmin");
    let response = browser
        .login("root", crate::support::PASSWORD, Some("/admin"))
        .await;
    assert_see_other(&response, "/admin");
    assert_page(&browser.get("/admin").await, StatusCode::OK);
}

on_both_databases!(
    the_root_sends_visitors_to_the_login_form,
    the_root_shows_a_signed_in_user_their_account,
    a_signed_in_non_admin_at_admin_gets_a_403_not_the_login_form,
    an_admin_without_the_admin_cookie_signs_in_again,
);
