//! Helpers for the store's unit tests: a migrated database, a fixed instant.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use super::*;

/// The store's unit tests wait for a connection as long as sqlx does by default.
pub(crate) const TEST_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// A fresh database with the migrations applied, for the store's unit tests: a SQLite file
/// in a temporary directory, or a new schema in `SESAME_TEST_DATABASE_URL` (PostgreSQL),
/// which the caller drops by hand afterwards.
#[expect(clippy::expect_used, reason = "test helper")]
pub(crate) async fn test_db() -> (Option<tempfile::TempDir>, DatabaseConnection) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQ: AtomicU32 = AtomicU32::new(0);

    let (dir, db) = match std::env::var("SESAME_TEST_DATABASE_URL") {
        Ok(url) => {
            let schema = format!(
                "sesame_store_test_{}_{}",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            );
            let admin = connect(&url, Some(1), TEST_ACQUIRE_TIMEOUT)
                .await
                .expect("connect");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            let mut opts = ConnectOptions::new(url);
            opts.sqlx_logging(false)
                .max_connections(8)
                .set_schema_search_path(schema);
            (None, Database::connect(opts).await.expect("connect"))
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = connect(&url, None, TEST_ACQUIRE_TIMEOUT)
                .await
                .expect("connect");
            (Some(dir), db)
        }
    };
    migrate(&db, &crate::progress::Silent)
        .await
        .expect("migrate");
    (dir, db)
}

/// A fixed instant for the store's unit tests.
pub(crate) fn test_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default()
}

/// The sizes of the batches `delete_expired` answers until one is short, the short one included.
pub(crate) async fn expired_batches<E: Expiring>(
    db: &DatabaseConnection,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<Vec<u64>, DbErr> {
    let mut sizes = Vec::new();
    loop {
        let deleted = delete_expired::<E, _>(db, before, batch).await?;
        sizes.push(deleted);
        if deleted < batch {
            return Ok(sizes);
        }
    }
}
