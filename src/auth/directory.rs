//! The records the hot paths read on every request (a client on each token, introspection and
//! revocation request; the user and the revocation list behind each access token), served from
//! memory for at most `cache_ttl`.
//!
//! Why: on SQLite each query is a round trip to a worker thread, and these three reads were most
//! of the CPU an introspection cost. What it costs: a change made through this instance is seen
//! at once (every domain write below invalidates), but one made by another instance or by the CLI
//! on the same database is seen within `cache_ttl` (default 1 s). `cache_ttl = "0s"` turns it off.
//!
//! Clients and users are cached only when found, so a new one works at once everywhere; a `jti`
//! is cached revoked or not, and revoking through this instance invalidates it.

use std::time::{Duration, Instant};

use super::Error;
use crate::entities::{clients, users};
use crate::state::AppState;
use crate::store;
use crate::ttl_cache::TtlCache;

/// At most this many entries per kind; beyond it the expired go first, then everything.
const CAPACITY: usize = 10_000;

/// The three caches, one `AppState` each.
pub struct Directory {
    clients: TtlCache<String, clients::Model>,
    users: TtlCache<i64, users::Model>,
    revoked: TtlCache<String, bool>,
}

impl Directory {
    pub fn new(ttl: Duration) -> Directory {
        Directory {
            clients: TtlCache::new(ttl, CAPACITY),
            users: TtlCache::new(ttl, CAPACITY),
            revoked: TtlCache::new(ttl, CAPACITY),
        }
    }

    /// Forgets everything: for tests and tools that write to the database behind the server.
    pub fn clear(&self) {
        self.clients.clear();
        self.users.clear();
        self.revoked.clear();
    }
}

/// The client registered as `client_id`, active or not.
pub async fn client(state: &AppState, client_id: &str) -> Result<Option<clients::Model>, Error> {
    let cache = &state.directory.clients;
    if let Some(found) = cache.get(client_id, Instant::now()) {
        return Ok(Some(found));
    }
    let seen = cache.generation();
    let found = store::clients::find_by_client_id(&state.db, client_id).await?;
    if let Some(model) = &found {
        cache.insert(client_id.to_owned(), model.clone(), seen, Instant::now());
    }
    Ok(found)
}

/// The user with `id`, active or not.
pub async fn user(state: &AppState, id: i64) -> Result<Option<users::Model>, Error> {
    let cache = &state.directory.users;
    if let Some(found) = cache.get(&id, Instant::now()) {
        return Ok(Some(found));
    }
    let seen = cache.generation();
    let found = store::users::find_by_id(&state.db, id).await?;
    if let Some(model) = &found {
        cache.insert(id, model.clone(), seen, Instant::now());
    }
    Ok(found)
}

/// Whether the token with this `jti` was revoked (the `revocations` table).
pub async fn is_revoked(state: &AppState, jti: &str) -> Result<bool, Error> {
    let cache = &state.directory.revoked;
    if let Some(revoked) = cache.get(jti, Instant::now()) {
        return Ok(revoked);
    }
    let seen = cache.generation();
    let revoked = store::revocations::is_revoked(&state.db, jti).await?;
    cache.insert(jti.to_owned(), revoked, seen, Instant::now());
    Ok(revoked)
}

/// Call after changing or deleting the client `client_id`.
pub fn client_changed(state: &AppState, client_id: &str) {
    state.directory.clients.invalidate(client_id);
}

/// Call after changing or deleting the user `id`.
pub fn user_changed(state: &AppState, id: i64) {
    state.directory.users.invalidate(&id);
}

/// Call after recording `jti` in `revocations`.
pub fn revoked(state: &AppState, jti: &str) {
    state.directory.revoked.invalidate(jti);
}
