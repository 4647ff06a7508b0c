//! The store's own unit tests: connecting, migrating, errors.

use super::*;

#[tokio::test]
async fn migrations_roll_back_and_reapply() {
    let (_dir, db) = test_db().await;
    ping(&db).await.unwrap();
    migration::Migrator::down(&db, None).await.unwrap();
    assert!(users::count(&db).await.is_err(), "tables are gone");
    migrate(&db, &crate::progress::Silent).await.unwrap();
    assert_eq!(users::count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn in_memory_sqlite_is_shared_by_the_pool() {
    let db = connect("sqlite::memory:", None, TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    migrate(&db, &crate::progress::Silent).await.unwrap();
    let counts = futures_count(&db).await;
    assert!(counts.iter().all(|&n| n == 0));
}

/// Counts users from several connections at once, so more than one is opened.
async fn futures_count(db: &DatabaseConnection) -> Vec<u64> {
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { users::count(&db).await.unwrap() })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

#[test]
fn lists_round_trip() {
    assert_eq!(split_list("  a b\tc  "), vec!["a", "b", "c"]);
    assert!(split_list("").is_empty());
    assert_eq!(join_list(["a", "", " b "]), "a b");
    assert_eq!(join_list(Vec::<String>::new()), "");
}

#[test]
fn unique_messages_name_the_field() {
    let cases = [
        (
            "UNIQUE constraint failed: users.username_canonical",
            UniqueField::Username,
        ),
        (
            "UNIQUE constraint failed: users.phone_canonical",
            UniqueField::Phone,
        ),
        (
            "duplicate key value violates unique constraint \"users_email_canonical_key\"",
            UniqueField::Email,
        ),
        (
            "duplicate key value violates unique constraint \"clients_client_id_key\"",
            UniqueField::ClientId,
        ),
    ];
    for (msg, field) in cases {
        assert_eq!(unique_field(msg), Some(field), "{msg}");
    }
    assert_eq!(unique_field("something else"), None);
}

/// Four instances starting at once on one empty PostgreSQL schema: one migrates, the others wait
/// and find nothing pending (without the lock, the second `CREATE TABLE` failed). Each pool has
/// one connection, as the lock's own connection must not starve the migrations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_on_postgres_migrate_one_after_the_other() {
    let Ok(url) = std::env::var("SESAME_TEST_DATABASE_URL") else {
        return;
    };
    let schema = format!("sesame_migrate_at_once_{}", std::process::id());
    let admin = connect(&url, Some(1), TEST_ACQUIRE_TIMEOUT).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let mut instances = Vec::new();
    for _ in 0..4 {
        let mut opts = ConnectOptions::new(url.clone());
        opts.sqlx_logging(false)
            .max_connections(1)
            .set_schema_search_path(schema.clone());
        instances.push(Database::connect(opts).await.unwrap());
    }
    let mut started = tokio::task::JoinSet::new();
    for db in instances.clone() {
        started.spawn(async move { migrate(&db, &crate::progress::Silent).await });
    }
    let results = started.join_all().await;
    let pending = migration::Migrator::get_pending_migrations(&instances[0]).await;
    admin
        .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    for result in results {
        result.unwrap();
    }
    assert_eq!(pending.unwrap().len(), 0);
}

#[tokio::test]
async fn this_build_plans_a_sqlite_statement_once_whatever_its_limit() {
    let db = connect("sqlite::memory:", None, TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    assert!(
        sqlite_plans_are_stable(&db).await.unwrap(),
        "SQLite built without SQLITE_ENABLE_QPSG: is .cargo/config.toml's LIBSQLITE3_FLAGS set?"
    );
}
