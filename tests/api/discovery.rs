//! Discovery (OIDC Discovery, RFC 8414) and the JWKS (RFC 7517): every endpoint advertised, every
//! published key public only, caching headers and 304s.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::TestApp;
use sesame::crypto::keys::{self, Algorithm};

#[tokio::test]
async fn discovery_documents_advertise_the_mounted_endpoints() {
    let app = TestApp::spawn().await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK);
        let doc = response.json();
        assert_eq!(doc["issuer"], "http://sesame.test");
        assert_eq!(doc["token_endpoint"], "http://sesame.test/oauth/token");
        assert_eq!(doc["jwks_uri"], "http://sesame.test/.well-known/jwks.json");
        assert_eq!(
            doc["revocation_endpoint"],
            "http://sesame.test/oauth/revoke"
        );
        assert_eq!(
            doc["introspection_endpoint"],
            "http://sesame.test/oauth/introspect"
        );
        assert_eq!(
            doc["userinfo_endpoint"],
            "http://sesame.test/oauth/userinfo"
        );
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            serde_json::json!(["RS256"])
        );
        let methods = doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap();
        assert!(methods.contains(&Value::from("client_secret_basic")));
        let grants = doc["grant_types_supported"].as_array().unwrap();
        assert!(grants.contains(&Value::from("refresh_token")));
    }
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
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
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
async fn every_algorithm_publishes_only_public_material_and_hmac_nothing() {
    let app = TestApp::spawn().await;
    let dir = &app.state.config.keys_dir;
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::PS256,
        Algorithm::RS512,
    ] {
        keys::rotate(dir, alg, app.now(), std::time::Duration::from_secs(300)).unwrap();
    }
    app.state.reload_keys(app.now()).unwrap();
    let jwks = app.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 6);
    assert_public_only(&jwks);

    let hmac = TestApp::spawn_with(|c| {
        c.algorithm = Algorithm::HS256;
        c.signing_key = Some("an-hmac-secret-that-is-long-enough-0123".to_owned().into());
        c.keys_dir = std::path::PathBuf::from(format!("/tmp/sesame-hs-{}", uuid::Uuid::new_v4()));
    })
    .await;
    let jwks = hmac.get("/.well-known/jwks.json").await.json();
    assert!(!jwks.to_string().contains("an-hmac-secret"));
    assert_public_only(&jwks);
}
