//! In-memory guards against abuse: a cap on concurrent CPU-heavy work (argon2, RSA key
//! generation), attempt limits keyed by what the request names (a login name), and the
//! API rate limits of `crate::ratelimit`, which key by an in-memory keyed hash: no
//! client address is ever kept.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::ratelimit::RateLimits;

pub struct Limits {
    expensive: Semaphore,
    /// Login attempts per login name (lower-cased): argon2 makes each one costly to us,
    /// and guessing one account's password is what this stops.
    logins: DefaultKeyedRateLimiter<String>,
    /// Sign-ups across the whole instance: each one generates an RSA key.
    sign_ups: governor::DefaultDirectRateLimiter,
    /// Mastodon-style limits on every `/api` request (see `crate::ratelimit`).
    api: RateLimits,
}

/// Login attempts allowed per name: a burst of 10, then one every 30 seconds.
const LOGIN_BURST: u32 = 10;
const LOGIN_REFILL: Duration = Duration::from_secs(30);
/// Sign-ups: a burst of 20, then one every 10 seconds, instance-wide.
const SIGN_UP_BURST: u32 = 20;
const SIGN_UP_REFILL: Duration = Duration::from_secs(10);

impl Limits {
    pub fn new() -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            expensive: Semaphore::new(cpus),
            logins: RateLimiter::keyed(quota(LOGIN_BURST, LOGIN_REFILL)),
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

    /// Whether another login attempt for this name may be checked now.
    pub fn login_allowed(&self, login: &str) -> bool {
        let allowed = self.logins.check_key(&login.trim().to_lowercase()).is_ok();
        if self.logins.len() > 100_000 {
            self.logins.retain_recent();
        }
        allowed
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

fn quota(burst: u32, refill: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_attempts_are_limited_per_name() {
        let l = Limits::new();
        for _ in 0..LOGIN_BURST {
            assert!(l.login_allowed("Willow"));
        }
        assert!(!l.login_allowed("willow "), "same name, other spelling");
        assert!(l.login_allowed("cedar"), "other names are unaffected");
    }
}
