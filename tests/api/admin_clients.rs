//! Managing clients from the admin UI: the list, creating (the secret is shown once and works at
//! the token endpoint), validation messages, editing, rotating the secret, disabling, deleting,
//! revoking. Escaping is in `admin_escaping`.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::admin::{assert_page, assert_see_other};
use crate::support::html::between;
use crate::support::{TestApp, TestResponse};
use sea_orm::EntityTrait;
use sesame::auth::clients::GrantType;
use sesame::store;

/// The secret shown on a secret page.
fn shown_secret(response: &TestResponse) -> String {
    let html = response.text();
    between(
        &html,
        "<code id=\"client-secret\" class=\"adm-secret\">",
        "</code>",
    )
    .unwrap_or_else(|| panic!("no secret on the page: {html}"))
    .to_owned()
}

async fn client_credentials(app: &TestApp, id: &str, secret: &str) -> TestResponse {
    app.post("/oauth/token")
        .form(&[("grant_type", "client_credentials")])
        .basic(id, secret)
        .await
}

async fn the_list_shows_name_id_kind_grants_and_last_use(app: TestApp) {
    let (_, session) = app.admin().await;
    let client = app.client("mobile").create().await;
    app.client("spa")
        .public()
        .grants(&[GrantType::AuthorizationCode])
        .create()
        .await;
    app.user("alice").create().await;
    app.password_tokens(&client, "alice").await;
    let response = app.get("/admin/clients").session(&session).await;
    assert_page(&response, StatusCode::OK);
    let html = response.text();
    let mobile = between(&html, "<code>mobile</code>", "</tr>").unwrap();
    assert!(mobile.contains("confidential"), "{mobile}");
    assert!(
        mobile.contains("password (legacy)"),
        "the password grant is marked legacy"
    );
    assert!(mobile.contains("refresh_token"));
    assert!(!mobile.contains("never"), "used just now: {mobile}");
    let spa = between(&html, "<code>spa</code>", "</tr>").unwrap();
    assert!(spa.contains("public") && spa.contains("never"), "{spa}");
    assert!(html.contains("href=\"/admin/clients/mobile\">mobile app</a>"));
}

async fn a_created_clients_secret_is_shown_once_and_works_at_the_token_endpoint(app: TestApp) {
    let (_, session) = app.admin().await;
    let response = app
        .admin_post(
            "/admin/clients",
            &session,
            &[
                ("name", "Billing service"),
                ("client_id", "billing"),
                ("kind", "confidential"),
                ("grant_client_credentials", "on"),
                ("scopes", "read write"),
                ("access_token_lifetime", "10m"),
            ],
        )
        .await;
    assert_page(&response, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let secret = shown_secret(&response);
    assert!(secret.len() >= 43, "256 bits: {secret}");
    assert!(response.text().contains("It is shown this once"));

    let token = client_credentials(&app, "billing", &secret).await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.text());
    assert_eq!(token.json()["expires_in"], 600);
    assert_eq!(token.json()["scope"], "read write");

    let stored = store::clients::find_by_client_id(app.db(), "billing")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        stored.secret_hash.as_deref(),
        Some(secret.as_str()),
        "only the hash is kept"
    );
    // The client's own page never shows the secret again.
    let page = app
        .get("/admin/clients/billing")
        .session(&session)
        .await
        .text();
    assert!(!page.contains(&secret));
    let event = app
        .assert_last_event("client.create", "root", "client:billing")
        .await;
    assert!(!event.details.unwrap_or_default().contains(&secret));
}

async fn a_public_client_gets_no_secret_and_a_generated_id(app: TestApp) {
    let (_, session) = app.admin().await;
    let response = app
        .admin_post(
            "/admin/clients",
            &session,
            &[
                ("name", "SPA"),
                ("kind", "public"),
                ("grant_authorization_code", "on"),
                ("redirect_uris", "http://localhost:5173/callback"),
            ],
        )
        .await;
    assert_page(&response, StatusCode::OK);
    assert!(!response.text().contains("client-secret"));
    let client_id = between(&response.text(), "<code id=\"client-id\">", "</code>")
        .unwrap()
        .to_owned();
    let stored = store::clients::find_by_client_id(app.db(), &client_id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.is_public() && stored.secret_hash.is_none());
    assert_eq!(stored.redirect_uris(), ["http://localhost:5173/callback"]);
}

