//! Managing users from the admin UI: search and paging, creating under the password policy,
//! editing the profile, roles and active flag, resetting a password, revoking every token.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::admin::{assert_page, assert_see_other};
use crate::support::html::between;
use crate::support::{PASSWORD, TestApp};
use sesame::store;

/// The usernames listed on a user-list page, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<td><a href=\"/admin/users/")
        .skip(1)
        .filter_map(|row| between(row, "\">", "</a>"))
        .map(str::to_owned)
        .collect()
}

async fn the_list_searches_username_email_and_phone_and_pages(app: TestApp) {
    let (_, session) = app.admin().await;
    for i in 0..30 {
        app.user(&format!("user{i:02}")).create().await;
    }
    app.user("carol")
        .email("carol@shop.example")
        .phone("+8613800000001")
        .create()
        .await;
    let first = app.get("/admin/users").session(&session).await;
    assert_page(&first, StatusCode::OK);
    let html = first.text();
    assert_eq!(listed(&html).len(), 25);
    assert!(html.contains("Page 1 of 2 · 32 in all"));
    assert!(html.contains("href=\"/admin/users?q=&#38;page=2\""));
    let second = app
        .get("/admin/users?q=&page=2")
        .session(&session)
        .await
        .text();
    assert_eq!(
        listed(&second),
        [
            "user24", "user25", "user26", "user27", "user28", "user29", "carol"
        ]
    );

    for search in ["CAROL", "shop.example", "13800000001"] {
        let path = format!("/admin/users?q={search}");
        let html = app.get(&path).session(&session).await.text();
        assert_eq!(listed(&html), ["carol"], "{search}");
    }
    let none = app
        .get("/admin/users?q=%3Cb%3E")
        .session(&session)
        .await
        .text();
    assert!(none.contains("No user matches “&#60;b&#62;”."));
}

async fn creating_a_user_enforces_the_password_policy(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("web").create().await;
    let form = |password: &'static str| {
        [
            ("username", "dave"),
            ("password", password),
            ("display_name", "Dave"),
            ("email", "dave@example.com"),
            ("phone", "+8613800000002"),
            ("roles", "staff"),
        ]
    };
    for (password, message) in [
        (
            "x7!kq",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ("1234567890", "This password is entirely numeric."),
    ] {
        let response = app
            .admin_post("/admin/users", &session, &form(password))
            .await;
        assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text();
        assert!(html.contains(message), "{password}: {html}");
        assert!(!html.contains(password), "a password is never shown again");
        assert!(
            html.contains("value=\"dave@example.com\""),
            "the rest is kept"
        );
    }
    let same = [("username", "margaret"), ("password", "MARGARET")];
    let response = app.admin_post("/admin/users", &session, &same).await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .contains("The password is too similar to the username.")
    );
    assert!(
        store::users::find_by_username(app.db(), "dave")
            .await
            .unwrap()
            .is_none()
    );

    let response = app
        .admin_post("/admin/users", &session, &form("a fine password"))
        .await;
    let dave = store::users::find_by_username(app.db(), "dave")
        .await
        .unwrap()
        .unwrap();
    assert_see_other(
        &response,
        &format!("/admin/users/{}?notice=created", dave.id),
    );
    assert_eq!(dave.roles(), ["staff"]);
    assert_eq!(dave.phone.as_deref(), Some("+8613800000002"));
    let tokens = app.password_grant(&client, "dave", "a fine password").await;
    assert_eq!(tokens.status, StatusCode::OK);
    let event = app
        .assert_last_event("user.create", "root", &format!("user:{}", dave.id))
        .await;
    assert!(
        !event
            .details
            .unwrap_or_default()
            .contains("a fine password")
    );

    let response = app
        .admin_post("/admin/users", &session, &form("another password"))
        .await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("already belongs to another user"));
}

