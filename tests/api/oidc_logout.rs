//! OpenID Connect: the discovery facts of the code flow, and RP-initiated logout
//! (`end_session_endpoint`) with `id_token_hint`, a registered `post_logout_redirect_uri` and
//! `state` passed back.

use axum::http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::agent::Agent;
use crate::support::html::{csrf_token, form_action};
use crate::support::oauth::{REDIRECT_URI, authorize_path, pkce, query_param};
use crate::support::requests::form;
use sesame::auth::clients::GrantType;
use sesame::entities::{clients, sessions};

on_both_databases!(
    a_hinted_logout_ends_the_session_and_returns_with_state,
    logout_redirects_only_to_registered_uris,
    logout_without_a_matching_hint_asks_first,
);

const AFTER_LOGOUT: &str = "https://app.example/signed-out";

#[tokio::test]
async fn discovery_advertises_the_code_flow_and_end_session() {
    let app = TestApp::spawn().await;
    let doc = app.get("/.well-known/openid-configuration").await.json();
    assert_eq!(
        doc["authorization_endpoint"],
        "http://sesame.test/oauth/authorize"
    );
    assert_eq!(
        doc["end_session_endpoint"],
        "http://sesame.test/oauth/logout"
    );
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["response_modes_supported"], json!(["query"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let claims = doc["claims_supported"].as_array().unwrap();
    for claim in [
        "sub",
        "nonce",
        "auth_time",
        "at_hash",
        "email",
        "phone_number",
    ] {
        assert!(claims.contains(&json!(claim)), "{claim}");
    }
}

async fn setup(app: &TestApp) {
    app.user("alice").create().await;
    app.user("bob").create().await;
    app.client("app")
        .grants(&[GrantType::AuthorizationCode])
        .redirect_uris(&[REDIRECT_URI])
        .create()
        .await;
    clients::Entity::update_many()
        .col_expr(
            clients::Column::PostLogoutRedirectUris,
            Expr::value(AFTER_LOGOUT),
        )
        .filter(clients::Column::ClientId.eq("app"))
        .exec(app.db())
        .await
        .unwrap();
}

/// Signs `username` in and runs the code flow to an ID token for client `app`.
async fn id_token_for<'a>(app: &'a TestApp, username: &str) -> (Agent<'a>, String) {
    let mut agent = app.agent();
    agent.sign_in(username).await;
    let (verifier, challenge) = pkce();
    let response = agent
        .get(&authorize_path(&[
            ("client_id", "app"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]))
        .await;
    let code = query_param(&response.location(), "code").unwrap();
    let tokens = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &verifier),
        ])
        .basic("app", &secret_of(app).await)
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
    (
        agent,
        tokens.json()["id_token"].as_str().unwrap().to_owned(),
    )
}

/// The test client's secret, rotated so the test knows it.
async fn secret_of(app: &TestApp) -> String {
    sesame::auth::clients::rotate_client_secret(&app.state, "app")
        .await
        .unwrap()
        .expose()
        .to_owned()
}

async fn signed_in_sessions(app: &TestApp) -> u64 {
    sessions::Entity::find()
        .filter(sessions::Column::UserId.is_not_null())
        .count(app.db())
        .await
        .unwrap()
}

async fn a_hinted_logout_ends_the_session_and_returns_with_state(app: TestApp) {
    setup(&app).await;
    let (mut agent, id_token) = id_token_for(&app, "alice").await;
    assert_eq!(signed_in_sessions(&app).await, 1);
    // The hint has expired (five minutes): RP-Initiated Logout §2 expects that, and so does Sesame.
    app.advance(std::time::Duration::from_secs(600));
    let query = form(&[
        ("id_token_hint", &id_token),
        ("post_logout_redirect_uri", AFTER_LOGOUT),
        ("state", "bye-1"),
    ]);
    let response = agent.get(&format!("/oauth/logout?{query}")).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    assert_eq!(response.location(), format!("{AFTER_LOGOUT}?state=bye-1"));
    assert!(agent.session().is_none(), "cookies cleared");
    assert_eq!(signed_in_sessions(&app).await, 0);

    // Without a session (already signed out) the same request just goes back.
    let again = agent.get(&format!("/oauth/logout?{query}")).await;
    assert_eq!(again.location(), format!("{AFTER_LOGOUT}?state=bye-1"));
    // With nowhere to go, a page says so.
    let page = agent
        .get(&format!(
            "/oauth/logout?{}",
            form(&[("id_token_hint", &id_token)])
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("You are signed out"));
}

async fn logout_redirects_only_to_registered_uris(app: TestApp) {
    setup(&app).await;
    let (mut agent, id_token) = id_token_for(&app, "alice").await;
    let cases = [
        (
            form(&[
                ("id_token_hint", &id_token),
                ("post_logout_redirect_uri", "https://evil.example/"),
            ]),
            "not registered",
        ),
        (
            form(&[("post_logout_redirect_uri", AFTER_LOGOUT)]),
            "needs an id_token_hint or a client_id",
        ),
        (
            form(&[("id_token_hint", &id_token), ("client_id", "other")]),
            "does not match",
        ),
        (form(&[("id_token_hint", "e30.e30.sig")]), "not an ID token"),
    ];
    for (query, needle) in cases {
        let response = agent.get(&format!("/oauth/logout?{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            response.text().contains(needle),
            "{needle}: {}",
            response.text()
        );
        assert!(response.header("location").is_none());
    }
    // An access token, validly signed, is no ID token.
    let legacy = app.client("legacy").create().await;
    let tokens = app.password_tokens(&legacy, "alice").await;
    let hint = form(&[("id_token_hint", tokens["access_token"].as_str().unwrap())]);
    let response = agent.get(&format!("/oauth/logout?{hint}")).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(signed_in_sessions(&app).await, 1, "nothing was signed out");
}

async fn logout_without_a_matching_hint_asks_first(app: TestApp) {
    setup(&app).await;
    let (_, bobs_token) = id_token_for(&app, "bob").await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    for query in [
        form(&[
            ("client_id", "app"),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
            ("state", "s"),
        ]),
        form(&[
            ("id_token_hint", &bobs_token),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
            ("state", "s"),
        ]),
    ] {
        let page = agent.get(&format!("/oauth/logout?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("Sign out of Sesame?"));
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("form-action 'self' https://app.example;"),
            "{csp}"
        );
        assert_eq!(form_action(&page.text()), format!("/oauth/logout?{query}"));
        assert!(agent.session().is_some());
    }
    let query = form(&[
        ("client_id", "app"),
        ("post_logout_redirect_uri", AFTER_LOGOUT),
        ("state", "s"),
    ]);
    let forged = agent.post(&format!("/oauth/logout?{query}"), &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(signed_in_sessions(&app).await, 2, "alice and bob");

    let page = agent.get(&format!("/oauth/logout?{query}")).await;
    let csrf = csrf_token(&page.text());
    let response = agent
        .post(&format!("/oauth/logout?{query}"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(response.location(), format!("{AFTER_LOGOUT}?state=s"));
    assert!(agent.session().is_none());
    assert_eq!(
        signed_in_sessions(&app).await,
        1,
        "bob's session is his own"
    );
}
