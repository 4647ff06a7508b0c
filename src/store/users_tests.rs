#![expect(clippy::unwrap_used, reason = "test")]

use super::*;
use crate::store::{UniqueField, test_db, test_now};

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        email: None,
        phone: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        is_active: true,
        roles: vec![],
        display_name: None,
        avatar_url: None,
    }
}

#[tokio::test]
async fn insert_then_find_by_id_and_username_ignoring_case() {
    let (_dir, db) = test_db().await;
    let mut new = new_user("Alice");
    new.roles = vec!["admin".into(), "staff".into()];
    let alice = insert(&db, new, test_now()).await.unwrap();
    assert_eq!(alice.created_at, test_now());
    assert_eq!(alice.password_changed_at, test_now());
    assert_eq!(alice.roles(), ["admin", "staff"]);
    assert!(alice.has_role("admin"));
    assert_eq!(
        find_by_id(&db, alice.id).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(find_by_username(&db, "ALICE").await.unwrap(), Some(alice));
    assert_eq!(find_by_username(&db, "bob").await.unwrap(), None);
}

#[tokio::test]
async fn username_email_and_phone_are_unique() {
    let (_dir, db) = test_db().await;
    let mut first = new_user("Alice");
    first.email = Some("Alice@Example.com".into());
    first.phone = Some("+8613800000000".into());
    insert(&db, first, test_now()).await.unwrap();

    let err = insert(&db, new_user("alice"), test_now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, InsertError::Duplicate(UniqueField::Username)),
        "{err:?}"
    );

    let mut same_email = new_user("bob");
    same_email.email = Some("alice@example.COM".into());
    let err = insert(&db, same_email, test_now()).await.unwrap_err();
    assert!(
        matches!(err, InsertError::Duplicate(UniqueField::Email)),
        "{err:?}"
    );

    let mut same_phone = new_user("carol");
    same_phone.phone = Some("+8613800000000".into());
    let err = insert(&db, same_phone, test_now()).await.unwrap_err();
    assert!(
        matches!(err, InsertError::Duplicate(UniqueField::Phone)),
        "{err:?}"
    );

    // Several users without email or phone are fine: NULLs never collide.
    insert(&db, new_user("dave"), test_now()).await.unwrap();
    insert(&db, new_user("erin"), test_now()).await.unwrap();
    assert_eq!(count(&db).await.unwrap(), 3);
}

#[tokio::test]
async fn login_prefers_username_then_email_then_phone() {
    let (_dir, db) = test_db().await;
    let mut by_phone = new_user("p");
    by_phone.phone = Some("x@example.com".into());
    let by_phone = insert(&db, by_phone, test_now()).await.unwrap();
    let mut by_email = new_user("e");
    by_email.email = Some("X@example.com".into());
    let by_email = insert(&db, by_email, test_now()).await.unwrap();

    let found = find_by_login(&db, "x@example.com").await.unwrap().unwrap();
    assert_eq!(found.id, by_email.id);

    let by_name = insert(&db, new_user("x@EXAMPLE.com"), test_now())
        .await
        .unwrap();
    let found = find_by_login(&db, "x@example.com").await.unwrap().unwrap();
    assert_eq!(found.id, by_name.id);

    let found = find_by_login(&db, "P").await.unwrap().unwrap();
    assert_eq!(found.id, by_phone.id);
    assert!(find_by_login(&db, "nobody").await.unwrap().is_none());
}

#[tokio::test]
async fn password_updates_and_flags() {
    let (_dir, db) = test_db().await;
    let user = insert(&db, new_user("alice"), test_now()).await.unwrap();
    let later = test_now() + chrono::Duration::hours(1);

    replace_password_hash(&db, user.id, "upgraded")
        .await
        .unwrap();
    let got = find_by_id(&db, user.id).await.unwrap().unwrap();
    assert_eq!(got.password_hash, "upgraded");
    assert_eq!(got.password_changed_at, test_now());

    set_password_hash(&db, user.id, "changed", later)
        .await
        .unwrap();
    set_active(&db, user.id, false).await.unwrap();
    touch_last_login(&db, user.id, later).await.unwrap();
    let got = find_by_id(&db, user.id).await.unwrap().unwrap();
    assert_eq!(got.password_hash, "changed");
    assert_eq!(got.password_changed_at, later);
    assert!(!got.is_active);
    assert_eq!(got.last_login, Some(later));
}

#[tokio::test]
async fn list_pages_and_searches() {
    let (_dir, db) = test_db().await;
    for name in ["alice", "bob", "Alicia", "carol"] {
        insert(&db, new_user(name), test_now()).await.unwrap();
    }
    let mut odd = new_user("dan");
    odd.email = Some("100%_sure@example.com".into());
    insert(&db, odd, test_now()).await.unwrap();

    let (page, total) = list(&db, None, 1, 2).await.unwrap();
    assert_eq!(total, 5);
    let names: Vec<_> = page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["bob", "Alicia"]);

    let (page, total) = list(&db, Some("ALI"), 0, 10).await.unwrap();
    assert_eq!(total, 2);
    let names: Vec<_> = page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["alice", "Alicia"]);

    // Wildcards in the search are literal.
    let (page, total) = list(&db, Some("%_s"), 0, 10).await.unwrap();
    assert_eq!((page.len(), total), (1, 1));
    let (_, total) = list(&db, Some("_"), 0, 10).await.unwrap();
    assert_eq!(total, 1);
}