async fn editing_saves_the_profile_and_deactivating_revokes_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("web").create().await;
    let alice = app.user("alice").create().await;
    app.user("bob").email("bob@example.com").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let path = format!("/admin/users/{}", alice.id);

    let edit = app.get(&path).session(&session).await;
    assert_page(&edit, StatusCode::OK);
    let response = app
        .admin_post(
            &path,
            &session,
            &[
                ("display_name", "Alice A."),
                ("email", "alice@example.com"),
                ("roles", "staff editor"),
                ("is_active", "on"),
            ],
        )
        .await;
    assert_see_other(&response, &format!("{path}?notice=saved"));
    let got = store::users::find_by_id(app.db(), alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.display_name.as_deref(), Some("Alice A."));
    assert_eq!(got.email.as_deref(), Some("alice@example.com"));
    assert_eq!(got.roles(), ["staff", "editor"]);
    let event = app
        .assert_last_event("user.update", "root", &format!("user:{}", alice.id))
        .await;
    assert!(
        event
            .details
            .unwrap()
            .contains("\"changed\":[\"display_name\",\"email\",\"roles\"]")
    );
    assert_eq!(
        app.refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
            .await
            .status,
        StatusCode::OK
    );

    let taken = [("email", "BOB@example.com"), ("is_active", "on")];
    let response = app.admin_post(&path, &session, &taken).await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("already belongs to another user"));

    let tokens = app.password_tokens(&client, "alice").await;
    let response = app
        .admin_post(&path, &session, &[("display_name", "Alice A.")])
        .await;
    assert_see_other(&response, &format!("{path}?notice=saved"));
    let got = store::users::find_by_id(app.db(), alice.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!got.is_active);
    let dead = app
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    assert_eq!(
        app.password_grant(&client, "alice", PASSWORD).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn an_admin_cannot_demote_or_deactivate_themselves(app: TestApp) {
    let (root, session) = app.admin().await;
    let path = format!("/admin/users/{}", root.id);
    let response = app.admin_post(&path, &session, &[("roles", "staff")]).await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text();
    assert!(html.contains("you cannot remove your own admin role"));
    assert!(html.contains("you cannot deactivate yourself"));
    let got = store::users::find_by_id(app.db(), root.id)
        .await
        .unwrap()
        .unwrap();
    assert!(got.has_role("admin") && got.is_active);
    assert!(app.audit_trail().await.is_empty());
}

async fn resetting_a_password_enforces_the_policy_and_revokes_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("web").create().await;
    let alice = app
        .user("alice")
        .password("the old password")
        .create()
        .await;
    let tokens = app
        .password_grant(&client, "alice", "the old password")
        .await
        .json();
    let path = format!("/admin/users/{}/password", alice.id);

    let response = app
        .admin_post(&path, &session, &[("password", "alice")])
        .await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .contains("This password is too short. It must contain at least 8 characters.")
    );
    let response = app
        .admin_post(
            &path,
            &session,
            &[("password", "ALICEALICE"), ("csrf_token", "")],
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "a repeated parameter is refused"
    );

    let response = app
        .admin_post(&path, &session, &[("password", "new secret words")])
        .await;
    assert_see_other(
        &response,
        &format!("/admin/users/{}?notice=password", alice.id),
    );
    assert_eq!(
        app.password_grant(&client, "alice", "the old password")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.password_grant(&client, "alice", "new secret words")
            .await
            .status,
        StatusCode::OK
    );
    let dead = app
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    app.assert_last_event("user.reset_password", "root", &format!("user:{}", alice.id))
        .await;
    let trail = app.audit_trail().await;
    assert!(
        trail
            .iter()
            .all(|e| !e.details.clone().unwrap_or_default().contains("new secret"))
    );
}

async fn revoking_all_of_a_users_tokens_kills_them(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("web").create().await;
    let alice = app.user("alice").create().await;
    app.user("bob").create().await;
    let first = app.password_tokens(&client, "alice").await;
    let second = app.password_tokens(&client, "alice").await;
    let bobs = app.password_tokens(&client, "bob").await;
    let path = format!("/admin/users/{}/revoke-tokens", alice.id);
    let response = app.admin_post(&path, &session, &[]).await;
    assert_see_other(
        &response,
        &format!("/admin/users/{}?notice=revoked", alice.id),
    );
    for tokens in [&first, &second] {
        let dead = app
            .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
            .await;
        insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    }
    let alive = app
        .refresh_grant(&client, bobs["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(alive.status, StatusCode::OK);
    let event = app
        .assert_last_event("user.revoke_tokens", "root", &format!("user:{}", alice.id))
        .await;
    assert!(
        event
            .details
            .unwrap()
            .contains("\"revoked_refresh_tokens\":2")
    );
    let again = app.admin_post(&path, &session, &[]).await;
    assert_see_other(&again, &format!("/admin/users/{}?notice=nothing", alice.id));
    let missing = app
        .admin_post("/admin/users/999999/revoke-tokens", &session, &[])
        .await;
    assert_page(&missing, StatusCode::NOT_FOUND);
    let not_a_number = app.get("/admin/users/abc").session(&session).await;
    assert_page(&not_a_number, StatusCode::NOT_FOUND);
}

/// A page number past any offset the database takes (PostgreSQL's OFFSET is a signed 64-bit
/// integer) is an empty page, not a database error.
async fn a_page_number_past_any_offset_is_an_empty_page(app: TestApp) {
    let (_, session) = app.admin().await;
    for path in [
        "/admin/users?page=18446744073709551615",
        "/admin/users?page=9223372036854775807",
        "/admin/audit?page=18446744073709551615",
        "/admin/audit?page=368934881474191033",
    ] {
        let response = app.get(path).session(&session).await;
        assert_page(&response, StatusCode::OK);
        assert!(listed(&response.text()).is_empty(), "{path}");
    }
}

on_both_databases!(
    a_page_number_past_any_offset_is_an_empty_page,
    the_list_searches_username_email_and_phone_and_pages,
    creating_a_user_enforces_the_password_policy,
    editing_saves_the_profile_and_deactivating_revokes_tokens,
    an_admin_cannot_demote_or_deactivate_themselves,
    resetting_a_password_enforces_the_policy_and_revokes_tokens,
    revoking_all_of_a_users_tokens_kills_them,
);
