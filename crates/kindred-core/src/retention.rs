//! The retention job's rule (issue 26): every group's discussion posts older than
//! its limit (`kindred_domain::retention`) go, with their replies, favourites,
//! notifications and search rows. Announcements are the group's published word and
//! stay. Run daily by the server's retention job, with a `now` so tests can run it.

use chrono::{DateTime, Duration, Utc};
use kindred_db::models::retention as store;
use kindred_db::transaction::atomically;
use kindred_db::AnyConnection;
use kindred_domain::retention::RetentionLimits;

use crate::CoreError;

/// Statuses removed per transaction: a long-kept group's first run removes its
/// backlog in steps, none holding the database long.
const BATCH: i64 = 200;

/// Removes what is past each group's limit at `now`; returns how many statuses
/// went (replies included).
pub fn apply(
    c: &mut AnyConnection,
    limits: RetentionLimits,
    now: DateTime<Utc>,
) -> Result<usize, CoreError> {
    let mut removed = 0;
    for (group_id, own) in store::group_limits(c)? {
        let Some(days) = limits.effective(own) else {
            continue;
        };
        let cutoff = (now - Duration::days(days)).naive_utc();
        loop {
            let n = atomically(c, |c| {
                let ids = store::expired(c, group_id, cutoff, BATCH)?;
                if ids.is_empty() {
                    return Ok(0);
                }
                store::delete_with_replies(c, &ids)
            })?;
            if n == 0 {
                break;
            }
            removed += n;
        }
    }
    if removed > 0 {
        kindred_db::models::erasure::scrub(c)?;
    }
    Ok(removed)
}
