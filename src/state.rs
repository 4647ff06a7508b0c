//! The shared application state: database, settings, key ring. No globals: everything a handler or
//! a domain function needs arrives through `AppState`.

use std::ops::Deref;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::crypto::keys::{KeyError, KeyRing};

/// Cheap to clone: one `Arc` around everything.
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

pub struct AppInner {
    pub db: DatabaseConnection,
    pub config: Config,
    keys: RwLock<Arc<KeyRing>>,
    /// Bounds the argon2id verifications in flight, so a burst of logins queues instead of
    /// starving every other request of CPU and memory.
    pub password_slots: Semaphore,
    pub metrics: Option<PrometheusHandle>,
}

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        keys: KeyRing,
        metrics: Option<PrometheusHandle>,
    ) -> AppState {
        let password_slots = Semaphore::new(config.password_concurrency());
        AppState(Arc::new(AppInner {
            db,
            config,
            keys: RwLock::new(Arc::new(keys)),
            password_slots,
            metrics,
        }))
    }

    /// The current key ring snapshot.
    pub fn keys(&self) -> Arc<KeyRing> {
        // A poisoned lock only means a reload panicked mid-swap; the old Arc is still whole.
        match self.keys.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads `keys/` (after `sesame keys rotate` or `retire`) and swaps the snapshot.
    pub fn reload_keys(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        let secret = self
            .config
            .signing_key
            .as_ref()
            .map(|s| s.expose().as_bytes());
        let ring =
            KeyRing::load_or_init(&self.config.keys_dir, self.config.algorithm, secret, now)?;
        let mut guard = match self.keys.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(ring);
        Ok(())
    }
}
