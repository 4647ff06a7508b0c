//! The `openidconnect` crate as a relying party in the authorization-code flow, over a real
//! listener: it discovers Sesame, builds the authorization URL with PKCE and a nonce; the test
//! fills in the real login form over HTTP (cookies kept, redirects followed by hand); the crate
//! exchanges the code and verifies the ID token, nonce included, against the served JWKS; and
//! with `max_age` (OIDC Core §3.1.2.1) it checks `auth_time` as an RP should (§3.1.3.7 step 13).

use chrono::{DateTime, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use std::time::Duration;

use crate::support::html::csrf_token;
use crate::support::oauth::{REDIRECT_URI, query_param};
use crate::support::{Backend, PASSWORD, TestApp};
use sesame::auth::clients::GrantType;

/// The crate's client as discovery configures it, redirecting to [`REDIRECT_URI`].
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A browser-like HTTP client (cookies kept, redirects not followed) and the relying party,
/// configured from Sesame's discovery document.
async fn relying_party(
    issuer: &str,
    client_id: String,
    secret: String,
) -> (reqwest::Client, Client) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.to_owned()).unwrap(), &http)
            .await
            .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());
    (http, client)
}

/// The browser's part up to the login: the authorization request sends it to the login form
/// (which names `client_name`), alice signs in there; returns the request the form leads back to.
async fn log_in_over_http(
    http: &reqwest::Client,
    issuer: &str,
    auth_url: &str,
    client_name: &str,
) -> String {
    let to_login = http.get(auth_url).send().await.unwrap();
    assert_eq!(to_login.status(), StatusCode::SEE_OTHER);
    let login_path = to_login.headers()["location"].to_str().unwrap().to_owned();
    let next = query_param(&login_path, "next").unwrap();
    let form = http
        .get(format!("{issuer}{login_path}"))
        .send()
        .await
        .unwrap();
    let html = form.text().await.unwrap();
    assert!(html.contains(client_name), "{html}");
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
    next
}

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
    let (http, client) = relying_party(&issuer, client_id, secret).await;
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
    let next = log_in_over_http(&http, &issuer, auth_url.as_str(), "rp app").await;
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

/// The RP's `auth_time` check for `max_age` (OIDC Core §3.1.3.7 step 13), at `now`.
fn auth_time_within(
    now: DateTime<Utc>,
    max_age: Duration,
) -> impl Fn(Option<DateTime<Utc>>) -> Result<(), String> + Send + Sync {
    let max_age = chrono::Duration::from_std(max_age).unwrap();
    move |auth_time| match auth_time {
        Some(at) if now - at <= max_age => Ok(()),
        Some(at) => Err(format!("authenticated at {at}, more than max_age ago")),
        None => Err("max_age was sent, so auth_time is required".into()),
    }
}

async fn openidconnect_crate_sends_max_age_and_checks_auth_time(app: TestApp) {
    let issuer = app.state.config.issuer.clone();
    app.user("alice").create().await;
    let (client_id, secret) = app.client("rp").code_flow().create().await;
    let (http, client) = relying_party(&issuer, client_id, secret).await;
    let max_age = Duration::from_secs(120);
    let authorize = || {
        client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_max_age(max_age)
            .url()
    };

    // A first login, then ten minutes: more than max_age, so the login form again.
    let (first, _, _) = authorize();
    log_in_over_http(&http, &issuer, first.as_str(), "rp app").await;
    app.advance(Duration::from_secs(600));
    let (again, _, nonce) = authorize();
    let next = log_in_over_http(&http, &issuer, again.as_str(), "rp app").await;
    let logged_in_at = app.now();
    let back = http.get(format!("{issuer}{next}")).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let code = query_param(&callback, "code").unwrap_or_else(|| panic!("{callback}"));

    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    let id_token = response.id_token().expect("id_token");
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || logged_in_at)
        .set_auth_time_verifier_fn(auth_time_within(logged_in_at, max_age));
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(
        claims.auth_time().map(|t| t.timestamp()),
        Some(logged_in_at.timestamp())
    );
    // The same check a second past max_age fails: the claim is the real login time.
    let later = logged_in_at + chrono::Duration::seconds(121);
    let late = client
        .id_token_verifier()
        .set_time_fn(move || later)
        .set_auth_time_verifier_fn(auth_time_within(later, max_age));
    assert!(matches!(
        id_token.claims(&late, &nonce),
        Err(ClaimsVerificationError::InvalidAuthTime(_))
    ));

    // Inside max_age the session is enough: straight back with a code.
    app.advance(Duration::from_secs(60));
    let (inside, _, _) = authorize();
    let back = http.get(inside.as_str()).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(query_param(&callback, "code").is_some(), "{callback}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_relying_party_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    openidconnect_crate_sends_max_age_and_checks_auth_time(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_relying_party_on_postgres() {
    if let Some(app) = TestApp::served(Backend::Postgres).await {
        openidconnect_crate_sends_max_age_and_checks_auth_time(app).await;
    }
}
