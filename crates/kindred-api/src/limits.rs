//! In-memory guards against abuse: a cap on concurrent CPU-heavy work (argon2, RSA key
//! generation), the login throttle, and the API rate limits of `crate::ratelimit`.
//! Every client counter is keyed by an in-memory keyed hash: no client address and no
//! login name is ever kept.
//!
//! The login throttle counts failed attempts per client, never per name alone: failed
//! attempts from one client must not lock the owner out from another (issue 21). A
//! client may fail a few times for one name (guessing one password) and some more
//! across all names (spraying one password over many); a successful login is not
//! counted.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::ratelimit::{ClientKey, Key, RateLimits};

pub struct Limits {
    expensive: Semaphore,
    /// Failed logins per client and login name (lower-cased): guessing one account's
    /// password from one place.
    login_failures_per_name: FailureBuckets,
    /// Failed logins per client, whatever the name: spraying one password over many
    /// names from one place.
    login_failures: FailureBuckets,
    /// Sign-ups across the whole instance: each one generates an RSA key.
    sign_ups: governor::DefaultDirectRateLimiter,
    /// Mastodon-style limits on every `/api` request (see `crate::ratelimit`).
    api: RateLimits,
}

/// Failed logins allowed per client and name: 10, then one more every 30 seconds.
const LOGIN_BURST: u32 = 10;
const LOGIN_REFILL: Duration = Duration::from_secs(30);
/// Failed logins allowed per client over all names: 25, then one more every 12 seconds
/// (Mastodon's 25 login attempts per 5 minutes per address).
const LOGIN_CLIENT_BURST: u32 = 25;
const LOGIN_CLIENT_REFILL: Duration = Duration::from_secs(12);
/// Past this many counted keys, those whose failures have all expired are forgotten.
const MAX_LOGIN_KEYS: usize = 100_000;
/// Sign-ups: a burst of 20, then one every 10 seconds, instance-wide.
const SIGN_UP_BURST: u32 = 20;
const SIGN_UP_REFILL: Duration = Duration::from_secs(10);

impl Limits {
    pub fn new() -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            expensive: Semaphore::new(cpus),
            login_failures_per_name: FailureBuckets::new(LOGIN_BURST, LOGIN_REFILL),
            login_failures: FailureBuckets::new(LOGIN_CLIENT_BURST, LOGIN_CLIENT_REFILL),
            sign_ups: RateLimiter::direct(quota(SIGN_UP_BURST, SIGN_UP_REFILL)),
            api: RateLimits::new(),
        }
    }

    /// Replaces the API rate limits (Mastodon's defaults unless told otherwise), e.g.
    /// with `RateLimits::unlimited()` for benchmarks.
    pub fn with_rate_limits(mut self, api: RateLimits) -> Self {
        self.api = api;
        self
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.api
    }

    /// Waits for a slot for CPU-heavy work, so a burst of logins queues instead of
    /// starving every other request of CPU.
    pub async fn expensive_work(&self) -> SemaphorePermit<'_> {
        // The semaphore is never closed, so acquire cannot fail.
        self.expensive
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("semaphore is never closed"))
    }

    /// The client of a request, for [`Limits::begin_login`]: a keyed hash of its
    /// address, kept in memory only.
    pub fn client(&self, req: &actix_web::HttpRequest) -> ClientKey {
        self.api.client_key(req)
    }

    /// Whether `client` may try a password for `login` now. If so, the attempt is
    /// counted as a failure until [`Limits::login_succeeded`] takes it back: counting
    /// first means a burst of parallel guesses cannot all pass the check.
    pub fn begin_login(&self, client: &ClientKey, login: &str) -> Option<LoginCharge> {
        let name = login.trim().to_lowercase();
        let mut data = Vec::with_capacity(16 + name.len());
        data.extend_from_slice(&client.0);
        data.extend_from_slice(name.as_bytes());
        let charge = LoginCharge {
            client: client.0,
            name: self.api.keyed_hash(b"kindred login name\0", &data),
        };
        let now = Instant::now();
        if !self.login_failures_per_name.take(charge.name, now) {
            return None;
        }
        if !self.login_failures.take(charge.client, now) {
            self.login_failures_per_name.give_back(charge.name, now);
            return None;
        }
        Some(charge)
    }

    /// The attempt was the right password: it does not count.
    pub fn login_succeeded(&self, charge: LoginCharge) {
        let now = Instant::now();
        self.login_failures_per_name.give_back(charge.name, now);
        self.login_failures.give_back(charge.client, now);
    }

    pub fn sign_up_allowed(&self) -> bool {
        self.sign_ups.check().is_ok()
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// A login attempt counted by [`Limits::begin_login`].
#[must_use = "a successful login gives its charge back"]
pub struct LoginCharge {
    client: Key,
    name: Key,
}

impl std::fmt::Debug for LoginCharge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginCharge(..)")
    }
}

