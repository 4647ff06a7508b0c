//! The `openidconnect` crate as a relying party in the authorization-code flow, over a real
//! listener: it discovers Sesame, builds the authorization URL with PKCE and a nonce; the test
//! fills in the real login form over HTTP (cookies kept, redirects followed by hand); the crate
//! exchanges the code and verifies the ID token, nonce included, against the served JWKS.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::support::html::csrf_token;
use crate::support::oauth::{REDIRECT_URI, query_param};
use crate::support::{Backend, PASSWORD, TestApp};
use sesame::auth::clients::GrantType;

async fn openidconnect_crate_runs_the_code_flow_with_pkce_and_nonce(app: TestApp) {
    let issuer = app.state.config.issuer.clone();
    app.user("alice").email("alice@example.com").create().await;
    let (client_id, secret) = app
        .client("rp")
        .third_party()
        .grants(&[GrantType::AuthorizationCode, GrantType::RefreshToken])
        .redirect_uris(&[REDIRECT_URI])
        .create()
        .await;

    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser's part: no session, so the login form; then consent; then the redirect.
    let to_login = http.get(auth_url.as_str()).send().await.unwrap();
    assert_eq!(to_login.status(), StatusCode::SEE_OTHER);
    let login_path = to_login.headers()["location"].to_str().unwrap().to_owned();
    let next = query_param(&login_path, "next").unwrap();
    let form = http
        .get(format!("{issuer}{login_path}"))
        .send()
        .await
        .unwrap();
    let html = form.text().await.unwrap();
    assert!(html.contains("rp app"), "{html}");
    let signed_in = http
        .post(format!("{issuer}/login"))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("csrf_token", &csrf_token(&html)),
            ("next", &next),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], next.as_str());
    let consent = http.get(format!("{issuer}{next}")).send().await.unwrap();
    let html = consent.text().await.unwrap();
    assert!(html.contains("See your email address"), "{html}");
    let approved = http
        .post(format!("{issuer}{next}"))
        .form(&[
            ("csrf_token", csrf_token(&html).as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let callback = approved.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(state.secret().as_str())
    );
    let code = query_param(&callback, "code").unwrap();

    // The relying party's part: exchange, verify the ID token and its nonce against the JWKS.
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = response.id_token().expect("id_token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("alice@example.com")
    );
    assert!(claims.auth_time().is_some());
    let wrong_nonce = Nonce::new("another".into());
    assert!(
        id_token
            .claims(&client.id_token_verifier(), &wrong_nonce)
            .is_err()
    );
    assert!(response.refresh_token().is_some());

    let userinfo = http
        .get(format!("{issuer}/oauth/userinfo"))
        .bearer_auth(response.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_flow_relying_party_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    openidconnect_crate_runs_the_code_flow_with_pkce_and_nonce(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_flow_relying_party_on_postgres() {
    if let Some(app) = TestApp::served(Backend::Postgres).await {
        openidconnect_crate_runs_the_code_flow_with_pkce_and_nonce(app).await;
    }
}
