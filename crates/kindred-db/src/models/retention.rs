//! Retention of group discussion posts (issue 26): which posts are past their
//! group's limit, and their removal with their replies. Deleting a status row takes
//! its favourites, bookmarks, notifications, mentions, tags, edits, group placement
//! and boosts with it (foreign-key cascades) and its search row (SQLite's FTS5
//! trigger; PostgreSQL's index is over the row itself).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::groups::PostKind;

use crate::schema::{group_posts, groups, statuses};
use crate::{AnyConnection, DbError};

/// Every group with its own retention (`None`: the instance's default applies).
pub fn group_limits(conn: &mut AnyConnection) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    Ok(groups::table
        .select((groups::account_id, groups::retention_days))
        .order(groups::account_id)
        .load(conn)?)
}

/// Up to `limit` of the group's discussion posts written before `cutoff` (never its
/// announcements, which are published and federated as the group's own word).
pub fn expired(
    conn: &mut AnyConnection,
    group_id: i64,
    cutoff: NaiveDateTime,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    Ok(group_posts::table
        .filter(group_posts::group_id.eq(group_id))
        .filter(group_posts::kind.eq(PostKind::Discussion.as_str()))
        .filter(group_posts::created_at.lt(cutoff))
        .order(group_posts::status_id)
        .select(group_posts::status_id)
        .limit(limit)
        .load(conn)?)
}

/// Deletes these statuses and every reply below them, at any depth (a reply would
/// otherwise outlive the post it answers, and quote it). Returns how many statuses
/// went.
pub fn delete_with_replies(conn: &mut AnyConnection, ids: &[i64]) -> Result<usize, DbError> {
    let mut all: Vec<i64> = ids.to_vec();
    let mut frontier: Vec<i64> = ids.to_vec();
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for chunk in frontier.chunks(500) {
            let replies: Vec<i64> = statuses::table
                .filter(statuses::in_reply_to_id.eq_any(chunk.to_vec()))
                .select(statuses::id)
                .load(conn)?;
            next.extend(replies.into_iter().filter(|r| !all.contains(r)));
        }
        next.sort_unstable();
        next.dedup();
        all.extend(&next);
        frontier = next;
    }
    let mut deleted = 0;
    crate::transaction::atomically(conn, |conn| {
        for chunk in all.chunks(500) {
            deleted += diesel::delete(statuses::table.filter(statuses::id.eq_any(chunk.to_vec())))
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(deleted)
}
