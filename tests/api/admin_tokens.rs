//! Outstanding refresh-token families in the admin UI: by user, by client, revoking one family,
//! revoking all of a user's or a client's from the filtered list.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::{assert_page, assert_see_other};
use crate::support::html::between;
use crate::support::oauth::jwt_parts;
use sesame::store;

/// The family of a refresh token.
async fn family_of(app: &TestApp, token: &str) -> String {
    let (_, claims) = jwt_parts(token);
    let jti = claims["jti"].as_str().unwrap();
    let row = store::refresh_tokens::find_by_jti(app.db(), jti)
        .await
        .unwrap();
    row.unwrap().family_id
}

async fn families_are_listed_by_user_and_by_client(app: TestApp) {
    let (_, session) = app.admin().await;
    let web = app.client("web").create().await;
    let cli = app.client("cli").create().await;
    app.user("alice").create().await;
    app.user("bob").create().await;
    let alice_web = app.password_tokens(&web, "alice").await;
    let rotated = app
        .refresh_grant(&web, alice_web["refresh_token"].as_str().unwrap())
        .await
        .json();
    app.password_tokens(&cli, "alice").await;
    app.password_tokens(&web, "bob").await;

    let all = app.get("/admin/tokens").session(&session).await;
    assert_page(&all, StatusCode::OK);
    assert_eq!(all.text().matches(">Revoke</button>").count(), 3);

    let by_alice = app
        .get("/admin/tokens?user=alice")
        .session(&session)
        .await
        .text();
    assert_eq!(by_alice.matches(">Revoke</button>").count(), 2);
    assert!(by_alice.contains("Signed-in sessions of alice"));
    assert!(by_alice.contains("Revoke all of alice&#39;s tokens"));
    let family = family_of(&app, rotated["refresh_token"].as_str().unwrap()).await;
    let row = between(
        &by_alice,
        &format!("/admin/tokens/{family}/revoke"),
        "</tr>",
    );
    assert!(
        row.is_some(),
        "the rotated family is listed once, by its newest token"
    );
    let web_row = between(&by_alice, "<code>web</code>", "</tr>").unwrap();
    assert!(!web_row.contains("never"), "it was refreshed: {web_row}");

    let by_client = app
        .get("/admin/tokens?client=cli")
        .session(&session)
        .await
        .text();
    assert_eq!(by_client.matches(">Revoke</button>").count(), 1);
    assert!(by_client.contains("Revoke all of this client&#39;s tokens"));
    let both = app
        .get("/admin/tokens?user=bob&client=cli")
        .session(&session)
        .await
        .text();
    assert!(both.contains("No outstanding refresh tokens."));
    let nobody = app
        .get("/admin/tokens?user=nobody")
        .session(&session)
        .await
        .text();
    assert!(nobody.contains("No user is named nobody"));
}

async fn revoking_one_family_kills_it_and_only_it(app: TestApp) {
    let (_, session) = app.admin().await;
    let web = app.client("web").create().await;
    app.user("alice").create().await;
    let phone = app.password_tokens(&web, "alice").await;
    let laptop = app.password_tokens(&web, "alice").await;
    let phone_token = phone["refresh_token"].as_str().unwrap();
    let family = family_of(&app, phone_token).await;

    let path = format!("/admin/tokens/{family}/revoke");
    let back = [("back", "/admin/tokens?user=alice&client=")];
    let response = app.admin_post(&path, &session, &back).await;
    assert_see_other(&response, "/admin/tokens?user=alice&client=&notice=revoked");
    let dead = app.refresh_grant(&web, phone_token).await;
    insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    let laptop_token = laptop["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.refresh_grant(&web, laptop_token).await.status,
        StatusCode::OK
    );
    let event = app
        .assert_last_event("token.revoke", "root", &format!("family:{family}"))
        .await;
    assert!(event.details.unwrap().contains("\"reason\":\"admin\""));

    // Twice is harmless and records nothing more; `back` only ever leads to the token list.
    let events = app.audit_trail().await.len();
    let elsewhere = [("back", "https://evil.example/")];
    let response = app.admin_post(&path, &session, &elsewhere).await;
    assert_see_other(&response, "/admin/tokens?notice=nothing");
    assert_eq!(app.audit_trail().await.len(), events);
    let split = [("back", "/admin/tokens?user=a\r\nSet-Cookie: x=1")];
    let response = app.admin_post(&path, &session, &split).await;
    assert_see_other(&response, "/admin/tokens?notice=nothing");
}

async fn the_filtered_list_revokes_all_of_a_users_or_clients_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    let web = app.client("web").create().await;
    let alice = app.user("alice").create().await;
    let tokens = app.password_tokens(&web, "alice").await;
    let page = app
        .get("/admin/tokens?client=web")
        .session(&session)
        .await
        .text();
    assert!(page.contains("action=\"/admin/clients/web/revoke-tokens\""));
    let page = app
        .get("/admin/tokens?user=alice")
        .session(&session)
        .await
        .text();
    let action = format!("action=\"/admin/users/{}/revoke-tokens\"", alice.id);
    assert!(page.contains(&action));
    let path = format!("/admin/users/{}/revoke-tokens", alice.id);
    app.admin_post(&path, &session, &[]).await;
    let dead = app
        .refresh_grant(&web, tokens["refresh_token"].as_str().unwrap())
        .await;
    insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    let page = app
        .get("/admin/tokens?user=alice")
        .session(&session)
        .await
        .text();
    assert!(page.contains("No outstanding refresh tokens.") && !page.contains(&action));
}

on_both_databases!(
    families_are_listed_by_user_and_by_client,
    revoking_one_family_kills_it_and_only_it,
    the_filtered_list_revokes_all_of_a_users_or_clients_tokens,
);
