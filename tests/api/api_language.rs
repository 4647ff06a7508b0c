//! The `/api/` surface and the compat profile in the configured language (`language_code`), and
//! per request with `accept_language = true`, as a Django project with `LANGUAGE_CODE` and
//! `LocaleMiddleware` answers: the packages' own translations, Django's headers.

use axum::http::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::requests::Answers;
use crate::support::{PASSWORD, TestApp, TestResponse};

fn zh_hans(config: &mut sesame::Config) {
    config.language_code = "zh-hans".into();
    config.compat.vue_admin = true;
}

fn negotiated(config: &mut sesame::Config) {
    config.accept_language = true;
}

async fn login(app: &TestApp, body: serde_json::Value, language: Option<&str>) -> TestResponse {
    let request = app.post("/api/token/").json(&body);
    match language {
        Some(language) => request.header("accept-language", language).await,
        None => request.await,
    }
}

async fn zh_hans_answers_every_package_in_chinese(app: TestApp) {
    app.user("alice").create().await;
    let wrong = login(
        &app,
        json!({ "username": "alice", "password": "nope" }),
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body_str(),
        r#"{"detail":"找不到指定凭据对应的有效用户"}"#
    );
    let missing = login(&app, json!({}), None).await;
    assert_eq!(
        missing.body_str(),
        r#"{"username":["该字段是必填项。"],"password":["该字段是必填项。"]}"#
    );
    // Without LocaleMiddleware, Django sends no Content-Language, and only DRF's Vary.
    assert_eq!(wrong.header("content-language"), None);
    assert_eq!(wrong.header("vary"), Some("Accept"));

    let mut answers = Answers::default();
    answers.add("me without credentials", &app.get("/api/me/").await);
    answers.add("me with garbage", &app.get("/api/me/").bearer("x").await);
    answers.add(
        "refresh with garbage",
        &app.post("/api/token/refresh/")
            .json(&json!({ "refresh": "x" }))
            .await,
    );
    answers.add(
        "register",
        &app.post("/api/register/")
            .json(&json!({ "username": "bob", "password": "12345", "email": "x" }))
            .await,
    );
    answers.add(
        "register with a weak password",
        &app.post("/api/register/")
            .json(&json!({ "username": "carol", "password": "carol1" }))
            .await,
    );
    answers.add(
        "register taken",
        &app.post("/api/register/")
            .json(&json!({ "username": "alice", "password": "bob" }))
            .await,
    );
    answers.add("405", &app.get("/api/token/").await);
    answers.add(
        "415",
        &app.post("/api/token/").body("text/plain", "x").await,
    );
    answers.add(
        "compat login",
        &app.post("/login/")
            .json(&json!({ "username": "alice", "password": "nope" }))
            .await,
    );
    insta::assert_snapshot!("zh_hans", answers);
}

async fn accept_language_chooses_per_request_with_djangos_headers(app: TestApp) {
    app.user("alice").create().await;
    let wrong = json!({ "username": "alice", "password": "nope" });
    let chinese = login(&app, wrong.clone(), Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert_eq!(
        chinese.body_str(),
        r#"{"detail":"找不到指定凭据对应的有效用户"}"#
    );
    assert_eq!(chinese.header("content-language"), Some("zh-hans"));
    assert_eq!(chinese.header("vary"), Some("Accept, Accept-Language"));

    let english = login(&app, wrong.clone(), None).await;
    assert_eq!(
        english.body_str(),
        r#"{"detail":"No active account found with the given credentials"}"#
    );
    // en-us is not in Django's LANGUAGES; its generic variant is.
    assert_eq!(english.header("content-language"), Some("en"));

    let german = app
        .post("/api/token/")
        .json(&wrong)
        .header("accept-language", "fr")
        .header("cookie", "django_language=de")
        .await;
    assert_eq!(
        german.body_str(),
        r#"{"detail":"Kein aktiver Account mit diesen Zugangsdaten gefunden"}"#
    );
    assert_eq!(german.header("content-language"), Some("de"));

    let unknown = login(&app, wrong, Some("ja")).await;
    assert_eq!(unknown.header("content-language"), Some("en"));

    // Successes carry the headers too, as the middleware sets them on every response.
    let ok = login(
        &app,
        json!({ "username": "alice", "password": PASSWORD }),
        Some("zh-hans"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.header("content-language"), Some("zh-hans"));
    assert_eq!(ok.header("vary"), Some("Accept, Accept-Language"));
}

on_both_databases!(zh_hans => zh_hans_answers_every_package_in_chinese);
on_both_databases!(negotiated => accept_language_chooses_per_request_with_djangos_headers);
