//! The signing keys in the admin UI: the ring, rotating (published before it signs), retiring
//! only once a key's tokens have expired, and HMAC mode where there is nothing to rotate.

use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::EntityTrait;

use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::admin::{assert_page, assert_see_other};
use crate::support::html::between;
use crate::support::oauth::jwt_parts;
use sesame::auth::admin::keys::{self, Retirement};
use sesame::auth::audit::Actor;
use sesame::entities::signing_keys;

/// The published kid that is not `old`.
async fn other_kid(app: &TestApp, old: &str) -> String {
    let kids = app.jwks_kids().await;
    kids.into_iter()
        .find(|kid| kid != old)
        .expect("a second key")
}

async fn access_token_kid(app: &TestApp) -> String {
    let client = app
        .client("svc")
        .grants(&[sesame::auth::clients::GrantType::ClientCredentials])
        .create()
        .await;
    let params = [("grant_type", "client_credentials")];
    let response = app.post("/oauth/token").form(&params).client(&client).await;
    let (header, _) = jwt_parts(response.json()["access_token"].as_str().unwrap());
    header["kid"].as_str().unwrap().to_owned()
}

async fn rotating_publishes_a_key_before_it_signs(app: TestApp) {
    let (_, session) = app.admin().await;
    let old = app.state.keys().signing_key_id(app.now()).to_owned();
    let page = app.get("/admin/keys").session(&session).await;
    assert_page(&page, StatusCode::OK);
    let row = between(&page.text(), &format!("<code>{old}</code>"), "</tr>")
        .unwrap()
        .to_owned();
    assert!(
        row.contains(">active<") && row.contains("signs new tokens"),
        "{row}"
    );

    let response = app.admin_post("/admin/keys/rotate", &session, &[]).await;
    assert_see_other(&response, "/admin/keys?notice=rotated");
    let kids = app.jwks_kids().await;
    assert_eq!(kids.len(), 2);
    let new = kids.iter().find(|k| **k != old).unwrap().clone();
    assert_eq!(
        access_token_kid(&app).await,
        old,
        "the new key does not sign yet"
    );
    let row = signing_keys::Entity::find_by_id(new.clone())
        .one(app.db())
        .await
        .unwrap()
        .expect("the new key is in the database");
    assert_eq!(row.key_use, "sig");
    assert!(!String::from_utf8_lossy(&row.ciphertext).contains("PRIVATE KEY"));
    assert!(
        !app.dir
            .path()
            .join("keys")
            .join(format!("{new}.pem"))
            .exists(),
        "no key file is written any more"
    );
    let page = app
        .get("/admin/keys?notice=rotated")
        .session(&session)
        .await
        .text();
    let row = between(&page, &format!("<code>{new}</code>"), "</tr>").unwrap();
    assert!(row.contains(">published<"), "{row}");
    app.assert_last_event("key.rotate", "root", &format!("key:{new}"))
        .await;

    let dashboard = app.get("/admin").session(&session).await.text();
    assert!(dashboard.contains(&format!("<code>{old}</code>")));
    assert!(dashboard.contains(&format!("<code>{new}</code>, published; signs from")));
}

