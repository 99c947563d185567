//! Keyword and status filters (Mastodon's v2 filters): stored per account, applied
//! when timelines and notifications are presented.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{filter_keywords, filter_statuses, filters};
use crate::{AnyConnection, DbError};

/// Bounds on what one account may store, so applying filters stays cheap.
pub const MAX_FILTERS: i64 = 100;
pub const MAX_KEYWORDS_PER_FILTER: i64 = 100;
pub const MAX_STATUSES_PER_FILTER: i64 = 500;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filters)]
pub struct FilterRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    /// Comma-separated contexts.
    pub contexts: String,
    pub filter_action: String,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filter_keywords)]
pub struct KeywordRow {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filter_statuses)]
pub struct FilterStatusRow {
    pub id: i64,
    pub filter_id: i64,
    pub status_id: i64,
}

/// A filter with everything it matches on.
#[derive(Debug, Clone)]
pub struct FullFilter {
    pub filter: FilterRow,
    pub keywords: Vec<KeywordRow>,
    pub statuses: Vec<FilterStatusRow>,
}

/// Why a write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooMany,
}

pub fn insert(
    conn: &mut AnyConnection,
    filter: &FilterRow,
    keywords: &[KeywordRow],
) -> Result<Result<(), Refusal>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n: i64 = filters::table
            .filter(filters::account_id.eq(filter.account_id))
            .count()
            .get_result(conn)?;
        if n >= MAX_FILTERS || keywords.len() as i64 > MAX_KEYWORDS_PER_FILTER {
            return Ok(Err(Refusal::TooMany));
        }
        diesel::insert_into(filters::table)
            .values(filter.clone())
            .execute(conn)?;
        for k in keywords {
            diesel::insert_into(filter_keywords::table)
                .values(k.clone())
                .execute(conn)?;
        }
        Ok(Ok(()))
    })
}

fn complete(conn: &mut AnyConnection, rows: Vec<FilterRow>) -> Result<Vec<FullFilter>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let keywords: Vec<KeywordRow> = filter_keywords::table
        .filter(filter_keywords::filter_id.eq_any(&ids))
        .order(filter_keywords::id.asc())
        .select(KeywordRow::as_select())
        .load(conn)?;
    let statuses: Vec<FilterStatusRow> = filter_statuses::table
        .filter(filter_statuses::filter_id.eq_any(&ids))
        .order(filter_statuses::id.asc())
        .select(FilterStatusRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|f| FullFilter {
            keywords: keywords
                .iter()
                .filter(|k| k.filter_id == f.id)
                .cloned()
                .collect(),
            statuses: statuses
                .iter()
                .filter(|s| s.filter_id == f.id)
                .cloned()
                .collect(),
            filter: f,
        })
        .collect())
}

/// All of an account's filters, oldest first.
pub fn of_account(conn: &mut AnyConnection, owner: i64) -> Result<Vec<FullFilter>, DbError> {
    let rows = filters::table
        .filter(filters::account_id.eq(owner))
        .order(filters::id.asc())
        .select(FilterRow::as_select())
        .load(conn)?;
    complete(conn, rows)
}

/// The filters in force now (not expired).
pub fn active(
    conn: &mut AnyConnection,
    owner: i64,
    now: NaiveDateTime,
) -> Result<Vec<FullFilter>, DbError> {
    let rows = filters::table
        .filter(filters::account_id.eq(owner))
        .filter(
            filters::expires_at
                .is_null()
                .or(filters::expires_at.gt(now)),
        )
        .order(filters::id.asc())
        .select(FilterRow::as_select())
        .load(conn)?;
    complete(conn, rows)
}

/// A filter, only if `owner` owns it.
pub fn find_owned(
    conn: &mut AnyConnection,
    owner: i64,
    id: i64,
) -> Result<Option<FullFilter>, DbError> {
    let rows = filters::table
        .filter(filters::id.eq(id))
        .filter(filters::account_id.eq(owner))
        .select(FilterRow::as_select())
        .load(conn)?;
    Ok(complete(conn, rows)?.pop())
}

/// Changes to a filter's keywords in one update, as Mastodon's `keywords_attributes`.
#[derive(Debug, Clone, Default)]
pub struct KeywordChanges {
    pub add: Vec<KeywordRow>,
    /// (id, keyword, whole_word)
    pub change: Vec<(i64, Option<String>, Option<bool>)>,
    pub destroy: Vec<i64>,
}

