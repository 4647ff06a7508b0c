#![expect(clippy::unwrap_used, reason = "test")]

use std::sync::{Arc, Mutex};

use chrono::Utc;

use super::*;
use crate::store::login_attempts::{self, Pair};
use crate::store::{TEST_ACQUIRE_TIMEOUT, connect, migrate};

#[test]
fn alone_it_takes_whole_batches_without_rest() {
    let pacing = Pacing::GIVING_WAY;
    assert_eq!(pacing.batch_size(20_000, false), 20_000);
    assert_eq!(pacing.rest_after(Duration::from_millis(40), false), None);
}

#[test]
fn while_others_write_it_takes_small_batches_and_rests_nineteen_times_as_long() {
    let pacing = Pacing::GIVING_WAY;
    assert_eq!(pacing.batch_size(20_000, true), 200);
    assert_eq!(pacing.batch_size(50, true), 50);
    assert_eq!(
        pacing.rest_after(Duration::from_micros(1500), true),
        Some(Duration::from_micros(28_500))
    );
}

/// Never waits on the clock: no probe, no rest, and once another writer is seen the cleanup stays
/// in its way for good.
const WATCHFUL: Pacing = Pacing {
    contended_batch: 3,
    rest_per_work: 0,
    probe: Duration::ZERO,
    calm: Duration::MAX,
};

/// A migrated SQLite file with `n` login attempts old enough to forget; its URL and pool.
async fn forgettable_attempts(dir: &tempfile::TempDir, n: usize) -> (String, DatabaseConnection) {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    let db = connect(&url, Some(4), TEST_ACQUIRE_TIMEOUT).await.unwrap();
    migrate(&db, &crate::progress::Silent).await.unwrap();
    let long_ago = Utc::now() - chrono::Duration::days(30);
    for i in 0..n {
        let pair = Pair {
            account_key: format!("name:old{i}"),
            ip_key: None,
            device_key: None,
        };
        login_attempts::insert(&db, &pair, long_ago).await.unwrap();
    }
    (url, db)
}

/// Drains the attempts older than a day at `batch` rows a statement; answers each statement's
/// size and the total.
async fn drain_attempts(db: &DatabaseConnection, sweep: &mut Sweep, batch: u64) -> (Vec<u64>, u64) {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let cutoff = Utc::now() - chrono::Duration::days(1);
    let seen = Arc::clone(&sizes);
    let total = drain(&WriteGate::new(db), sweep, batch, |conn, size| {
        seen.lock().unwrap().push(size);
        async move { login_attempts::delete_older_than(&conn, cutoff, size).await }
    })
    .await
    .unwrap();
    let sizes = sizes.lock().unwrap().clone();
    (sizes, total)
}

#[tokio::test]
async fn alone_the_cleanup_deletes_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (url, db) = forgettable_attempts(&dir, 25).await;
    let bulk = BulkConnection::open(&db, &url, None).await.unwrap();
    let mut sweep = Sweep::start(bulk, WATCHFUL).await.unwrap();

    let (sizes, total) = drain_attempts(&db, &mut sweep, 10).await;

    assert_eq!((sizes, total), (vec![10, 10, 10], 25));
}

#[tokio::test]
async fn once_another_connection_writes_the_cleanup_deletes_small_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (url, db) = forgettable_attempts(&dir, 25).await;
    let bulk = BulkConnection::open(&db, &url, None).await.unwrap();
    // A request's write, through the server's pool, after the cleanup's connection opened.
    let pair = Pair {
        account_key: "name:now".to_owned(),
        ip_key: None,
        device_key: None,
    };
    login_attempts::insert(&db, &pair, Utc::now())
        .await
        .unwrap();
    let mut sweep = Sweep::start(bulk, WATCHFUL).await.unwrap();

    let (sizes, total) = drain_attempts(&db, &mut sweep, 10).await;

    assert_eq!(total, 25);
    assert_eq!(sizes, [3; 9], "eight full batches of 3 and a short one");
}