async fn a_key_is_retired_only_once_its_tokens_have_expired(app: TestApp) {
    let (root, session) = app.admin().await;
    let old = app.state.keys().signing_key_id(app.now()).to_owned();
    let refused = app
        .admin_post(&format!("/admin/keys/{old}/retire"), &session, &[])
        .await;
    assert_page(&refused, StatusCode::CONFLICT);
    assert!(refused.text().contains("rotate to a new key first"));

    app.admin_post("/admin/keys/rotate", &session, &[]).await;
    let new = other_kid(&app, &old).await;
    // Five minutes on (jwks_max_age) the new key signs; the old one's tokens live five more.
    let now = app.now();
    let rows = keys::list_keys(&app.state, now + Duration::minutes(6))
        .await
        .unwrap();
    let old_row = rows.iter().find(|r| r.info.kid == old).unwrap();
    assert!(matches!(old_row.retirement, Retirement::After(at) if at > now + Duration::minutes(9)));
    let later = now + Duration::minutes(11);
    let rows = keys::list_keys(&app.state, later).await.unwrap();
    assert_eq!(
        rows.iter().find(|r| r.info.kid == old).unwrap().retirement,
        Retirement::Allowed
    );
    keys::retire_key(&app.state, &Actor::user(&root, None), &old, later)
        .await
        .unwrap();
    app.state.reload_keys().await.unwrap();
    assert_eq!(app.jwks_kids().await, std::slice::from_ref(&new));
    assert!(
        app.audit_trail()
            .await
            .iter()
            .any(|e| e.action == "key.retire")
    );
}

async fn a_key_that_never_signed_can_be_retired_at_once(app: TestApp) {
    let (_, session) = app.admin().await;
    let old = app.state.keys().signing_key_id(app.now()).to_owned();
    app.admin_post("/admin/keys/rotate", &session, &[]).await;
    let new = other_kid(&app, &old).await;
    let page = app.get("/admin/keys").session(&session).await.text();
    assert!(page.contains(&format!("action=\"/admin/keys/{new}/retire\"")));
    assert!(!page.contains(&format!("action=\"/admin/keys/{old}/retire\"")));
    let response = app
        .admin_post(&format!("/admin/keys/{new}/retire"), &session, &[])
        .await;
    assert_see_other(&response, "/admin/keys?notice=retired");
    assert_eq!(app.jwks_kids().await, std::slice::from_ref(&old));
    app.assert_last_event("key.retire", "root", &format!("key:{new}"))
        .await;
    let page = app.get("/admin/keys").session(&session).await.text();
    let row = between(&page, &format!("<code>{new}</code>"), "</tr>").unwrap();
    assert!(row.contains(">retired<"), "{row}");
    let again = app
        .admin_post(&format!("/admin/keys/{new}/retire"), &session, &[])
        .await;
    assert_page(&again, StatusCode::CONFLICT);
    let unknown = app
        .admin_post("/admin/keys/no-such-kid/retire", &session, &[])
        .await;
    assert_page(&unknown, StatusCode::NOT_FOUND);
}

async fn with_an_hmac_secret_the_ring_signs_id_tokens_and_rotates(app: TestApp) {
    let app = app
        .sibling(|c| {
            c.algorithm = sesame::crypto::keys::Algorithm::HS256;
            c.signing_key = Some("an hmac secret that is long enough!!".to_owned().into());
        })
        .await;
    let (_, session) = app.admin().await;
    let page = app.get("/admin/keys").session(&session).await;
    assert_page(&page, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("Access and refresh tokens are signed with the configured HS256 secret"));
    assert!(text.contains("Rotating adds a new RS256 key"));
    let response = app.admin_post("/admin/keys/rotate", &session, &[]).await;
    assert_see_other(&response, "/admin/keys?notice=rotated");
    let trail = app.audit_trail().await;
    let event = trail.last().unwrap();
    assert_eq!(event.action, "key.rotate");
    assert!(
        event
            .details
            .as_deref()
            .unwrap_or_default()
            .contains("RS256")
    );
    let published = app.get("/.well-known/jwks.json").await.json();
    assert_eq!(published["keys"].as_array().unwrap().len(), 2);
    let dashboard = app.get("/admin").session(&session).await.text();
    assert!(dashboard.contains("Access and refresh tokens are signed with the configured HS256"));
}

on_both_databases!(
    rotating_publishes_a_key_before_it_signs,
    a_key_is_retired_only_once_its_tokens_have_expired,
    a_key_that_never_signed_can_be_retired_at_once,
    with_an_hmac_secret_the_ring_signs_id_tokens_and_rotates,
);
