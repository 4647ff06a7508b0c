#![expect(clippy::unwrap_used, reason = "test")]

use chrono::Duration;
use sea_orm::{QueryTrait, TransactionTrait};

use super::*;
use crate::store::users::{self, NewUser};
use crate::store::{test_db, test_now};

async fn user(db: &sea_orm::DatabaseConnection, name: &str) -> i64 {
    let new = NewUser {
        username: name.to_owned(),
        email: None,
        phone: None,
        password_hash: "x".to_owned(),
        is_active: true,
        roles: vec![],
        display_name: None,
        avatar_url: None,
    };
    users::insert(db, new, test_now()).await.unwrap().id
}

fn token(jti: &str, family: &str, user_id: i64, expires_in: Duration) -> NewRefreshToken {
    NewRefreshToken {
        jti: jti.to_owned(),
        family_id: family.to_owned(),
        parent_jti: None,
        user_id,
        client_id: "app".to_owned(),
        scope: "openid profile".to_owned(),
        auth_time: test_now() - Duration::minutes(5),
        issued_at: test_now(),
        expires_at: test_now() + expires_in,
    }
}

#[tokio::test]
async fn insert_then_find_by_jti() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    let mut new = token("t1", "f1", uid, Duration::days(1));
    new.parent_jti = Some("t0".into());
    insert(&db, new.clone()).await.unwrap();
    let got = find_by_jti(&db, "t1").await.unwrap().unwrap();
    assert_eq!(got.family_id, "f1");
    assert_eq!(got.parent_jti.as_deref(), Some("t0"));
    assert_eq!(got.auth_time, new.auth_time);
    assert_eq!(got.expires_at, new.expires_at);
    assert_eq!((got.used_at, got.revoked_at), (None, None));
    assert!(find_by_jti(&db, "nope").await.unwrap().is_none());
    assert!(insert(&db, new).await.is_err(), "jti is unique");
}

#[tokio::test]
async fn mark_used_succeeds_exactly_once() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    insert(&db, token("t1", "f1", uid, Duration::days(1)))
        .await
        .unwrap();
    insert(&db, token("t2", "f2", uid, Duration::days(1)))
        .await
        .unwrap();
    let marked = mark_used(&db, ["t1".into(), "missing".into()], test_now()).await;
    assert_eq!(marked.unwrap(), ["t1"]);
    assert!(
        mark_used(&db, ["t1".into()], test_now())
            .await
            .unwrap()
            .is_empty()
    );

    revoke(
        &db,
        &FamilySelector::Family("f2".into()),
        test_now(),
        "test",
    )
    .await
    .unwrap();
    assert!(
        mark_used(&db, ["t2".into()], test_now())
            .await
            .unwrap()
            .is_empty(),
        "revoked tokens stay unused"
    );
    let t1 = find_by_jti(&db, "t1").await.unwrap().unwrap();
    assert_eq!(t1.used_at, Some(test_now()));
}

