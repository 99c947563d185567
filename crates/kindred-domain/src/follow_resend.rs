//! When our pending Follow of a remote group is sent again. A Lemmy 0.19 server
//! starts its sender for a newly seen instance only after it first hears from it,
//! and that sender skips what was queued before it started — so the `Accept` of the
//! very first follow from a new server may never come, and the member would stay
//! "requested" for ever. Sending the Follow again (with a new id: a Lemmy drops an
//! id it has seen) gets a fresh `Accept`: Lemmy and Kindred answer a repeated
//! Follow of a group they accepted again; Mastodon keeps a still-pending request
//! and only notes the new id, so a re-send asks nobody twice.
//!
//! Bounded: the Follow is sent again at most [`MAX_RESENDS`] times after the member
//! last asked, further and further apart (about three days in all); a member who
//! follows again while still requested starts the schedule afresh.

use chrono::Duration;

/// Most re-sends after one request of the member.
pub const MAX_RESENDS: u32 = 7;

/// How long after the Follow (or its latest re-send) it is sent again, given how
/// many re-sends there have been; `None`: no more. The first comes after two
/// minutes — by then a Lemmy has started its sender for us (it looks for new
/// instances every minute).
pub fn next_after(resends: u32) -> Option<Duration> {
    let minutes = match resends {
        0 => 2,
        1 => 10,
        2 => 60,
        3 => 6 * 60,
        n if n < MAX_RESENDS => 24 * 60,
        _ => return None,
    };
    Some(Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resends_grow_apart_and_stop() {
        let delays: Vec<i64> = (0..=MAX_RESENDS)
            .map_while(next_after)
            .map(|d| d.num_minutes())
            .collect();
        assert_eq!(delays, vec![2, 10, 60, 360, 1440, 1440, 1440]);
        assert_eq!(delays.len() as u32, MAX_RESENDS);
        assert!(next_after(MAX_RESENDS).is_none());
        assert!(next_after(u32::MAX).is_none());
        let total: i64 = delays.iter().sum();
        assert!(
            total < 4 * 24 * 60,
            "bounded to a few days: {total} minutes"
        );
    }
}
