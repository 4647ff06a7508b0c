//! Several instances, one server (SPEC §1, §4): what one instance changes that the others hold in
//! memory is announced to them through PostgreSQL `NOTIFY` / `LISTEN`.
//!
//! Every domain write that makes a cached record stale calls
//! [`AppState::announce`](crate::state::AppState::announce) once its transaction committed: the
//! instance applies the [`Event`] to its own caches, then sends it with `SELECT pg_notify(channel,
//! payload)`. Each instance runs one listener ([`listener`]) that applies the events of the others
//! (its own carry its id and are skipped) without announcing them again. The channel is named
//! after the database's `current_schema()`, so servers in other schemas of one database (the test
//! suite's) never hear each other.
//!
//! What stays eventual: a notification is not stored, so one sent while an instance's listener
//! was disconnected is lost; the listener therefore clears every cache and reloads the key ring
//! when it reconnects, and until then (and on SQLite, where there is nothing to listen to) a
//! change is seen within `cache_ttl`, as without this module. An announcement that fails after
//! its commit is logged, and falls back to `cache_ttl` too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{OnceCell, watch};

pub mod listener;

#[cfg(test)]
mod tests;

/// PostgreSQL's longest identifier (`NAMEDATALEN - 1`); a longer channel name is refused.
const MAX_CHANNEL: usize = 63;
/// PostgreSQL refuses a payload of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7999;

/// A change another instance must apply to what it keeps in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The client `client_id` was changed, disabled or deleted.
    ClientChanged { client_id: String },
    /// The user `user_id` was changed: profile, roles, activity, password, last login.
    UserChanged { user_id: i64 },
    /// The access or sliding token `jti` was revoked.
    JtiRevoked { jti: String },
    /// Anything may have changed: forget every cached record and reload the key ring.
    EverythingChanged,
    /// A key was added to or retired from the ring. The instance that changed it has reloaded
    /// its own ring already; the others reload theirs.
    KeyRingChanged,
}

impl Event {
    /// [`Event::ClientChanged`] for `client_id`.
    pub fn client_changed(client_id: &str) -> Event {
        Event::ClientChanged {
            client_id: client_id.to_owned(),
        }
    }

    /// The metric label: `client`, `user`, `jti`, `everything`, `key_ring`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ClientChanged { .. } => "client",
            Event::UserChanged { .. } => "user",
            Event::JtiRevoked { .. } => "jti",
            Event::EverythingChanged => "everything",
            Event::KeyRingChanged => "key_ring",
        }
    }
}

/// What travels as a notification's payload: the sender's id and the event, as compact JSON,
/// e.g. `{"from":"3f2a…","kind":"user_changed","user_id":7}`.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Envelope {
    from: String,
    #[serde(flatten)]
    event: Event,
}

/// The payload announcing `event` from `instance`. An event too long for a notification (a
/// client id or `jti` of kilobytes) is announced as [`Event::EverythingChanged`] instead.
fn encode(instance: &str, event: &Event) -> String {
    let everything = || format!(r#"{{"from":"{instance}","kind":"everything_changed"}}"#);
    let envelope = Envelope {
        from: instance.to_owned(),
        event: event.clone(),
    };
    match serde_json::to_string(&envelope) {
        Ok(payload) if payload.len() <= MAX_PAYLOAD => payload,
        _ => everything(),
    }
}

/// The sender and the event of a payload.
///
/// # Errors
/// A payload that is not an envelope of a known event (a newer version's event, say).
fn decode(payload: &str) -> Result<(String, Event), serde_json::Error> {
    let envelope: Envelope = serde_json::from_str(payload)?;
    Ok((envelope.from, envelope.event))
}

/// The channel the instances on `schema` share: `sesame_<schema>` when that is a plain lowercase
/// identifier PostgreSQL keeps whole (at most 63 bytes), else `sesame_` and 16 hex digits of the
/// schema's SHA-256.
pub fn channel_for(schema: &str) -> String {
    let plain = format!("sesame_{schema}");
    let simple = schema
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if simple && plain.len() <= MAX_CHANNEL {
        return plain;
    }
    let digest = Sha256::digest(schema.as_bytes());
    format!("sesame_{}", hex::encode(&digest[..8]))
}

/// The channel of the database behind `db`; `None` on SQLite, which has no notifications.
async fn resolve_channel(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let sql = "SELECT COALESCE(current_schema(), '') AS schema";
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    let schema: String = match row {
        Some(row) => row.try_get("", "schema")?,
        None => String::new(),
    };
    Ok(Some(channel_for(&schema)))
}

/// The listener's health and the events counted by this instance since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Whether the listener holds a connection that is listening (always false on SQLite).
    pub connected: bool,
    /// Events announced by this instance.
    pub sent: u64,
    /// Events of other instances applied here.
    pub received: u64,
    /// Times the listener reconnected after losing its connection (each cleared every cache).
    pub reconnects: u64,
}