#[tokio::test]
async fn concurrent_mark_used_has_one_winner() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    insert(&db, token("t1", "f1", uid, Duration::days(1)))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { mark_used(&db, ["t1".into()], test_now()).await })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += task.await.unwrap().unwrap().len();
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn revocation_counts_only_unrevoked_rows() {
    let (_dir, db) = test_db().await;
    let alice = user(&db, "alice").await;
    let bob = user(&db, "bob").await;
    for (jti, family, uid) in [
        ("a1", "fa", alice),
        ("a2", "fa", alice),
        ("a3", "fb", alice),
    ] {
        insert(&db, token(jti, family, uid, Duration::days(1)))
            .await
            .unwrap();
    }
    let mut other_client = token("b1", "fc", bob, Duration::days(1));
    other_client.client_id = "other".into();
    insert(&db, other_client).await.unwrap();

    assert_eq!(
        revoke(
            &db,
            &FamilySelector::Family("fa".into()),
            test_now(),
            "reuse"
        )
        .await
        .unwrap(),
        2
    );
    assert_eq!(
        revoke(
            &db,
            &FamilySelector::Family("fa".into()),
            test_now(),
            "reuse"
        )
        .await
        .unwrap(),
        0
    );
    let a1 = find_by_jti(&db, "a1").await.unwrap().unwrap();
    assert_eq!(a1.revoke_reason.as_deref(), Some("reuse"));
    assert_eq!(a1.revoked_at, Some(test_now()));

    assert_eq!(
        revoke(&db, &FamilySelector::User(alice), test_now(), "password")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        revoke(
            &db,
            &FamilySelector::Client("other".into()),
            test_now(),
            "gone"
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        revoke(
            &db,
            &FamilySelector::Client("app".into()),
            test_now(),
            "gone"
        )
        .await
        .unwrap(),
        0
    );
    let a1 = find_by_jti(&db, "a1").await.unwrap().unwrap();
    assert_eq!(
        a1.revoke_reason.as_deref(),
        Some("reuse"),
        "first reason is kept"
    );
}

/// Tokens `old0`..`old{n-1}` that expired 1..n ms before `test_now()`: the lowest ids expire
/// last.
async fn insert_expired(db: &sea_orm::DatabaseConnection, uid: i64, n: i64) {
    for i in 0..n {
        let expires_in = Duration::milliseconds(-1 - i);
        insert(db, token(&format!("old{i}"), "f", uid, expires_in))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn delete_expired_works_in_batches() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    insert_expired(&db, uid, 5).await;
    // Expires a fraction of a second after the cut-off: must survive.
    insert(&db, token("edge", "f", uid, Duration::milliseconds(500)))
        .await
        .unwrap();
    insert(&db, token("new", "f", uid, Duration::days(1)))
        .await
        .unwrap();
    assert_eq!(
        crate::store::expired_batches::<Entity>(&db, test_now(), 2)
            .await
            .unwrap(),
        [2, 2, 1]
    );
    assert!(find_by_jti(&db, "edge").await.unwrap().is_some());
    assert!(find_by_jti(&db, "new").await.unwrap().is_some());
}

/// A batch takes the rows that expired first, through the `expires_at` index, whatever their ids.
#[tokio::test]
async fn a_delete_batch_takes_the_earliest_expiries_first() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    insert_expired(&db, uid, 4).await;
    let deleted = crate::store::delete_expired::<Entity, _>(&db, test_now(), 2)
        .await
        .unwrap();
    assert_eq!(deleted, 2);
    for (jti, kept) in [
        ("old0", true),
        ("old1", true),
        ("old2", false),
        ("old3", false),
    ] {
        assert_eq!(
            find_by_jti(&db, jti).await.unwrap().is_some(),
            kept,
            "{jti}"
        );
    }
}

#[tokio::test]
async fn deleting_a_user_deletes_their_tokens() {
    let (_dir, db) = test_db().await;
    let uid = user(&db, "alice").await;
    insert(&db, token("t1", "f1", uid, Duration::days(1)))
        .await
        .unwrap();
    crate::entities::users::Entity::delete_by_id(uid)
        .exec(&db)
        .await
        .unwrap();
    assert!(find_by_jti(&db, "t1").await.unwrap().is_none());
}

#[tokio::test]
async fn revoking_a_user_takes_their_outstanding_tokens_and_leaves_used_ones() {
    let (_dir, db) = test_db().await;
    let alice = user(&db, "alice").await;
    let bob = user(&db, "bob").await;
    for (jti, family, uid) in [
        ("used", "fa", alice),
        ("next", "fa", alice),
        ("bob", "fb", bob),
    ] {
        insert(&db, token(jti, family, uid, Duration::days(1)))
            .await
            .unwrap();
    }
    mark_used(&db, ["used".to_owned()], test_now())
        .await
        .unwrap();

    let revoked = revoke(&db, &FamilySelector::User(alice), test_now(), "password")
        .await
        .unwrap();

    assert_eq!(revoked, 1);
    let state = |row: Model| (row.used_at.is_some(), row.revoke_reason);
    let row = |jti: &'static str| {
        let db = db.clone();
        async move { find_by_jti(&db, jti).await.unwrap().unwrap() }
    };
    assert_eq!(state(row("used").await), (true, None));
    assert_eq!(
        state(row("next").await),
        (false, Some("password".to_owned()))
    );
    assert_eq!(state(row("bob").await), (false, None));
}