/// Counted failures per key, leaking away at a steady rate (one per `leak`): a key
/// may try while fewer than `burst` are outstanding. Only keyed hashes are kept, and a
/// key is forgotten once its failures have leaked away.
struct FailureBuckets {
    burst: f64,
    leak: Duration,
    levels: Mutex<HashMap<Key, (f64, Instant)>>,
}

impl FailureBuckets {
    fn new(burst: u32, leak: Duration) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            leak: leak.max(Duration::from_millis(1)),
            levels: Mutex::new(HashMap::new()),
        }
    }

    /// The level of an entry at `now`.
    fn level(&self, (level, at): (f64, Instant), now: Instant) -> f64 {
        let leaked = now.saturating_duration_since(at).as_secs_f64() / self.leak.as_secs_f64();
        (level - leaked).max(0.0)
    }

    /// Counts one attempt for `key` if it has room.
    fn take(&self, key: Key, now: Instant) -> bool {
        let mut levels = self.levels.lock().unwrap_or_else(|e| e.into_inner());
        let level = levels.get(&key).map_or(0.0, |e| self.level(*e, now));
        if level + 1.0 > self.burst {
            return false;
        }
        levels.insert(key, (level + 1.0, now));
        if levels.len() > MAX_LOGIN_KEYS {
            levels.retain(|_, e| self.level(*e, now) > 0.0);
        }
        true
    }

    /// Takes back one attempt counted for `key`.
    fn give_back(&self, key: Key, now: Instant) {
        let mut levels = self.levels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = levels.get_mut(&key) {
            let level = self.level(*e, now) - 1.0;
            if level <= 0.0 {
                levels.remove(&key);
            } else {
                *e = (level, now);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.levels.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

fn quota(burst: u32, refill: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ip: &str) -> actix_web::HttpRequest {
        actix_web::test::TestRequest::default()
            .peer_addr(std::net::SocketAddr::new(ip.parse().unwrap(), 40000))
            .to_http_request()
    }

    #[test]
    fn failed_logins_are_limited_per_client_and_name() {
        let l = Limits::new();
        let here = l.client(&request("203.0.113.7"));
        for _ in 0..LOGIN_BURST {
            assert!(l.begin_login(&here, "Willow").is_some());
        }
        assert!(
            l.begin_login(&here, "willow ").is_none(),
            "same name, other spelling"
        );
        assert!(l.begin_login(&here, "cedar").is_some(), "other names");
        let there = l.client(&request("198.51.100.20"));
        assert!(
            l.begin_login(&there, "willow").is_some(),
            "the same name from another client"
        );
    }

    #[test]
    fn failed_logins_are_limited_per_client_across_names() {
        let l = Limits::new();
        let here = l.client(&request("203.0.113.7"));
        for i in 0..LOGIN_CLIENT_BURST {
            assert!(l.begin_login(&here, &format!("name{i}")).is_some());
        }
        assert!(l.begin_login(&here, "another").is_none());
        let there = l.client(&request("198.51.100.20"));
        assert!(l.begin_login(&there, "another").is_some());
    }

    #[test]
    fn successful_logins_do_not_count() {
        let l = Limits::new();
        let here = l.client(&request("203.0.113.7"));
        for _ in 0..(LOGIN_CLIENT_BURST * 2) {
            let charge = l.begin_login(&here, "willow").unwrap();
            l.login_succeeded(charge);
        }
        assert_eq!(l.login_failures.len(), 0, "nothing left to remember");
        assert_eq!(l.login_failures_per_name.len(), 0);
    }

    #[test]
    fn failures_leak_away() {
        let b = FailureBuckets::new(2, Duration::from_millis(10));
        let t0 = Instant::now();
        let key = [7u8; 16];
        assert!(b.take(key, t0));
        assert!(b.take(key, t0));
        assert!(!b.take(key, t0));
        assert!(b.take(key, t0 + Duration::from_millis(11)), "one leaked");
        assert!(!b.take(key, t0 + Duration::from_millis(11)));
    }

    #[test]
    fn no_name_or_address_is_kept() {
        let l = Limits::new();
        let here = l.client(&request("203.0.113.7"));
        let _ = l.begin_login(&here, "willow@example.org");
        let keys: Vec<Key> = l
            .login_failures_per_name
            .levels
            .lock()
            .unwrap()
            .keys()
            .chain(l.login_failures.levels.lock().unwrap().keys())
            .copied()
            .collect();
        assert_eq!(keys.len(), 2);
        for k in keys {
            assert!(!k.windows(4).any(|w| w == [203, 0, 113, 7]));
            assert!(!String::from_utf8_lossy(&k).contains("willow"));
        }
        assert_eq!(format!("{here:?}"), "ClientKey(..)");
    }
}
