use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use super::*;
use crate::store::login_attempts::{self, Pair};
use crate::store::{connect, migrate};

#[tokio::test]
async fn sqlite_connections_use_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("p.db").display());
    let db = connect(&url, Some(2), crate::store::TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    for (pragma, want) in [
        ("journal_mode", "wal"),
        ("foreign_keys", "1"),
        ("synchronous", "1"),
        ("journal_size_limit", "4194304"),
    ] {
        let sql = format!("PRAGMA {pragma}");
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .unwrap();
        let got: String = row
            .try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(got, want, "{pragma}");
    }
}

fn wal_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// A migrated SQLite file database in `dir` with a pool of 8, its write gate, and its log's path.
async fn file_db(dir: &Path) -> (DatabaseConnection, WriteGate, std::path::PathBuf) {
    let file = dir.join("load.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let db = connect(&url, Some(8), crate::store::TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    migrate(&db, &crate::progress::Silent).await.unwrap();
    let gate = WriteGate::new(&db);
    (db, gate, dir.join("load.db-wal"))
}

/// What a failed login writes, the way `throttle::record_failure` writes it: at the gate.
async fn record_failure(db: &DatabaseConnection, gate: &WriteGate, writer: usize, i: usize) {
    let pair = Pair {
        account_key: format!("name:w{writer}-{i}"),
        ip_key: Some(format!("127.0.{writer}.1")),
        device_key: None,
    };
    gate.run(login_attempts::insert(db, &pair, Utc::now()))
        .await
        .unwrap();
}

/// Writers commit one row at a time through the gate while readers keep reading, as a busy
/// login form did. Nothing checkpoints on a timer here: the writers' turns alone keep the log
/// within its bound plus one write, however the machine schedules the tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_stays_small_under_sustained_writes_and_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (db, gate, wal) = file_db(dir.path()).await;
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let (db, gate) = (db.clone(), gate.clone());
        writers.spawn(async move {
            for i in 0..1500 {
                record_failure(&db, &gate, writer, i).await;
            }
        });
    }
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let (db, done) = (db.clone(), Arc::clone(&done));
        readers.spawn(async move {
            let mut reads = 0_u64;
            while !done.load(Ordering::Relaxed) {
                let since = Utc::now() - chrono::Duration::hours(1);
                login_attempts::summarize_ip(&db, "127.0.0.1", since)
                    .await
                    .unwrap();
                reads += 1;
                tokio::task::yield_now().await;
            }
            reads
        });
    }
    writers.join_all().await;
    done.store(true, Ordering::Relaxed);
    let reads: u64 = readers.join_all().await.into_iter().sum();
    let largest = gate.largest_log().await.unwrap();
    eprintln!("6,000 commits under {reads} reads: the log peaked at {largest} bytes");
    assert!(reads > 0);
    // One insert into login_attempts and its indexes is a few pages of 4 KiB.
    assert!(
        largest <= LOG_BOUND + 64 * 1024,
        "the log reached {largest} bytes, past its bound of {LOG_BOUND}"
    );
    let rows =
        login_attempts::summarize_ip(&db, "127.0.3.1", Utc::now() - chrono::Duration::hours(1));
    assert_eq!(rows.await.unwrap().count, 1500);
    let last = gate.checkpoint().await.unwrap().unwrap();
    assert!(!last.busy);
    assert_eq!(wal_size(&wal), 0, "TRUNCATE empties the log");
}

/// A reader that keeps its snapshot open keeps the checkpoint from emptying the log. Writes go on
/// regardless (waiting `CHECKPOINT_WAIT` once per `LOG_BOUND` written), and once the reader is
/// gone the next turn past the raised mark empties the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_holding_its_snapshot_slows_writes_but_fails_none() {
    let dir = tempfile::tempdir().unwrap();
    let (db, gate, wal) = file_db(dir.path()).await;
    record_failure(&db, &gate, 0, 0).await;
    let reader = db.begin().await.unwrap();
    let since = Utc::now() - chrono::Duration::hours(1);
    login_attempts::summarize_ip(&reader, "127.0.0.1", since)
        .await
        .unwrap();
    let mut written = 1;
    while wal_size(&wal) <= LOG_BOUND + 64 * 1024 {
        record_failure(&db, &gate, 0, written).await;
        written += 1;
    }
    let kept = gate.checkpoint().await.unwrap().unwrap();
    assert!(kept.busy, "the reader's snapshot is still in the log");
    assert!(wal_size(&wal) > LOG_BOUND);
    reader.commit().await.unwrap();
    // The failed checkpoint raised the mark by a bound: the log is emptied once it passes that.
    let mark = wal_size(&wal) + LOG_BOUND;
    loop {
        let before = wal_size(&wal);
        record_failure(&db, &gate, 0, written).await;
        written += 1;
        let after = wal_size(&wal);
        assert!(after <= mark + 64 * 1024, "{after} bytes: no reset");
        if after < before {
            // Emptied at the start of the turn, then one row written.
            assert!(after < 64 * 1024, "{after} bytes");
            break;
        }
    }
    let since = Utc::now() - chrono::Duration::hours(1);
    let rows = login_attempts::summarize_ip(&db, "127.0.0.1", since);
    assert_eq!(rows.await.unwrap().count, written as u64);
}

/// An in-memory database has no log: turns do not look for one again, and nothing checkpoints.
#[tokio::test]
async fn an_in_memory_database_has_no_log_to_bound() {
    let db = connect("sqlite::memory:", None, crate::store::TEST_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    migrate(&db, &crate::progress::Silent).await.unwrap();
    let gate = WriteGate::new(&db);
    record_failure(&db, &gate, 0, 0).await;
    assert_eq!(gate.largest_log().await, None);
    assert_eq!(gate.checkpoint().await.unwrap(), None);
}
