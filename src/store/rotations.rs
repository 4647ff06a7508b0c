//! Refresh-token rotations, written in groups.
//!
//! A rotation marks the presented token used, if nothing else has, and records its successor.
//! Every rotation is a write, and SQLite takes one writer at a time: one transaction per request
//! (BEGIN, UPDATE, INSERT, COMMIT, each a round trip to SQLite's worker thread) made the write
//! lock the bottleneck at about a thousand rotations a second on two cores. So rotations queue
//! here, and one writer task takes everything queued, runs one conditional UPDATE for the whole
//! group and one INSERT for the winners' successors in one transaction, and answers each caller.
//! Under no load a group is one rotation and costs what it did before; under load the round
//! trips are shared. PostgreSQL gets the same groups, each written as one statement
//! (`postgres.rs`): one round trip where the transaction took four.
//!
//! Who wins is still decided by the database: the UPDATE only marks rows whose `used_at` is
//! NULL, so a token presented to two instances at once is won by one of them. Within one group,
//! the first presentation of a `jti` is submitted and any later one loses, as it would have lost
//! the conditional UPDATE one transaction later.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseBackend, DatabaseConnection, DbErr};
use tokio::sync::{mpsc, oneshot};

use super::WriteGate;
use super::refresh_tokens::{self, NewRefreshToken};

pub(super) mod postgres;

/// The most rotations one transaction carries (12 bound values each in SQLite's INSERT, 10 in
/// PostgreSQL's statement).
const MAX_GROUP: usize = 64;

/// One refresh: the presented token and the token that replaces it if it wins.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub presented_jti: String,
    pub successor: NewRefreshToken,
    pub now: DateTime<Utc>,
}

struct Pending {
    rotation: Rotation,
    answer: oneshot::Sender<Result<bool, DbErr>>,
}

/// The queue in front of the writer task, which starts with the first rotation and ends when the
/// queue is dropped with its `AppState`.
pub struct RotationQueue {
    db: DatabaseConnection,
    gate: WriteGate,
    sender: OnceLock<mpsc::UnboundedSender<Pending>>,
}

impl RotationQueue {
    pub fn new(db: DatabaseConnection, gate: WriteGate) -> RotationQueue {
        RotationQueue {
            db,
            gate,
            sender: OnceLock::new(),
        }
    }

    /// Marks `presented_jti` used and records the successor, if the token was neither used nor
    /// revoked; answers whether this rotation won. Only a committed rotation answers `true`.
    pub async fn rotate(&self, rotation: Rotation) -> Result<bool, DbErr> {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(write_groups(self.db.clone(), self.gate.clone(), receiver));
            sender
        });
        let (answer, answered) = oneshot::channel();
        sender
            .send(Pending { rotation, answer })
            .map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> DbErr {
    DbErr::Custom("the rotation writer stopped".into())
}

/// The writer task: takes whatever is queued, up to `MAX_GROUP`, and writes it as one group.
async fn write_groups(
    db: DatabaseConnection,
    gate: WriteGate,
    mut queue: mpsc::UnboundedReceiver<Pending>,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut group, MAX_GROUP).await > 0 {
        let (first, repeated): (Vec<Pending>, Vec<Pending>) = split_repeats(group.drain(..));
        let outcome = write_group(&db, &gate, &first).await;
        let outcome = match outcome {
            Ok(won) => Ok(won),
            // One bad row (its user deleted a moment ago, say) must not fail the others: alone,
            // each fails or succeeds on its own.
            Err(_) if first.len() > 1 => {
                for pending in first {
                    let won = write_group(&db, &gate, std::slice::from_ref(&pending)).await;
                    let won = won.map(|won| won.contains(&pending.rotation.presented_jti));
                    // The caller may have gone (its client disconnected): nothing to tell.
                    let _ = pending.answer.send(won);
                }
                answer_losers(repeated);
                continue;
            }
            Err(err) => Err(err),
        };
        match outcome {
            Ok(won) => {
                for pending in first {
                    let _ = pending
                        .answer
                        .send(Ok(won.contains(&pending.rotation.presented_jti)));
                }
            }
            Err(err) => {
                for pending in first {
                    let _ = pending.answer.send(Err(err.clone()));
                }
            }
        }
        answer_losers(repeated);
    }
}

/// Splits a group into first presentations and repeats of a `jti` already in it.
fn split_repeats(group: impl Iterator<Item = Pending>) -> (Vec<Pending>, Vec<Pending>) {
    let mut seen = HashSet::new();
    group.partition(|pending| seen.insert(pending.rotation.presented_jti.clone()))
}

/// A repeat in the same group lost to the first presentation, which has committed by now.
fn answer_losers(repeated: Vec<Pending>) {
    for pending in repeated {
        let _ = pending.answer.send(Ok(false));
    }
}

/// One transaction: mark every presented token used that is still unused, record the winners'
/// successors. Answers the presented `jti`s that won. On PostgreSQL the same in one statement
/// ([`postgres::rotate_group`]).
async fn write_group(
    db: &DatabaseConnection,
    gate: &WriteGate,
    group: &[Pending],
) -> Result<HashSet<String>, DbErr> {
    let Some(now) = group.iter().map(|p| p.rotation.now).max() else {
        return Ok(HashSet::new());
    };
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let pairs: Vec<(&str, &NewRefreshToken)> = group
            .iter()
            .map(|p| (p.rotation.presented_jti.as_str(), &p.rotation.successor))
            .collect();
        let recorded: HashSet<String> = postgres::rotate_group(db, &pairs, now)
            .await?
            .into_iter()
            .collect();
        return Ok(group
            .iter()
            .filter(|p| recorded.contains(&p.rotation.successor.jti))
            .map(|p| p.rotation.presented_jti.clone())
            .collect());
    }
    let txn = gate.begin(db).await?;
    let presented = group.iter().map(|p| p.rotation.presented_jti.clone());
    let won: HashSet<String> = refresh_tokens::mark_used(txn.conn(), presented, now)
        .await?
        .into_iter()
        .collect();
    let successors = group
        .iter()
        .filter(|p| won.contains(&p.rotation.presented_jti))
        .map(|p| p.rotation.successor.clone());
    refresh_tokens::insert_many(txn.conn(), successors).await?;
    txn.commit().await?;
    Ok(won)
}
