//! The `openidconnect` crate as a real relying party over a real listener: discovery, password
//! exchange, refresh exchange, ID-token verification and access-token signature verification
//! against the served JWKS.

use crate::support::oauth::jwt_parts;
use crate::support::{Backend, PASSWORD, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    ClientId, ClientSecret, IssuerUrl, JsonWebKey, Nonce, OAuth2TokenResponse,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope, TokenResponse,
};

async fn openidconnect_crate_discovers_exchanges_and_verifies(app: TestApp) {
    let issuer = app.state.config.issuer.clone();
    app.user("alice").email("alice@example.com").create().await;
    let (client_id, secret) = app.client("rp").create().await;

    let http = openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer).unwrap(), &http)
        .await
        .unwrap();
    let jwks = metadata.jwks().clone();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id),
        Some(ClientSecret::new(secret)),
    );

    let response = client
        .exchange_password(
            &ResourceOwnerUsername::new("alice".into()),
            &ResourceOwnerPassword::new(PASSWORD.into()),
        )
        .unwrap()
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .request_async(&http)
        .await
        .unwrap();
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
