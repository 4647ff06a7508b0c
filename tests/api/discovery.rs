//! Discovery (OIDC Discovery, RFC 8414) and the JWKS (RFC 7517): every endpoint advertised, every
//! published key public only, caching headers and 304s.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;
use sesame::auth::admin::keys::rotate_key;
use sesame::auth::audit::Actor;
use sesame::crypto::keys::Algorithm;

#[tokio::test]
async fn discovery_documents_advertise_the_mounted_endpoints() {
    let app = TestApp::spawn().await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK);
        insta::assert_json_snapshot!("discovery_document", response.json());
    }
}

/// The JWKS with key material and kids redacted: its shape, for a snapshot.
fn shape(jwks: &Value) -> Value {
    let mut shape = jwks.clone();
    for key in shape["keys"].as_array_mut().unwrap() {
        for member in ["kid", "n", "x", "y"] {
            if key.get(member).is_some() {
                key[member] = json!("[redacted]");
            }
        }
    }
    shape
}

fn assert_public_only(jwks: &Value) {
    for key in jwks["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(
                key.get(private).is_none(),
                "private member {private} in {key}"
            );
        }
        assert_eq!(key["use"], "sig");
        assert!(key["kid"].is_string());
        assert!(key["alg"].is_string());
    }
}

#[tokio::test]
async fn jwks_publishes_public_keys_with_caching_headers_and_304() {
    let app = TestApp::spawn().await;
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=300")
    );
    let etag = response.header("etag").unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    let jwks = response.json();
    insta::assert_json_snapshot!("jwks", shape(&jwks));
    assert_eq!(
        jwks["keys"][0]["kid"],
        app.state.keys().signing_key_id(app.now())
    );
    assert_public_only(&jwks);

    let cached = app
        .get("/.well-known/jwks.json")
        .header("if-none-match", &etag)
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn every_algorithm_publishes_only_public_material_and_never_an_hmac_secret() {
    let app = TestApp::spawn().await;
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::PS256,
        Algorithm::RS512,
    ] {
        rotate_key(&app.state, &Actor::cli(), alg, app.now())
            .await
            .unwrap();
        // The ring lists keys by creation time (ties by kid): one a second keeps this order.
        app.advance(std::time::Duration::from_secs(1));
    }
    let jwks = app.get("/.well-known/jwks.json").await.json();
    assert_public_only(&jwks);
    insta::assert_json_snapshot!("jwks_of_every_algorithm", shape(&jwks));

    let hmac_keys = tempfile::tempdir().unwrap();
    let hmac = TestApp::spawn_with(|c| {
        c.algorithm = Algorithm::HS256;
        c.signing_key = Some("an-hmac-secret-that-is-long-enough-0123".to_owned().into());
        c.keys_dir = hmac_keys.path().to_owned();
    })
    .await;
    let jwks = hmac.get("/.well-known/jwks.json").await.json();
    assert!(!jwks.to_string().contains("an-hmac-secret"));
    assert_public_only(&jwks);
    // The secret is never published; the RS256 key that signs ID tokens is, and only it.
    insta::assert_json_snapshot!("jwks_with_an_hmac_secret", shape(&jwks));
    let now = hmac.now();
    assert_eq!(
        jwks["keys"][0]["kid"],
        hmac.state.keys().id_token_key_id(now)
    );
    let discovery = hmac.get("/.well-known/openid-configuration").await.json();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
}
