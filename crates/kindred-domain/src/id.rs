use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

/// Generates ids that sort by creation time, as Mastodon's string ids do (apps page by
/// comparing them). Layout: milliseconds since the Unix epoch in the high bits, then 16
/// bits from a per-process counter seeded at random, so several processes sharing one
/// PostgreSQL database practically never collide (the primary key catches it if they do).
#[derive(Debug)]
pub struct IdGenerator {
    counter: AtomicU64,
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
        }
    }

    pub fn next_at(&self, now: DateTime<Utc>) -> i64 {
        let millis = now.timestamp_millis().max(0) as u64;
        let low = self.counter.fetch_add(1, Ordering::Relaxed) & 0xffff;
        ((millis << 16) | low) as i64
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
}
