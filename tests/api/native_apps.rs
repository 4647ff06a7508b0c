//! Native apps (RFC 8252): a loopback IP literal matches on any port at the authorization and
//! token endpoints (§7.3), `localhost` does not (§8.3), and public clients may register a
//! private-use scheme named after a reverse domain (§7.1) in the CLI and the admin UI alike.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::admin::assert_page;
use crate::support::html::between;
use crate::support::oauth::{authorize_path, pkce, query_param};
use crate::support::{TestApp, TestResponse};
use sesame::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
use sesame::store;

const REGISTERED: &[&str] = &[
    "http://127.0.0.1/callback",
    "http://[::1]:8000/callback?app=1",
    "http://localhost/callback",
    "com.example.app:/callback",
];

/// A public native app of the code flow registering [`REGISTERED`]; alice exists.
async fn native_app(app: &TestApp) -> (String, String) {
    app.user("alice").create().await;
    app.client("native")
        .public()
        .grants(&[GrantType::AuthorizationCode, GrantType::RefreshToken])
        .redirect_uris(REGISTERED)
        .create()
        .await
}

/// Alice, signed in, asks to authorize `native` at `redirect_uri`; answers the response and the
/// PKCE verifier.
async fn authorize(app: &TestApp, redirect_uri: &str) -> (TestResponse, String) {
    let (verifier, challenge) = pkce();
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let path = authorize_path(&[
        ("client_id", "native"),
        ("redirect_uri", redirect_uri),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("state", "st-1"),
    ]);
    (agent.get(&path).await, verifier)
}

async fn exchange(app: &TestApp, code: &str, redirect_uri: &str, verifier: &str) -> TestResponse {
    let params = [
        ("grant_type", "authorization_code"),
        ("client_id", "native"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    app.post("/oauth/token").form(&params).await
}

async fn loopback_ip_literals_are_matched_on_any_port(app: TestApp) {
    native_app(&app).await;
    for asked in [
        "http://127.0.0.1:53219/callback",
        "http://127.0.0.1/callback",
        "http://[::1]:61000/callback?app=1",
        "http://[::1]/callback?app=1",
        "com.example.app:/callback",
    ] {
        let (response, verifier) = authorize(&app, asked).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{asked}: {}",
            response.text()
        );
        let target = response.location();
        // Back to the very port the app listens on.
        assert!(
            target.starts_with(&format!(
                "{asked}{}",
                if asked.contains('?') { "&" } else { "?" }
            )),
            "{asked}: {target}"
        );
        assert_eq!(query_param(&target, "state").as_deref(), Some("st-1"));
        let code = query_param(&target, "code").unwrap();
        let tokens = exchange(&app, &code, asked, &verifier).await;
        assert_eq!(tokens.status, StatusCode::OK, "{asked}: {}", tokens.text());
    }
}

async fn anything_but_a_loopback_port_must_match_exactly(app: TestApp) {
    native_app(&app).await;
    for asked in [
        "http://127.0.0.1:53219/other",
        "http://127.0.0.1:53219/callback/",
        "http://127.0.0.1:53219/callback?x=1",
        "https://127.0.0.1:53219/callback",
        "http://[::1]:61000/callback",
        "http://127.0.0.2:53219/callback",
        // `localhost` may resolve elsewhere: exact, port included (RFC 8252 §8.3).
        "http://localhost:53219/callback",
        "com.example.app:/other",
        "com.example.evil:/callback",
    ] {
        let (response, _) = authorize(&app, asked).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{asked}");
        assert!(response.header("location").is_none(), "{asked}");
        assert!(
            response.text().contains("redirect_uri is not registered"),
            "{asked}"
        );
    }
}

async fn the_token_endpoint_wants_the_uri_of_the_authorization_request(app: TestApp) {
    native_app(&app).await;
    let (response, verifier) = authorize(&app, "http://127.0.0.1:53219/callback").await;
    let code = query_param(&response.location(), "code").unwrap();
    // RFC 6749 §4.1.3: identical to the authorization request's, port included.
    for other in [
        "http://127.0.0.1:53220/callback",
        "http://127.0.0.1:53219/other",
    ] {
        let refused = exchange(&app, &code, other, &verifier).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{other}");
        assert_eq!(refused.json()["error"], "invalid_grant");
    }
}

async fn only_public_clients_register_private_use_schemes(app: TestApp) {
    let registration = |kind, uri: &str| ClientRegistration {
        client_id: None,
        name: "App".into(),
        kind,
        redirect_uris: vec![uri.to_owned()],
        grant_types: vec![GrantType::AuthorizationCode],
        scopes: vec![],
        audience: None,
        first_party: true,
        logo_uri: None,
    };
    for (kind, uri, why) in [
        (
            ClientKind::Confidential,
            "com.example.app:/callback",
            "public clients",
        ),
        (ClientKind::Public, "myapp:/callback", "reverse domain"),
        (
            ClientKind::Public,
            "com.example.app://callback",
            "single slash",
        ),
        (
            ClientKind::Public,
            "http://app.example/callback",
            "must use https",
        ),
    ] {
        let refused =
            clients::register_client(&app.state, registration(kind, uri), app.now()).await;
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains(why), "{uri}: {message}");
    }
    assert!(store::clients::list(app.db()).await.unwrap().is_empty());

    let (_, session) = app.admin().await;
    let form = |kind| {
        [
            ("name", "Phone app"),
            ("client_id", "phone"),
            ("kind", kind),
            ("grant_authorization_code", "on"),
            (
                "redirect_uris",
                "com.example.app:/callback\nhttp://127.0.0.1/callback",
            ),
        ]
    };
    let refused = app
        .admin_post("/admin/clients", &session, &form("confidential"))
        .await;
    assert_page(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    let field = between(&refused.text(), "id=\"redirect_uris\"", "</div>")
        .unwrap()
        .to_owned();
    assert!(
        field.contains("private-use schemes are for public clients"),
        "{field}"
    );
    let created = app
        .admin_post("/admin/clients", &session, &form("public"))
        .await;
    assert_page(&created, StatusCode::OK);
    let stored = store::clients::find_by_client_id(app.db(), "phone")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.redirect_uris(),
        ["com.example.app:/callback", "http://127.0.0.1/callback"]
    );
}

on_both_databases!(
    loopback_ip_literals_are_matched_on_any_port,
    anything_but_a_loopback_port_must_match_exactly,
    the_token_endpoint_wants_the_uri_of_the_authorization_request,
    only_public_clients_register_private_use_schemes,
);
