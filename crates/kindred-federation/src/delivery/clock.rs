//! The delivery worker's clock: now, and saturating steps from a time (leases, waits,
//! the retry window). Shared by the supervisor, the instance tasks and the ledger.

use std::time::Duration;

use chrono::NaiveDateTime;

pub fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// `t + d`, saturating.
pub fn after(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

/// `t - d`, saturating.
pub fn before(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_sub_signed(d))
        .unwrap_or(NaiveDateTime::MIN)
}
