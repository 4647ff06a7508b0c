//! Tests of the queries the admin UI added to `clients`, `users` and `refresh_tokens`.

use chrono::Duration;
use sea_orm::DatabaseConnection;

use super::refresh_tokens::{self, FamilyFilter, NewRefreshToken};
use super::users::{self, NewUser, ProfileChanges};
use super::{InsertError, UniqueField, clients, test_db, test_now};

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        email: None,
        phone: None,
        password_hash: "x".to_owned(),
        is_active: true,
        roles: vec![],
        display_name: None,
        avatar_url: None,
    }
}

async fn user(db: &DatabaseConnection, name: &str) -> i64 {
    users::insert(db, new_user(name), test_now())
        .await
        .unwrap()
        .id
}

fn token(jti: &str, family: &str, user_id: i64, expires_in: Duration) -> NewRefreshToken {
    NewRefreshToken {
        jti: jti.to_owned(),
        family_id: family.to_owned(),
        parent_jti: None,
        user_id,
        client_id: "app".to_owned(),
        scope: "openid".to_owned(),
        auth_time: test_now() - Duration::minutes(5),
        issued_at: test_now(),
        expires_at: test_now() + expires_in,
    }
}

fn new_client(client_id: &str) -> clients::NewClient {
    clients::NewClient {
        client_id: client_id.to_owned(),
        secret_hash: Some("ab".repeat(32)),
        name: "Demo".to_owned(),
        kind: "confidential".to_owned(),
        redirect_uris: vec!["https://a.example/cb".into()],
        post_logout_redirect_uris: vec![],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        scopes: vec!["openid".into(), "profile".into()],
        audience: None,
        access_token_lifetime_secs: Some(600),
        refresh_token_lifetime_secs: None,
        first_party: false,
        logo_uri: None,
    }
}

