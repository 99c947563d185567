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

use crate::rate::Rate;
use crate::ratelimit::{ApiRates, ClientKey, Key, RateLimits};

pub struct Limits {
    expensive: Semaphore,
    /// Off (`server.rate_limits = false`): no throttle refuses anything.
    enabled: bool,
    /// Failed logins per client and login name (lower-cased): guessing one account's
    /// password from one place.
    login_failures_per_name: FailureBuckets,
    /// Failed logins per client, whatever the name: spraying one password over many
    /// names from one place.
    login_failures: FailureBuckets,
    /// Sign-ups across the whole instance: each one generates an RSA key.
    sign_ups: governor::DefaultDirectRateLimiter,
    /// Password-reset requests per address asked for: one mailbox is not flooded.
    resets_per_address: FailureBuckets,
    /// Password-reset requests per client, whatever the address: one client does
    /// not send mail to many mailboxes (nor try many addresses).
    resets_per_client: FailureBuckets,
    /// Mastodon-style limits on every `/api` request (see `crate::ratelimit`).
    api: RateLimits,
}

/// Every throttle's size: the `limits` section of the configuration, with
/// `server.rate_limits` and `server.trust_proxy_headers`. The defaults are the ones
/// docs/configuration.md documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// `server.rate_limits`: false lifts every throttle (test servers, benchmarks).
    pub enabled: bool,
    pub trust_proxy_headers: bool,
    /// `limits.api_*`.
    pub api: ApiRates,
    /// `limits.login_failures_per_name`: failed logins per client and name (10, then
    /// one more every 30 seconds).
    pub login_failures_per_name: Rate,
    /// `limits.login_failures_per_client`: failed logins per client over all names
    /// (Mastodon's 25 login attempts per 5 minutes per address).
    pub login_failures_per_client: Rate,
    /// `limits.login_tracked_keys`: the most counters each login throttle holds.
    pub login_tracked_keys: usize,
    /// `limits.sign_ups`: sign-ups across the whole instance (each generates an RSA
    /// key). A room of 40 people signing up at a workshop must get through.
    pub sign_ups: Rate,
    /// `limits.password_resets_per_address`: reset requests for one address (3, then
    /// one more every 20 minutes), counted whether or not the address is known.
    pub password_resets_per_address: Rate,
    /// `limits.password_resets_per_client`: reset requests per client over all
    /// addresses (10, then one more every 6 minutes).
    pub password_resets_per_client: Rate,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            trust_proxy_headers: true,
            api: ApiRates::default(),
            login_failures_per_name: Rate::new(10, Duration::from_secs(5 * 60)),
            login_failures_per_client: Rate::new(25, Duration::from_secs(5 * 60)),
            login_tracked_keys: 100_000,
            sign_ups: Rate::new(100, Duration::from_secs(60 * 60)),
            password_resets_per_address: Rate::new(3, Duration::from_secs(60 * 60)),
            password_resets_per_client: Rate::new(10, Duration::from_secs(60 * 60)),
        }
    }
}

impl Limits {
    pub fn new() -> Self {
        Self::from_settings(&LimitSettings::default())
    }

