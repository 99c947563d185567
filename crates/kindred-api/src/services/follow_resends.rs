//! Our pending Follows of remote groups, sent again until answered (issue 20; the
//! schedule is `kindred_domain::follow_resend`). A member who follows again while
//! still requested sends it at once; the server's job (kindred-server
//! `follow_resends`) sends what falls due. Each re-send is claimed in its own
//! transaction, so several processes on one database never send one twice.

use chrono::{DateTime, NaiveDateTime, Utc};
use kindred_db::models::follow_resends::{self as repo, DueResend};
use kindred_db::models::{accounts, remote_accounts};
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::follow_resend::next_after;
use kindred_federation::outbox::Outbox;

use super::ServiceError;
use crate::AppState;

/// Most re-sends one run of the job takes on (the rest wait for the next run).
const BATCH: i64 = 200;

/// In the transaction of a local member's follow that left a pending request:
/// for a remote group, a new request is scheduled to be sent again, and a request
/// the member makes again (`new` false) is sent again now, its schedule restarted.
/// Anything else (a local or a person's account) is left as it is.
pub fn requested(
    c: &mut AnyConnection,
    outbox: &Outbox,
    follower: &AccountRow,
    target: &AccountRow,
    new: bool,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if !follower.is_local() || target.is_local() {
        return Ok(());
    }
    if !remote_accounts::groups_among(c, &[target.id])?.contains(&target.id) {
        return Ok(());
    }
    if !new {
        outbox.follow_again(c, follower, target)?;
    }
    repo::schedule(c, follower.id, target.id, next_after(0).map(|d| now + d), 0)
}

/// Sends every Follow due at `now` again; how many were sent. `now` decides what
/// is due and when it is next; what is sent is queued at the real time (tests pass
/// a later `now` rather than wait).
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let at = now.naive_utc();
    let due = state.db.run(move |c| repo::due(c, at, BATCH)).await?;
    let mut sent = 0;
    for d in due {
        let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
        if state
            .db
            .run(move |c| atomically(c, |c| resend(c, &outbox, &d, at)))
            .await?
        {
            sent += 1;
        }
    }
    if sent > 0 {
        state.delivery.wake();
    }
    Ok(sent)
}

fn resend(
    c: &mut AnyConnection,
    outbox: &Outbox,
    d: &DueResend,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let done = u32::try_from(d.resends)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    if !repo::claim(c, d, next_after(done).map(|delay| now + delay))? {
        return Ok(false);
    }
    let (Some(follower), Some(target)) = (
        accounts::find(c, d.account_id)?,
        accounts::find(c, d.target_account_id)?,
    ) else {
        return Ok(false);
    };
    if !follower.is_active() || !target.is_active() {
        return Ok(false);
    }
    Ok(outbox.follow_again(c, &follower, &target)? > 0)
}
