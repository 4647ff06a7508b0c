//! U+0000 in anything a request names: PostgreSQL's text cannot hold one, so a NUL that reached a
//! query would fail it (a 500, found by `untrusted_bodies` on PostgreSQL). Every surface refuses it
//! where it parses, in its own format, before any lookup; nothing is written. Each test runs on
//! both databases: SQLite would store the NUL, PostgreSQL would fail, and the answer must be the
//! same refusal on both.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::on_both_databases;
use crate::support::admin::assert_page;
use crate::support::{PASSWORD, TestApp};

const FORM: &str = "application/x-www-form-urlencoded";

async fn the_oauth_endpoints_refuse_a_nul_as_an_invalid_request(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let body = format!("grant_type=password&username=alice&password={PASSWORD}&client_id=%00");
    let token = app.post("/oauth/token").body(FORM, body).await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        token.json(),
        json!({
            "error": "invalid_request",
            "error_description": "parameter `client_id` contains a NUL character"
        })
    );
    for (path, body) in [
        (
            "/oauth/token",
            "grant_type=password&username=al%00ice&password=x",
        ),
        ("/oauth/revoke", "token=abc%00"),
        ("/oauth/introspect", "token=abc%00def"),
        ("/oauth/token", "grant_type=refresh_token&refresh_token=%00"),
        ("/oauth/token", "grant_type=password&na%00me=1"),
    ] {
        let response = app.post(path).client(&client).body(FORM, body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path} {body}");
        assert_eq!(response.json()["error"], "invalid_request", "{path} {body}");
    }
    // Basic credentials whose id or secret decodes to a NUL are not credentials at all.
    for credentials in ["web%00:secret", "web:se%00cret", "web\0:secret"] {
        let response = app
            .post("/oauth/token")
            .header(
                "authorization",
                &format!("Basic {}", STANDARD.encode(credentials)),
            )
            .form(&[("grant_type", "client_credentials")])
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{credentials}");
        assert_eq!(
            response.json()["error_description"],
            "the Authorization header is not valid Basic credentials"
        );
    }
    assert!(app.audit_trail().await.is_empty());
}

async fn the_browser_pages_refuse_a_nul_and_a_next_with_one_names_no_client(app: TestApp) {
    app.user("alice").create().await;
    app.client("web").code_flow().create().await;
    let authorize = app
        .get("/oauth/authorize?response_type=code&client_id=we%00b")
        .await;
    assert_eq!(authorize.status, StatusCode::BAD_REQUEST);
    let page = authorize.text();
    assert!(
        page.contains(
            "The parameter “client_id” contains a NUL character, which no value may hold."
        ),
        "{page}"
    );
    let logout = app.get("/oauth/logout?client_id=%00").await;
    assert_eq!(logout.status, StatusCode::BAD_REQUEST);
    // The login form for a `next` whose client id holds a NUL is the plain one: no client named.
    let login = app
        .get("/login?next=%2Foauth%2Fauthorize%3Fresponse_type%3Dcode%26client_id%3D%2500")
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let mut agent = app.agent();
    let form = agent.get("/login").await.text();
    let csrf = crate::support::html::csrf_token(&form);
    let refused = agent
        .post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", "al\0ice"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(agent.session().is_none());
    assert!(app.audit_trail().await.is_empty());
}

async fn the_api_names_the_field_as_django_does(app: TestApp) {
    app.user("alice").create().await;
    let response = app
        .post("/api/token/")
        .json(&json!({ "username": "al\u{0}ice", "password": PASSWORD }))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.body_str(),
        r#"{"username":["Null characters are not allowed."]}"#
    );
    let refresh = app
        .post("/api/token/refresh/")
        .body(FORM, "refresh=%00")
        .await;
    assert_eq!(
        refresh.body_str(),
        r#"{"refresh":["Null characters are not allowed."]}"#
    );
}

async fn in_chinese_as_django_says_it(app: TestApp) {
    let response = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": "x\u{0}" }))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.body_str(),
        r#"{"password":["不允许是用空字符串。"]}"#
    );
}

async fn the_admin_answers_a_nul_in_a_path_as_a_miss_and_in_a_form_as_invalid(app: TestApp) {
    let (_, session) = app.admin().await;
    let users_before = app.get("/admin/users").session(&session).await.text();
    for path in [
        "/admin/clients/%00",
        "/admin/clients/we%00b/rotate-secret",
        "/admin/tokens/%00/revoke",
        "/admin/keys/%00/retire",
        "/api/token/%00/",
    ] {
        let response = app.get(path).session(&session).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        let post = app.admin_post(path, &session, &[]).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "{path}");
    }
    let create = app
        .admin_post(
            "/admin/users",
            &session,
            &[("username", "eve\0"), ("password", PASSWORD)],
        )
        .await;
    assert_page(&create, StatusCode::BAD_REQUEST);
    let search = app.get("/admin/users?q=%00").session(&session).await;
    assert_page(&search, StatusCode::BAD_REQUEST);
    let users_after = app.get("/admin/users").session(&session).await.text();
    assert_eq!(users_before, users_after);
}

fn zh_hans(config: &mut sesame::Config) {
    config.language_code = "zh-hans".into();
}

on_both_databases!(
    the_oauth_endpoints_refuse_a_nul_as_an_invalid_request,
    the_browser_pages_refuse_a_nul_and_a_next_with_one_names_no_client,
    the_api_names_the_field_as_django_does,
    the_admin_answers_a_nul_in_a_path_as_a_miss_and_in_a_form_as_invalid,
);
on_both_databases!(zh_hans => in_chinese_as_django_says_it);
