//! The records the hot paths read on every request (a client on each token, introspection and
//! revocation request; the user and the revocation list behind each access token), served from
//! memory for at most `cache_ttl`.
//!
//! Why: on SQLite each query is a round trip to a worker thread, and these three reads were most
//! of the CPU an introspection cost. What it costs: a change made through this instance is seen
//! at once (every domain write invalidates here, through `AppState::announce`). On PostgreSQL
//! every change, a CLI command's included, is announced to the running instances
//! (`crate::cluster`) and applies there at once too; on SQLite, or when a notification was lost,
//! a change made elsewhere is seen within `cache_ttl` (default 1 s). `cache_ttl = "0s"` turns
//! it off.
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
use crate::cluster::Event;
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

    /// Applies a change to the cached records: forgets a changed client or user, marks a revoked
    /// `jti`, or forgets everything. Not called by the domain directly: [`AppState::announce`]
    /// applies a change here and announces it, and the cluster listener applies the other
    /// instances' changes here.
    ///
    /// [`AppState::announce`]: crate::state::AppState::announce
    pub fn apply(&self, event: &Event) {
        match event {
            Event::ClientChanged { client_id } => self.clients.invalidate(client_id.as_str()),
            Event::UserChanged { user_id } => self.users.invalidate(user_id),
            Event::JtiRevoked { jti } => self.revoked.mark_revoked(jti),
            Event::EverythingChanged => {
                self.clients.clear();
                self.users.clear();
                self.revoked.clear();
            }
            // Not a record of the directory's: the state reloads its ring.
            Event::KeyRingChanged => {}
        }
    }
}
