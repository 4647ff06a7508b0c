//! A bounded, expiring map for records every request reads and almost no request changes, on
//! quick_cache (S3-FIFO: a burst of distinct keys evicts cold entries one by one, never the whole
//! map). Nothing here knows what it holds: the domain decides what may be cached and says when an
//! entry is out of date (`invalidate`). Time is an input: every call takes `now`.
//!
//! The race it guards against: a reader loads a record, a writer changes it and invalidates, then
//! the reader stores what it loaded, now stale. Every invalidation bumps a generation; a reader
//! takes the generation before its load, and `insert` refuses a value loaded before a newer
//! invalidation. Inserts and invalidations take one small lock so that check and store are one
//! step; reads never take it.

use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_cache::Equivalent;
use quick_cache::sync::Cache;

/// What a reader saw before it went to the database; hand it back to [`TtlCache::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

#[derive(Clone)]
struct Entry<V> {
    expires_at: DateTime<Utc>,
    value: V,
}

/// Entries live `ttl` from their insertion; at most about `capacity` are held.
pub struct TtlCache<K, V> {
    ttl: chrono::Duration,
    entries: Option<Cache<K, Entry<V>>>,
    generation: Mutex<u64>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    /// A cache whose entries live `ttl` (zero turns it off) holding at most about `capacity`
    /// entries (zero turns it off too).
    pub fn new(ttl: Duration, capacity: usize) -> TtlCache<K, V> {
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let enabled = !ttl.is_zero() && capacity > 0;
        TtlCache {
            ttl,
            entries: enabled.then(|| Cache::new(capacity)),
            generation: Mutex::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, u64> {
        // Nothing panics while holding it; a poisoned counter is still a counter.
        self.generation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value stored for `key`, unless it has expired by `now`.
    pub fn get<Q>(&self, key: &Q, now: DateTime<Utc>) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let entries = self.entries.as_ref()?;
        let entry = entries.get(key)?;
        if entry.expires_at > now {
            Some(entry.value)
        } else {
            entries.remove(key);
            None
        }
    }

    /// Take this before loading a value that will be `insert`ed.
    pub fn generation(&self) -> Generation {
        Generation(*self.lock())
    }

    /// Stores `value` until `now + ttl`, unless an invalidation happened since `seen` (the value
    /// may predate it).
    pub fn insert(&self, key: K, value: V, seen: Generation, now: DateTime<Utc>) {
        let Some(entries) = &self.entries else {
            return;
        };
        let generation = self.lock();
        if *generation != seen.0 {
            return;
        }
        let expires_at = now
            .checked_add_signed(self.ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        entries.insert(key, Entry { expires_at, value });
    }

    /// Forgets `key`, and makes any load that started before now unfit to store.
    pub fn invalidate<Q>(&self, key: &Q)
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let mut generation = self.lock();
        if let Some(entries) = &self.entries {
            entries.remove(key);
        }
        *generation += 1;
    }

    /// Forgets everything, and makes any load that started before now unfit to store.
    pub fn clear(&self) {
        let mut generation = self.lock();
        if let Some(entries) = &self.entries {
            entries.clear();
        }
        *generation += 1;
    }

    /// How many entries are held (expired ones included until they are read or evicted).
    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, Cache::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap_or_default()
    }

    fn cache(capacity: usize) -> TtlCache<String, u32> {
        TtlCache::new(Duration::from_secs(10), capacity)
    }

    #[test]
    fn an_entry_lives_for_the_ttl() {
        let cache = cache(10);
        cache.insert("a".into(), 1, cache.generation(), at(0));
        assert_eq!(cache.get("a", at(0)), Some(1));
        assert_eq!(cache.get("a", at(9)), Some(1));
        assert_eq!(cache.get("a", at(10)), None);
        assert_eq!(cache.get("a", at(0)), None, "an expired entry is removed");
    }

    #[test]
    fn a_load_that_started_before_an_invalidation_is_not_stored() {
        let cache = cache(10);
        let seen = cache.generation();
        cache.invalidate("a");
        cache.insert("a".into(), 1, seen, at(0));
        assert_eq!(cache.get("a", at(0)), None);
        cache.insert("a".into(), 2, cache.generation(), at(0));
        assert_eq!(cache.get("a", at(0)), Some(2));
        cache.invalidate("a");
        assert_eq!(cache.get("a", at(0)), None);
    }

    #[test]
    fn a_full_cache_evicts_entries_not_the_whole_map() {
        let cache = cache(1_000);
        for i in 0..20_000u32 {
            cache.insert(i.to_string(), i, cache.generation(), at(0));
        }
        let held = cache.len();
        assert!(held > 500 && held <= 1_100, "held {held}");
        let last = (19_000..20_000u32)
            .filter(|i| cache.get(i.to_string().as_str(), at(1)) == Some(*i))
            .count();
        assert!(last > 0, "recent entries survive a burst");
    }

    #[test]
    fn a_zero_ttl_or_capacity_caches_nothing() {
        for cache in [
            TtlCache::new(Duration::ZERO, 10),
            TtlCache::<String, u32>::new(Duration::from_secs(1), 0),
        ] {
            cache.insert("a".into(), 1, cache.generation(), at(0));
            assert_eq!(cache.get("a", at(0)), None);
        }
    }

    #[test]
    fn clear_forgets_everything_and_refuses_older_loads() {
        let cache = cache(10);
        cache.insert("a".into(), 1, cache.generation(), at(0));
        let seen = cache.generation();
        cache.clear();
        assert_eq!(cache.get("a", at(0)), None);
        cache.insert("b".into(), 2, seen, at(0));
        assert_eq!(cache.get("b", at(0)), None);
    }
}
