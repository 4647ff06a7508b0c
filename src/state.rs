//! The shared application state: database, settings, key ring. No globals: everything a handler or
//! a domain function needs arrives through `AppState`.

mod key_ring;

use std::ops::Deref;
use std::sync::{Arc, Weak};

use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;

use crate::auth::directory::Directory;
use crate::auth::login_gates::Gates;
use crate::clock::SharedClock;
use crate::cluster::{Cluster, Event};
use crate::config::{ClaimNames, Config};
use crate::crypto::key_encryption::KeyEncryptionKey;
use crate::crypto::key_store::LoadedRing;
use crate::crypto::password_workers::PasswordWorkers;
use crate::crypto::passwords::PasswordHasher;
use crate::store::WriteGate;
use crate::store::availability::Availability;
use crate::store::rotations::RotationQueue;

/// Cheap to clone: one `Arc` around everything.
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

pub struct AppInner {
    pub db: DatabaseConnection,
    pub config: Config,
    ring: key_ring::RingSlot,
    /// The threads that run argon2id, a bounded number, fed from one queue.
    pub password_workers: PasswordWorkers,
    /// argon2id at the configured cost, with its dummy hash for unknown users.
    pub password_hasher: Arc<PasswordHasher>,
    /// Clients, users and revocation checks the hot paths read, kept for `cache_ttl`.
    pub directory: Directory,
    /// This instance's id and announcements to the others (`cluster`); its listener ends with it.
    pub cluster: Cluster,
    /// Queues this process's write transactions on SQLite (see `WriteGate`).
    pub writes: WriteGate,
    /// Refresh-token rotations, written in groups by one task (see `store::rotations`).
    pub rotations: RotationQueue,
    pub metrics: Option<PrometheusHandle>,
    /// The database's outage log: one line when it becomes unreachable, one when it is back.
    pub availability: Availability,
    /// The configured `token_type`, `jti` and `user_id` claim names, shared by verified tokens.
    pub claim_names: Arc<ClaimNames>,
    /// Serialises concurrent password checks of one source on one account (`login_gates::Gates`).
    pub login_gates: Gates,
    clock: SharedClock,
}

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// A handle on the state that does not keep it alive: background tasks that end with it hold one.
#[derive(Clone)]
pub struct WeakAppState(Weak<AppInner>);

impl WeakAppState {
    /// The state, unless it has been dropped.
    pub fn upgrade(&self) -> Option<AppState> {
        self.0.upgrade().map(AppState)
    }
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        ring: LoadedRing,
        kek: KeyEncryptionKey,
        metrics: Option<PrometheusHandle>,
        clock: SharedClock,
    ) -> AppState {
        let password_workers = PasswordWorkers::new(config.password_concurrency());
        let password_hasher = Arc::new(PasswordHasher::new(config.argon2));
        let directory = Directory::new(config.cache_ttl);
        let writes = WriteGate::new(&db);
        let rotations = RotationQueue::new(db.clone(), writes.clone());
        let claim_names = Arc::new(config.claim_names());
        let availability = Availability::new(db.clone(), config.database_url.clone());
        AppState(Arc::new(AppInner {
            db,
            config,
            ring: key_ring::RingSlot::new(ring, kek),
            password_workers,
            password_hasher,
            directory,
            cluster: Cluster::default(),
            writes,
            rotations,
            metrics,
            availability,
            claim_names,
            login_gates: Gates::default(),
            clock,
        }))
    }

    /// A handle that does not keep this state alive.
    pub fn downgrade(&self) -> WeakAppState {
        WeakAppState(Arc::downgrade(&self.0))
    }

    /// Makes a committed change take effect: applies `event` to this instance's caches, then
    /// announces it to the other instances (PostgreSQL `NOTIFY`; nothing to do on SQLite). Every
    /// write that makes a cached record stale calls this, after its commit.
    pub async fn announce(&self, event: Event) {
        self.directory.apply(&event);
        self.cluster.send(&self.db, &event).await;
    }

    /// The time to serve a request at: read once at the edge and passed to the domain as `now`.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
