//! `POST /api/register/`: Django's rules and messages, DRF's field errors, a 201 without the hash,
//! and an account that logs in at once by any of its identifiers.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::requests::Answers;
use sesame::config::Config;

const REGISTER: &str = "/api/register/";
const GOOD_PASSWORD: &str = "Tr0ub4dor&3xyz";

async fn registration_creates_an_account_that_logs_in_by_any_identifier(app: TestApp) {
    let response = app.post(REGISTER).json(&json!({ "username": "dave", "password": GOOD_PASSWORD, "email": "Dave@Example.com", "phone": "+1 555 0100" }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let body = response.json();
    assert_eq!(body["username"], "dave");
    assert_eq!(body["email"], "Dave@Example.com");
    assert_eq!(body["phone"], "+1 555 0100");
    assert!(body["id"].is_i64());
    assert!(!response.text().contains("argon2") && body.get("password").is_none());
    for identifier in ["dave", "dave@example.com", "+1 555 0100"] {
        let login = app
            .post("/api/token/")
            .json(&json!({ "username": identifier, "password": GOOD_PASSWORD }))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{identifier}");
    }
}

async fn field_errors_follow_django_and_drf(app: TestApp) {
    app.user("alice")
        .email("alice@example.com")
        .phone("12345")
        .create()
        .await;
    let bodies = [
        json!({}),
        json!({ "username": "ALICE", "password": GOOD_PASSWORD }),
        // A username that is someone's email would make logins ambiguous.
        json!({ "username": "alice@example.com", "password": GOOD_PASSWORD }),
        json!({ "username": "a b", "password": "x", "email": "nope" }),
        json!({ "username": "x".repeat(151), "password": GOOD_PASSWORD }),
        json!({ "username": "bob", "password": GOOD_PASSWORD, "email": "ALICE@example.com", "phone": "12345" }),
    ];
    let mut answers = Answers::default();
    for body in bodies {
        let response = app.post(REGISTER).json(&body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        answers.add(&body.to_string(), &response);
    }
    insta::assert_snapshot!("field_errors", answers);
}

async fn passwords_must_pass_djangos_four_validators(app: TestApp) {
    let cases = [
        ("carol", "123"),
        ("carol", "carol123"),
        ("carolina", "anilorac"),
        ("dave", "password"),
    ];
    let mut answers = Answers::default();
    for (username, password) in cases {
        let response = app
            .post(REGISTER)
            .json(&json!({ "username": username, "password": password }))
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{password}");
        answers.add(&format!("{username} / {password}"), &response);
    }
    insta::assert_snapshot!("password_validators", answers);
    assert_eq!(sesame::store::users::count(app.db()).await.unwrap(), 0);
}

fn registration_off(config: &mut Config) {
    config.registration_enabled = false;
}

async fn registration_can_be_turned_off(app: TestApp) {
    let response = app
        .post(REGISTER)
        .json(&json!({ "username": "dave", "password": GOOD_PASSWORD }))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(sesame::store::users::count(app.db()).await.unwrap(), 0);
}

on_both_databases!(
    registration_creates_an_account_that_logs_in_by_any_identifier,
    field_errors_follow_django_and_drf,
    passwords_must_pass_djangos_four_validators,
);
on_both_databases!(registration_off => registration_can_be_turned_off);
