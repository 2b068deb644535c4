//! What a person may do is read from the database on every request (ACC-1), through this
//! cache of a few seconds: a phone's burst of requests costs one read, and a change made on
//! another instance sharing the database bites within the cache's lifetime. Changes made here
//! are forgotten at once, so on this instance they bite on the next request.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Entries kept before the cache is swept of stale ones (and, if still full, cleared).
const CAPACITY: usize = 10_000;

/// Recently read access, per person id, each trusted for `ttl`.
pub struct AccessCache<V> {
    ttl: Duration,
    entries: RwLock<HashMap<String, (V, Instant)>>,
}

impl<V: Copy> AccessCache<V> {
    pub fn new(ttl: Duration) -> AccessCache<V> {
        AccessCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The person's access if it was read less than `ttl` before `now`.
    pub fn get(&self, person_id: &str, now: Instant) -> Option<V> {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(person_id)
            .filter(|(_, read_at)| now.saturating_duration_since(*read_at) < self.ttl)
            .map(|(access, _)| *access)
    }

    /// Remembers access as read at `read_at` (taken before the read, so it never counts as
    /// fresher than it is).
    pub fn put(&self, person_id: &str, access: V, read_at: Instant) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| read_at.saturating_duration_since(*at) < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(person_id.to_string(), (access, read_at));
    }

    /// Drops what is known of the person: called by every write that changes their access.
    pub fn forget(&self, person_id: &str) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(person_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc1_access_is_trusted_for_its_lifetime_only_and_forgotten_on_change() {
        let cache = AccessCache::new(Duration::from_secs(2));
        let t0 = Instant::now();
        assert_eq!(cache.get("p", t0), None);
        cache.put("p", 7, t0);
        assert_eq!(cache.get("p", t0 + Duration::from_millis(1999)), Some(7));
        assert_eq!(cache.get("p", t0 + Duration::from_secs(2)), None);
        cache.put("p", 8, t0);
        cache.forget("p");
        assert_eq!(cache.get("p", t0), None);
        assert_eq!(cache.get("q", t0), None);
    }

    #[test]
    fn acc1_a_full_cache_keeps_working() {
        let cache = AccessCache::new(Duration::from_secs(2));
        let t0 = Instant::now();
        for i in 0..CAPACITY + 5 {
            cache.put(&i.to_string(), i, t0);
        }
        assert_eq!(
            cache.get(&(CAPACITY + 4).to_string(), t0),
            Some(CAPACITY + 4)
        );
    }
}
