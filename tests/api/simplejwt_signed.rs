//! Tokens simplejwt signed: in HS* mode a Django backend holding the same `SIGNING_KEY` mints
//! tokens whose header has no `kid` (PyJWT writes `{"alg","typ"}`). Sesame checks them with the
//! shared secret, so they get simplejwt's answers (found by tools/side_by_side against
//! simplejwt 5.5.1, where they all were "Token is invalid").

use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::TestApp;

const SECRET: &str = "the SIGNING_KEY Django and Sesame share";

fn hs256(config: &mut sesame::Config) {
    config.algorithm = sesame::crypto::keys::Algorithm::HS256;
    config.signing_key = Some(SECRET.to_owned().into());
}

/// A token as simplejwt's `TokenBackend.encode` makes it: PyJWT's header, no `kid`.
fn simplejwt_token(claims: &Value) -> String {
    let header = Header::new(Algorithm::HS256);
    assert_eq!(header.kid, None);
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn claims(app: &TestApp, token_type: Option<&str>, exp_in: Option<i64>, user_id: i64) -> Value {
    let now = app.now().timestamp();
    // Issued at `now`: Sesame refuses tokens issued before the user's last password change.
    let mut claims = json!({ "iat": now, "jti": "0123456789abcdef0123456789abcdef",
                             "user_id": user_id.to_string() });
    if let Some(token_type) = token_type {
        claims["token_type"] = json!(token_type);
    }
    if let Some(exp_in) = exp_in {
        claims["exp"] = json!(now + exp_in);
    }
    claims
}

async fn tokens_without_kid_are_checked_with_the_shared_secret(app: TestApp) {
    let alice = app.user("alice").create().await;
    let access = simplejwt_token(&claims(&app, Some("access"), Some(300), alice.id));
    let response = app
        .post("/api/token/verify/")
        .json(&json!({ "token": access }))
        .await;
    assert_eq!(
        (response.status, response.body_str()),
        (StatusCode::OK, "{}")
    );
    let response = app.get("/api/me/").bearer(&access).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["username"], "alice");

    let cases = [
        ("expired", Some("refresh"), Some(-60), "Token is expired"),
        (
            "without exp",
            Some("refresh"),
            None,
            "Token has no 'exp' claim",
        ),
        ("without type", None, Some(300), "Token has no type"),
        (
            "of the wrong type",
            Some("access"),
            Some(300),
            "Token has wrong type",
        ),
    ];
    for (name, token_type, exp_in, detail) in cases {
        let token = simplejwt_token(&claims(&app, token_type, exp_in, alice.id));
        let response = app
            .post("/api/token/refresh/")
            .json(&json!({ "refresh": token }))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            response.json(),
            json!({ "detail": detail, "code": "token_not_valid" }),
            "{name}"
        );
    }
}

/// Outside HS* mode there is no shared secret: a token without `kid` names no key of the ring.
async fn tokens_without_kid_are_invalid_outside_hs_mode(app: TestApp) {
    let alice = app.user("alice").create().await;
    let token = simplejwt_token(&claims(&app, Some("access"), Some(300), alice.id));
    let response = app
        .post("/api/token/verify/")
        .json(&json!({ "token": token }))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json(),
        json!({ "detail": "Token is invalid", "code": "token_not_valid" })
    );
}

on_both_databases!(hs256 => tokens_without_kid_are_checked_with_the_shared_secret);
on_both_databases!(tokens_without_kid_are_invalid_outside_hs_mode);
