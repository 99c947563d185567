//! Instance announcements written by admins (crisis lines, opening hours, changes),
//! with members' dismissals and emoji reactions.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::schema::{announcement_dismissals, announcement_reactions, announcements};
use crate::{AnyConnection, DbError};

/// Most distinct reactions one member may leave on one announcement.
pub const MAX_REACTIONS_PER_MEMBER: i64 = 8;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = announcements)]
pub struct AnnouncementRow {
    pub id: i64,
    pub text: String,
    pub content: String,
    pub published: bool,
    pub all_day: bool,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, row: &AnnouncementRow) -> Result<(), DbError> {
    diesel::insert_into(announcements::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Replaces the stored announcement with `row` (same id).
pub fn update(conn: &mut AnyConnection, row: &AnnouncementRow) -> Result<bool, DbError> {
    Ok(diesel::update(announcements::table.find(row.id))
        .set((
            announcements::text.eq(&row.text),
            announcements::content.eq(&row.content),
            announcements::published.eq(row.published),
            announcements::all_day.eq(row.all_day),
            announcements::starts_at.eq(row.starts_at),
            announcements::ends_at.eq(row.ends_at),
            announcements::published_at.eq(row.published_at),
            announcements::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(announcements::table.find(id)).execute(conn)? == 1)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<AnnouncementRow>, DbError> {
    Ok(announcements::table
        .find(id)
        .select(AnnouncementRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every announcement, newest first (for admins).
pub fn all(conn: &mut AnyConnection) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcements::table
        .order(announcements::id.desc())
        .select(AnnouncementRow::as_select())
        .load(conn)?)
}

/// Published announcements in force at `now`, newest first; dismissed ones only if
/// asked for.
pub fn current(
    conn: &mut AnyConnection,
    member: i64,
    now: NaiveDateTime,
    with_dismissed: bool,
) -> Result<Vec<AnnouncementRow>, DbError> {
    let mut q = announcements::table
        .filter(announcements::published.eq(true))
        .filter(
            announcements::ends_at
                .is_null()
                .or(announcements::ends_at.gt(now)),
        )
        .into_boxed();
    if !with_dismissed {
        q = q.filter(diesel::dsl::not(
            announcements::id.eq_any(
                announcement_dismissals::table
                    .filter(announcement_dismissals::account_id.eq(member))
                    .select(announcement_dismissals::announcement_id),
            ),
        ));
    }
    Ok(q.order(announcements::id.desc())
        .limit(100)
        .select(AnnouncementRow::as_select())
        .load(conn)?)
}

pub fn dismissed(conn: &mut AnyConnection, member: i64, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(announcement_dismissals::table
        .filter(announcement_dismissals::account_id.eq(member))
        .filter(announcement_dismissals::announcement_id.eq_any(ids.to_vec()))
        .select(announcement_dismissals::announcement_id)
        .load(conn)?)
}

pub fn dismiss(conn: &mut AnyConnection, id: i64, member: i64) -> Result<(), DbError> {
    let exists: i64 = announcement_dismissals::table
        .filter(announcement_dismissals::announcement_id.eq(id))
        .filter(announcement_dismissals::account_id.eq(member))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(announcement_dismissals::table)
            .values((
                announcement_dismissals::announcement_id.eq(id),
                announcement_dismissals::account_id.eq(member),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Reaction totals per announcement and name, and which names `member` used.
#[derive(Debug, Default)]
pub struct Reactions {
    pub counts: HashMap<i64, Vec<(String, i64)>>,
    pub mine: HashMap<i64, Vec<String>>,
}

pub fn reactions(conn: &mut AnyConnection, member: i64, ids: &[i64]) -> Result<Reactions, DbError> {
    let mut r = Reactions::default();
    for (a, name, n) in announcement_reactions::table
        .filter(announcement_reactions::announcement_id.eq_any(ids.to_vec()))
        .group_by((
            announcement_reactions::announcement_id,
            announcement_reactions::name,
        ))
        .select((
            announcement_reactions::announcement_id,
            announcement_reactions::name,
            count_star(),
        ))
        .order((
            announcement_reactions::announcement_id,
            announcement_reactions::name,
        ))
        .load::<(i64, String, i64)>(conn)?
    {
        r.counts.entry(a).or_default().push((name, n));
    }
    for (a, name) in announcement_reactions::table
        .filter(announcement_reactions::announcement_id.eq_any(ids.to_vec()))
        .filter(announcement_reactions::account_id.eq(member))
        .select((
            announcement_reactions::announcement_id,
            announcement_reactions::name,
        ))
        .load::<(i64, String)>(conn)?
    {
        r.mine.entry(a).or_default().push(name);
    }
    Ok(r)
}

/// Adds a reaction; false when the member already left the most allowed.
pub fn react(conn: &mut AnyConnection, id: i64, member: i64, name: &str) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let mine: Vec<String> = announcement_reactions::table
            .filter(announcement_reactions::announcement_id.eq(id))
            .filter(announcement_reactions::account_id.eq(member))
            .select(announcement_reactions::name)
            .load(conn)?;
        if mine.iter().any(|n| n == name) {
            return Ok(true);
        }
        if mine.len() as i64 >= MAX_REACTIONS_PER_MEMBER {
            return Ok(false);
        }
        diesel::insert_into(announcement_reactions::table)
            .values((
                announcement_reactions::announcement_id.eq(id),
                announcement_reactions::account_id.eq(member),
                announcement_reactions::name.eq(name),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

pub fn unreact(conn: &mut AnyConnection, id: i64, member: i64, name: &str) -> Result<(), DbError> {
    diesel::delete(
        announcement_reactions::table
            .filter(announcement_reactions::announcement_id.eq(id))
            .filter(announcement_reactions::account_id.eq(member))
            .filter(announcement_reactions::name.eq(name)),
    )
    .execute(conn)?;
    Ok(())
}
