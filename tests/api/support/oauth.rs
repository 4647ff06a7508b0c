//! The OAuth side of a test: the token endpoint's common grants, PKCE pairs, authorization
//! requests, and reading URLs and JWTs that come back.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::requests::{TestResponse, form};
use super::{PASSWORD, TestApp};

/// The redirect URI the test clients of the code flow register.
pub const REDIRECT_URI: &str = "https://app.example/callback";

impl TestApp {
    /// `grant_type=password` at `/oauth/token` through `client`.
    pub async fn password_grant(
        &self,
        client: &(String, String),
        username: &str,
        password: &str,
    ) -> TestResponse {
        let params = [
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ];
        self.post("/oauth/token").form(&params).client(client).await
    }

    /// `grant_type=password` for `username` with the test password, asking for `scope`.
    pub async fn password_grant_for_scope(
        &self,
        client: &(String, String),
        username: &str,
        scope: &str,
    ) -> TestResponse {
        let params = [
            ("grant_type", "password"),
            ("username", username),
            ("password", PASSWORD),
            ("scope", scope),
        ];
        self.post("/oauth/token").form(&params).client(client).await
    }

    /// Password-grant tokens for `username` (with the test password) through `client`.
    pub async fn password_tokens(&self, client: &(String, String), username: &str) -> Value {
        let response = self.password_grant(client, username, PASSWORD).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// `grant_type=refresh_token` at `/oauth/token` through `client`.
    pub async fn refresh_grant(&self, client: &(String, String), token: &str) -> TestResponse {
        let params = [("grant_type", "refresh_token"), ("refresh_token", token)];
        self.post("/oauth/token").form(&params).client(client).await
    }

    /// `grant_type=refresh_token` at `/oauth/token` through `client`, asking for `scope`.
    pub async fn refresh_grant_for_scope(
        &self,
        client: &(String, String),
        token: &str,
        scope: &str,
    ) -> TestResponse {
        let params = [
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("scope", scope),
        ];
        self.post("/oauth/token").form(&params).client(client).await
    }

    /// The `kid`s the JWKS publishes, in its order.
    pub async fn jwks_kids(&self) -> Vec<String> {
        let jwks = self.get("/.well-known/jwks.json").await.json();
        jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|key| key["kid"].as_str().expect("kid").to_owned())
            .collect()
    }

    /// `(access, refresh)` from `POST /api/token/` for `username` with the test password.
    pub async fn api_tokens(&self, username: &str) -> (String, String) {
        let body = json!({ "username": username, "password": PASSWORD });
        let response = self.post("/api/token/").json(&body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let body = response.json();
        let field = |name: &str| body[name].as_str().expect("token").to_owned();
        (field("access"), field("refresh"))
    }
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.1-§4.2).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}-{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// `/oauth/authorize?...` with `response_type=code` and the given parameters.
pub fn authorize_path(params: &[(&str, &str)]) -> String {
    let mut all = vec![("response_type", "code")];
    all.extend_from_slice(params);
    format!("/oauth/authorize?{}", form(&all))
}

/// A query parameter of a URL or path.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// The header and claims of a JWT, unverified (tests check signatures through real clients).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut decode = |what: &str| -> Value {
        let part = parts.next().unwrap_or_else(|| panic!("JWT without {what}"));
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    let header = decode("header");
    let claims = decode("claims");
    (header, claims)
}
