//! No write without a reason (issue 15): nothing an anonymous request can trigger writes to the
//! database before a credential has been checked. Every table is counted before and after a
//! stream of anonymous requests on every surface.

use axum::http::{Method, StatusCode};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::oauth::REDIRECT_URI;
use sesame::entities::{
    audit_events, authorization_codes, clients, login_attempts, refresh_tokens, revocations,
    sessions, users,
};

on_both_databases!(
    ten_thousand_anonymous_login_forms_write_nothing,
    anonymous_requests_on_every_surface_write_nothing,
);

/// The row count of every table, in a fixed order.
async fn row_counts(db: &DatabaseConnection) -> [u64; 8] {
    [
        users::Entity::find().count(db).await.unwrap(),
        clients::Entity::find().count(db).await.unwrap(),
        refresh_tokens::Entity::find().count(db).await.unwrap(),
        revocations::Entity::find().count(db).await.unwrap(),
        sessions::Entity::find().count(db).await.unwrap(),
        login_attempts::Entity::find().count(db).await.unwrap(),
        authorization_codes::Entity::find().count(db).await.unwrap(),
        audit_events::Entity::find().count(db).await.unwrap(),
    ]
}

async fn ten_thousand_anonymous_login_forms_write_nothing(app: TestApp) {
    app.user("alice").create().await;
    let before = row_counts(app.db()).await;
    for _ in 0..10_000 {
        let response = app.get("/login").await;
        assert_eq!(response.status, StatusCode::OK);
    }
    assert_eq!(row_counts(app.db()).await, before);
}

async fn anonymous_requests_on_every_surface_write_nothing(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("app").code_flow().create().await;
    let before = row_counts(app.db()).await;
    let authorize = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri={}\
         &scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
         &code_challenge_method=S256",
        client.0,
        form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>()
    );
    // A valid authorization request from nobody in particular is sent to the login form.
    let response = app.get(&authorize).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    assert!(response.location().starts_with("/login?next="));
    let wrong_client = [("grant_type", "client_credentials")];
    let gets = [
        "/login?next=%2Fadmin",
        authorize.as_str(),
        "/oauth/logout",
        "/oauth/userinfo",
        "/admin",
        "/admin/throttles",
        "/api/me/",
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
        "/healthz",
        "/readyz",
    ];
    for _ in 0..100 {
        for path in gets {
            let response = app.request(Method::GET, path).await;
            assert!(
                !response.status.is_server_error(),
                "{path}: {}",
                response.status
            );
        }
        let posts = [
            ("/login", vec![("username", "alice"), ("password", "x")]),
            ("/logout", vec![]),
            ("/oauth/logout", vec![]),
            ("/oauth/revoke", vec![("token", "x")]),
            ("/oauth/introspect", vec![("token", "x")]),
            ("/admin/throttles/clear", vec![("account", "user:1")]),
        ];
        for (path, params) in posts {
            let response = app.post(path).form(&params).await;
            assert!(
                !response.status.is_server_error(),
                "{path}: {}",
                response.status
            );
        }
        let token = app
            .post("/oauth/token")
            .form(&wrong_client)
            .basic(&client.0, "wrong");
        assert_eq!(token.await.status, StatusCode::UNAUTHORIZED);
        for path in [
            "/api/token/refresh/",
            "/api/token/verify/",
            "/api/token/blacklist/",
        ] {
            let body = serde_json::json!({ "refresh": "x", "token": "x" });
            let response = app.post(path).json(&body).await;
            assert!(
                !response.status.is_server_error(),
                "{path}: {}",
                response.status
            );
        }
        let compat = app.post("/logout/").json(&serde_json::json!({}));
        assert!(!compat.await.status.is_server_error());
    }
    assert_eq!(row_counts(app.db()).await, before);
}
