//! Outstanding refresh-token families in the admin UI: by user, by client, revoking one family,
//! revoking all of a user's or a client's from the filtered list.

use axum::http::StatusCode;

use crate::admin_support::{self as ui, assert_page};
use crate::helpers::{TestApp, TestResponse, jwt_parts};
use crate::on_both_databases;
use sesame::store;

async fn refresh(app: &TestApp, client: &(String, String), token: &str) -> TestResponse {
    let params = [("grant_type", "refresh_token"), ("refresh_token", token)];
    app.post_form("/oauth/token", &params, Some((&client.0, &client.1)))
        .await
}

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
    let (_, session) = ui::admin(&app).await;
    let web = app.client("web").create().await;
    let cli = app.client("cli").create().await;
    app.user("alice").create().await;
    app.user("bob").create().await;
    let alice_web = app.password_tokens(&web, "alice").await;
    let rotated = refresh(&app, &web, alice_web["refresh_token"].as_str().unwrap())
        .await
        .json();
    app.password_tokens(&cli, "alice").await;
    app.password_tokens(&web, "bob").await;

    let all = ui::get(&app, "/admin/tokens", Some(&session)).await;
    assert_page(&all, StatusCode::OK);
    assert_eq!(all.text().matches(">Revoke</button>").count(), 3);

    let by_alice = ui::get(&app, "/admin/tokens?user=alice", Some(&session))
        .await
        .text();
    assert_eq!(by_alice.matches(">Revoke</button>").count(), 2);
    assert!(by_alice.contains("Signed-in sessions of alice"));
    assert!(by_alice.contains("Revoke all of alice&#39;s tokens"));
    let family = family_of(&app, rotated["refresh_token"].as_str().unwrap()).await;
    let row = ui::between(
        &by_alice,
        &format!("/admin/tokens/{family}/revoke"),
        "</tr>",
    );
    assert!(
        row.is_some(),
        "the rotated family is listed once, by its newest token"
    );
    let web_row = ui::between(&by_alice, "<code>web</code>", "</tr>").unwrap();
    assert!(!web_row.contains("never"), "it was refreshed: {web_row}");

    let by_client = ui::get(&app, "/admin/tokens?client=cli", Some(&session))
        .await
        .text();
    assert_eq!(by_client.matches(">Revoke</button>").count(), 1);
    assert!(by_client.contains("Revoke all of this client&#39;s tokens"));
    let both = ui::get(&app, "/admin/tokens?user=bob&client=cli", Some(&session))
        .await
        .text();
    assert!(both.contains("No outstanding refresh tokens."));
    let nobody = ui::get(&app, "/admin/tokens?user=nobody", Some(&session))
        .await
        .text();
    assert!(nobody.contains("No user is named nobody"));
}

async fn revoking_one_family_kills_it_and_only_it(app: TestApp) {
    let (_, session) = ui::admin(&app).await;
    let web = app.client("web").create().await;
    app.user("alice").create().await;
    let phone = app.password_tokens(&web, "alice").await;
    let laptop = app.password_tokens(&web, "alice").await;
    let phone_token = phone["refresh_token"].as_str().unwrap();
    let family = family_of(&app, phone_token).await;

    let path = format!("/admin/tokens/{family}/revoke");
    let back = [("back", "/admin/tokens?user=alice&client=")];
    let response = ui::post(&app, &path, &session, &back).await;
    ui::assert_see_other(&response, "/admin/tokens?user=alice&client=&notice=revoked");
    assert_eq!(
        refresh(&app, &web, phone_token).await.json()["error"],
        "invalid_grant"
    );
    let laptop_token = laptop["refresh_token"].as_str().unwrap();
    assert_eq!(
        refresh(&app, &web, laptop_token).await.status,
        StatusCode::OK
    );
    let event =
        ui::assert_last_event(&app, "token.revoke", "root", &format!("family:{family}")).await;
    assert!(event.details.unwrap().contains("\"reason\":\"admin\""));

    // Twice is harmless and records nothing more; `back` only ever leads to the token list.
    let events = ui::audit_trail(&app).await.len();
    let elsewhere = [("back", "https://evil.example/")];
    let response = ui::post(&app, &path, &session, &elsewhere).await;
    ui::assert_see_other(&response, "/admin/tokens?notice=nothing");
    assert_eq!(ui::audit_trail(&app).await.len(), events);
    let split = [("back", "/admin/tokens?user=a\r\nSet-Cookie: x=1")];
    let response = ui::post(&app, &path, &session, &split).await;
    ui::assert_see_other(&response, "/admin/tokens?notice=nothing");
}

async fn the_filtered_list_revokes_all_of_a_users_or_clients_tokens(app: TestApp) {
    let (_, session) = ui::admin(&app).await;
    let web = app.client("web").create().await;
    let alice = app.user("alice").create().await;
    let tokens = app.password_tokens(&web, "alice").await;
    let page = ui::get(&app, "/admin/tokens?client=web", Some(&session))
        .await
        .text();
    assert!(page.contains("action=\"/admin/clients/web/revoke-tokens\""));
    let page = ui::get(&app, "/admin/tokens?user=alice", Some(&session))
        .await
        .text();
    let action = format!("action=\"/admin/users/{}/revoke-tokens\"", alice.id);
    assert!(page.contains(&action));
    let path = format!("/admin/users/{}/revoke-tokens", alice.id);
    ui::post(&app, &path, &session, &[]).await;
    let dead = refresh(&app, &web, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(dead.json()["error"], "invalid_grant");
    let page = ui::get(&app, "/admin/tokens?user=alice", Some(&session))
        .await
        .text();
    assert!(page.contains("No outstanding refresh tokens.") && !page.contains(&action));
}

on_both_databases!(
    families_are_listed_by_user_and_by_client,
    revoking_one_family_kills_it_and_only_it,
    the_filtered_list_revokes_all_of_a_users_or_clients_tokens,
);
