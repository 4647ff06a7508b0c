//! The one listener of an instance: a connection of its own that `LISTEN`s on the cluster's
//! channel and applies the other instances' events to this instance's caches and key ring.
//!
//! A lost connection (a restart of PostgreSQL, `pg_terminate_backend`, a network cut found by a
//! ping after [`PING_INTERVAL`] of silence) is retried at once and then with a doubling pause up
//! to [`MAX_BACKOFF`]. Notifications sent meanwhile are lost for good, so a reconnected listener
//! applies [`Event::EverythingChanged`]: every cache is cleared and the ring reloaded. An outage
//! is logged twice, when it starts and when it ends; `sesame_cluster_listener_connected` is 0
//! during it.

use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sea_orm::{DbBackend, sqlx};
use tokio::sync::watch;

use super::{Event, decode};
use crate::state::{AppState, WeakAppState};

/// The first pause after a failed reconnection; each next one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A connection silent this long is asked `SELECT 1`: a peer that vanished without closing the
/// connection (a cut network, a failover) would otherwise leave the listener waiting forever.
const PING_INTERVAL: Duration = Duration::from_secs(30);
/// How long that answer may take before the connection counts as lost.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts `state`'s listener (nothing on SQLite). Returns once it is listening, so an event sent
/// after this returns is heard; if it cannot listen yet, after logging why, and it keeps trying
/// in the background.
pub async fn spawn(state: &AppState) {
    if state.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let channel = match state.cluster.channel(&state.db).await {
        Ok(Some(channel)) => channel.to_owned(),
        Ok(None) => return,
        Err(err) => {
            tracing::error!(
                error = %err,
                "cannot name the cluster channel; other instances' changes are seen within \
                 cache_ttl"
            );
            return;
        }
    };
    let pool = listener_pool(state);
    let first = match subscribe(&pool, &channel).await {
        Ok(listener) => {
            state.cluster.set_connected(true);
            Some(listener)
        }
        Err(err) => {
            tracing::warn!(
                error = %err,
                %channel,
                "cannot LISTEN for other instances' changes (behind PgBouncer, use session \
                 pooling); until it can, they are seen within cache_ttl"
            );
            None
        }
    };
    let task = Task {
        state: state.downgrade(),
        stop: state.cluster.stopped(),
        pool,
        channel,
    };
    tokio::spawn(task.run(first));
}

/// A pool of one connection for the listener, made as the application's are (same server,
/// credentials, TLS and `search_path`), named so that an operator can tell it in
/// `pg_stat_activity`.
fn listener_pool(state: &AppState) -> PgPool {
    let app_pool = state.db.get_postgres_connection_pool();
    let name = format!("sesame-listener-{}", state.cluster.instance());
    let options = (*app_pool.connect_options())
        .clone()
        .application_name(&name);
    PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(state.config.database_acquire_timeout)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(options)
}

/// A listener on `channel`, on a fresh connection.
async fn subscribe(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // A lost connection is ours to handle: we clear the caches after reconnecting.
    listener.eager_reconnect(false);
    listener.ignore_pool_close_event(true);
    listener.listen(channel).await?;
    Ok(listener)
}

struct Task {
    state: WeakAppState,
    stop: watch::Receiver<()>,
    pool: PgPool,
    channel: String,
}

impl Task {
    /// Receives until the state is dropped, reconnecting whenever the connection is lost.
    async fn run(mut self, first: Option<PgListener>) {
        let mut listener = first;
        loop {
            let current = match listener.take() {
                Some(current) => current,
                None => match self.reconnect().await {
                    Some(current) => current,
                    None => return,
                },
            };
            if !self.receive(current).await {
                return;
            }
            // The connection was lost.
            if let Some(state) = self.state.upgrade() {
                state.cluster.set_connected(false);
            }
            tracing::warn!(
                channel = %self.channel,
                "lost the connection that listens for other instances' changes; reconnecting"
            );
        }
    }

    /// Applies notifications until the connection is lost (`true`) or the state is gone.
    async fn receive(&mut self, mut listener: PgListener) -> bool {
        loop {
            let received = tokio::select! {
                _ = self.stop.changed() => return false,
                received = listener.try_recv() => received,
                () = tokio::time::sleep(PING_INTERVAL) => {
                    if answers(&mut listener).await {
                        continue;
                    }
                    return true;
                }
            };
            let notification = match received {
                Ok(Some(notification)) => notification,
                Ok(None) => return true,
                Err(err) => {
                    tracing::debug!(error = %err, "listener connection failed");
                    return true;
                }
            };
            let Some(state) = self.state.upgrade() else {
                return false;
            };
            receive(&state, notification.payload()).await;
        }
    }

    /// Listens again, retrying with a growing pause; then applies what may have been missed.
    /// `None` when the state went away meanwhile.
    async fn reconnect(&mut self) -> Option<PgListener> {
        let started = Instant::now();
        let mut pause = Duration::ZERO;
        loop {
            tokio::select! {
                _ = self.stop.changed() => return None,
                () = tokio::time::sleep(pause) => {}
            }
            match subscribe(&self.pool, &self.channel).await {
                Ok(listener) => {
                    let state = self.state.upgrade()?;
                    apply(&state, &Event::EverythingChanged).await;
                    state.cluster.reconnected();
                    tracing::info!(
                        channel = %self.channel,
                        outage_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                        "listening for other instances' changes again; caches cleared, key ring \
                         reloaded"
                    );
                    return Some(listener);
                }
                Err(err) => {
                    tracing::debug!(error = %err, "reconnecting the listener failed");
                    pause = (pause * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
                }
            }
        }
    }
}

/// Whether the listener's connection answers a query within [`PING_TIMEOUT`].
async fn answers(listener: &mut PgListener) -> bool {
    let ping = sqlx::query("SELECT 1").execute(listener);
    matches!(tokio::time::timeout(PING_TIMEOUT, ping).await, Ok(Ok(_)))
}

/// Applies one notification's event, unless this instance sent it. A payload that is not an
/// event this version knows (a newer instance's, during a rolling upgrade) clears everything.
async fn receive(state: &AppState, payload: &str) {
    let event = match decode(payload) {
        Ok((from, _)) if from == state.cluster.instance() => return,
        Ok((_, event)) => event,
        Err(err) => {
            tracing::warn!(error = %err, payload, "unknown cluster event; clearing every cache");
            Event::EverythingChanged
        }
    };
    apply(state, &event).await;
    state.cluster.received(&event);
}

/// What another instance's `event` changes here: the caches, and the key ring when it changed.
async fn apply(state: &AppState, event: &Event) {
    state.directory.apply(event);
    if matches!(event, Event::KeyRingChanged | Event::EverythingChanged) {
        reload_keys(state).await;
    }
}

/// Re-reads the key ring from the database; on failure the current ring stays, and the
/// once-a-second version check tries again.
async fn reload_keys(state: &AppState) {
    if let Err(err) = state.reload_keys().await {
        tracing::error!(error = %err, "reloading keys failed; keeping the current ring");
    }
}
