//! `POST /api/token/`: simplejwt's obtain-pair view, byte for byte, over the domain's password
//! grant as the built-in client `sesame-api`.

use axum::http::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::requests::{Answers, form};
use crate::support::{PASSWORD, TestApp};
use sesame::config::{Config, ExtraClaim};
use sesame::entities::refresh_tokens;

const TOKEN: &str = "/api/token/";

async fn obtain_answers_a_pair_of_rfc9068_tokens_bound_to_the_api_client(app: TestApp) {
    let alice = app.user("alice").create().await;
    let response = app
        .post(TOKEN)
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(response.keys(), ["refresh", "access"], "simplejwt's order");

    let (header, claims) = jwt_parts(body["access"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert!(header["kid"].is_string());
    assert_eq!(claims["token_type"], "access");
    assert_eq!(
        claims["user_id"],
        alice.id.to_string(),
        "simplejwt 5.5.1: str(user_id)"
    );
    assert_eq!(claims["sub"], alice.id.to_string());
    assert_eq!(claims["client_id"], "sesame-api");
    assert_eq!(claims["iss"], "http://sesame.test");
    let (_, refresh) = jwt_parts(body["refresh"].as_str().unwrap());
    assert_eq!(refresh["token_type"], "refresh");
    let row = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::Jti.eq(refresh["jti"].as_str().unwrap()))
        .one(app.db())
        .await
        .unwrap()
        .expect("a refresh_tokens row");
    assert_eq!(row.client_id, "sesame-api");
    assert_eq!(row.user_id, alice.id);
}

async fn login_accepts_username_email_or_phone_ignoring_case_of_username_and_email(app: TestApp) {
    let alice = app
        .user("Alice")
        .email("Alice@Example.com")
        .phone("+86 138 0013 8000")
        .create()
        .await;
    for identifier in [
        "alice",
        "ALICE",
        "alice@example.com",
        "ALICE@EXAMPLE.COM",
        "+86 138 0013 8000",
    ] {
        let response = app
            .post(TOKEN)
            .json(&json!({ "username": identifier, "password": PASSWORD }))
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{identifier}: {}",
            response.text()
        );
        let (_, claims) = jwt_parts(response.json()["access"].as_str().unwrap());
        assert_eq!(claims["user_id"], alice.id.to_string(), "{identifier}");
    }
}

async fn wrong_password_unknown_user_and_inactive_user_get_one_identical_401(app: TestApp) {
    let bob = app.user("bob").create().await;
    app.user("carol").create().await;
    app.deactivate(bob.id).await;
    for (username, password) in [("carol", "wrong"), ("nobody", PASSWORD), ("bob", PASSWORD)] {
        let response = app
            .post(TOKEN)
            .json(&json!({ "username": username, "password": password }))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{username}");
        insta::assert_snapshot!("bad_credentials", response.body_str());
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer realm="api""#)
        );
    }
}

async fn missing_blank_and_mistyped_fields_get_drf_field_errors(app: TestApp) {
    let bodies = [
        r#"{}"#,
        r#"{"username":"","password":"  "}"#,
        r#"{"username":null,"password":123}"#,
        r#"{"username":true,"password":["a"]}"#,
        r#"[]"#,
        r#"null"#,
        r#"{bad"#,
        r#"{"username":"a",}"#,
        "",
    ];
    let mut answers = Answers::default();
    for body in bodies {
        let response = app.post(TOKEN).body("application/json", body).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        answers.add(if body.is_empty() { "(no body)" } else { body }, &response);
    }
    insta::assert_snapshot!("field_errors", answers);
}

async fn other_media_types_get_415_and_other_methods_405_with_allow(app: TestApp) {
    let response = app.post(TOKEN).body("text/plain", b"x".to_vec()).await;
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    insta::assert_snapshot!("unsupported_media_type", response.body_str());

    let response = app.get(TOKEN).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    insta::assert_snapshot!("get_not_allowed", response.body_str());

    let response = app.request(Method::OPTIONS, TOKEN).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["name"], "Token Obtain Pair");
    assert_eq!(
        response.json()["actions"]["POST"]["password"]["required"],
        true
    );
}

async fn form_and_multipart_bodies_are_accepted_as_drf_accepts_them(app: TestApp) {
    app.user("alice").create().await;
    let form = form(&[("username", "alice"), ("password", PASSWORD)]);
    let response = app
        .post(TOKEN)
        .body("application/x-www-form-urlencoded", form.into_bytes())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    let multipart = format!(
        "--XX\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n\
         --XX\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n{PASSWORD}\r\n--XX--\r\n"
    );
    let response = app
        .post(TOKEN)
        .body("multipart/form-data; boundary=XX", multipart.into_bytes())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    let response = app
        .post(TOKEN)
        .body("multipart/form-data", b"xx".to_vec())
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!("multipart_without_boundary", response.body_str());
}

async fn a_real_client_over_tcp_gets_the_same_answers(app: TestApp) {
    app.user("alice").password("s3cret-Passw0rd").create().await;
    let base = app.serve().await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}{TOKEN}"))
        .json(&json!({ "username": "alice", "password": "s3cret-Passw0rd" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{:?}", app.backend);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["access"].is_string() && body["refresh"].is_string());
    let response = client
        .post(format!("{base}{TOKEN}"))
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer realm="api""#
    );
}

async fn oversized_bodies_get_413_and_nothing_makes_a_500(app: TestApp) {
    let huge = vec![b' '; 128 * 1024];
    let response = app.post(TOKEN).body("application/json", huge).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    for body in [&b"\xff\xfe"[..], b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", b"{\"username\":\"\\ud800\",\"password\":1e400}"] {
        let response = app.post(TOKEN).body("application/json", body.to_vec()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{}", response.text());
    }
}

fn name_and_username_claims(config: &mut Config) {
    config.extra_claims = vec![ExtraClaim::Name, ExtraClaim::Username];
    config.update_last_login = true;
}

async fn api_tokens_carry_the_configured_extra_claims(app: TestApp) {
    let alice = app
        .user("alice")
        .display_name("Alice Liddell")
        .create()
        .await;
    let (access, _) = app.api_tokens("alice").await;
    let (_, claims) = jwt_parts(&access);
    assert_eq!(claims["name"], "Alice Liddell");
    assert_eq!(claims["username"], "alice");
    let user = sesame::store::users::find_by_id(app.db(), alice.id)
        .await
        .unwrap()
        .unwrap();
    assert!(user.last_login.is_some(), "update_last_login");
}

on_both_databases!(
    obtain_answers_a_pair_of_rfc9068_tokens_bound_to_the_api_client,
    login_accepts_username_email_or_phone_ignoring_case_of_username_and_email,
    wrong_password_unknown_user_and_inactive_user_get_one_identical_401,
    missing_blank_and_mistyped_fields_get_drf_field_errors,
    other_media_types_get_415_and_other_methods_405_with_allow,
    form_and_multipart_bodies_are_accepted_as_drf_accepts_them,
    a_real_client_over_tcp_gets_the_same_answers,
    oversized_bodies_get_413_and_nothing_makes_a_500,
);
on_both_databases!(name_and_username_claims => api_tokens_carry_the_configured_extra_claims);