/// The revocations by user read `refresh_tokens_outstanding_user_id`, not the whole table: the
/// partial index serves only queries that state its condition. On a SQLite file whatever
/// `SESAME_TEST_DATABASE_URL` says: PostgreSQL's planner reads a table this small sequentially
/// whatever its indexes, so its plan would show nothing.
#[tokio::test]
async fn revocations_by_user_use_the_partial_index() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("plan.db").display());
    let db = crate::store::connect(&url, Some(1), crate::store::TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    crate::store::migrate(&db, &crate::progress::Silent)
        .await
        .unwrap();
    for selector in [
        FamilySelector::User(1),
        FamilySelector::UserAndClient(1, "app".to_owned()),
    ] {
        let update =
            revocation(&selector, test_now(), "password").build(sea_orm::DbBackend::Sqlite);
        let plan = sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", update.sql),
            update.values.map(|v| v.0).unwrap_or_default(),
        );
        // EXPLAIN plans with the connection's cached schema without checking it is current: a
        // real statement first, on the same connection, reloads it after the migrations.
        let txn = db.begin().await.unwrap();
        txn.execute_unprepared("SELECT count(*) FROM refresh_tokens")
            .await
            .unwrap();
        let rows = txn.query_all_raw(plan).await.unwrap();
        txn.rollback().await.unwrap();
        let details: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "detail").unwrap())
            .collect();
        assert!(
            details
                .iter()
                .any(|d| d.contains("USING INDEX refresh_tokens_outstanding_user_id")),
            "{selector:?}: {details:?}"
        );
    }
}

/// 3,000 tokens of one user, 2,700 of them used: a refresh history big enough for PostgreSQL to
/// use indexes at all.
async fn refresh_history(db: &sea_orm::DatabaseConnection) -> i64 {
    let uid = user(db, "alice").await;
    let all: Vec<NewRefreshToken> = (0..3_000)
        .map(|n| {
            token(
                &format!("t{n}"),
                &format!("f{}", n % 40),
                uid,
                Duration::days(1),
            )
        })
        .collect();
    for chunk in all.chunks(500) {
        insert_many(db, chunk.iter().cloned()).await.unwrap();
    }
    for chunk in all[..2_700].chunks(500) {
        let jtis = chunk.iter().map(|t| t.jti.clone());
        let marked = mark_used(db, jtis, test_now()).await.unwrap();
        assert_eq!(marked.len(), chunk.len());
    }
    uid
}

/// The plans of `statement` after ANALYZE, rolled back: on PostgreSQL its custom and its generic
/// plan, on SQLite its query plan.
async fn plans(db: &sea_orm::DatabaseConnection, statement: sea_orm::Statement) -> Vec<String> {
    let backend = db.get_database_backend();
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    let txn = db.begin().await.unwrap();
    let (modes, explain, column) = if backend == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("ANALYZE refresh_tokens")
            .await
            .unwrap();
        (
            vec!["force_custom_plan", "force_generic_plan"],
            "EXPLAIN",
            "QUERY PLAN",
        )
    } else {
        txn.execute_unprepared("ANALYZE").await.unwrap();
        (vec![""], "EXPLAIN QUERY PLAN", "detail")
    };
    let mut plans = Vec::new();
    for mode in modes {
        if !mode.is_empty() {
            txn.execute_unprepared(&format!("SET LOCAL plan_cache_mode = {mode}"))
                .await
                .unwrap();
        }
        let query = sea_orm::Statement::from_sql_and_values(
            backend,
            format!("{explain} {}", statement.sql),
            values.clone(),
        );
        let rows = txn.query_all_raw(query).await.unwrap();
        let lines: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", column).unwrap())
            .collect();
        plans.push(lines.join("\n"));
    }
    txn.rollback().await.unwrap();
    plans
}

