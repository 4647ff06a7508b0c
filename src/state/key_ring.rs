//! This instance's copy of the key ring: the snapshot every request signs and verifies with, the
//! version it was read at, and the key-encryption key to read it again. A ring changed by another
//! instance or the CLI reaches this one by [`AppState::check_key_ring`] (every second, and on
//! PostgreSQL at once through `LISTEN/NOTIFY`) and by a token naming a key it lacks.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use super::AppState;
use crate::crypto::key_encryption::KeyEncryptionKey;
use crate::crypto::key_store::{self, LoadedRing};
use crate::crypto::keys::{KeyError, KeyRing};

/// How long after an unknown `kid` made this instance look at the ring another one can make it
/// look again: a stream of forged kids costs the database one read a second, no more.
const UNKNOWN_KID_INTERVAL: chrono::Duration = chrono::Duration::seconds(1);

/// The ring as this instance holds it.
pub(super) struct RingSlot {
    current: RwLock<Arc<KeyRing>>,
    /// The `key_ring` version `current` was read at.
    version: AtomicI64,
    kek: KeyEncryptionKey,
    /// One load at a time, so an older read never replaces a newer ring.
    loading: Mutex<()>,
    /// When an unknown `kid` last made this instance look; requests that come meanwhile wait for
    /// that look and use its result.
    unknown_kid_look: Mutex<Option<DateTime<Utc>>>,
    loads: AtomicU64,
}

impl RingSlot {
    pub(super) fn new(loaded: LoadedRing, kek: KeyEncryptionKey) -> RingSlot {
        RingSlot {
            current: RwLock::new(Arc::new(loaded.ring)),
            version: AtomicI64::new(loaded.version),
            kek,
            loading: Mutex::new(()),
            unknown_kid_look: Mutex::new(None),
            loads: AtomicU64::new(0),
        }
    }

    pub(super) fn current(&self) -> Arc<KeyRing> {
        // A poisoned lock only means a swap panicked; the Arc inside is still whole.
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn swap(&self, loaded: LoadedRing) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(loaded.ring);
        // Relaxed: a stale read costs a check one more look under `loading`, nothing else.
        self.version.store(loaded.version, Ordering::Relaxed);
        self.loads.fetch_add(1, Ordering::Relaxed);
    }
}

impl AppState {
    /// The current key ring snapshot.
    pub fn keys(&self) -> Arc<KeyRing> {
        self.ring.current()
    }

    /// The key-encryption key the ring is sealed with.
    pub fn key_encryption_key(&self) -> &KeyEncryptionKey {
        &self.ring.kek
    }

    /// Reads the ring from the database and swaps the snapshot (after `sesame keys rotate` or
    /// `retire`, or when another instance announced a change).
    ///
    /// # Errors
    /// The database's, or a ring this instance cannot open; the old snapshot stays then.
    pub async fn reload_keys(&self) -> Result<(), KeyError> {
        let _loading = self.ring.loading.lock().await;
        self.load_ring().await
    }

    /// Reads the ring's version (one row) and reloads the ring if it moved since this instance
    /// read it; answers whether it reloaded. `sesame serve` calls this every second.
    ///
    /// # Errors
    /// As [`AppState::reload_keys`].
    pub async fn check_key_ring(&self) -> Result<bool, KeyError> {
        let latest = key_store::version(&self.db).await?;
        if latest == self.ring.version.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let _loading = self.ring.loading.lock().await;
        // Another check may have loaded it while this one waited.
        if latest == self.ring.version.load(Ordering::Relaxed) {
            return Ok(false);
        }
        self.load_ring().await?;
        tracing::info!(version = latest, "the key ring changed; reloaded");
        Ok(true)
    }

    /// A token named a `kid` that `stale`, the ring it was checked with, lacks: look at the ring
    /// once (at most once per second by `now`; concurrent callers share one look). Answers the
    /// ring to check it with again, or `None` when there is no other.
    pub(crate) async fn look_for_unknown_key(
        &self,
        stale: &Arc<KeyRing>,
        now: DateTime<Utc>,
    ) -> Option<Arc<KeyRing>> {
        let mut last = self.ring.unknown_kid_look.lock().await;
        let recent = last.is_some_and(|at| at <= now && now - at < UNKNOWN_KID_INTERVAL);
        if !recent {
            *last = Some(now);
            if let Err(err) = self.check_key_ring().await {
                tracing::warn!(error = %err, "a token named an unknown key; reading the ring failed");
            }
        }
        drop(last);
        let current = self.keys();
        (!Arc::ptr_eq(stale, &current)).then_some(current)
    }

    /// How many times this instance has loaded the ring since it started (the start itself not
    /// counted).
    pub fn key_ring_loads(&self) -> u64 {
        self.ring.loads.load(Ordering::Relaxed)
    }

    /// Loads and swaps; the caller holds `loading`.
    async fn load_ring(&self) -> Result<(), KeyError> {
        let loaded = key_store::load(&self.db, &self.ring.kek, self.config.key_modes()).await?;
        self.ring.swap(loaded);
        Ok(())
    }
}
