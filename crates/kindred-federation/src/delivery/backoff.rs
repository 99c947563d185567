//! When to try a failed delivery again: exponential backoff with jitter, capped, and
//! a receiver's `Retry-After` when it asks for longer.

use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Wait after the first failure; doubles with every further failure.
    pub base: Duration,
    /// Longest wait the doubling reaches.
    pub cap: Duration,
    /// Longest wait a `Retry-After` can impose (a hostile receiver could otherwise
    /// pause its queue past the retry window in one answer).
    pub retry_after_cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(6 * 3600),
            retry_after_cap: Duration::from_secs(24 * 3600),
        }
    }
}

impl Backoff {
    /// The wait after a failure, given how many attempts failed before this one and
    /// `jitter` in [0, 1) (spreads retries of many deliveries that failed together
    /// over ±25 %).
    pub fn delay(
        &self,
        failed_before: i32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Duration {
        let doublings = failed_before.clamp(0, 40) as u32;
        let exp = self
            .base
            .checked_mul(1u32.checked_shl(doublings.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.cap)
            .min(self.cap);
        let spread = exp
            .mul_f64(0.75 + 0.5 * jitter.clamp(0.0, 1.0))
            .min(self.cap);
        match retry_after {
            Some(asked) => spread.max(asked.min(self.retry_after_cap)),
            None => spread,
        }
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_up_to_the_cap() {
        let b = Backoff::default();
        let s = |d: Duration| d.as_secs_f64();
        assert_eq!(s(b.delay(0, None, 0.5)), 10.0);
        assert_eq!(s(b.delay(1, None, 0.5)), 20.0);
        assert_eq!(s(b.delay(3, None, 0.5)), 80.0);
        assert_eq!(s(b.delay(0, None, 0.0)), 7.5);
        assert_eq!(s(b.delay(0, None, 0.999_999)).round(), 12.0);
        for n in [12, 20, 40, 1000, i32::MAX] {
            assert_eq!(b.delay(n, None, 0.9), b.cap, "{n}");
        }
        assert_eq!(s(b.delay(-3, None, 0.5)), 10.0);
    }

    #[test]
    fn retry_after_wins_when_longer_within_its_cap() {
        let b = Backoff::default();
        let ra = Some(Duration::from_secs(120));
        assert_eq!(b.delay(0, ra, 0.5), Duration::from_secs(120));
        assert_eq!(b.delay(10, ra, 0.5), Duration::from_secs(10240));
        let huge = Some(Duration::from_secs(10 * 365 * 86400));
        assert_eq!(b.delay(0, huge, 0.5), b.retry_after_cap);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(" 30 ", now),
            Some(Duration::from_secs(30))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
