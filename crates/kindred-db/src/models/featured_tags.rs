//! Hashtags a member features on their profile (migration `000112_featured_tags`).
//! Their counts are of the member's public and unlisted posts only: a featured
//! tag never tells of a group discussion, a followers-only or a direct post.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::Visibility;

use crate::schema::{featured_tags, status_tags, statuses, tags};
use crate::{AnyConnection, DbError};

/// Most hashtags one account may feature (Mastodon's limit).
pub const MAX_FEATURED_TAGS: i64 = 10;

/// A featured hashtag as shown: id, name, public posts with it, the latest's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturedTag {
    pub id: i64,
    pub name: String,
    pub statuses_count: i64,
    pub last_status_at: Option<NaiveDateTime>,
}

fn shown() -> [&'static str; 2] {
    [Visibility::Public.as_str(), Visibility::Unlisted.as_str()]
}

pub fn list(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<FeaturedTag>, DbError> {
    let rows: Vec<(i64, i64, String)> = featured_tags::table
        .inner_join(tags::table)
        .filter(featured_tags::account_id.eq(account_id))
        .order(featured_tags::id)
        .select((featured_tags::id, tags::id, tags::name))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, tag_id, name) in rows {
        let (count, last): (i64, Option<NaiveDateTime>) = status_tags::table
            .inner_join(statuses::table)
            .filter(status_tags::tag_id.eq(tag_id))
            .filter(statuses::account_id.eq(account_id))
            .filter(statuses::visibility.eq_any(shown()))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::max(statuses::created_at),
            ))
            .first(conn)?;
        out.push(FeaturedTag {
            id,
            name,
            statuses_count: count,
            last_status_at: last,
        });
    }
    Ok(out)
}

/// Why a tag was not featured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFeatured {
    AlreadyFeatured,
    TooMany,
}

/// Features a tag (by id, see `tag_follows::find_or_create_tag`).
pub fn add(
    conn: &mut AnyConnection,
    id: i64,
    account_id: i64,
    tag_id: i64,
    now: NaiveDateTime,
) -> Result<Result<(), NotFeatured>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let mine: Vec<i64> = featured_tags::table
            .filter(featured_tags::account_id.eq(account_id))
            .select(featured_tags::tag_id)
            .load(conn)?;
        if mine.contains(&tag_id) {
            return Ok(Err(NotFeatured::AlreadyFeatured));
        }
        if mine.len() as i64 >= MAX_FEATURED_TAGS {
            return Ok(Err(NotFeatured::TooMany));
        }
        diesel::insert_into(featured_tags::table)
            .values((
                featured_tags::id.eq(id),
                featured_tags::account_id.eq(account_id),
                featured_tags::tag_id.eq(tag_id),
                featured_tags::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Ok(()))
    })
}

/// Stops featuring; false when the account features no such id.
pub fn remove(conn: &mut AnyConnection, account_id: i64, id: i64) -> Result<bool, DbError> {
    let n = diesel::delete(
        featured_tags::table
            .find(id)
            .filter(featured_tags::account_id.eq(account_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Hashtags of the account's own recent public and unlisted posts that it does not
/// feature yet, most recent first.
pub fn suggestions(
    conn: &mut AnyConnection,
    account_id: i64,
    limit: usize,
) -> Result<Vec<String>, DbError> {
    let featured: Vec<i64> = featured_tags::table
        .filter(featured_tags::account_id.eq(account_id))
        .select(featured_tags::tag_id)
        .load(conn)?;
    let recent: Vec<(i64, String)> = status_tags::table
        .inner_join(statuses::table)
        .inner_join(tags::table)
        .filter(statuses::account_id.eq(account_id))
        .filter(statuses::visibility.eq_any(shown()))
        .order(statuses::id.desc())
        .limit(200)
        .select((tags::id, tags::name))
        .load(conn)?;
    let mut out: Vec<String> = Vec::new();
    for (id, name) in recent {
        if !featured.contains(&id) && !out.contains(&name) {
            out.push(name);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}
