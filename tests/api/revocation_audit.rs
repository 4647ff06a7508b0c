//! Every path that revokes tokens goes through `auth::revocation` and leaves exactly one
//! revocation event in the audit trail (SPEC §10), with the rows revoked and the reason recorded:
//! RFC 7009, simplejwt's blacklist (fresh and reused), refresh reuse on both surfaces, a replayed
//! authorization code, the admin UI, deactivation, a password change and the compat logout.

use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::oauth::{REDIRECT_URI, authorize_path, jwt_parts, pkce, query_param};
use crate::support::{PASSWORD, TestApp};
use sesame::auth::audit::Actor;
use sesame::auth::clients::GrantType;
use sesame::entities::{audit_events, refresh_tokens, revocations, users};

/// The actions a revocation records.
const REVOCATION_ACTIONS: [&str; 5] = [
    "token.revoke",
    "refresh.reuse",
    "code.reuse",
    "user.revoke_tokens",
    "client.revoke_tokens",
];

/// The revocation events recorded after event id `after`.
async fn revocation_events(app: &TestApp, after: i64) -> Vec<audit_events::Model> {
    audit_events::Entity::find()
        .filter(audit_events::Column::Id.gt(after))
        .filter(audit_events::Column::Action.is_in(REVOCATION_ACTIONS))
        .order_by_asc(audit_events::Column::Id)
        .all(app.db())
        .await
        .unwrap()
}

async fn last_event_id(app: &TestApp) -> i64 {
    audit_events::Entity::find()
        .order_by_desc(audit_events::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .map_or(0, |event| event.id)
}

/// Asserts that exactly one revocation event followed `after`, and returns its details.
async fn the_one_event(app: &TestApp, after: i64, action: &str, target: &str) -> Value {
    let events = revocation_events(app, after).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.action, action);
    assert_eq!(event.target.as_deref(), Some(target));
    serde_json::from_str(event.details.as_deref().unwrap()).unwrap()
}

async fn revoked_reasons(app: &TestApp, user_id: i64) -> Vec<Option<String>> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .order_by_asc(refresh_tokens::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.revoke_reason)
        .collect()
}

/// The event names `reason`, and alice's one refresh token was revoked for it.
async fn assert_revoked_for(app: &TestApp, user_id: i64, details: &Value, reason: &str) {
    assert_eq!(details["reason"], reason);
    assert_eq!(
        revoked_reasons(app, user_id).await,
        [Some(reason.to_owned())]
    );
}

async fn family_of(app: &TestApp, user_id: i64) -> String {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .family_id
}

/// alice, with `grants` password-grant token pairs through the client `web`.
async fn alice_with_tokens(app: &TestApp, grants: usize) -> (users::Model, (String, String)) {
    let alice = app.user("alice").create().await;
    let client = app.client("web").create().await;
    for _ in 0..grants {
        app.password_tokens(&client, "alice").await;
    }
    (alice, client)
}

fn str_of<'a>(body: &'a Value, name: &str) -> &'a str {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {body}"))
}

async fn rfc7009_revoking_a_refresh_token(app: TestApp) {
    let alice = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let after = last_event_id(&app).await;
    let token = [("token", str_of(&tokens, "refresh_token"))];
    let response = app.post("/oauth/revoke").form(&token).client(&client).await;
    assert_eq!(response.status, StatusCode::OK);
    let family = format!("family:{}", family_of(&app, alice.id).await);
    let details = the_one_event(&app, after, "token.revoke", &family).await;
    assert_eq!(details["reason"], "revoked");
    assert_eq!(details["revoked_refresh_tokens"], 1);
    assert_eq!(
        revoked_reasons(&app, alice.id).await,
        [Some("revoked".into())]
    );
    // Twice is harmless and records nothing more.
    app.post("/oauth/revoke").form(&token).client(&client).await;
    assert_eq!(revocation_events(&app, after).await.len(), 1);
}

