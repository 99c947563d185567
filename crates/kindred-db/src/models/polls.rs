//! Polls (migration `000110_polls`): a poll per status, its options, its voters and
//! their choices. Voters are read only to count them, to tell a viewer their own
//! choices and to notify them when the poll ends; no function here returns who chose
//! what to anyone but the voter.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::native;
use crate::schema::{poll_options, poll_voters, poll_votes, polls};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = polls)]
pub struct PollRow {
    pub status_id: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub remote_voters_count: Option<i64>,
    pub ended_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl PollRow {
    /// A poll received from another server: its counts are the origin's.
    pub fn is_remote(&self) -> bool {
        self.remote_voters_count.is_some()
    }
}

/// A poll to store with its status.
pub struct NewPollRow<'a> {
    pub status_id: i64,
    pub options: &'a [String],
    pub expires_at: Option<NaiveDateTime>,
    pub multiple: bool,
    pub hide_totals: bool,
    /// `Some` (the origin's counts) for a remote poll, `None` for ours.
    pub remote_counts: Option<(i64, &'a [i64])>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, p: &NewPollRow<'_>) -> Result<(), DbError> {
    diesel::insert_into(polls::table)
        .values((
            polls::status_id.eq(p.status_id),
            polls::expires_at.eq(p.expires_at),
            polls::multiple.eq(p.multiple),
            polls::hide_totals.eq(p.hide_totals),
            polls::remote_voters_count.eq(p.remote_counts.map(|(v, _)| v)),
            polls::created_at.eq(p.created_at),
        ))
        .execute(conn)?;
    for (i, title) in p.options.iter().enumerate() {
        let count = p
            .remote_counts
            .map(|(_, counts)| counts.get(i).copied().unwrap_or(0));
        diesel::insert_into(poll_options::table)
            .values((
                poll_options::status_id.eq(p.status_id),
                poll_options::position.eq(i as i64),
                poll_options::title.eq(title),
                poll_options::remote_votes_count.eq(count),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut AnyConnection, status_id: i64) -> Result<Option<PollRow>, DbError> {
    Ok(polls::table
        .find(status_id)
        .select(PollRow::as_select())
        .first(conn)
        .optional()?)
}

/// A poll as shown: its options with their counts and the viewer's own choices.
#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: PollRow,
    /// Title and count, in order.
    pub options: Vec<(String, i64)>,
    pub votes_count: i64,
    pub voters_count: i64,
    /// The viewer's own choices (`None` for an anonymous viewer).
    pub own_votes: Option<Vec<i64>>,
}

/// The polls of these statuses, as `viewer` sees them. Counts of our polls are
/// counted from the votes; a remote poll's are its origin's.
pub fn views_of(
    conn: &mut AnyConnection,
    status_ids: &[i64],
    viewer: Option<i64>,
) -> Result<HashMap<i64, PollView>, DbError> {
    let mut out = HashMap::new();
    if status_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<PollRow> = polls::table
        .filter(polls::status_id.eq_any(status_ids))
        .select(PollRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = rows.iter().map(|p| p.status_id).collect();
    let options: Vec<(i64, i64, String, Option<i64>)> = poll_options::table
        .filter(poll_options::status_id.eq_any(&ids))
        .order((poll_options::status_id, poll_options::position))
        .select((
            poll_options::status_id,
            poll_options::position,
            poll_options::title,
            poll_options::remote_votes_count,
        ))
        .load(conn)?;
    let tallies: Vec<(i64, i64, i64)> = poll_votes::table
        .filter(poll_votes::status_id.eq_any(&ids))
        .group_by((poll_votes::status_id, poll_votes::choice))
        .select((
            poll_votes::status_id,
            poll_votes::choice,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let voters: Vec<(i64, i64)> = poll_voters::table
        .filter(poll_voters::status_id.eq_any(&ids))
        .group_by(poll_voters::status_id)
        .select((poll_voters::status_id, diesel::dsl::count_star()))
        .load(conn)?;
    let own: Vec<(i64, i64)> = match viewer {
        Some(v) => poll_votes::table
            .filter(poll_votes::status_id.eq_any(&ids))
            .filter(poll_votes::account_id.eq(v))
            .order((poll_votes::status_id, poll_votes::choice))
            .select((poll_votes::status_id, poll_votes::choice))
            .load(conn)?,
        None => Vec::new(),
    };
    for poll in rows {
        let id = poll.status_id;
        let remote = poll.is_remote();
        let opts: Vec<(String, i64)> = options
            .iter()
            .filter(|o| o.0 == id)
            .map(|(_, pos, title, remote_count)| {
                let count = if remote {
                    remote_count.unwrap_or(0)
                } else {
                    tallies
                        .iter()
                        .find(|t| t.0 == id && t.1 == *pos)
                        .map_or(0, |t| t.2)
                };
                (title.clone(), count)
            })
            .collect();
        let votes_count = opts.iter().map(|o| o.1).sum();
        let voters_count = match poll.remote_voters_count {
            Some(n) => n,
            None => voters.iter().find(|v| v.0 == id).map_or(0, |v| v.1),
        };
        let own_votes = viewer.map(|_| {
            own.iter()
                .filter(|o| o.0 == id)
                .map(|o| o.1)
                .collect::<Vec<_>>()
        });
        out.insert(
            id,
            PollView {
                poll,
                options: opts,
                votes_count,
                voters_count,
                own_votes,
            },
        );
    }
    Ok(out)
}

pub fn options_count(conn: &mut AnyConnection, status_id: i64) -> Result<usize, DbError> {
    let n: i64 = poll_options::table
        .filter(poll_options::status_id.eq(status_id))
        .count()
        .get_result(conn)?;
    Ok(n as usize)
}

pub fn has_voted(
    conn: &mut AnyConnection,
    status_id: i64,
    account_id: i64,
) -> Result<bool, DbError> {
    let n: i64 = poll_voters::table
        .filter(poll_voters::status_id.eq(status_id))
        .filter(poll_voters::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether a vote with this activity id was counted already.
pub fn has_activity(conn: &mut AnyConnection, activity_uri: &str) -> Result<bool, DbError> {
    let n: i64 = poll_voters::table
        .filter(poll_voters::activity_uri.eq(activity_uri))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records a vote; false (nothing written) when this account voted already, or this
/// activity was counted already. Call inside the caller's transaction, after the
/// rule (`kindred_domain::polls::check_vote`).
pub fn record_vote(
    conn: &mut AnyConnection,
    status_id: i64,
    account_id: i64,
    choices: &[u32],
    activity_uri: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    if let Some(uri) = activity_uri {
        if has_activity(conn, uri)? {
            return Ok(false);
        }
    }
    let voter = (
        poll_voters::status_id.eq(status_id),
        poll_voters::account_id.eq(account_id),
        poll_voters::activity_uri.eq(activity_uri),
        poll_voters::created_at.eq(now),
    );
    // The key refuses a second vote, also one racing this one.
    let inserted = native!(conn, c => diesel::insert_into(poll_voters::table)
        .values(voter)
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 0 {
        return Ok(false);
    }
    for &choice in choices {
        diesel::insert_into(poll_votes::table)
            .values((
                poll_votes::status_id.eq(status_id),
                poll_votes::account_id.eq(account_id),
                poll_votes::choice.eq(i64::from(choice)),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

/// Our own vote on a remote poll also moves the counts we show until the origin
/// sends its own.
pub fn add_to_remote_counts(
    conn: &mut AnyConnection,
    status_id: i64,
    choices: &[u32],
) -> Result<(), DbError> {
    diesel::update(polls::table.find(status_id))
        .set(polls::remote_voters_count.eq(polls::remote_voters_count + 1))
        .execute(conn)?;
    for &choice in choices {
        diesel::update(
            poll_options::table
                .filter(poll_options::status_id.eq(status_id))
                .filter(poll_options::position.eq(i64::from(choice))),
        )
        .set(poll_options::remote_votes_count.eq(poll_options::remote_votes_count + 1))
        .execute(conn)?;
    }
    Ok(())
}

/// A remote poll's counts as its origin now reports them.
pub fn set_remote_counts(
    conn: &mut AnyConnection,
    status_id: i64,
    voters: i64,
    counts: &[i64],
    expires_at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(
        polls::table
            .find(status_id)
            .filter(polls::remote_voters_count.is_not_null()),
    )
    .set((
        polls::remote_voters_count.eq(voters),
        polls::expires_at.eq(expires_at),
    ))
    .execute(conn)?;
    for (i, n) in counts.iter().enumerate() {
        diesel::update(
            poll_options::table
                .filter(poll_options::status_id.eq(status_id))
                .filter(poll_options::position.eq(i as i64)),
        )
        .set(poll_options::remote_votes_count.eq(*n))
        .execute(conn)?;
    }
    Ok(())
}

/// Polls that ended before `now` and whose end nobody was told of yet, oldest first.
pub fn ended_untold(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<PollRow>, DbError> {
    Ok(polls::table
        .filter(polls::ended_at.is_null())
        .filter(polls::expires_at.le(now))
        .order(polls::expires_at)
        .limit(limit)
        .select(PollRow::as_select())
        .load(conn)?)
}

/// Marks the end as told; false when another process did so first, so each end is
/// told once even with several processes on one database.
pub fn claim_end(
    conn: &mut AnyConnection,
    status_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        polls::table
            .find(status_id)
            .filter(polls::ended_at.is_null()),
    )
    .set(polls::ended_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// The accounts that voted in a poll: only to tell them it ended.
pub fn voters(conn: &mut AnyConnection, status_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(poll_voters::table
        .filter(poll_voters::status_id.eq(status_id))
        .order(poll_voters::account_id)
        .select(poll_voters::account_id)
        .load(conn)?)
}

/// Moves a poll's end (a remote poll's `endTime` as its origin changes it; tests
/// ending a poll without waiting).
pub fn set_expires_at(
    conn: &mut AnyConnection,
    status_id: i64,
    at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(polls::table.find(status_id))
        .set(polls::expires_at.eq(at))
        .execute(conn)?;
    Ok(())
}