/// A rotation group's UPDATE reads its tokens by `jti`, never the partial index of every
/// outstanding token, whatever the database: on PostgreSQL `used_at IS NULL AND revoked_at IS
/// NULL` made the planner AND a scan of that whole index with the lookups (every rotation group
/// read every outstanding token). Checked on the database `SESAME_TEST_DATABASE_URL` names, in
/// PostgreSQL's custom and generic plans. (On PostgreSQL a group runs as one statement; its own
/// test is below.)
#[tokio::test]
async fn a_rotation_group_reads_its_tokens_by_jti_alone() {
    let (_dir, db) = test_db().await;
    refresh_history(&db).await;
    let group: Vec<String> = (2_700..2_714).map(|n| format!("t{n}")).collect();
    let update = mark_used_statement(group, test_now()).build(db.get_database_backend());
    for plan in plans(&db, update).await {
        assert!(
            !plan.contains("refresh_tokens_outstanding_user_id"),
            "{plan}"
        );
        assert!(
            plan.contains("refresh_tokens_jti_key") || plan.contains("INDEX sqlite_autoindex"),
            "{plan}"
        );
    }
    let won = mark_used(&db, ["t2700".to_owned(), "t5".to_owned()], test_now())
        .await
        .unwrap();
    assert_eq!(
        won,
        ["t2700"],
        "an outstanding token is marked, a used one is not"
    );
}

/// PostgreSQL's one-statement rotation group (`rotations::postgres`): it reads the presented
/// tokens by `jti` (never the partial index), marks only the outstanding ones, and records the
/// successors of exactly those, with their columns as given.
#[tokio::test]
async fn a_postgres_rotation_group_marks_the_outstanding_and_records_their_successors() {
    let (_dir, db) = test_db().await;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let uid = refresh_history(&db).await;
    let successor = |n: usize| NewRefreshToken {
        parent_jti: Some(format!("t{n}")),
        ..token(
            &format!("s{n}"),
            &format!("f{}", n % 40),
            uid,
            Duration::days(2),
        )
    };
    let successors: Vec<(String, NewRefreshToken)> = (2_700..2_714)
        .chain([5])
        .map(|n| (format!("t{n}"), successor(n)))
        .collect();
    let group: Vec<(&str, &NewRefreshToken)> = successors
        .iter()
        .map(|(presented, next)| (presented.as_str(), next))
        .collect();
    let statement = crate::store::rotations::postgres::rotate_group_statement(&group, test_now());
    for plan in plans(&db, statement).await {
        assert!(
            !plan.contains("refresh_tokens_outstanding_user_id"),
            "{plan}"
        );
        assert!(plan.contains("refresh_tokens_jti_key"), "{plan}");
    }
    let mut recorded = crate::store::rotations::postgres::rotate_group(&db, &group, test_now())
        .await
        .unwrap();
    recorded.sort();
    let mut expected: Vec<String> = (2_700..2_714).map(|n| format!("s{n}")).collect();
    expected.sort();
    assert_eq!(recorded, expected, "t5 was used already: no successor");
    let marked = find_by_jti(&db, "t2700").await.unwrap().unwrap();
    assert_eq!(marked.used_at, Some(test_now()));
    let next = find_by_jti(&db, "s2700").await.unwrap().unwrap();
    let want = successor(2_700);
    assert_eq!(
        (
            next.family_id,
            next.parent_jti,
            next.user_id,
            next.client_id,
            next.scope
        ),
        (
            want.family_id,
            want.parent_jti,
            want.user_id,
            want.client_id,
            want.scope
        )
    );
    assert_eq!(
        (
            next.auth_time,
            next.issued_at,
            next.expires_at,
            next.used_at
        ),
        (want.auth_time, want.issued_at, want.expires_at, None)
    );
    assert!(find_by_jti(&db, "s5").await.unwrap().is_none());
    let again = crate::store::rotations::postgres::rotate_group(&db, &group, test_now())
        .await
        .unwrap();
    assert!(again.is_empty(), "a second presentation wins nothing");
}
