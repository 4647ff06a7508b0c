//! `GET /oauth/authorize` (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1.2): which errors render a page
//! and which go back to the client, PKCE rules, the login detour, consent for third parties.

use axum::http::StatusCode;
use sea_orm::EntityTrait;

use crate::on_both_databases;
use crate::support::html::{csrf_token, form_action};
use crate::support::oauth::{REDIRECT_URI, authorize_path, pkce, query_param};
use crate::support::requests::form;
use crate::support::{PASSWORD, TestApp, TestResponse};
use sesame::auth::clients::GrantType;
use sesame::crypto::secrets;
use sesame::entities::authorization_codes;

on_both_databases!(
    requests_that_cannot_go_back_render_an_error_page,
    without_a_session_the_login_form_comes_first_then_the_code,
    pkce_is_required_for_public_clients_and_must_be_s256,
    other_request_errors_go_back_to_the_client_with_state,
    third_party_clients_ask_for_consent,
    consent_needs_the_csrf_token,
    prompt_none_never_shows_a_page,
);

const CODE_GRANTS: &[GrantType] = &[GrantType::AuthorizationCode, GrantType::RefreshToken];

fn assert_error_page(response: &TestResponse, needle: &str) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text()
    );
    assert!(response.header("location").is_none());
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    assert!(
        response.text().contains(needle),
        "{needle} in {}",
        response.text()
    );
}

/// Asserts a redirect to the client carrying `error` and the request's state.
fn assert_error_redirect(response: &TestResponse, error: &str) {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    let target = response.location();
    assert!(target.starts_with(REDIRECT_URI), "{target}");
    assert_eq!(
        query_param(&target, "error").as_deref(),
        Some(error),
        "{target}"
    );
    assert_eq!(
        query_param(&target, "state").as_deref(),
        Some("st-1"),
        "{target}"
    );
    assert!(query_param(&target, "code").is_none());
}

async fn requests_that_cannot_go_back_render_an_error_page(app: TestApp) {
    app.user("alice").create().await;
    app.client("app")
        .grants(CODE_GRANTS)
        .redirect_uris(&[REDIRECT_URI, "https://app.example/other"])
        .create()
        .await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let (_, challenge) = pkce();
    let base = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("redirect_uri", REDIRECT_URI)], "no client_id"),
        (
            vec![("client_id", "nope"), ("redirect_uri", REDIRECT_URI)],
            "unknown or disabled",
        ),
        (
            vec![
                ("client_id", "app"),
                ("redirect_uri", "https://evil.example/callback"),
            ],
            "not registered",
        ),
        (
            vec![
                ("client_id", "app"),
                ("redirect_uri", "https://app.example/callback/"),
            ],
            "not registered",
        ),
        (vec![("client_id", "app")], "must name one"),
        (
            vec![("client_id", "app"), ("redirect_uri", "not a url")],
            "not a valid URL",
        ),
    ];
    for (params, needle) in cases {
        let mut all = params.clone();
        all.extend_from_slice(&base);
        let response = agent.get(&authorize_path(&all)).await;
        assert_error_page(&response, needle);
    }
    let repeated = format!(
        "{}&redirect_uri=https%3A%2F%2Fevil.example%2F",
        authorize_path(&[("client_id", "app"), ("redirect_uri", REDIRECT_URI)])
    );
    assert_error_page(&agent.get(&repeated).await, "repeated");
}

async fn without_a_session_the_login_form_comes_first_then_the_code(app: TestApp) {
    app.user("alice").create().await;
    app.client("app").code_flow().create().await;
    let (_, challenge) = pkce();
    let request = authorize_path(&[
        ("client_id", "app"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid profile"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let mut agent = app.agent();
    let response = agent.get(&request).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let login = response.location();
    // The login form comes back to the same request, marked with when it was sent to log in.
    let next = query_param(&login, "next").unwrap();
    let asked_at = app.state.now().timestamp_millis();
    assert_eq!(next, format!("{request}&sesame_login_asked_at={asked_at}"));

    let form = agent.get(&login).await;
    assert!(
        form.text()
            .contains("to continue to <strong>app app</strong>"),
        "{}",
        form.text()
    );
    let csp = form.header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' https://app.example;"),
        "{csp}"
    );

    let csrf = csrf_token(&form.text());
    let response = agent
        .post(
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(response.location(), next);
    let response = agent.get(&next).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let target = response.location();
    assert!(
        target.starts_with(&format!("{REDIRECT_URI}?code=")),
        "{target}"
    );
    assert_eq!(query_param(&target, "state").as_deref(), Some("st-1"));

    // The code is stored hashed, bound to everything the request named.
    let code = query_param(&target, "code").unwrap();
    let rows = authorization_codes::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.code_hash, secrets::sha256_hex(&code));
    assert_eq!(row.client_id, "app");
    assert_eq!(row.redirect_uri.as_deref(), Some(REDIRECT_URI));
    assert_eq!(row.scope, "openid profile");
    assert_eq!(row.nonce.as_deref(), Some("n-1"));
    assert_eq!(row.code_challenge.as_deref(), Some(challenge.as_str()));
    assert_eq!(row.code_challenge_method.as_deref(), Some("S256"));
    assert_eq!((row.expires_at - row.created_at).num_seconds(), 60);
}

async fn pkce_is_required_for_public_clients_and_must_be_s256(app: TestApp) {
    app.user("alice").create().await;
    app.client("spa").public().code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let (verifier, challenge) = pkce();
    let short = "a".repeat(42);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "public clients must use PKCE"),
        (vec![("code_challenge", &challenge)], "must be S256"),
        (
            vec![
                ("code_challenge", &verifier),
                ("code_challenge_method", "plain"),
            ],
            "must be S256",
        ),
        (
            vec![
                ("code_challenge", &challenge),
                ("code_challenge_method", "S512"),
            ],
            "must be S256",
        ),
        (
            vec![
                ("code_challenge", &short),
                ("code_challenge_method", "S256"),
            ],
            "43 to 128",
        ),
        (
            vec![("code_challenge_method", "S256")],
            "without code_challenge",
        ),
    ];
    for (extra, why) in cases {
        let mut params = vec![
            ("client_id", "spa"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "st-1"),
        ];
        params.extend(extra);
        let response = agent.get(&authorize_path(&params)).await;
        assert_error_redirect(&response, "invalid_request");
        let description = query_param(&response.location(), "error_description").unwrap();
        assert!(description.contains(why), "{why}: {description}");
    }
    let ok = agent
        .get(&authorize_path(&[
            ("client_id", "spa"),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]))
        .await;
    assert!(query_param(&ok.location(), "code").is_some());
}