async fn rfc7009_revoking_an_access_token(app: TestApp) {
    let alice = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let after = last_event_id(&app).await;
    let token = [("token", str_of(&tokens, "access_token"))];
    app.post("/oauth/revoke").form(&token).client(&client).await;
    let jti = jwt_parts(str_of(&tokens, "access_token")).1["jti"].clone();
    let target = format!("jti:{}", jti.as_str().unwrap());
    let details = the_one_event(&app, after, "token.revoke", &target).await;
    assert_eq!(details["reason"], "revoked");
    assert_eq!(details["user_id"], json!(alice.id));
    let row = revocations::Entity::find().one(app.db()).await.unwrap();
    assert_eq!(row.unwrap().reason, "revoked");
    app.post("/oauth/revoke").form(&token).client(&client).await;
    assert_eq!(revocation_events(&app, after).await.len(), 1);
}

async fn blacklisting_a_fresh_refresh_token(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (_, refresh) = app.api_tokens("alice").await;
    let after = last_event_id(&app).await;
    let response = app
        .post("/api/token/blacklist/")
        .json(&json!({ "refresh": refresh }))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let family = format!("family:{}", family_of(&app, alice.id).await);
    let details = the_one_event(&app, after, "token.revoke", &family).await;
    assert_revoked_for(&app, alice.id, &details, "blacklisted").await;
}

async fn blacklisting_a_rotated_refresh_token_is_reuse(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (_, refresh) = app.api_tokens("alice").await;
    let body = json!({ "refresh": refresh });
    let rotated = app.post("/api/token/refresh/").json(&body).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let after = last_event_id(&app).await;
    let response = app.post("/api/token/blacklist/").json(&body).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    let family = format!("family:{}", family_of(&app, alice.id).await);
    let details = the_one_event(&app, after, "refresh.reuse", &family).await;
    assert_eq!(details["reason"], "reuse_detected");
    assert_eq!(
        details["revoked_refresh_tokens"], 2,
        "the successor goes too"
    );
}

async fn refresh_reuse_at_the_token_endpoint(app: TestApp) {
    let alice = app.user("alice").create().await;
    let client = app.client("web").create().await;
    let tokens = app.password_tokens(&client, "alice").await;
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", str_of(&tokens, "refresh_token")),
    ];
    assert_eq!(
        app.post("/oauth/token")
            .form(&refresh)
            .client(&client)
            .await
            .status,
        StatusCode::OK
    );
    app.outlast_reuse_grace();
    let after = last_event_id(&app).await;
    let reused = app
        .post("/oauth/token")
        .form(&refresh)
        .client(&client)
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    let family = format!("family:{}", family_of(&app, alice.id).await);
    let details = the_one_event(&app, after, "refresh.reuse", &family).await;
    assert_eq!(details["revoked_refresh_tokens"], 2, "the whole family");
    let reuse = Some("reuse_detected".to_owned());
    assert_eq!(
        revoked_reasons(&app, alice.id).await,
        [reuse.clone(), reuse]
    );
}

async fn refresh_reuse_at_the_simplejwt_surface(app: TestApp) {
    let alice = app.user("alice").create().await;
    let (_, refresh) = app.api_tokens("alice").await;
    let body = json!({ "refresh": refresh });
    assert_eq!(
        app.post("/api/token/refresh/").json(&body).await.status,
        StatusCode::OK
    );
    app.outlast_reuse_grace();
    let after = last_event_id(&app).await;
    let reused = app.post("/api/token/refresh/").json(&body).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    let family = format!("family:{}", family_of(&app, alice.id).await);
    the_one_event(&app, after, "refresh.reuse", &family).await;
}

