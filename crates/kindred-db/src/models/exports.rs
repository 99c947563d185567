//! A member's data exports (issue 26): the `account_exports` rows (state, the
//! download token's hash, the file's key in the server's file store, expiry) and
//! what an archive reads — the member's own rows only, and of other accounts only
//! the addresses the member chose to follow, block or mute.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::statuses::StatusRow;
use crate::schema::{
    account_exports, accounts, blocks, bookmarks, favourites, follows, group_memberships,
    group_posts, markers, mutes, statuses,
};
use crate::{AnyConnection, DbError};

pub const PENDING: &str = "pending";
pub const BUILDING: &str = "building";
pub const READY: &str = "ready";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_exports)]
pub struct ExportRow {
    pub id: i64,
    pub account_id: i64,
    /// pending | building | ready | failed
    pub state: String,
    pub token_hash: String,
    pub file_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

pub fn create(conn: &mut AnyConnection, row: &ExportRow) -> Result<(), DbError> {
    diesel::insert_into(account_exports::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The member's most recent export.
pub fn latest(conn: &mut AnyConnection, account_id: i64) -> Result<Option<ExportRow>, DbError> {
    Ok(account_exports::table
        .filter(account_exports::account_id.eq(account_id))
        .order(account_exports::id.desc())
        .select(ExportRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every export of the account (their files go when the account is erased).
pub fn of_account(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<ExportRow>, DbError> {
    Ok(account_exports::table
        .filter(account_exports::account_id.eq(account_id))
        .select(ExportRow::as_select())
        .load(conn)?)
}

/// An export by the hash of its download token.
pub fn by_token(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<ExportRow>, DbError> {
    Ok(account_exports::table
        .filter(account_exports::token_hash.eq(token_hash))
        .select(ExportRow::as_select())
        .first(conn)
        .optional()?)
}

/// Takes a pending export for building; `None` when there is none (or another
/// process took it first: the update is conditional on the state).
pub fn claim_next(conn: &mut AnyConnection) -> Result<Option<ExportRow>, DbError> {
    let candidates: Vec<i64> = account_exports::table
        .filter(account_exports::state.eq(PENDING))
        .order(account_exports::id)
        .select(account_exports::id)
        .limit(5)
        .load(conn)?;
    for id in candidates {
        let taken = diesel::update(
            account_exports::table
                .filter(account_exports::id.eq(id))
                .filter(account_exports::state.eq(PENDING)),
        )
        .set(account_exports::state.eq(BUILDING))
        .execute(conn)?;
        if taken == 1 {
            return Ok(account_exports::table
                .find(id)
                .select(ExportRow::as_select())
                .first(conn)
                .optional()?);
        }
    }
    Ok(None)
}

/// Records the outcome of a build.
pub fn finish(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    file_key: Option<&str>,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(account_exports::table.find(id))
        .set((
            account_exports::state.eq(state),
            account_exports::file_key.eq(file_key),
            account_exports::expires_at.eq(Some(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Exports whose time is over (their files are deleted, then the rows).
pub fn expired(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<Vec<ExportRow>, DbError> {
    Ok(account_exports::table
        .filter(account_exports::expires_at.lt(now))
        .select(ExportRow::as_select())
        .limit(100)
        .load(conn)?)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(account_exports::table.find(id)).execute(conn)?;
    Ok(())
}

/// The member's statuses (boosts included), oldest first, after `after`.
pub fn statuses_page(
    conn: &mut AnyConnection,
    account_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<StatusRow>, DbError> {
    Ok(statuses::table
        .filter(statuses::account_id.eq(account_id))
        .filter(statuses::id.gt(after))
        .order(statuses::id)
        .select(StatusRow::as_select())
        .limit(limit)
        .load(conn)?)
}

/// Which of the member's statuses were posted in a group, and in which.
pub fn group_placements(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<HashMap<i64, (i64, String)>, DbError> {
    let rows: Vec<(i64, i64, String)> = group_posts::table
        .filter(group_posts::account_id.eq(account_id))
        .select((
            group_posts::status_id,
            group_posts::group_id,
            group_posts::kind,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(s, g, k)| (s, (g, k))).collect())
}

/// The ids (URIs) of the statuses the member favourited, oldest first.
pub fn liked(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<String>, DbError> {
    Ok(favourites::table
        .inner_join(statuses::table)
        .filter(favourites::account_id.eq(account_id))
        .order(favourites::id)
        .select(statuses::uri)
        .load(conn)?)
}

/// The ids (URIs) of the statuses the member bookmarked, oldest first.
pub fn bookmarked(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<String>, DbError> {
    Ok(bookmarks::table
        .inner_join(statuses::table)
        .filter(bookmarks::account_id.eq(account_id))
        .order(bookmarks::id)
        .select(statuses::uri)
        .load(conn)?)
}

/// An account the member chose: (username, domain — empty for ours).
pub type Address = (String, String);

/// Whom the member follows, with "show boosts" and "notify".
pub fn followed(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<(Address, bool, bool)>, DbError> {
    let rows: Vec<(String, String, bool, bool)> = follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::target_account_id)))
        .filter(follows::account_id.eq(account_id))
        .order(follows::id)
        .select((
            accounts::username,
            accounts::domain,
            follows::show_reblogs,
            follows::notify,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, d, r, n)| ((u, d), r, n))
        .collect())
}

pub fn blocked(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<Address>, DbError> {
    Ok(blocks::table
        .inner_join(accounts::table.on(accounts::id.eq(blocks::target_account_id)))
        .filter(blocks::account_id.eq(account_id))
        .order(blocks::id)
        .select((accounts::username, accounts::domain))
        .load(conn)?)
}

/// Whom the member muted, with "hide notifications".
pub fn muted(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<(Address, bool)>, DbError> {
    let rows: Vec<(String, String, bool)> = mutes::table
        .inner_join(accounts::table.on(accounts::id.eq(mutes::target_account_id)))
        .filter(mutes::account_id.eq(account_id))
        .order(mutes::id)
        .select((
            accounts::username,
            accounts::domain,
            mutes::hide_notifications,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(u, d, h)| ((u, d), h)).collect())
}

/// A membership as exported: (group id, group name, role, state, since).
pub type Membership = (i64, String, String, String, NaiveDateTime);

/// The member's group memberships.
pub fn memberships(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<Membership>, DbError> {
    Ok(group_memberships::table
        .inner_join(accounts::table.on(accounts::id.eq(group_memberships::group_id)))
        .filter(group_memberships::account_id.eq(account_id))
        .order(group_memberships::id)
        .select((
            group_memberships::group_id,
            accounts::username,
            group_memberships::role,
            group_memberships::state,
            group_memberships::created_at,
        ))
        .load(conn)?)
}

/// The member's read markers: (timeline, last read id, when).
pub fn read_markers(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<(String, String, NaiveDateTime)>, DbError> {
    Ok(markers::table
        .filter(markers::account_id.eq(account_id))
        .select((
            markers::timeline,
            markers::last_read_id,
            markers::updated_at,
        ))
        .load(conn)?)
}
