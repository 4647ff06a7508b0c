//! A bounded map whose entries expire, for records every request reads and almost no request
//! changes. Nothing here knows what it holds: the domain decides what may be cached and says when
//! an entry is out of date (`invalidate`).
//!
//! The race it guards against: a reader loads a record, a writer changes it and invalidates, then
//! the reader stores what it loaded, now stale. Every invalidation bumps a generation; a reader
//! takes the generation before its load and `insert` refuses a value loaded before a newer
//! invalidation.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    entries: HashMap<K, (Instant, V)>,
    generation: u64,
}

/// What a reader saw before it went to the database; hand it back to `insert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A cache whose entries live `ttl` (zero turns it off) and that holds at most `capacity`.
    pub fn new(ttl: Duration, capacity: usize) -> TtlCache<K, V> {
        TtlCache {
            ttl,
            capacity,
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // No code path panics while holding the lock; if one did, the map is still a valid map.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value stored for `key`, if it has not expired.
    pub fn get<Q>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut inner = self.lock();
        match inner.entries.get(key) {
            Some((expires, value)) if *expires > now => Some(value.clone()),
            Some(_) => {
                inner.entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Take this before loading a value that will be `insert`ed.
    pub fn generation(&self) -> Generation {
        Generation(self.lock().generation)
    }

    /// Stores `value` unless an invalidation happened since `seen` (the value may predate it).
    pub fn insert(&self, key: K, value: V, seen: Generation, now: Instant) {
        if self.ttl.is_zero() || self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != seen.0 {
            return;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&key) {
            inner.entries.retain(|_, (expires, _)| *expires > now);
            if inner.entries.len() >= self.capacity {
                // Every entry is live: a burst of distinct keys. Start over rather than keep
                // a second structure to find the oldest.
                inner.entries.clear();
            }
        }
        inner.entries.insert(key, (now + self.ttl, value));
    }

    /// Forgets `key`, and makes any load that started before now unfit to store.
    pub fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut inner = self.lock();
        inner.entries.remove(key);
        inner.generation += 1;
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> TtlCache<String, u32> {
        TtlCache::new(Duration::from_secs(1), 2)
    }

    #[test]
    fn an_entry_lives_for_the_ttl() {
        let cache = cache();
        let now = Instant::now();
        cache.insert("a".into(), 1, cache.generation(), now);
        assert_eq!(cache.get("a", now), Some(1));
        assert_eq!(cache.get("a", now + Duration::from_millis(999)), Some(1));
        assert_eq!(cache.get("a", now + Duration::from_secs(1)), None);
        assert_eq!(cache.get("a", now), None, "an expired entry is removed");
    }

    #[test]
    fn a_load_that_started_before_an_invalidation_is_not_stored() {
        let cache = cache();
        let now = Instant::now();
        let seen = cache.generation();
        cache.invalidate("a");
        cache.insert("a".into(), 1, seen, now);
        assert_eq!(cache.get("a", now), None);
        cache.insert("a".into(), 2, cache.generation(), now);
        assert_eq!(cache.get("a", now), Some(2));
        cache.invalidate("a");
        assert_eq!(cache.get("a", now), None);
    }

    #[test]
    fn a_full_cache_drops_expired_entries_first_then_everything() {
        let cache = cache();
        let now = Instant::now();
        cache.insert("a".into(), 1, cache.generation(), now);
        cache.insert(
            "b".into(),
            2,
            cache.generation(),
            now + Duration::from_millis(500),
        );
        let later = now + Duration::from_millis(1200);
        cache.insert("c".into(), 3, cache.generation(), later);
        assert_eq!(cache.get("a", later), None);
        assert_eq!(cache.get("b", later), Some(2), "b had not expired");
        assert_eq!(cache.get("c", later), Some(3));
        cache.insert("d".into(), 4, cache.generation(), later);
        assert_eq!(cache.get("b", later), None);
        assert_eq!(cache.get("c", later), None);
        assert_eq!(cache.get("d", later), Some(4));
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache: TtlCache<String, u32> = TtlCache::new(Duration::ZERO, 10);
        let now = Instant::now();
        cache.insert("a".into(), 1, cache.generation(), now);
        assert_eq!(cache.get("a", now), None);
    }

    #[test]
    fn clear_forgets_everything_and_refuses_older_loads() {
        let cache = cache();
        let now = Instant::now();
        cache.insert("a".into(), 1, cache.generation(), now);
        let seen = cache.generation();
        cache.clear();
        assert_eq!(cache.get("a", now), None);
        cache.insert("b".into(), 2, seen, now);
        assert_eq!(cache.get("b", now), None);
    }
}
