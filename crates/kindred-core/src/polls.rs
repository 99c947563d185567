//! Polls with storage: a poll stored with its new status, a vote (a local member's
//! through the API, a remote account's through the inbox) checked by one rule, and
//! the end of a poll told to its author and voters once.
//!
//! Who may see the poll is the status's audience: the caller reads the status through
//! its own visibility rule (the API's `visible`, the inbox's addressing) before
//! calling `vote`, exactly as for any other act on a status.

use chrono::{DateTime, Utc};
use kindred_db::models::notifications::{self, NotificationRow};
use kindred_db::models::polls::{self, NewPollRow, PollRow};
use kindred_db::{AnyConnection, StatusRow};
use kindred_domain::polls::{check_vote, NewPoll, PollRefusal, PollState, Voter};
use kindred_domain::{AccountId, IdGenerator, NotificationKind};

use crate::{CoreError, Event};

/// Stores a local author's new poll with its status (in the status's transaction).
pub fn create(
    c: &mut AnyConnection,
    status: &StatusRow,
    poll: &NewPoll,
    now: DateTime<Utc>,
) -> Result<(), kindred_db::DbError> {
    polls::insert(
        c,
        &NewPollRow {
            status_id: status.id,
            options: &poll.options,
            expires_at: Some(poll.expires_at(now).naive_utc()),
            multiple: poll.multiple,
            hide_totals: poll.hide_totals,
            remote_counts: None,
            created_at: now.naive_utc(),
        },
    )
}

/// A vote counted, and what the caller sends for it.
#[derive(Debug, Clone)]
pub struct Voted {
    pub poll: PollRow,
    pub choices: Vec<u32>,
}

/// A vote by `voter` on the poll of `status`, which the caller has shown the voter
/// may see. Refused when there is no poll, when it ended, when the voter is its
/// author or voted already, or when the choices do not fit. `activity` is a remote vote's activity id: a replay is refused as a
/// second vote, nothing counted twice. Runs in the caller's transaction.
pub fn vote(
    c: &mut AnyConnection,
    status: &StatusRow,
    voter: AccountId,
    choices: &[i64],
    activity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Voted, CoreError> {
    {
        let id = status.id;
        let poll = polls::find(c, id)?.ok_or(kindred_db::DbError::NotFound)?;
        let state = PollState {
            options: polls::options_count(c, id)?,
            multiple: poll.multiple,
            expires_at: poll.expires_at.map(|t| t.and_utc()),
        };
        let who = if status.author_id() == voter {
            Voter::Author
        } else {
            Voter::Other {
                voted: polls::has_voted(c, id, voter.get())?
                    || activity.map_or(Ok(false), |a| polls::has_activity(c, a))?,
            }
        };
        let choices = check_vote(&state, choices, who, now).map_err(CoreError::Poll)?;
        if !polls::record_vote(c, id, voter.get(), &choices, activity, now.naive_utc())? {
            return Err(CoreError::Poll(PollRefusal::AlreadyVoted));
        }
        if poll.is_remote() {
            polls::add_to_remote_counts(c, id, &choices)?;
        }
        Ok(Voted { poll, choices })
    }
}

/// Most ended polls told of in one pass of the job.
pub const ENDED_BATCH: i64 = 100;

/// Tells the author (when local) and every local voter that each poll ended before
/// `now` has ended (`poll`), once: each poll is claimed by an atomic update, so two
/// processes on one database never tell twice. Returns the events to publish.
pub fn tell_ended(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, CoreError> {
    let at = now.naive_utc();
    let mut events = Vec::new();
    for poll in polls::ended_untold(c, at, ENDED_BATCH)? {
        let stored = kindred_db::transaction::atomically(c, |c| {
            if !polls::claim_end(c, poll.status_id, at)? {
                return Ok(Vec::new());
            }
            let Some(status) = kindred_db::models::statuses::find(c, poll.status_id)? else {
                return Ok(Vec::new());
            };
            let author = status.account_id;
            let mut to: Vec<i64> = polls::voters(c, poll.status_id)?;
            if status.local {
                to.push(author);
            }
            to.sort_unstable();
            to.dedup();
            let local: Vec<i64> = kindred_db::models::social::find_accounts(c, &to)?
                .into_iter()
                .filter(|a| a.is_local() && !a.role.is_group())
                .map(|a| a.id)
                .collect();
            let rows: Vec<NotificationRow> = local
                .into_iter()
                .map(|account| {
                    NotificationRow::new(
                        ids.next_at(now),
                        AccountId::new(account),
                        AccountId::new(author),
                        NotificationKind::Poll,
                        Some(status.status_id()),
                        at,
                    )
                })
                .collect();
            notifications::insert(c, &rows)
        })?;
        if !stored.is_empty() {
            events.push(Event::Notifications(stored));
        }
    }
    Ok(events)
}
