//! The `openidconnect` crate as a real relying party over a real listener: discovery, password
//! exchange, refresh exchange, ID-token verification and access-token signature verification
//! against the served JWKS; in HS* mode too, where ID tokens are still signed with the published
//! asymmetric key (issue 11, item 3).

use crate::support::oauth::jwt_parts;
use crate::support::{Backend, PASSWORD, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::reqwest;
use openidconnect::{
    AccessTokenHash, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, JsonWebKey, Nonce, OAuth2TokenResponse, ResourceOwnerPassword,
    ResourceOwnerUsername, Scope, TokenResponse,
};

/// A client built from discovery: token and userinfo endpoints as the metadata says.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Alice, the client `rp`, and a relying party that discovered the app: its HTTP client, the
/// provider metadata and the client built from it.
async fn discover(app: &TestApp) -> (reqwest::Client, CoreProviderMetadata, DiscoveredClient) {
    let issuer = app.state.config.issuer.clone();
    app.user("alice").email("alice@example.com").create().await;
    let (client_id, secret) = app.client("rp").create().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer).unwrap(), &http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(client_id),
        Some(ClientSecret::new(secret)),
    );
    (http, metadata, client)
}

/// The password grant for alice with `openid email`.
async fn log_in(client: &DiscoveredClient, http: &reqwest::Client) -> CoreTokenResponse {
    client
        .exchange_password(
            &ResourceOwnerUsername::new("alice".into()),
            &ResourceOwnerPassword::new(PASSWORD.into()),
        )
        .unwrap()
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .request_async(http)
        .await
        .unwrap()
}

async fn openidconnect_crate_discovers_exchanges_and_verifies(app: TestApp) {
    let (http, metadata, client) = discover(&app).await;
    let jwks = metadata.jwks().clone();
    let response = log_in(&client, &http).await;
    let id_token = response.id_token().expect("id_token");
    let claims = id_token
        .claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(()))
        .unwrap();
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("alice@example.com")
    );

    // The access token verifies against the served JWKS, by kid, with an independent verifier.
    let access = response.access_token().secret();
    let (header, _) = jwt_parts(access);
    let kid = header["kid"].as_str().unwrap();
    let key = jwks
        .keys()
        .iter()
        .find(|k| k.key_id().map(|id| id.as_str()) == Some(kid))
        .expect("kid published");
    let (signing_input, signature) = access.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    key.verify_signature(
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        signing_input.as_bytes(),
        &signature,
    )
    .expect("access token signature verifies against the JWKS");

    let refresh = response.refresh_token().expect("refresh token");
    let refreshed = client
        .exchange_refresh_token(refresh)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        refresh.secret()
    );
    let id_token = refreshed.id_token().expect("id_token on refresh");
    id_token
        .claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(()))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_party_on_sqlite() {
    let app = TestApp::served(Backend::Sqlite).await.unwrap();
    openidconnect_crate_discovers_exchanges_and_verifies(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_party_on_postgres() {
    if let Some(app) = TestApp::served(Backend::Postgres).await {
        openidconnect_crate_discovers_exchanges_and_verifies(app).await;
    }
}

/// HS* mode (simplejwt's): access tokens stay HS256 for the simplejwt backend holding the secret,
/// while the ID token is RS256 with a `kid` from the JWKS, so a relying party verifies it.
async fn openidconnect_crate_verifies_id_tokens_of_hs_mode(app: TestApp) {
    let (http, metadata, client) = discover(&app).await;
    assert_eq!(
        metadata.id_token_signing_alg_values_supported(),
        &[CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]
    );
    let published: Vec<String> = metadata
        .jwks()
        .keys()
        .iter()
        .map(|k| k.key_id().unwrap().as_str().to_owned())
        .collect();
    let response = log_in(&client, &http).await;
    let (access_header, _) = jwt_parts(response.access_token().secret());
    assert_eq!(access_header["alg"], "HS256");
    assert!(!published.contains(&access_header["kid"].as_str().unwrap().to_owned()));
    let id_token = response.id_token().expect("id_token");
    let (id_header, _) = jwt_parts(&id_token.to_string());
    assert_eq!(id_header["alg"], "RS256");
    assert_eq!(published, [id_header["kid"].as_str().unwrap()]);
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .expect("the HS-mode ID token verifies against the JWKS");
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("alice@example.com")
    );
    // `at_hash` follows the ID token's algorithm (OIDC Core §3.1.3.6), not the access token's.
    let (alg, key) = (
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    );
    let at_hash = AccessTokenHash::from_token(response.access_token(), alg, key).unwrap();
    assert_eq!(claims.access_token_hash(), Some(&at_hash));
}

fn hs256(config: &mut sesame::Config) {
    config.algorithm = sesame::crypto::keys::Algorithm::HS256;
    config.signing_key = Some("an hmac secret that is long enough!!".to_owned().into());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_party_of_hs_mode_on_sqlite() {
    let app = TestApp::served_with(Backend::Sqlite, hs256).await.unwrap();
    openidconnect_crate_verifies_id_tokens_of_hs_mode(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_party_of_hs_mode_on_postgres() {
    if let Some(app) = TestApp::served_with(Backend::Postgres, hs256).await {
        openidconnect_crate_verifies_id_tokens_of_hs_mode(app).await;
    }
}
