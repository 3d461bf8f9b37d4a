//! Sessions and integration tokens resolved in the last moment, kept in
//! memory so that a burst of requests on one session or token (a grid
//! worker's phone sending its queue, a platform posting reports) does not
//! read the session, the user and the grants — or the token — from the
//! database for every one of them.
//!
//! An entry lives `session_cache_ms` (one second by default; 0 turns the
//! cache off). Every change to sessions, passwords or roles made through
//! this instance empties the session cache at once, and every revocation of
//! a token the token cache; another instance sees the change when its entry
//! ages out. Expiry is checked on every request against the cached expiry
//! time, so an expired session or token is never taken from here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::access::Grant;

/// What a valid session resolved to.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub session_id: String,
    pub csrf_token: String,
    pub expires_at: String,
    pub user_id: String,
    pub username: String,
    pub grants: Vec<Grant>,
}

/// At most this many entries are kept; past it the cache starts over.
const CAPACITY: usize = 10_000;

/// Resolved sessions by token digest.
pub type SessionCache = TtlCache<Resolved>;
/// Integration tokens by digest.
pub type TokenCache = TtlCache<store::identity::IntegrationToken>;

pub struct TtlCache<T> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T: Clone> TtlCache<T> {
    pub fn new(ttl: Duration) -> Self {
        TtlCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The entry for this token digest, if resolved within the TTL.
    pub fn get(&self, digest: &str) -> Option<T> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(digest)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, r)| r.clone())
    }

    pub fn put(&self, digest: &str, r: T) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(digest.to_string(), (Instant::now(), r));
    }

    /// Forget everything: a session or token was revoked, a password or a
    /// role changed.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(name: &str) -> Resolved {
        Resolved {
            session_id: "s".into(),
            csrf_token: "c".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
            user_id: "u".into(),
            username: name.into(),
            grants: vec![],
        }
    }

    #[test]
    fn an_entry_lives_its_ttl_and_a_clear_forgets_all() {
        let c = SessionCache::new(Duration::from_millis(200));
        assert!(c.get("d").is_none());
        c.put("d", resolved("a"));
        assert_eq!(c.get("d").unwrap().username, "a");
        std::thread::sleep(Duration::from_millis(250));
        assert!(c.get("d").is_none(), "aged out");
        c.put("d", resolved("b"));
        c.clear();
        assert!(c.get("d").is_none(), "cleared");
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let c = SessionCache::new(Duration::ZERO);
        c.put("d", resolved("a"));
        assert!(c.get("d").is_none());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let c = SessionCache::new(Duration::from_secs(60));
        for i in 0..CAPACITY {
            c.put(&i.to_string(), resolved("x"));
        }
        c.put("new", resolved("y"));
        assert!(c.get("new").is_some());
        assert!(c.get("0").is_none(), "the old entries are gone");
    }
}
