//! Introspection (RFC 7662): active tokens answer their claims, everything else exactly
//! `{"active": false}`, and a database outage is a 5xx, never "inactive".

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::oauth::jwt_parts;
use sesame::auth::clients::GrantType;

fn b64(value: &serde_json::Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn active_access_token_answers_its_claims(app: TestApp) {
    let user = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let rs = app
        .client("resource")
        .grants(&[GrantType::ClientCredentials])
        .create()
        .await;
    let access = app.password_tokens(&client, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, claims) = jwt_parts(&access);
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", &access)])
        .client(&rs)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(
        response.json(),
        json!({
            "active": true,
            "sub": user.id.to_string(),
            "client_id": "web",
            "scope": "email openid profile read",
            "exp": claims["exp"],
            "iat": claims["iat"],
            "iss": "http://sesame.test",
            "aud": "web",
            "jti": claims["jti"],
            "token_type": "access_token",
            "username": "alice",
        })
    );
}

async fn refresh_tokens_are_active_until_rotated(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let refresh = app.password_tokens(&client, "alice").await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let active = app
        .post("/oauth/introspect")
        .form(&[("token", &refresh)])
        .client(&client)
        .await
        .json();
    assert_eq!(active["active"], true);
    assert_eq!(active["token_type"], "refresh_token");
    app.post("/oauth/token")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .client(&client)
        .await;
    let spent = app
        .post("/oauth/introspect")
        .form(&[("token", &refresh)])
        .client(&client)
        .await
        .json();
    assert_eq!(spent, json!({"active": false}));
}

async fn forged_and_garbage_tokens_are_inactive(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let access = app.password_tokens(&client, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (header, claims) = jwt_parts(&access);

    let mut none_header = header.clone();
    none_header["alg"] = json!("none");
    let alg_none = format!("{}.{}.", b64(&none_header), b64(&claims));

    // HS256 "signed" with public material, keeping the RSA key's kid: the classic confusion.
    let jwks = app.get("/.well-known/jwks.json").await.body;
    let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs.kid = header["kid"].as_str().map(str::to_owned);
    hs.typ = Some("at+jwt".into());
    let confused =
        jsonwebtoken::encode(&hs, &claims, &jsonwebtoken::EncodingKey::from_secret(&jwks)).unwrap();

    let mut unknown_kid = header.clone();
    unknown_kid["kid"] = json!("nope");
    let signature = access.rsplit('.').next().unwrap();
    let wrong_kid = format!("{}.{}.{}", b64(&unknown_kid), b64(&claims), signature);

    let huge = "a".repeat(20_000);
    for token in [
        alg_none.as_str(),
        confused.as_str(),
        wrong_kid.as_str(),
        "garbage",
        &access[..access.len() - 5],
        &huge,
    ] {
        let response = app
            .post("/oauth/introspect")
            .form(&[("token", token)])
            .client(&client)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{token}");
        assert_eq!(response.json(), json!({"active": false}), "{token}");
    }
}

async fn deactivated_users_tokens_are_inactive(app: TestApp) {
    let user = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let access = app.password_tokens(&client, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.deactivate(user.id).await;
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", &access)])
        .client(&client)
        .await;
    assert_eq!(response.json(), json!({"active": false}));
}

async fn public_clients_cannot_introspect(app: TestApp) {
    let spa = app
        .client("spa")
        .public()
        .grants(&[GrantType::RefreshToken])
        .create()
        .await;
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", "x"), ("client_id", &spa.0)])
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("public_client", response.json());
}

on_both_databases!(
    active_access_token_answers_its_claims,
    refresh_tokens_are_active_until_rotated,
    forged_and_garbage_tokens_are_inactive,
    deactivated_users_tokens_are_inactive,
    public_clients_cannot_introspect,
);

#[tokio::test]
async fn database_outage_is_a_5xx_never_inactive() {
    let app = TestApp::spawn().await;
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    let access = app.password_tokens(&client, "alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.state.db.clone().close().await.unwrap();
    let response = app
        .post("/oauth/introspect")
        .form(&[("token", &access)])
        .client(&client)
        .await;
    // A closed pool is a database this process cannot reach: 503, come back later.
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.header("retry-after"), Some("5"));
    insta::assert_json_snapshot!("database_outage", response.json());
    assert!(!response.text().contains("active"));
}