    pub fn from_settings(settings: &LimitSettings) -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let api = if settings.enabled {
            RateLimits::with_rates(settings.api)
        } else {
            // Off, the API limits still tell the login throttle who the client is.
            RateLimits::unlimited()
        };
        Self {
            expensive: Semaphore::new(cpus),
            enabled: settings.enabled,
            login_failures_per_name: FailureBuckets::new(
                settings.login_failures_per_name,
                settings.login_tracked_keys,
            ),
            login_failures: FailureBuckets::new(
                settings.login_failures_per_client,
                settings.login_tracked_keys,
            ),
            sign_ups: RateLimiter::direct(quota(settings.sign_ups)),
            resets_per_address: FailureBuckets::new(
                settings.password_resets_per_address,
                settings.login_tracked_keys,
            ),
            resets_per_client: FailureBuckets::new(
                settings.password_resets_per_client,
                settings.login_tracked_keys,
            ),
            api: api.trust_proxy_headers(settings.trust_proxy_headers),
        }
    }

    /// Replaces the API rate limits, e.g. with `RateLimits::scaled(100)` for
    /// benchmarks.
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
        if !self.enabled {
            return Some(charge);
        }
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
        !self.enabled || self.sign_ups.check().is_ok()
    }

    /// Whether a password-reset request from `client` for `address` may send mail
    /// now; counted if so (whether or not the address is known: the answer is the
    /// same either way, so counting must be too). Keyed by keyed hashes only.
    pub fn reset_request_allowed(&self, client: &ClientKey, address: &str) -> bool {
        if !self.enabled {
            return true;
        }
        let address = self.api.keyed_hash(
            b"kindred reset address\0",
            address.trim().to_lowercase().as_bytes(),
        );
        let now = Instant::now();
        if !self.resets_per_client.take(client.0, now) {
            return false;
        }
        if !self.resets_per_address.take(address, now) {
            self.resets_per_client.give_back(client.0, now);
            return false;
        }
        true
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
/// key is forgotten once its failures have leaked away. At most `max_keys` are held:
/// when that many are still counting, a new key is refused until some leak away (a
/// throttle that forgot live counters could be emptied by filling it).
struct FailureBuckets {
    burst: f64,
    leak: Duration,
    max_keys: usize,
    levels: Mutex<HashMap<Key, (f64, Instant)>>,
}

impl FailureBuckets {
    fn new(rate: Rate, max_keys: usize) -> Self {
        Self {
            burst: f64::from(rate.count.max(1)),
            leak: rate.refill().max(Duration::from_millis(1)),
            max_keys: max_keys.max(1),
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
        if levels.len() >= self.max_keys && !levels.contains_key(&key) {
            levels.retain(|_, e| self.level(*e, now) > 0.0);
            if levels.len() >= self.max_keys {
                tracing::warn!(
                    keys = levels.len(),
                    "throttle full: new clients wait (limits.login_tracked_keys)"
                );
                return false;
            }
        }
        levels.insert(key, (level + 1.0, now));
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

fn quota(rate: Rate) -> Quota {
    let burst = NonZeroU32::new(rate.count).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(rate.refill())
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

    const LOGIN_BURST: u32 = 10;
    const LOGIN_CLIENT_BURST: u32 = 25;

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let d = LimitSettings::default();
        assert_eq!(d.login_failures_per_name.count, LOGIN_BURST);
        assert_eq!(d.login_failures_per_name.refill(), Duration::from_secs(30));
        assert_eq!(d.login_failures_per_client.count, LOGIN_CLIENT_BURST);
        assert_eq!(
            d.login_failures_per_client.refill(),
            Duration::from_secs(12)
        );
        assert_eq!(d.sign_ups.to_string(), "100/1h");
        assert_eq!(d.password_resets_per_address.to_string(), "3/1h");
        assert_eq!(d.password_resets_per_client.to_string(), "10/1h");
    }

    #[test]
    fn reset_requests_are_limited_per_address_and_per_client() {
        let l = Limits::from_settings(&LimitSettings {
            password_resets_per_address: Rate::new(2, Duration::from_secs(3600)),
            password_resets_per_client: Rate::new(3, Duration::from_secs(3600)),
            ..LimitSettings::default()
        });
        let here = l.client(&request("203.0.113.7"));
        let there = l.client(&request("198.51.100.20"));
        assert!(l.reset_request_allowed(&here, "ines@example.org"));
        assert!(l.reset_request_allowed(&there, " Ines@Example.org"));
        assert!(
            !l.reset_request_allowed(&here, "ines@example.org"),
            "a third for one address, from any client"
        );
        // The refusal for the address did not use up the client's count.
        assert!(l.reset_request_allowed(&here, "jon@example.org"));
        assert!(l.reset_request_allowed(&here, "kim@example.org"));
        assert!(
            !l.reset_request_allowed(&here, "lea@example.org"),
            "a fourth from one client, whatever the address"
        );
        assert!(l.reset_request_allowed(&there, "lea@example.org"));
    }

    #[test]
    fn a_workshop_of_forty_signs_up_under_the_default() {
        let l = Limits::new();
        for i in 0..40 {
            assert!(l.sign_up_allowed(), "sign-up {i} refused");
        }
    }

    #[test]
    fn the_sign_up_limit_is_a_setting_both_ways() {
        let tight = Limits::from_settings(&LimitSettings {
            sign_ups: Rate::new(3, Duration::from_secs(3600)),
            ..LimitSettings::default()
        });
        for _ in 0..3 {
            assert!(tight.sign_up_allowed());
        }
        assert!(!tight.sign_up_allowed(), "the fourth is over a limit of 3");
        let wide = Limits::from_settings(&LimitSettings {
            sign_ups: Rate::new(500, Duration::from_secs(3600)),
            ..LimitSettings::default()
        });
        for i in 0..500 {
            assert!(wide.sign_up_allowed(), "sign-up {i} refused");
        }
        assert!(!wide.sign_up_allowed());
    }

    #[test]
    fn the_login_throttle_is_a_setting_both_ways() {
        let tight = Limits::from_settings(&LimitSettings {
            login_failures_per_name: Rate::new(2, Duration::from_secs(60)),
            ..LimitSettings::default()
        });
        let here = tight.client(&request("203.0.113.7"));
        assert!(tight.begin_login(&here, "willow").is_some());
        assert!(tight.begin_login(&here, "willow").is_some());
        assert!(tight.begin_login(&here, "willow").is_none());

        let wide = Limits::from_settings(&LimitSettings {
            login_failures_per_name: Rate::new(40, Duration::from_secs(60)),
            login_failures_per_client: Rate::new(50, Duration::from_secs(60)),
            ..LimitSettings::default()
        });
        let here = wide.client(&request("203.0.113.7"));
        for i in 0..40 {
            assert!(wide.begin_login(&here, "willow").is_some(), "attempt {i}");
        }
        assert!(wide.begin_login(&here, "willow").is_none());
        for i in 40..50 {
            assert!(wide.begin_login(&here, &format!("n{i}")).is_some());
        }
        assert!(wide.begin_login(&here, "another").is_none(), "over 50");
    }

    #[test]
    fn rate_limits_off_lift_every_throttle() {
        let off = Limits::from_settings(&LimitSettings {
            enabled: false,
            sign_ups: Rate::new(1, Duration::from_secs(3600)),
            login_failures_per_name: Rate::new(1, Duration::from_secs(3600)),
            login_failures_per_client: Rate::new(1, Duration::from_secs(3600)),
            password_resets_per_address: Rate::new(1, Duration::from_secs(3600)),
            password_resets_per_client: Rate::new(1, Duration::from_secs(3600)),
            ..LimitSettings::default()
        });
        let here = off.client(&request("203.0.113.7"));
        for _ in 0..100 {
            assert!(off.sign_up_allowed());
            assert!(off.begin_login(&here, "willow").is_some());
            assert!(off.reset_request_allowed(&here, "willow@example.org"));
        }
        assert!(!off.rate_limits().is_enabled());
        assert_eq!(off.login_failures.len(), 0, "nothing counted");
        // The positive control: the same settings switched on do refuse.
        let on = Limits::from_settings(&LimitSettings {
            enabled: true,
            ..LimitSettings {
                enabled: false,
                sign_ups: Rate::new(1, Duration::from_secs(3600)),
                login_failures_per_name: Rate::new(1, Duration::from_secs(3600)),
                password_resets_per_address: Rate::new(1, Duration::from_secs(3600)),
                ..LimitSettings::default()
            }
        });
        assert!(on.reset_request_allowed(&here, "willow@example.org"));
        assert!(!on.reset_request_allowed(&here, "willow@example.org"));
        assert!(on.sign_up_allowed());
        assert!(!on.sign_up_allowed());
        assert!(on.begin_login(&here, "willow").is_some());
        assert!(on.begin_login(&here, "willow").is_none());
        assert!(on.rate_limits().is_enabled());
    }

    #[test]
    fn the_login_throttle_holds_at_most_its_cap() {
        let b = FailureBuckets::new(Rate::new(2, Duration::from_millis(20)), 3);
        let t0 = Instant::now();
        for k in 0..3u8 {
            assert!(b.take([k; 16], t0));
        }
        assert!(
            !b.take([9; 16], t0),
            "a fourth key while three are counting"
        );
        assert_eq!(b.len(), 3);
        assert!(b.take([0; 16], t0), "a known key still counts");
        let later = t0 + Duration::from_millis(50);
        assert!(b.take([9; 16], later), "room once the others leaked away");
        assert_eq!(b.len(), 1);
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
        let b = FailureBuckets::new(Rate::new(2, Duration::from_millis(20)), 100);
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
