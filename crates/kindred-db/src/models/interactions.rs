//! Favourites, bookmarks and pins: one row per (account, status).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::accounts::AccountRow;
use crate::models::statuses::StatusRow;
use crate::schema::{accounts, bookmarks, favourites, status_pins, statuses};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
    Pin,
}

/// Adds the mark; true when it is new (a repeated favourite changes nothing).
pub fn add(
    conn: &mut AnyConnection,
    mark: Mark,
    id: i64,
    account_id: i64,
    status_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    // In a savepoint: on PostgreSQL a failed insert would otherwise abort the
    // caller's whole transaction, and a repeat is an answer here, not an error.
    let result = conn.transaction::<_, diesel::result::Error, _>(|conn| match mark {
        Mark::Favourite => diesel::insert_into(favourites::table)
            .values((
                favourites::id.eq(id),
                favourites::account_id.eq(account_id),
                favourites::status_id.eq(status_id),
                favourites::created_at.eq(now),
            ))
            .execute(conn),
        Mark::Bookmark => diesel::insert_into(bookmarks::table)
            .values((
                bookmarks::id.eq(id),
                bookmarks::account_id.eq(account_id),
                bookmarks::status_id.eq(status_id),
                bookmarks::created_at.eq(now),
            ))
            .execute(conn),
        Mark::Pin => diesel::insert_into(status_pins::table)
            .values((
                status_pins::id.eq(id),
                status_pins::account_id.eq(account_id),
                status_pins::status_id.eq(status_id),
                status_pins::created_at.eq(now),
            ))
            .execute(conn),
    });
    match result.map_err(DbError::from) {
        Ok(_) => Ok(true),
        Err(DbError::Conflict) => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn remove(
    conn: &mut AnyConnection,
    mark: Mark,
    account_id: i64,
    status_id: i64,
) -> Result<bool, DbError> {
    let n = match mark {
        Mark::Favourite => diesel::delete(
            favourites::table
                .filter(favourites::account_id.eq(account_id))
                .filter(favourites::status_id.eq(status_id)),
        )
        .execute(conn)?,
        Mark::Bookmark => diesel::delete(
            bookmarks::table
                .filter(bookmarks::account_id.eq(account_id))
                .filter(bookmarks::status_id.eq(status_id)),
        )
        .execute(conn)?,
        Mark::Pin => diesel::delete(
            status_pins::table
                .filter(status_pins::account_id.eq(account_id))
                .filter(status_pins::status_id.eq(status_id)),
        )
        .execute(conn)?,
    };
    Ok(n > 0)
}

pub fn pin_count(conn: &mut AnyConnection, account_id: i64) -> Result<i64, DbError> {
    Ok(status_pins::table
        .filter(status_pins::account_id.eq(account_id))
        .count()
        .get_result(conn)?)
}

/// The viewer's favourites or bookmarks, newest mark first, paged by the mark's id.
pub fn marked_statuses(
    conn: &mut AnyConnection,
    mark: Mark,
    account_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, StatusRow)>, DbError> {
    macro_rules! page {
        ($table:ident) => {{
            let mut q = $table::table
                .inner_join(statuses::table)
                .filter($table::account_id.eq(account_id))
                .into_boxed();
            if let Some(m) = max_id {
                q = q.filter($table::id.lt(m));
            }
            if let Some(s) = since_id {
                q = q.filter($table::id.gt(s));
            }
            q.order($table::id.desc())
                .limit(limit)
                .select(($table::id, StatusRow::as_select()))
                .load::<(i64, StatusRow)>(conn)?
        }};
    }
    Ok(match mark {
        Mark::Favourite => page!(favourites),
        Mark::Bookmark => page!(bookmarks),
        Mark::Pin => page!(status_pins),
    })
}

/// Whether a local account has touched a status: favourited, bookmarked or boosted
/// it, or answered it. (A remote post someone here acted on is theirs to keep.)
pub fn held_locally(conn: &mut AnyConnection, status_id: i64) -> Result<bool, DbError> {
    let local = || {
        accounts::table
            .filter(accounts::domain.eq(""))
            .select(accounts::id)
    };
    let marks: i64 = favourites::table
        .filter(favourites::status_id.eq(status_id))
        .filter(favourites::account_id.eq_any(local()))
        .count()
        .get_result(conn)?;
    let bookmarked: i64 = bookmarks::table
        .filter(bookmarks::status_id.eq(status_id))
        .filter(bookmarks::account_id.eq_any(local()))
        .count()
        .get_result(conn)?;
    let answered: i64 = statuses::table
        .filter(
            statuses::reblog_of_id
                .eq(status_id)
                .or(statuses::in_reply_to_id.eq(status_id)),
        )
        .filter(statuses::local.eq(true))
        .count()
        .get_result(conn)?;
    Ok(marks + bookmarked + answered > 0)
}

/// Who favourited a status, newest first, paged by the favourite's id.
pub fn favourited_by(
    conn: &mut AnyConnection,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, AccountRow)>, DbError> {
    let mut q = favourites::table
        .inner_join(accounts::table)
        .filter(favourites::status_id.eq(status_id))
        .filter(accounts::suspended.eq(false))
        .into_boxed();
    if let Some(m) = max_id {
        q = q.filter(favourites::id.lt(m));
    }
    Ok(q.order(favourites::id.desc())
        .limit(limit)
        .select((favourites::id, AccountRow::as_select()))
        .load(conn)?)
}

/// Who boosted a status, newest first, paged by the boost's id.
pub fn reblogged_by(
    conn: &mut AnyConnection,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, AccountRow)>, DbError> {
    let mut q = statuses::table
        .inner_join(accounts::table)
        .filter(statuses::reblog_of_id.eq(status_id))
        .filter(accounts::suspended.eq(false))
        .into_boxed();
    if let Some(m) = max_id {
        q = q.filter(statuses::id.lt(m));
    }
    Ok(q.order(statuses::id.desc())
        .limit(limit)
        .select((statuses::id, AccountRow::as_select()))
        .load(conn)?)
}
