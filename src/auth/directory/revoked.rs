//! Which token ids are revoked, as this instance knows it: every Bearer check and introspection
//! asks, for every token, so the answers stay in memory without expiring, and the instance
//! corrects them instead of forgetting them.
//!
//! A revocation made through this instance, or announced by another one (`crate::cluster`, on
//! PostgreSQL), marks its `jti` at once. Once per `cache_ttl`, the first request to notice asks
//! the database which tokens were revoked since the last look (on SQLite by the CLI; on
//! PostgreSQL in case an announcement was lost) and marks those; the others go on meanwhile. So
//! an answer is never staler than `cache_ttl` (plus one query), as with the other caches, but a
//! token seen once is never looked up again: a resource server introspecting 20,000 distinct
//! tokens costs one query per second, not one per token per second.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_cache::sync::Cache;
use sea_orm::{DatabaseConnection, DbErr};

use crate::store;

/// How far before the last look the next one reaches back: a revocation is stamped with its
/// instance's clock when its transaction starts, and may commit (or come from a clock) this much
/// later than that stamp says.
const MARGIN: chrono::Duration = chrono::Duration::seconds(10);

/// The answers, and when the database was last asked what changed.
pub struct RevokedJtis {
    /// `None` when `cache_ttl` is zero: every question goes to the database.
    answers: Option<Cache<String, bool>>,
    /// Bumped by every mark; a lookup that started before a mark does not store its answer.
    generation: Mutex<u64>,
    interval: chrono::Duration,
    /// When the last look at recent revocations started; held while one is under way.
    last_look: tokio::sync::Mutex<Option<DateTime<Utc>>>,
}

impl RevokedJtis {
    /// Answers for at most about `capacity` ids, corrected every `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> RevokedJtis {
        let interval = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let enabled = !interval.is_zero() && capacity > 0;
        RevokedJtis {
            answers: enabled.then(|| Cache::new(capacity)),
            generation: Mutex::new(0),
            interval,
            last_look: tokio::sync::Mutex::new(None),
        }
    }

    fn generation(&self) -> MutexGuard<'_, u64> {
        // Nothing panics while holding it; a poisoned counter is still a counter.
        self.generation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the token with this `jti` is revoked (the `revocations` table).
    pub async fn is_revoked(
        &self,
        db: &DatabaseConnection,
        jti: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let Some(answers) = &self.answers else {
            return store::revocations::is_revoked(db, jti).await;
        };
        self.catch_up(db, now).await?;
        if let Some(revoked) = answers.get(jti) {
            return Ok(revoked);
        }
        let seen = *self.generation();
        let revoked = store::revocations::is_revoked(db, jti).await?;
        let generation = self.generation();
        if *generation == seen {
            answers.insert(jti.to_owned(), revoked);
        }
        Ok(revoked)
    }

    /// Records that `jti` is revoked (after the revocation committed).
    pub fn mark_revoked(&self, jti: &str) {
        let mut generation = self.generation();
        if let Some(answers) = &self.answers {
            answers.insert(jti.to_owned(), true);
        }
        *generation += 1;
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        let mut generation = self.generation();
        if let Some(answers) = &self.answers {
            answers.clear();
        }
        *generation += 1;
    }

    /// Once per interval, marks what was revoked since the last look. A caller that finds a look
    /// under way goes on without waiting for it.
    async fn catch_up(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), DbErr> {
        let Ok(mut last_look) = self.last_look.try_lock() else {
            return Ok(());
        };
        match *last_look {
            Some(at) if now - at < self.interval => return Ok(()),
            // Nothing was answered before the first look: nothing to correct.
            None => {
                *last_look = Some(now);
                return Ok(());
            }
            Some(at) => {
                for jti in store::revocations::revoked_since(db, at - MARGIN).await? {
                    self.mark_revoked(&jti);
                }
                *last_look = Some(now);
            }
        }
        Ok(())
    }

    /// How many answers are held.
    pub fn len(&self) -> usize {
        self.answers.as_ref().map_or(0, Cache::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
