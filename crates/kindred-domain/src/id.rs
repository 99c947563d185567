use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};

/// Generates ids that sort by creation time, as Mastodon's string ids do (apps page by
/// comparing them). Layout: milliseconds since the Unix epoch in the high bits, then 16
/// bits from a per-process counter seeded at random, so several processes sharing one
/// PostgreSQL database practically never collide (the primary key catches it if they do).
/// Within a process ids strictly increase (the counter's wrap-around inside one
/// millisecond would otherwise go backwards), so ids taken in order — deliveries
/// queued in one transaction — sort in that order.
#[derive(Debug)]
pub struct IdGenerator {
    counter: AtomicU64,
    last: AtomicI64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl IdGenerator {
    pub fn new() -> Self {
        Self {
            counter: AtomicU64::new(rand::random::<u16>() as u64),
            last: AtomicI64::new(0),
        }
    }

    pub fn next_at(&self, now: DateTime<Utc>) -> i64 {
        let millis = now.timestamp_millis().max(0) as u64;
        let low = self.counter.fetch_add(1, Ordering::Relaxed) & 0xffff;
        let candidate = ((millis << 16) | low) as i64;
        let prev = self
            .last
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
                Some(candidate.max(last.saturating_add(1)))
            })
            .unwrap_or_else(|last| last);
        candidate.max(prev.saturating_add(1))
    }

    pub fn next(&self) -> i64 {
        self.next_at(Utc::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_are_distinct() {
        let g = IdGenerator::new();
        let t = Utc::now();
        let a = g.next_at(t);
        let b = g.next_at(t);
        assert_ne!(a, b);
        let later = g.next_at(t + chrono::Duration::milliseconds(1));
        assert!(later > a && later > b);
        assert!(a > 0);
    }

    #[test]
    fn ids_increase_through_a_counter_wrap_in_one_millisecond() {
        let g = IdGenerator::new();
        g.counter.store(0xfffe, Ordering::Relaxed);
        let t = Utc::now();
        let ids: Vec<i64> = (0..5).map(|_| g.next_at(t)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    }
}
