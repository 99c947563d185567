//! Scheduled posts (migration `000111_scheduled_statuses`): stored as sent, claimed
//! by one process at a time when due, deleted once published.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::scheduled_statuses;
use crate::{AnyConnection, DbError};

/// Most posts one account may have scheduled at once (Mastodon: 300, 50 a day).
pub const MAX_SCHEDULED: i64 = 300;

pub const SCHEDULED: &str = "scheduled";
pub const PUBLISHING: &str = "publishing";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = scheduled_statuses)]
pub struct ScheduledRow {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: NaiveDateTime,
    /// The post's parameters as JSON (the API's own shape).
    pub params: String,
    pub state: String,
    pub claimed_at: Option<NaiveDateTime>,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut AnyConnection,
    id: i64,
    account_id: i64,
    scheduled_at: NaiveDateTime,
    params: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(scheduled_statuses::table)
        .values((
            scheduled_statuses::id.eq(id),
            scheduled_statuses::account_id.eq(account_id),
            scheduled_statuses::scheduled_at.eq(scheduled_at),
            scheduled_statuses::params.eq(params),
            scheduled_statuses::state.eq(SCHEDULED),
            scheduled_statuses::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many posts the account has waiting.
pub fn pending_count(conn: &mut AnyConnection, account_id: i64) -> Result<i64, DbError> {
    Ok(scheduled_statuses::table
        .filter(scheduled_statuses::account_id.eq(account_id))
        .filter(scheduled_statuses::state.eq(SCHEDULED))
        .count()
        .get_result(conn)?)
}

/// The account's waiting posts, newest id first, a page at a time.
pub fn list(
    conn: &mut AnyConnection,
    account_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ScheduledRow>, DbError> {
    let mut q = scheduled_statuses::table
        .filter(scheduled_statuses::account_id.eq(account_id))
        .filter(scheduled_statuses::state.eq(SCHEDULED))
        .into_boxed();
    if let Some(max) = max_id {
        q = q.filter(scheduled_statuses::id.lt(max));
    }
    if let Some(since) = since_id {
        q = q.filter(scheduled_statuses::id.gt(since));
    }
    Ok(q.order(scheduled_statuses::id.desc())
        .limit(limit)
        .select(ScheduledRow::as_select())
        .load(conn)?)
}

/// One of the account's waiting posts.
pub fn find_own(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
) -> Result<Option<ScheduledRow>, DbError> {
    Ok(scheduled_statuses::table
        .find(id)
        .filter(scheduled_statuses::account_id.eq(account_id))
        .filter(scheduled_statuses::state.eq(SCHEDULED))
        .select(ScheduledRow::as_select())
        .first(conn)
        .optional()?)
}

/// Moves a waiting post; false when it is no longer waiting (published, claimed).
pub fn reschedule(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        scheduled_statuses::table
            .find(id)
            .filter(scheduled_statuses::account_id.eq(account_id))
            .filter(scheduled_statuses::state.eq(SCHEDULED)),
    )
    .set(scheduled_statuses::scheduled_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes a waiting post; false when there was none.
pub fn delete_own(conn: &mut AnyConnection, account_id: i64, id: i64) -> Result<bool, DbError> {
    let n = diesel::delete(
        scheduled_statuses::table
            .find(id)
            .filter(scheduled_statuses::account_id.eq(account_id))
            .filter(scheduled_statuses::state.eq(SCHEDULED)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Ids of posts due by `now`: waiting, or claimed longer ago than `lease_before`
/// (a process that died while publishing).
pub fn due(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    Ok(scheduled_statuses::table
        .filter(scheduled_statuses::scheduled_at.le(now))
        .filter(
            scheduled_statuses::state
                .eq(SCHEDULED)
                .or(scheduled_statuses::state
                    .eq(PUBLISHING)
                    .and(scheduled_statuses::claimed_at.lt(lease_before))),
        )
        .order(scheduled_statuses::scheduled_at)
        .limit(limit)
        .select(scheduled_statuses::id)
        .load(conn)?)
}

/// Claims a due post for this process: one atomic `UPDATE … WHERE state =
/// 'scheduled'` (or a lapsed claim), so of several processes exactly one gets it.
/// Returns the row when this call claimed it.
pub fn claim(
    conn: &mut AnyConnection,
    id: i64,
    now: NaiveDateTime,
    lease_before: NaiveDateTime,
) -> Result<Option<ScheduledRow>, DbError> {
    let n = diesel::update(
        scheduled_statuses::table
            .find(id)
            .filter(scheduled_statuses::scheduled_at.le(now))
            .filter(
                scheduled_statuses::state
                    .eq(SCHEDULED)
                    .or(scheduled_statuses::state
                        .eq(PUBLISHING)
                        .and(scheduled_statuses::claimed_at.lt(lease_before))),
            ),
    )
    .set((
        scheduled_statuses::state.eq(PUBLISHING),
        scheduled_statuses::claimed_at.eq(now),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(None);
    }
    Ok(scheduled_statuses::table
        .find(id)
        .select(ScheduledRow::as_select())
        .first(conn)
        .optional()?)
}

/// A published post's row goes.
pub fn published(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(scheduled_statuses::table.find(id)).execute(conn)?;
    Ok(())
}

/// A post that could not be published stays, marked with the refusal's code.
pub fn failed(conn: &mut AnyConnection, id: i64, code: &str) -> Result<(), DbError> {
    diesel::update(scheduled_statuses::table.find(id))
        .set((
            scheduled_statuses::state.eq(FAILED),
            scheduled_statuses::failure.eq(code),
        ))
        .execute(conn)?;
    Ok(())
}

/// The state of one post, whoever's (tests and the job's logs).
pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<ScheduledRow>, DbError> {
    Ok(scheduled_statuses::table
        .find(id)
        .select(ScheduledRow::as_select())
        .first(conn)
        .optional()?)
}

/// Moves any post's time (tests making a post due without waiting).
pub fn set_scheduled_at(
    conn: &mut AnyConnection,
    id: i64,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(scheduled_statuses::table.find(id))
        .set(scheduled_statuses::scheduled_at.eq(at))
        .execute(conn)?;
    Ok(())
}
