//! Login rate limiting (ACC-1): failed attempts per account and per client address, over a
//! sliding window. Kept in memory: each instance limits on its own, which
//! still bounds guessing to (instances x limit) per window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The number of keys above which old entries are swept, so memory stays bounded.
const SWEEP_ABOVE_KEYS: usize = 10_000;

pub struct SlidingWindow {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SlidingWindow {
    pub fn new(limit: usize, window: Duration) -> SlidingWindow {
        SlidingWindow {
            limit: limit.max(1),
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// How long until `key` may try again, or `None` when it may now.
    pub fn retry_after(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        let entry = hits.get_mut(key)?;
        self.expire(entry, now);
        if entry.len() < self.limit {
            return None;
        }
        entry
            .front()
            .map(|oldest| (*oldest + self.window).saturating_duration_since(now))
    }

    pub fn record(&self, key: &str, now: Instant) {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > SWEEP_ABOVE_KEYS {
            hits.retain(|_, entry| {
                entry
                    .back()
                    .is_some_and(|last| now.duration_since(*last) < self.window)
            });
        }
        let entry = hits.entry(key.to_string()).or_default();
        self.expire(entry, now);
        entry.push_back(now);
    }

    pub fn clear(&self, key: &str) {
        self.hits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    fn expire(&self, entry: &mut VecDeque<Instant>, now: Instant) {
        while entry
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            entry.pop_front();
        }
    }
}

/// The two limits a login passes.
pub struct LoginLimiter {
    pub per_account: SlidingWindow,
    pub per_address: SlidingWindow,
}

impl LoginLimiter {
    /// Whether an attempt may go ahead; refusals say how long to wait.
    pub fn check(&self, account: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let wait = [
            self.per_account.retry_after(account, now),
            self.per_address.retry_after(address, now),
        ]
        .into_iter()
        .flatten()
        .max();
        match wait {
            Some(wait) => Err(wait.max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }

    /// Only failures count, against the account and the address: a person who signs in from
    /// many devices, or a whole office behind one address, is not locked out. A success clears
    /// the account's failures but not the address's, so one valid account cannot reset the
    /// guessing budget of an address.
    pub fn attempted(&self, account: &str, address: &str, succeeded: bool, now: Instant) {
        if succeeded {
            self.per_account.clear(account);
        } else {
            self.per_account.record(account, now);
            self.per_address.record(address, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc1_window_limits_then_releases() {
        let window = SlidingWindow::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(window.retry_after("a", t0), None);
        window.record("a", t0);
        window.record("a", t0 + Duration::from_secs(10));
        assert_eq!(
            window.retry_after("a", t0 + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        assert_eq!(window.retry_after("b", t0), None);
        assert_eq!(window.retry_after("a", t0 + Duration::from_secs(60)), None);
    }

    #[test]
    fn acc1_success_clears_the_account_but_not_the_address() {
        let limiter = LoginLimiter {
            per_account: SlidingWindow::new(2, Duration::from_secs(60)),
            per_address: SlidingWindow::new(3, Duration::from_secs(60)),
        };
        let t = Instant::now();
        limiter.attempted("ann", "1.2.3.4", false, t);
        limiter.attempted("ann", "1.2.3.4", false, t);
        assert!(limiter.check("ann", "5.6.7.8", t).is_err());
        assert!(limiter.check("bob", "1.2.3.4", t).is_ok());
        limiter.attempted("ann", "1.2.3.4", true, t);
        assert!(limiter.check("ann", "5.6.7.8", t).is_ok());
        limiter.attempted("bob", "1.2.3.4", false, t);
        let wait = limiter.check("carl", "1.2.3.4", t).unwrap_err();
        assert_eq!(wait, Duration::from_secs(60));
    }

    #[test]
    fn acc1_address_limit_counts_failures_only() {
        let limiter = LoginLimiter {
            per_account: SlidingWindow::new(2, Duration::from_secs(60)),
            per_address: SlidingWindow::new(3, Duration::from_secs(60)),
        };
        let t = Instant::now();
        for person in 0..31 {
            let account = format!("person-{person}");
            assert!(limiter.check(&account, "1.2.3.4", t).is_ok(), "{account}");
            limiter.attempted(&account, "1.2.3.4", true, t);
        }
        for person in 0..3 {
            limiter.attempted(&format!("guess-{person}"), "1.2.3.4", false, t);
        }
        assert!(limiter.check("person-0", "1.2.3.4", t).is_err());
        assert!(limiter.check("person-0", "5.6.7.8", t).is_ok());
    }
}