async fn invalid_input_shows_the_form_again_with_messages_at_the_fields(app: TestApp) {
    let (_, session) = app.admin().await;
    let response = app
        .admin_post(
            "/admin/clients",
            &session,
            &[
                ("name", "Shop"),
                ("client_id", "shop"),
                ("kind", "public"),
                ("grant_authorization_code", "on"),
                ("grant_password", "on"),
                (
                    "redirect_uris",
                    "http://shop.example/cb\nhttps://shop.example/cb#x",
                ),
                ("post_logout_redirect_uris", "/relative"),
                ("access_token_lifetime", "forever"),
            ],
        )
        .await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text();
    let field = |id: &str| {
        between(&html, &format!("id=\"{id}\""), "</div>")
            .unwrap()
            .to_owned()
    };
    assert!(field("redirect_uris").contains("`http://shop.example/cb` must use https"));
    assert!(field("post_logout_redirect_uris").contains("`/relative` is not an absolute URI"));
    assert!(field("access_token_lifetime").contains("a duration such as 15m"));
    assert!(html.contains("public clients may not use the password or client-credentials grant"));
    // What was typed is kept.
    assert!(html.contains("value=\"shop\""));
    assert!(html.contains("http://shop.example/cb\nhttps://shop.example/cb#x</textarea>"));
    assert!(
        store::clients::find_by_client_id(app.db(), "shop")
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.audit_trail().await.is_empty());

    let fragment_only = [
        ("name", "Shop"),
        ("kind", "confidential"),
        ("grant_authorization_code", "on"),
        ("redirect_uris", "https://shop.example/cb#x"),
    ];
    let response = app
        .admin_post("/admin/clients", &session, &fragment_only)
        .await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("must not have a fragment"));

    app.client("taken").create().await;
    let taken = [
        ("name", "T"),
        ("client_id", "taken"),
        ("kind", "confidential"),
        ("grant_client_credentials", "on"),
    ];
    let response = app.admin_post("/admin/clients", &session, &taken).await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("this client id is taken"));
}

