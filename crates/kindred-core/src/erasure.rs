//! Erasure of a member's account (issue 26): the one rule that the member's own
//! deletion (`POST /api/v1/kindred/account/delete`) and the admin purge of a
//! suspended account (`DELETE /api/v1/admin/accounts/:id`) both run.
//!
//! Two steps. [`erase`] runs in the caller's transaction and makes the account gone
//! for everyone here at once: the name reserved, the account suspended with an empty
//! profile (everything that lists, looks up or serves accounts leaves suspended ones
//! out), every session, token, code and calendar feed ended, email, password hash and
//! sign-up reason cleared, and its places at our meetings freed (the wait list moves
//! up), a group it owned passed to its longest-serving facilitator (or marked for
//! the admins), and the comments of reports by or about it cleared (the decisions stay).
//! The caller then queues, in the same transaction, a `Leave` for each meeting
//! another server hosts and `Delete(Person)` to every server we know. [`purge_due`],
//! run every minute by the server's erasure job, then deletes the account's row and
//! with it every row that names it (posts, favourites, memberships, RSVPs, follows,
//! notifications...; a report about it stays, naming no one), as soon as nothing it signs still waits for delivery, or at the
//! latest an hour after the erasure.

use chrono::{DateTime, Duration, Utc};
use kindred_db::models::erasure::{self as store, Held};
use kindred_db::models::meetings::Participant;
use kindred_db::models::{accounts, erasure};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::Rsvp;

use crate::groups::succession::Succession;
use crate::meetings::{self, Answered, Via};
use crate::CoreError;

/// How long an erased account's rows may wait for its `Delete` and `Leave`s to be
/// delivered before they are purged anyway.
pub const PURGE_AT_THE_LATEST: Duration = Duration::hours(1);

/// What [`erase`] did, for the caller's federation side and the receipt.
#[derive(Debug, Clone)]
pub struct Erased {
    /// The account as it was (its name and id, for the activities and the receipt).
    pub account: AccountRow,
    /// The id the audit log names the account by from now on.
    pub opaque_id: i64,
    pub erased_at: DateTime<Utc>,
    /// What it held, counted before anything went.
    pub held: Held,
    /// Meetings listed by other servers that it had answered: the caller tells each
    /// host the place is freed.
    pub remote_meetings: Vec<i64>,
    /// Its answers to our meetings, withdrawn: who moved up, and the notices stored.
    pub withdrawn: Vec<Answered>,
    /// What became of the groups it owned.
    pub groups: Vec<Succession>,
}

/// Erases a local person's account (see the module). Refused for a remote account,
/// a group's account, or one already erased.
pub fn erase(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Erased, CoreError> {
    let account = accounts::find(c, account_id)?.ok_or(DbError::NotFound)?;
    if !account.is_local() || account.role.is_group() {
        return Err(CoreError::NotErasable(
            "only a member's own account can be erased",
        ));
    }
    if erasure::is_erased(c, account_id)? {
        return Err(CoreError::NotErasable("this account is already erased"));
    }
    let held = store::held(c, account_id)?;
    let mut remote_meetings = Vec::new();
    let mut withdrawn = Vec::new();
    for (meeting_id, remote) in store::answered_meetings(c, account_id)? {
        if remote {
            remote_meetings.push(meeting_id);
            continue;
        }
        let who = Participant::Account(account_id);
        let via = Via::Member { name: None };
        // Not going is never refused (`answer`'s contract); a refusal would leave the
        // row to the purge's cascade, which frees the place without moving anyone up.
        if let Ok(done) = meetings::answer(
            c,
            ids,
            kindred_domain::MeetingId::new(meeting_id),
            &who,
            Rsvp::NotGoing,
            via,
            now,
            ids.next_at(now),
        )? {
            withdrawn.push(done);
        }
    }
    // A group it owned passes to a facilitator, or waits for an admin.
    let groups = crate::groups::succession::pass_on(c, ids, account_id, now)?;
    store::close(c, account_id, &account.username_lower, now.naive_utc())?;
    // Reports keep their decision but lose the member's words (the comments of the
    // reports they filed, and of those about them, which quote them).
    kindred_db::models::reports::forget_words_of(c, account_id, now.naive_utc())?;
    // The audit log keeps what was done, never to whom: one opaque id from here on.
    let opaque_id = crate::audit::forget_account(c, ids, account_id, &account.username)?;
    Ok(Erased {
        account,
        opaque_id,
        erased_at: now,
        held,
        remote_meetings,
        withdrawn,
        groups,
    })
}

/// Purges the rows of erased accounts that are due (see the module), at most
/// `limit` of them; returns their ids. Each purge is its own transaction.
pub fn purge_due(
    c: &mut AnyConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>, CoreError> {
    let due = store::due(c, (now - PURGE_AT_THE_LATEST).naive_utc(), limit)?;
    for id in &due {
        store::purge(c, *id, now.naive_utc())?;
    }
    if !due.is_empty() {
        store::scrub(c)?;
    }
    Ok(due)
}
