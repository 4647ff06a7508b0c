#![expect(clippy::unwrap_used, reason = "test")]

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::*;
use crate::store::{TEST_ACQUIRE_TIMEOUT, WriteGate, connect};

async fn pragma(db: &DatabaseConnection, name: &str) -> i64 {
    let sql = format!("PRAGMA {name}");
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

async fn write(db: &DatabaseConnection) {
    db.execute_unprepared("INSERT INTO t (x) VALUES (1)")
        .await
        .unwrap();
}

/// A SQLite file with a table `t`, its URL, and the server's pool on it.
async fn file_db(dir: &tempfile::TempDir) -> (String, DatabaseConnection) {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display());
    let shared = connect(&url, Some(4), TEST_ACQUIRE_TIMEOUT).await.unwrap();
    shared
        .execute_unprepared("CREATE TABLE t (x INTEGER)")
        .await
        .unwrap();
    (url, shared)
}

#[tokio::test]
async fn a_bulk_connection_has_a_large_cache_and_no_autocheckpoint_and_the_pool_keeps_the_defaults()
{
    let dir = tempfile::tempdir().unwrap();
    let (url, shared) = file_db(&dir).await;
    let bulk = BulkConnection::open(&shared, &url, Some(MAX_CACHE_KIB))
        .await
        .unwrap();
    assert_eq!(
        pragma(bulk.conn(), "cache_size").await,
        -i64::from(MAX_CACHE_KIB)
    );
    assert_eq!(pragma(&shared, "cache_size").await, -2000);
    assert_eq!(pragma(bulk.conn(), "wal_autocheckpoint").await, 0);
    assert_eq!(pragma(&shared, "wal_autocheckpoint").await, 1000);
}

#[tokio::test]
async fn it_tells_others_commits_from_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (url, shared) = file_db(&dir).await;
    let mut bulk = BulkConnection::open(&shared, &url, Some(MAX_CACHE_KIB))
        .await
        .unwrap();
    assert!(!bulk.others_wrote().await.unwrap());

    write(bulk.conn()).await;
    assert!(!bulk.others_wrote().await.unwrap(), "its own commit");

    write(&shared).await;
    assert!(bulk.others_wrote().await.unwrap(), "the pool's commit");
    assert!(bulk.others_wrote().await.unwrap(), "until settled");
    bulk.settle().await.unwrap();
    assert!(!bulk.others_wrote().await.unwrap());
}

/// The checkpoint a turn at the gate may begin with changes `data_version` too: settled after
/// its write, the job does not take its own turn's checkpoint for somebody else's write.
#[tokio::test]
async fn a_checkpoint_at_its_own_turn_is_settled_with_its_write() {
    let dir = tempfile::tempdir().unwrap();
    let (url, shared) = file_db(&dir).await;
    let gate = WriteGate::new(&shared);
    let mut bulk = BulkConnection::open(&shared, &url, Some(MAX_CACHE_KIB))
        .await
        .unwrap();
    write(bulk.conn()).await;
    {
        gate.checkpoint().await.unwrap();
        write(bulk.conn()).await;
        bulk.settle().await.unwrap();
    }
    assert!(!bulk.others_wrote().await.unwrap());
}

#[tokio::test]
async fn on_an_in_memory_database_it_shares_the_pool_and_tells_nothing() {
    let shared = connect("sqlite::memory:", None, TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    shared
        .execute_unprepared("CREATE TABLE t (x INTEGER)")
        .await
        .unwrap();
    let bulk = BulkConnection::open(&shared, "sqlite::memory:", Some(MAX_CACHE_KIB))
        .await
        .unwrap();
    write(&shared).await;
    write(bulk.conn()).await;
    assert!(!bulk.others_wrote().await.unwrap());
    assert_eq!(pragma(bulk.conn(), "cache_size").await, -2000);
}

#[test]
fn the_page_cache_grows_with_the_batch_from_the_default_to_its_cap() {
    assert_eq!(page_cache_kib(500), None, "the server's batches");
    assert_eq!(page_cache_kib(666), None);
    assert_eq!(page_cache_kib(667), Some(2001));
    assert_eq!(page_cache_kib(20_000), Some(60_000), "the CLI's batches");
    assert_eq!(page_cache_kib(u64::MAX), Some(MAX_CACHE_KIB));
}
