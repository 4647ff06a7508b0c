//! The records the hot paths read on every request (a client on each token, introspection and
//! revocation request; the user and the revocation list behind each access token), served from
//! memory for at most `cache_ttl`.
//!
//! Why: on SQLite each query is a round trip to a worker thread, and these three reads were most
//! of the CPU an introspection cost. What it costs: a change made through this instance is seen
//! at once (every domain write invalidates here), but one made by another instance or by the CLI
//! on the same database is seen within `cache_ttl` (default 1 s). `cache_ttl = "0s"` turns it off.
//!
//! Clients and users are cached only when found, so a new one works at once everywhere. Revoked
//! token ids are kept apart, in [`RevokedJtis`]: answers that never expire, corrected once per
//! `cache_ttl` from the revocations made since.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

mod revoked;

pub use revoked::RevokedJtis;

use crate::cache::TtlCache;
use crate::entities::{clients, users};
use crate::store;

/// Entries held at most per kind. A `jti` entry is small and introspection of many distinct
/// tokens is the common load, so that kind holds more.
const CLIENTS: usize = 10_000;
const USERS: usize = 50_000;
const JTIS: usize = 100_000;

/// The three caches; one per `AppState`.
pub struct Directory {
    clients: TtlCache<String, clients::Model>,
    users: TtlCache<i64, users::Model>,
    revoked: RevokedJtis,
}

impl Directory {
    /// Caches whose entries live `ttl` (zero reads through).
    pub fn new(ttl: Duration) -> Directory {
        Directory {
            clients: TtlCache::new(ttl, CLIENTS),
            users: TtlCache::new(ttl, USERS),
            revoked: RevokedJtis::new(ttl, JTIS),
        }
    }

    /// The client registered as `client_id`, active or not.
    pub async fn client(
        &self,
        db: &DatabaseConnection,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<clients::Model>, DbErr> {
        if let Some(found) = self.clients.get(client_id, now) {
            return Ok(Some(found));
        }
        let seen = self.clients.generation();
        let found = store::clients::find_by_client_id(db, client_id).await?;
        if let Some(model) = &found {
            self.clients
                .insert(client_id.to_owned(), model.clone(), seen, now);
        }
        Ok(found)
    }

    /// The user with `id`, active or not.
    pub async fn user(
        &self,
        db: &DatabaseConnection,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<users::Model>, DbErr> {
        if let Some(found) = self.users.get(&id, now) {
            return Ok(Some(found));
        }
        let seen = self.users.generation();
        let found = store::users::find_by_id(db, id).await?;
        if let Some(model) = &found {
            self.users.insert(id, model.clone(), seen, now);
        }
        Ok(found)
    }

    /// Whether the token with this `jti` was revoked (the `revocations` table).
    pub async fn is_revoked(
        &self,
        db: &DatabaseConnection,
        jti: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        self.revoked.is_revoked(db, jti, now).await
    }

    /// Call after changing or deleting the client `client_id`.
    pub fn client_changed(&self, client_id: &str) {
        self.clients.invalidate(client_id);
    }

    /// Call after changing or deleting the user `id`.
    pub fn user_changed(&self, id: i64) {
        self.users.invalidate(&id);
    }

    /// Call after recording `jti` in `revocations` (once the transaction committed).
    pub fn revoked(&self, jti: &str) {
        self.revoked.mark_revoked(jti);
    }

    /// Forgets everything: for tools that write to the database behind the server.
    pub fn clear(&self) {
        self.clients.clear();
        self.users.clear();
        self.revoked.clear();
    }
}
