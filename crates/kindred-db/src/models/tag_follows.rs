//! Hashtags a member follows: their public statuses join the home timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{followed_tags, tags};
use crate::{AnyConnection, DbError};

/// Most hashtags one member may follow.
pub const MAX_FOLLOWED_TAGS: i64 = 500;

/// The tag's id, creating the tag if nobody used it yet.
pub fn find_or_create_tag(
    conn: &mut AnyConnection,
    name: &str,
    new_id: i64,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    if let Some(id) = tags::table
        .filter(tags::name.eq(name))
        .select(tags::id)
        .first(conn)
        .optional()?
    {
        return Ok(id);
    }
    diesel::insert_into(tags::table)
        .values((
            tags::id.eq(new_id),
            tags::name.eq(name),
            tags::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(new_id)
}

/// Follows a tag; false when the member follows too many already.
pub fn follow(
    conn: &mut AnyConnection,
    id: i64,
    member: i64,
    tag_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        if is_following(conn, member, tag_id)? {
            return Ok(true);
        }
        let n: i64 = followed_tags::table
            .filter(followed_tags::account_id.eq(member))
            .count()
            .get_result(conn)?;
        if n >= MAX_FOLLOWED_TAGS {
            return Ok(false);
        }
        diesel::insert_into(followed_tags::table)
            .values((
                followed_tags::id.eq(id),
                followed_tags::account_id.eq(member),
                followed_tags::tag_id.eq(tag_id),
                followed_tags::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

pub fn unfollow(conn: &mut AnyConnection, member: i64, tag_id: i64) -> Result<(), DbError> {
    diesel::delete(
        followed_tags::table
            .filter(followed_tags::account_id.eq(member))
            .filter(followed_tags::tag_id.eq(tag_id)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn is_following(conn: &mut AnyConnection, member: i64, tag_id: i64) -> Result<bool, DbError> {
    let n: i64 = followed_tags::table
        .filter(followed_tags::account_id.eq(member))
        .filter(followed_tags::tag_id.eq(tag_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A page of followed tags: (follow row id for the Link header, tag id, name).
pub fn page(
    conn: &mut AnyConnection,
    member: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64, String)>, DbError> {
    let mut q = followed_tags::table
        .inner_join(tags::table)
        .filter(followed_tags::account_id.eq(member))
        .into_boxed();
    if let Some(m) = max_id {
        q = q.filter(followed_tags::id.lt(m));
    }
    if let Some(s) = since_id {
        q = q.filter(followed_tags::id.gt(s));
    }
    Ok(q.order(followed_tags::id.desc())
        .limit(limit)
        .select((followed_tags::id, tags::id, tags::name))
        .load(conn)?)
}