async fn other_request_errors_go_back_to_the_client_with_state(app: TestApp) {
    app.user("alice").create().await;
    app.client("app")
        .grants(CODE_GRANTS)
        .scopes(&["openid", "profile"])
        .redirect_uris(&[REDIRECT_URI])
        .create()
        .await;
    app.client("legacy")
        .grants(&[GrantType::Password])
        .redirect_uris(&[REDIRECT_URI])
        .create()
        .await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let with = |client: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let mut params = vec![("client_id", client), ("state", "st-1")];
        params.extend(extra);
        params
    };
    let token_type = [
        ("state", "st-1"),
        ("client_id", "app"),
        ("response_type", "token"),
    ];
    let response = agent
        .get(&format!("/oauth/authorize?{}", form(&token_type)))
        .await;
    assert_error_redirect(&response, "unsupported_response_type");
    let response = agent
        .get(&authorize_path(&with(
            "app",
            vec![("scope", "openid admin")],
        )))
        .await;
    assert_error_redirect(&response, "invalid_scope");
    let response = agent.get(&authorize_path(&with("legacy", vec![]))).await;
    assert_error_redirect(&response, "unauthorized_client");
    let response = agent
        .get(&authorize_path(&with(
            "app",
            vec![("response_mode", "fragment")],
        )))
        .await;
    assert_error_redirect(&response, "invalid_request");
    // A confidential client may skip PKCE; the single registered URI may be omitted.
    let response = agent.get(&authorize_path(&with("app", vec![]))).await;
    let target = response.location();
    assert!(query_param(&target, "code").is_some(), "{target}");
    let code = query_param(&target, "code").unwrap();
    let row = authorization_codes::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.code_hash, secrets::sha256_hex(&code));
    assert_eq!(row.redirect_uri, None, "omitted in the request");
    assert_eq!(
        row.scope, "openid profile",
        "everything the client may have"
    );
    assert_eq!(row.code_challenge, None);
}

async fn third_party_clients_ask_for_consent(app: TestApp) {
    app.user("alice").create().await;
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    let (_, challenge) = pkce();
    let request = authorize_path(&[
        ("client_id", "partner"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid email"),
        ("state", "st-1"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let page = agent.get(&request).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' https://app.example;"),
        "{csp}"
    );
    let html = page.text();
    for needle in [
        "partner app",
        "See your email address",
        "<code>email</code>",
        "alice",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert_eq!(form_action(&html), request);
    assert!(
        authorization_codes::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );

    let csrf = csrf_token(&html);
    let denied = agent
        .post(&request, &[("csrf_token", &csrf), ("decision", "deny")])
        .await;
    assert_error_redirect(&denied, "access_denied");
    assert!(
        authorization_codes::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );

    let approved = agent
        .post(&request, &[("csrf_token", &csrf), ("decision", "approve")])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let target = approved.location();
    assert!(query_param(&target, "code").is_some(), "{target}");
    assert_eq!(query_param(&target, "state").as_deref(), Some("st-1"));

    // A first-party client never asks, unless prompt=consent says so.
    app.client("own").code_flow().create().await;
    let own = authorize_path(&[("client_id", "own"), ("redirect_uri", REDIRECT_URI)]);
    assert_eq!(agent.get(&own).await.status, StatusCode::SEE_OTHER);
    let asked = agent.get(&format!("{own}&prompt=consent")).await;
    assert_eq!(asked.status, StatusCode::OK);
}

async fn consent_needs_the_csrf_token(app: TestApp) {
    app.user("alice").create().await;
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    let request = authorize_path(&[("client_id", "partner"), ("redirect_uri", REDIRECT_URI)]);
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    assert_eq!(agent.get(&request).await.status, StatusCode::OK);
    for params in [
        vec![("decision", "approve")],
        vec![("decision", "approve"), ("csrf_token", "x")],
    ] {
        let response = agent.post(&request, &params).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{}",
            response.text()
        );
        assert!(response.header("location").is_none());
    }
    // Without a session the decision cannot count: back to the login form.
    let mut stranger = app.agent();
    let response = stranger
        .post(&request, &[("decision", "approve"), ("csrf_token", "x")])
        .await;
    assert!(response.location().starts_with("/login?next="));
    assert!(
        authorization_codes::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );
}

async fn prompt_none_never_shows_a_page(app: TestApp) {
    app.user("alice").create().await;
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    let request = authorize_path(&[
        ("client_id", "partner"),
        ("redirect_uri", REDIRECT_URI),
        ("state", "st-1"),
        ("prompt", "none"),
    ]);
    let mut agent = app.agent();
    assert_error_redirect(&agent.get(&request).await, "login_required");
    agent.sign_in("alice").await;
    assert_error_redirect(&agent.get(&request).await, "consent_required");
}