async fn a_replayed_authorization_code(app: TestApp) {
    let alice = app.user("alice").create().await;
    let grants = [GrantType::AuthorizationCode, GrantType::RefreshToken];
    let client = app
        .client("app")
        .grants(&grants)
        .redirect_uris(&[REDIRECT_URI])
        .create()
        .await;
    let (verifier, challenge) = pkce();
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let authorize = authorize_path(&[
        ("client_id", "app"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let target = agent.get(&authorize).await.location();
    let code = query_param(&target, "code").unwrap();
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier.as_str()),
    ];
    let first = app
        .post("/oauth/token")
        .form(&exchange)
        .client(&client)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let after = last_event_id(&app).await;
    let replay = app
        .post("/oauth/token")
        .form(&exchange)
        .client(&client)
        .await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    let family = format!("family:{}", family_of(&app, alice.id).await);
    let details = the_one_event(&app, after, "code.reuse", &family).await;
    assert_eq!(details["reason"], "code_reuse");
    assert_eq!(details["revoked_refresh_tokens"], 1);
    let access = jwt_parts(str_of(&first.json(), "access_token")).1;
    assert_eq!(details["jti"], access["jti"], "the access token goes too");
    assert_eq!(
        revoked_reasons(&app, alice.id).await,
        [Some("code_reuse".into())]
    );
}

async fn an_admin_revoking_one_family(app: TestApp) {
    let (_, session) = app.admin().await;
    let (alice, _) = alice_with_tokens(&app, 1).await;
    let family = family_of(&app, alice.id).await;
    let after = last_event_id(&app).await;
    let path = format!("/admin/tokens/{family}/revoke");
    app.admin_post(&path, &session, &[]).await;
    let details = the_one_event(&app, after, "token.revoke", &format!("family:{family}")).await;
    assert_eq!(details["reason"], "admin");
}

async fn an_admin_revoking_a_users_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    let (alice, _) = alice_with_tokens(&app, 2).await;
    let after = last_event_id(&app).await;
    let path = format!("/admin/users/{}/revoke-tokens", alice.id);
    app.admin_post(&path, &session, &[]).await;
    let target = format!("user:{}", alice.id);
    let details = the_one_event(&app, after, "user.revoke_tokens", &target).await;
    assert_eq!(details["revoked_refresh_tokens"], 2);
}

async fn an_admin_revoking_a_clients_tokens(app: TestApp) {
    let (_, session) = app.admin().await;
    alice_with_tokens(&app, 1).await;
    let after = last_event_id(&app).await;
    app.admin_post("/admin/clients/web/revoke-tokens", &session, &[])
        .await;
    let details = the_one_event(&app, after, "client.revoke_tokens", "client:web").await;
    assert_eq!(details["revoked_refresh_tokens"], 1);
}

async fn deactivating_a_user(app: TestApp) {
    let (alice, _) = alice_with_tokens(&app, 1).await;
    let after = last_event_id(&app).await;
    let actor = Actor::system();
    sesame::auth::accounts::deactivate_user(&app.state, &actor, alice.id, app.now())
        .await
        .unwrap();
    let target = format!("user:{}", alice.id);
    let details = the_one_event(&app, after, "token.revoke", &target).await;
    assert_revoked_for(&app, alice.id, &details, "user_deactivated").await;
}

async fn changing_a_password(app: TestApp) {
    let (_, session) = app.admin().await;
    let (alice, _) = alice_with_tokens(&app, 1).await;
    let after = last_event_id(&app).await;
    let path = format!("/admin/users/{}/password", alice.id);
    let password = [("password", "an entirely new passphrase")];
    app.admin_post(&path, &session, &password).await;
    let target = format!("user:{}", alice.id);
    let details = the_one_event(&app, after, "token.revoke", &target).await;
    assert_eq!(details["reason"], "password_changed");
    assert_eq!(details["revoked_refresh_tokens"], 1);
}

fn vue_admin(config: &mut sesame::Config) {
    config.compat.vue_admin = true;
}

async fn the_compat_logout(app: TestApp) {
    let alice = app.user("alice").create().await;
    let login = app
        .post("/login/")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .await;
    let access = str_of(&login.json()["data"], "accessToken").to_owned();
    let after = last_event_id(&app).await;
    let response = app.post("/logout/").bearer(&access).json(&json!({})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let target = format!("user:{}", alice.id);
    let details = the_one_event(&app, after, "token.revoke", &target).await;
    assert_eq!(details["reason"], "logout");
    assert_eq!(details["revoked_refresh_tokens"], 1);
    let jti = jwt_parts(&access).1["jti"].clone();
    assert_eq!(
        details["jti"], jti,
        "the access token is blacklisted in the same act"
    );
}

on_both_databases!(
    rfc7009_revoking_a_refresh_token,
    rfc7009_revoking_an_access_token,
    blacklisting_a_fresh_refresh_token,
    blacklisting_a_rotated_refresh_token_is_reuse,
    refresh_reuse_at_the_token_endpoint,
    refresh_reuse_at_the_simplejwt_surface,
    a_replayed_authorization_code,
    an_admin_revoking_one_family,
    an_admin_revoking_a_users_tokens,
    an_admin_revoking_a_clients_tokens,
    deactivating_a_user,
    changing_a_password,
);

on_both_databases!(vue_admin => the_compat_logout);