pub fn update(
    conn: &mut AnyConnection,
    filter: &FilterRow,
    changes: &KeywordChanges,
) -> Result<Result<(), Refusal>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::update(filters::table.find(filter.id))
            .set((
                filters::title.eq(&filter.title),
                filters::contexts.eq(&filter.contexts),
                filters::filter_action.eq(&filter.filter_action),
                filters::expires_at.eq(filter.expires_at),
            ))
            .execute(conn)?;
        diesel::delete(
            filter_keywords::table
                .filter(filter_keywords::id.eq_any(changes.destroy.clone()))
                .filter(filter_keywords::filter_id.eq(filter.id)),
        )
        .execute(conn)?;
        for (id, keyword, whole_word) in &changes.change {
            let target = filter_keywords::table
                .filter(filter_keywords::id.eq(id))
                .filter(filter_keywords::filter_id.eq(filter.id));
            if let Some(k) = keyword {
                diesel::update(target)
                    .set(filter_keywords::keyword.eq(k))
                    .execute(conn)?;
            }
            if let Some(w) = whole_word {
                diesel::update(target)
                    .set(filter_keywords::whole_word.eq(w))
                    .execute(conn)?;
            }
        }
        for k in &changes.add {
            diesel::insert_into(filter_keywords::table)
                .values(k.clone())
                .execute(conn)?;
        }
        let n: i64 = filter_keywords::table
            .filter(filter_keywords::filter_id.eq(filter.id))
            .count()
            .get_result(conn)?;
        if n > MAX_KEYWORDS_PER_FILTER {
            // Undo everything: a refused update changes nothing.
            return Err(DbError::Conflict);
        }
        Ok(Ok(()))
    })
    .or_else(|e| match e {
        DbError::Conflict => Ok(Err(Refusal::TooMany)),
        e => Err(e),
    })
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(filters::table.find(id)).execute(conn)?;
    Ok(())
}

/// A keyword with its filter, only if `owner` owns the filter.
pub fn find_keyword_owned(
    conn: &mut AnyConnection,
    owner: i64,
    id: i64,
) -> Result<Option<KeywordRow>, DbError> {
    Ok(filter_keywords::table
        .inner_join(filters::table)
        .filter(filter_keywords::id.eq(id))
        .filter(filters::account_id.eq(owner))
        .select(KeywordRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_keyword(
    conn: &mut AnyConnection,
    k: &KeywordRow,
) -> Result<Result<(), Refusal>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n: i64 = filter_keywords::table
            .filter(filter_keywords::filter_id.eq(k.filter_id))
            .count()
            .get_result(conn)?;
        if n >= MAX_KEYWORDS_PER_FILTER {
            return Ok(Err(Refusal::TooMany));
        }
        diesel::insert_into(filter_keywords::table)
            .values(k.clone())
            .execute(conn)?;
        Ok(Ok(()))
    })
}

pub fn update_keyword(conn: &mut AnyConnection, k: &KeywordRow) -> Result<(), DbError> {
    diesel::update(filter_keywords::table.find(k.id))
        .set((
            filter_keywords::keyword.eq(&k.keyword),
            filter_keywords::whole_word.eq(k.whole_word),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete_keyword(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(filter_keywords::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn find_status_owned(
    conn: &mut AnyConnection,
    owner: i64,
    id: i64,
) -> Result<Option<FilterStatusRow>, DbError> {
    Ok(filter_statuses::table
        .inner_join(filters::table)
        .filter(filter_statuses::id.eq(id))
        .filter(filters::account_id.eq(owner))
        .select(FilterStatusRow::as_select())
        .first(conn)
        .optional()?)
}

/// Adds a status to a filter; an existing pair is returned as it is.
pub fn insert_status(
    conn: &mut AnyConnection,
    row: &FilterStatusRow,
) -> Result<Result<FilterStatusRow, Refusal>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let existing = filter_statuses::table
            .filter(filter_statuses::filter_id.eq(row.filter_id))
            .filter(filter_statuses::status_id.eq(row.status_id))
            .select(FilterStatusRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(e) = existing {
            return Ok(Ok(e));
        }
        let n: i64 = filter_statuses::table
            .filter(filter_statuses::filter_id.eq(row.filter_id))
            .count()
            .get_result(conn)?;
        if n >= MAX_STATUSES_PER_FILTER {
            return Ok(Err(Refusal::TooMany));
        }
        diesel::insert_into(filter_statuses::table)
            .values(row.clone())
            .execute(conn)?;
        Ok(Ok(row.clone()))
    })
}

pub fn delete_status(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(filter_statuses::table.find(id)).execute(conn)?;
    Ok(())
}
