//! The home feed as a member sees it: the home timeline of followed accounts (minus
//! members of the viewer's exclusive lists), merged with public statuses carrying a
//! hashtag the viewer follows and with the posts of the groups the viewer belongs
//! to. Each source is read with the same window and they are merged, so paging
//! stays exact.

use diesel::prelude::*;
use kindred_domain::Visibility;

use crate::models::statuses::{self, Page, StatusRow};
use crate::schema::{followed_tags, status_tags, statuses as st};
use crate::{AnyConnection, DbError};

pub fn home_feed(
    conn: &mut AnyConnection,
    viewer: i64,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let mut not_home = hidden.to_vec();
    not_home.extend(
        crate::models::lists::exclusive_member_ids(conn, viewer)?
            .into_iter()
            .filter(|id| *id != viewer),
    );
    let followed: Vec<i64> = followed_tags::table
        .filter(followed_tags::account_id.eq(viewer))
        .select(followed_tags::tag_id)
        .load(conn)?;
    let mut feed = statuses::home(conn, viewer, &not_home, page)?;
    if !followed.is_empty() {
        let from_tags = by_tags(conn, viewer, &followed, hidden, page)?;
        feed = merge(feed, from_tags, page);
    }
    if crate::models::groups::belongs_anywhere(conn, viewer)? {
        let from_groups = crate::models::groups::member_feed(conn, viewer, hidden, page)?;
        feed = merge(feed, from_groups, page);
    }
    // A followed facilitator's announcement in a group the viewer muted or blocked
    // is that group's post: left out like the group's discussion.
    if !hidden.is_empty() && !feed.is_empty() {
        let ids: Vec<i64> = feed.iter().map(|s| s.id).collect();
        let placed = crate::models::groups::placed_in(conn, &ids, hidden)?;
        feed.retain(|s| !placed.contains(&s.id));
    }
    Ok(feed)
}

/// Public originals carrying any of the tags, never by hidden accounts. Members see
/// local-only statuses here too (the home feed is only ever a member's). Silenced
/// authors the viewer does not follow are left out, as on the hashtag timeline.
fn by_tags(
    conn: &mut AnyConnection,
    viewer: i64,
    tag_ids: &[i64],
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let q = st::table
        .into_boxed::<<AnyConnection as diesel::Connection>::Backend>()
        .filter(
            st::id.eq_any(
                status_tags::table
                    .filter(status_tags::tag_id.eq_any(tag_ids.to_vec()))
                    .select(status_tags::status_id),
            ),
        )
        .filter(st::visibility.eq(Visibility::Public.as_str()))
        .filter(st::reblog_of_id.is_null())
        .filter(diesel::dsl::not(st::account_id.eq_any(hidden.to_vec())))
        .filter(diesel::dsl::not(
            st::account_id.eq_any(crate::models::silenced::limited_for(Some(viewer))),
        ));
    let rows: Vec<StatusRow> = crate::models::paging::page_by_id!(q, st::id, page)
        .limit(page.limit)
        .select(StatusRow::as_select())
        .load(conn)?;
    Ok(crate::models::paging::newest_first(rows, page.min_id))
}

/// Both inputs newest first within the same window; the result is the page the union
/// would give: the newest `limit` (or, with `min_id`, the oldest `limit`), newest first.
fn merge(a: Vec<StatusRow>, b: Vec<StatusRow>, page: Page) -> Vec<StatusRow> {
    let mut all = a;
    for row in b {
        if !all.iter().any(|r| r.id == row.id) {
            all.push(row);
        }
    }
    let limit = page.limit.max(0) as usize;
    if page.min_id.is_some() {
        all.sort_unstable_by_key(|s| s.id);
        all.truncate(limit);
        all.reverse();
    } else {
        all.sort_unstable_by_key(|s| std::cmp::Reverse(s.id));
        all.truncate(limit);
    }
    all
}