#[derive(Default)]
struct Counters {
    connected: AtomicBool,
    sent: AtomicU64,
    received: AtomicU64,
    reconnects: AtomicU64,
}

/// This instance's side of the announcements: its random id, the channel, and the counters.
/// One per `AppState`; dropping it stops the listener.
pub struct Cluster {
    instance: String,
    /// Resolved on first use (the CLI builds its state without awaiting anything).
    channel: OnceCell<Option<String>>,
    counters: Arc<Counters>,
    /// Dropped with the state: the listener's receiver then sees it closed and ends.
    stop: watch::Sender<()>,
}

impl Default for Cluster {
    fn default() -> Cluster {
        Cluster {
            instance: uuid::Uuid::new_v4().simple().to_string(),
            channel: OnceCell::new(),
            counters: Arc::default(),
            stop: watch::channel(()).0,
        }
    }
}

impl Cluster {
    /// This instance's random id (32 hex digits), new at every start; the listener's connection
    /// is named `sesame-listener-<id>` in `pg_stat_activity`.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The channel of `db`'s schema, `None` on SQLite.
    ///
    /// # Errors
    /// The database's, asking for `current_schema()` (asked again next time).
    pub async fn channel(&self, db: &DatabaseConnection) -> Result<Option<&str>, DbErr> {
        let channel = self.channel.get_or_try_init(|| resolve_channel(db)).await?;
        Ok(channel.as_deref())
    }

    /// A snapshot of the counters.
    pub fn health(&self) -> Health {
        let counters = &self.counters;
        Health {
            connected: counters.connected.load(Ordering::Relaxed),
            sent: counters.sent.load(Ordering::Relaxed),
            received: counters.received.load(Ordering::Relaxed),
            reconnects: counters.reconnects.load(Ordering::Relaxed),
        }
    }

    /// Ends when this `Cluster` is dropped (with its state).
    fn stopped(&self) -> watch::Receiver<()> {
        self.stop.subscribe()
    }

    fn set_connected(&self, connected: bool) {
        self.counters.connected.store(connected, Ordering::Relaxed);
        metrics::gauge!("sesame_cluster_listener_connected").set(f64::from(u8::from(connected)));
    }

    fn reconnected(&self) {
        self.set_connected(true);
        self.counters.reconnects.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("sesame_cluster_listener_reconnects_total").increment(1);
    }

    /// Counts another instance's `event`, once applied.
    fn received(&self, event: &Event) {
        self.counters.received.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("sesame_cluster_events_received_total", "kind" => event.kind())
            .increment(1);
    }

    /// Sends `event` to the other instances on `db` (nothing on SQLite). Called after the change
    /// committed; a failure is logged and counted, not returned: the change is made, and the
    /// other instances see it within `cache_ttl` anyway.
    pub async fn send(&self, db: &DatabaseConnection, event: &Event) {
        let kind = event.kind();
        let result = match self.channel(db).await {
            Ok(None) => return,
            Ok(Some(channel)) => {
                let values = [channel.into(), encode(&self.instance, event).into()];
                let sql = "SELECT pg_notify($1, $2)";
                let notify = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
                db.execute_raw(notify).await.map(drop)
            }
            Err(err) => Err(err),
        };
        match result {
            Ok(()) => {
                self.counters.sent.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("sesame_cluster_events_sent_total", "kind" => kind).increment(1);
            }
            Err(err) => {
                metrics::counter!("sesame_cluster_send_failures_total", "kind" => kind)
                    .increment(1);
                tracing::warn!(
                    kind,
                    error = %err,
                    "announcing a change to the other instances failed; they see it within \
                     cache_ttl"
                );
            }
        }
    }
}