#[tokio::test]
async fn admin_edits_enable_disable_and_delete() {
    let (_dir, db) = test_db().await;
    let now = test_now();
    let created = clients::insert(&db, new_client("demo"), now).await.unwrap();
    let changes = clients::ClientChanges {
        name: "Renamed".into(),
        redirect_uris: vec!["https://c.example/cb".into()],
        post_logout_redirect_uris: vec!["https://c.example/bye".into()],
        grant_types: created.grant_types(),
        scopes: created.scopes(),
        audience: Some("api".into()),
        access_token_lifetime_secs: Some(60),
        refresh_token_lifetime_secs: Some(3600),
        first_party: true,
        logo_uri: None,
    };
    assert_eq!(
        changes.changed_fields(&created),
        [
            "name",
            "redirect_uris",
            "post_logout_redirect_uris",
            "audience",
            "access_token_lifetime",
            "refresh_token_lifetime",
            "first_party"
        ]
    );
    assert!(clients::update(&db, "demo", &changes).await.unwrap());
    assert!(!clients::update(&db, "missing", &changes).await.unwrap());
    let found = clients::find_by_client_id(&db, "demo")
        .await
        .unwrap()
        .unwrap();
    assert!(changes.changed_fields(&found).is_empty());
    assert_eq!(found.secret_hash, created.secret_hash);
    assert_eq!(
        clients::max_access_token_lifetime_secs(&db).await.unwrap(),
        Some(60)
    );

    assert!(clients::set_active(&db, "demo", false).await.unwrap());
    assert!(
        !clients::find_by_client_id(&db, "demo")
            .await
            .unwrap()
            .unwrap()
            .is_active
    );
    assert_eq!(clients::count(&db).await.unwrap(), 1);
    assert!(clients::delete(&db, "demo").await.unwrap());
    assert!(!clients::delete(&db, "demo").await.unwrap());
    assert_eq!(clients::count(&db).await.unwrap(), 0);
    assert_eq!(
        clients::max_access_token_lifetime_secs(&db).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn profile_updates_report_changes_and_duplicates() {
    let (_dir, db) = test_db().await;
    let mut taken = new_user("bob");
    taken.email = Some("bob@example.com".into());
    users::insert(&db, taken, test_now()).await.unwrap();
    let alice = users::insert(&db, new_user("alice"), test_now())
        .await
        .unwrap();
    assert!(!users::any_active_with_role(&db, "admin").await.unwrap());

    let changes = ProfileChanges {
        display_name: Some("Alice A.".into()),
        email: Some("alice@example.com".into()),
        phone: None,
        roles: vec!["admin".into()],
        is_active: true,
    };
    assert_eq!(
        changes.changed_fields(&alice),
        ["display_name", "email", "roles"]
    );
    users::update_profile(&db, alice.id, &changes)
        .await
        .unwrap();
    let got = users::find_by_id(&db, alice.id).await.unwrap().unwrap();
    assert!(changes.changed_fields(&got).is_empty());
    assert!(users::any_active_with_role(&db, "admin").await.unwrap());

    let clash = ProfileChanges {
        email: Some("BOB@example.com".into()),
        ..changes.clone()
    };
    let err = users::update_profile(&db, alice.id, &clash)
        .await
        .unwrap_err();
    assert!(
        matches!(err, InsertError::Duplicate(UniqueField::Email)),
        "{err:?}"
    );

    let demoted = ProfileChanges {
        roles: vec!["administrator".into()],
        ..changes
    };
    users::update_profile(&db, alice.id, &demoted)
        .await
        .unwrap();
    assert!(!users::any_active_with_role(&db, "admin").await.unwrap());
}

#[tokio::test]
async fn outstanding_families_are_their_live_heads() {
    let (_dir, db) = test_db().await;
    let alice = user(&db, "alice").await;
    let bob = user(&db, "bob").await;
    refresh_tokens::insert(&db, token("a1", "fa", alice, Duration::days(1)))
        .await
        .unwrap();
    let mut rotated = token("a2", "fa", alice, Duration::days(1));
    rotated.parent_jti = Some("a1".into());
    rotated.issued_at = test_now() + Duration::minutes(1);
    refresh_tokens::insert(&db, rotated).await.unwrap();
    refresh_tokens::mark_used(&db, ["a1".into()], test_now())
        .await
        .unwrap();
    let mut other = token("b1", "fb", bob, Duration::days(1));
    other.client_id = "other".into();
    refresh_tokens::insert(&db, other).await.unwrap();
    refresh_tokens::insert(&db, token("old", "fo", bob, Duration::minutes(-1)))
        .await
        .unwrap();
    refresh_tokens::insert(&db, token("gone", "fg", bob, Duration::days(1)))
        .await
        .unwrap();
    refresh_tokens::revoke(
        &db,
        &refresh_tokens::FamilySelector::Family("fg".into()),
        test_now(),
        "test",
    )
    .await
    .unwrap();

    let all = refresh_tokens::outstanding_families(&db, &FamilyFilter::All, test_now(), 10)
        .await
        .unwrap();
    let heads: Vec<_> = all
        .iter()
        .map(|(t, u)| (t.jti.as_str(), u.as_ref().map(|u| u.username.as_str())))
        .collect();
    assert_eq!(heads, [("a2", Some("alice")), ("b1", Some("bob"))]);
    let by_user =
        refresh_tokens::outstanding_families(&db, &FamilyFilter::User(alice), test_now(), 10)
            .await
            .unwrap();
    assert_eq!(by_user.len(), 1);
    let by_client = FamilyFilter::Client("other".into());
    let by_client = refresh_tokens::outstanding_families(&db, &by_client, test_now(), 10)
        .await
        .unwrap();
    assert_eq!(by_client[0].0.jti, "b1");
    assert_eq!(
        refresh_tokens::count_outstanding_families(&db, test_now())
            .await
            .unwrap(),
        2
    );

    let mut last = refresh_tokens::last_issued_by_client(&db).await.unwrap();
    last.sort();
    assert_eq!(
        last,
        [
            ("app".to_owned(), test_now() + Duration::minutes(1)),
            ("other".to_owned(), test_now())
        ]
    );
}