async fn rotating_the_secret_replaces_the_old_one(app: TestApp) {
    let (_, session) = app.admin().await;
    let (id, old) = app
        .client("svc")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    assert_eq!(
        client_credentials(&app, &id, &old).await.status,
        StatusCode::OK
    );
    let response = app
        .admin_post("/admin/clients/svc/rotate-secret", &session, &[])
        .await;
    assert_page(&response, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let new = shown_secret(&response);
    assert_ne!(new, old);
    let refused = client_credentials(&app, &id, &old).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("old_secret_after_rotation", refused.json());
    assert_eq!(
        client_credentials(&app, &id, &new).await.status,
        StatusCode::OK
    );
    app.assert_last_event("client.rotate_secret", "root", "client:svc")
        .await;

    app.client("spa")
        .public()
        .grants(&[GrantType::RefreshToken])
        .create()
        .await;
    let response = app
        .admin_post("/admin/clients/spa/rotate-secret", &session, &[])
        .await;
    assert_page(&response, StatusCode::CONFLICT);
}

async fn editing_saves_every_setting(app: TestApp) {
    let (_, session) = app.admin().await;
    app.client("web").create().await;
    let edit = app.get("/admin/clients/web").session(&session).await;
    assert_page(&edit, StatusCode::OK);
    assert!(
        edit.text()
            .contains("name=\"grant_password\" value=\"on\" checked")
    );
    let response = app
        .admin_post(
            "/admin/clients/web",
            &session,
            &[
                ("name", "Web shop"),
                ("grant_authorization_code", "on"),
                ("grant_refresh_token", "on"),
                (
                    "redirect_uris",
                    "https://shop.example/cb https://shop.example/cb2",
                ),
                ("post_logout_redirect_uris", "https://shop.example/bye"),
                ("scopes", "openid email"),
                ("audience", "https://api.shop.example"),
                ("access_token_lifetime", "15m"),
                ("refresh_token_lifetime", "30d"),
            ],
        )
        .await;
    assert_see_other(&response, "/admin/clients/web?notice=saved");
    let c = store::clients::find_by_client_id(app.db(), "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "Web shop");
    assert_eq!(c.grant_types(), ["authorization_code", "refresh_token"]);
    assert_eq!(
        c.redirect_uris(),
        ["https://shop.example/cb", "https://shop.example/cb2"]
    );
    assert_eq!(c.post_logout_redirect_uris(), ["https://shop.example/bye"]);
    assert_eq!(c.scopes(), ["email", "openid"]);
    assert_eq!(c.audience.as_deref(), Some("https://api.shop.example"));
    assert_eq!(
        (c.access_token_lifetime_secs, c.refresh_token_lifetime_secs),
        (Some(900), Some(2_592_000))
    );
    assert!(!c.first_party);
    let event = app
        .assert_last_event("client.update", "root", "client:web")
        .await;
    assert!(event.details.unwrap().contains("\"redirect_uris\""));

    let page = app
        .get("/admin/clients/web?notice=saved")
        .session(&session)
        .await
        .text();
    assert!(page.contains("Changes saved."));
    assert!(page.contains(">15m<") || page.contains("value=\"15m\""));

    let bad = [
        ("name", ""),
        ("grant_refresh_token", "on"),
        ("redirect_uris", "https://x.example/#f"),
    ];
    let response = app.admin_post("/admin/clients/web", &session, &bad).await;
    assert_page(&response, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("a name is required"));
    let unchanged = store::clients::find_by_client_id(app.db(), "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.name, "Web shop");
    assert_eq!(
        app.get("/admin/clients/nope")
            .session(&session)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn disabling_a_client_refuses_it_and_revokes_its_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();

    let response = app
        .admin_post("/admin/clients/web/disable", &session, &[])
        .await;
    assert_see_other(&response, "/admin/clients/web?notice=disabled");
    app.assert_last_event("client.disable", "root", "client:web")
        .await;
    let response = app.refresh_grant(&client, refresh_token).await;
    insta::assert_json_snapshot!("refresh_at_a_disabled_client", response.json());
    let page = app.get("/admin/clients").session(&session).await.text();
    assert!(page.contains("disabled"));

    let response = app
        .admin_post("/admin/clients/web/enable", &session, &[])
        .await;
    assert_see_other(&response, "/admin/clients/web?notice=enabled");
    app.assert_last_event("client.enable", "root", "client:web")
        .await;
    let response = app.refresh_grant(&client, refresh_token).await;
    // Its old tokens stay revoked.
    insta::assert_json_snapshot!("revoked_refresh_token", response.json());
    app.password_tokens(&client, "alice").await;
}

async fn deleting_asks_first_then_revokes_and_removes_the_client(app: TestApp) {
    let (_, session) = app.admin().await;
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let confirm = app.get("/admin/clients/web/delete").session(&session).await;
    assert_page(&confirm, StatusCode::OK);
    assert!(confirm.text().contains("Delete web app?"));
    assert!(
        confirm
            .text()
            .contains("action=\"/admin/clients/web/delete\"")
    );

    let response = app
        .admin_post("/admin/clients/web/delete", &session, &[])
        .await;
    assert_see_other(&response, "/admin/clients?notice=deleted");
    assert!(
        store::clients::find_by_client_id(app.db(), "web")
            .await
            .unwrap()
            .is_none()
    );
    let rows = sesame::entities::refresh_tokens::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert!(
        rows.iter()
            .all(|r| r.revoke_reason.as_deref() == Some("client_deleted"))
    );
    let response = app
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    app.assert_last_event("client.delete", "root", "client:web")
        .await;
    let again = app
        .admin_post("/admin/clients/web/delete", &session, &[])
        .await;
    assert_page(&again, StatusCode::NOT_FOUND);
}

async fn revoking_a_clients_tokens_kills_them(app: TestApp) {
    let (_, session) = app.admin().await;
    app.user("alice").create().await;
    let web = app.client("web").create().await;
    let other = app.client("other").create().await;
    let web_tokens = app.password_tokens(&web, "alice").await;
    let other_tokens = app.password_tokens(&other, "alice").await;
    let response = app
        .admin_post("/admin/clients/web/revoke-tokens", &session, &[])
        .await;
    assert_see_other(&response, "/admin/clients/web?notice=revoked");
    let dead = app
        .refresh_grant(&web, web_tokens["refresh_token"].as_str().unwrap())
        .await;
    insta::assert_json_snapshot!("revoked_refresh_token", dead.json());
    let alive = app
        .refresh_grant(&other, other_tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(alive.status, StatusCode::OK);
    let event = app
        .assert_last_event("client.revoke_tokens", "root", "client:web")
        .await;
    assert!(
        event
            .details
            .unwrap()
            .contains("\"revoked_refresh_tokens\":1")
    );
}

on_both_databases!(
    the_list_shows_name_id_kind_grants_and_last_use,
    a_created_clients_secret_is_shown_once_and_works_at_the_token_endpoint,
    a_public_client_gets_no_secret_and_a_generated_id,
    invalid_input_shows_the_form_again_with_messages_at_the_fields,
    rotating_the_secret_replaces_the_old_one,
    editing_saves_every_setting,
    disabling_a_client_refuses_it_and_revokes_its_tokens,
    deleting_asks_first_then_revokes_and_removes_the_client,
    revoking_a_clients_tokens_kills_them,
);
