//! simplejwt 5.5.1's claims and their messages, checked against its source: `user_id` written as
//! a string and read either way, a token without `exp` or `token_type`, and verify taking a token
//! of any type (`UntypedToken`).

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Map, Value, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::requests::Answers;
use crate::support::{TestApp, TestResponse};
use sesame::auth::audit::Actor;
use sesame::auth::revocation::{self, AccessToken, Reason};
use sesame::auth::tokens::new_jti;

/// A token signed with the app's access key: only Sesame (or whoever holds its key) can make one
/// that lacks a claim, so these are the shapes another simplejwt issuer could have written.
fn signed_access(app: &TestApp, claims: &Map<String, Value>) -> String {
    app.state
        .keys()
        .sign_access(claims, "at+jwt", app.now())
        .unwrap()
}

fn claims(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

async fn me(app: &TestApp, token: &str) -> TestResponse {
    app.get("/api/me/").bearer(token).await
}

async fn user_id_is_the_string_simplejwt_5_5_1_writes(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (access, refresh) = app.api_tokens("alice").await;
    let sliding = app
        .post("/api/token/sliding/")
        .json(&json!({ "username": "alice", "password": crate::support::PASSWORD }))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // tokens.py, Token.for_user: `user_id = str(user_id)`.
    for token in [&access, &refresh, &sliding] {
        let (_, claims) = jwt_parts(token);
        assert_eq!(claims["user_id"], json!(alice.id.to_string()));
    }
}

async fn a_numeric_user_id_as_older_simplejwt_wrote_still_authenticates(app: TestApp) {
    let alice = app.user("alice").create().await;
    let exp = (app.now() + Duration::minutes(5)).timestamp();
    for user_id in [json!(alice.id), json!(alice.id.to_string())] {
        let token = signed_access(
            &app,
            &claims(&[
                ("token_type", json!("access")),
                ("exp", json!(exp)),
                ("iat", json!(app.now().timestamp())),
                ("jti", json!(new_jti(app.now()))),
                ("user_id", user_id.clone()),
            ]),
        );
        let response = me(&app, &token).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{user_id}: {}",
            response.text()
        );
        assert_eq!(response.json()["username"], "alice");
        let verified = app
            .post("/api/token/verify/")
            .json(&json!({ "token": token }))
            .await;
        assert_eq!(verified.body_str(), "{}", "{user_id}");
    }
}

async fn a_token_without_exp_or_token_type_gets_simplejwts_message(app: TestApp) {
    let alice = app.user("alice").create().await;
    let exp = json!((app.now() + Duration::minutes(5)).timestamp());
    let user_id = json!(alice.id.to_string());
    let no_exp = claims(&[
        ("token_type", json!("refresh")),
        ("jti", json!(new_jti(app.now()))),
        ("user_id", user_id.clone()),
    ]);
    let no_type = claims(&[
        ("exp", exp.clone()),
        ("jti", json!(new_jti(app.now()))),
        ("user_id", user_id.clone()),
    ]);
    let refresh_no_exp = app.state.keys().sign_refresh(&no_exp).unwrap();
    let refresh_no_type = app.state.keys().sign_refresh(&no_type).unwrap();
    let access_no_exp = signed_access(&app, &no_exp);
    let access_no_type = signed_access(&app, &no_type);
    let mut answers = Answers::default();
    for (label, token) in [
        ("refresh without exp", &refresh_no_exp),
        ("refresh without token_type", &refresh_no_type),
    ] {
        for path in ["/api/token/refresh/", "/api/token/blacklist/"] {
            let response = app.post(path).json(&json!({ "refresh": token })).await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label} {path}");
            answers.add(&format!("{label} at {path}"), &response);
        }
    }
    // verify (UntypedToken) still needs `exp`; it never needs a type.
    let response = app
        .post("/api/token/verify/")
        .json(&json!({ "token": access_no_exp }))
        .await;
    answers.add("access without exp at verify", &response);
    for (label, token) in [
        ("access without exp", &access_no_exp),
        ("access without token_type", &access_no_type),
    ] {
        answers.add(&format!("{label} at /api/me/"), &me(&app, token).await);
    }
    insta::assert_snapshot!("missing_claims", answers);
}

/// `POST /api/token/verify/` of a token signed with these claims: status and body.
async fn verify_claims(app: &TestApp, claims: &Map<String, Value>) -> (StatusCode, String) {
    let token = signed_access(app, claims);
    let response = app
        .post("/api/token/verify/")
        .json(&json!({ "token": token }))
        .await;
    (response.status, response.body_str().to_owned())
}

async fn verify_accepts_a_token_of_any_type_unless_it_is_revoked(app: TestApp) {
    app.user("alice").create().await;
    let exp = (app.now() + Duration::minutes(5)).timestamp();
    let untyped = |token_type: Option<&str>| {
        let mut map = claims(&[("exp", json!(exp)), ("jti", json!(new_jti(app.now())))]);
        if let Some(kind) = token_type {
            map.insert("token_type".into(), json!(kind));
        }
        map
    };
    let (no_type, other_type) = (untyped(None), untyped(Some("untyped")));
    for map in [&no_type, &other_type] {
        let answer = verify_claims(&app, map).await;
        assert_eq!(answer, (StatusCode::OK, "{}".to_owned()), "{map:?}");
    }
    let revoked = AccessToken {
        jti: other_type["jti"].as_str().unwrap().to_owned(),
        token_type: "untyped".into(),
        until: app.now() + Duration::minutes(5),
        user_id: None,
    };
    let actor = Actor::system();
    revocation::revoke_access_token(&app.state, &revoked, Reason::Admin, &actor, app.now())
        .await
        .unwrap();
    assert_eq!(
        verify_claims(&app, &other_type).await,
        (
            StatusCode::BAD_REQUEST,
            r#"{"non_field_errors":["Token is blacklisted"]}"#.to_owned()
        )
    );
    // Another issuer's token is not ours, whatever its type.
    let mut foreign = untyped(None);
    foreign.insert("iss".into(), json!("https://elsewhere.example"));
    assert_eq!(
        verify_claims(&app, &foreign).await,
        (
            StatusCode::UNAUTHORIZED,
            r#"{"detail":"Token is invalid","code":"token_not_valid"}"#.to_owned()
        )
    );
}

on_both_databases!(
    user_id_is_the_string_simplejwt_5_5_1_writes,
    a_numeric_user_id_as_older_simplejwt_wrote_still_authenticates,
    a_token_without_exp_or_token_type_gets_simplejwts_message,
    verify_accepts_a_token_of_any_type_unless_it_is_revoked,
);
