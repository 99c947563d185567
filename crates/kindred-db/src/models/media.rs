//! Pictures (migration `000100_media`): the `media_attachments` rows. The files are
//! in the media store; these rows say which post (if any) a picture belongs to, its
//! sizes, alt text and the random token its files are named by. What may be
//! attached and who may see a picture are decided in `kindred_core::media`.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{accounts, media_attachments, statuses};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_attachments)]
pub struct MediaRow {
    pub id: i64,
    pub token: String,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i32,
    pub content_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub blurhash: Option<String>,
    pub description: Option<String>,
    pub focus: Option<String>,
    pub stored_bytes: i64,
    pub remote_url: Option<String>,
    pub fetched_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl MediaRow {
    pub fn is_remote(&self) -> bool {
        self.remote_url.is_some()
    }
}

pub fn insert(conn: &mut AnyConnection, row: &MediaRow) -> Result<(), DbError> {
    diesel::insert_into(media_attachments::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<MediaRow>, DbError> {
    Ok(media_attachments::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_token(conn: &mut AnyConnection, token: &str) -> Result<Option<MediaRow>, DbError> {
    Ok(media_attachments::table
        .filter(media_attachments::token.eq(token))
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<MediaRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(media_attachments::table
        .filter(media_attachments::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)?)
}

/// The pictures of each status, in their order.
pub fn of_statuses(
    conn: &mut AnyConnection,
    status_ids: &[i64],
) -> Result<HashMap<i64, Vec<MediaRow>>, DbError> {
    let mut out: HashMap<i64, Vec<MediaRow>> = HashMap::new();
    if status_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<MediaRow> = media_attachments::table
        .filter(media_attachments::status_id.eq_any(status_ids))
        .order((media_attachments::status_id, media_attachments::position))
        .select(MediaRow::as_select())
        .load(conn)?;
    for r in rows {
        if let Some(s) = r.status_id {
            out.entry(s).or_default().push(r);
        }
    }
    Ok(out)
}

/// Every picture an account uploaded (its export and its erasure).
pub fn of_account(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<MediaRow>, DbError> {
    Ok(media_attachments::table
        .filter(media_attachments::account_id.eq(account_id))
        .order(media_attachments::id)
        .select(MediaRow::as_select())
        .load(conn)?)
}

/// Attaches `id` to `status_id` at `position`, only while it is the account's and
/// free (or already this status's): returns whether it was.
pub fn attach(
    conn: &mut AnyConnection,
    id: i64,
    account_id: i64,
    status_id: i64,
    position: i32,
) -> Result<bool, DbError> {
    let n = diesel::update(
        media_attachments::table
            .filter(media_attachments::id.eq(id))
            .filter(media_attachments::account_id.eq(account_id))
            .filter(media_attachments::remote_url.is_null())
            .filter(
                media_attachments::status_id
                    .is_null()
                    .or(media_attachments::status_id.eq(status_id)),
            ),
    )
    .set((
        media_attachments::status_id.eq(status_id),
        media_attachments::position.eq(position),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Lets a picture go from its post (an edit that dropped it).
pub fn detach(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::update(media_attachments::table.find(id))
        .set(media_attachments::status_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// The ids attached to a status now.
pub fn ids_of_status(conn: &mut AnyConnection, status_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(media_attachments::table
        .filter(media_attachments::status_id.eq(status_id))
        .order(media_attachments::position)
        .select(media_attachments::id)
        .load(conn)?)
}

pub fn set_details(
    conn: &mut AnyConnection,
    id: i64,
    description: Option<Option<String>>,
    focus: Option<String>,
) -> Result<(), DbError> {
    if let Some(d) = description {
        diesel::update(media_attachments::table.find(id))
            .set(media_attachments::description.eq(d))
            .execute(conn)?;
    }
    if let Some(f) = focus {
        diesel::update(media_attachments::table.find(id))
            .set(media_attachments::focus.eq(Some(f)))
            .execute(conn)?;
    }
    Ok(())
}

/// A remote picture now in the cache (or refreshed).
pub fn set_cached(
    conn: &mut AnyConnection,
    id: i64,
    content_type: &str,
    size: (i32, i32),
    blurhash: &str,
    stored_bytes: i64,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(media_attachments::table.find(id))
        .set((
            media_attachments::content_type.eq(content_type),
            media_attachments::width.eq(Some(size.0)),
            media_attachments::height.eq(Some(size.1)),
            media_attachments::blurhash.eq(Some(blurhash)),
            media_attachments::stored_bytes.eq(stored_bytes),
            media_attachments::fetched_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A remote picture out of the cache (its files deleted first).
pub fn set_uncached(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::update(media_attachments::table.find(id))
        .set((
            media_attachments::stored_bytes.eq(0i64),
            media_attachments::fetched_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Bytes of remote pictures in the cache.
pub fn cached_bytes(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let rows: Vec<i64> = media_attachments::table
        .filter(media_attachments::remote_url.is_not_null())
        .filter(media_attachments::fetched_at.is_not_null())
        .select(media_attachments::stored_bytes)
        .load(conn)?;
    Ok(rows.iter().sum())
}

/// Cached remote pictures, oldest fetch first.
pub fn cached_oldest_first(conn: &mut AnyConnection, limit: i64) -> Result<Vec<MediaRow>, DbError> {
    Ok(media_attachments::table
        .filter(media_attachments::remote_url.is_not_null())
        .filter(media_attachments::fetched_at.is_not_null())
        .order(media_attachments::fetched_at)
        .limit(limit)
        .select(MediaRow::as_select())
        .load(conn)?)
}

/// Pictures whose post or account is gone, and uploads left unattached since
/// `unattached_before`: the sweep deletes their files, then [`delete`]s them.
pub fn orphans(
    conn: &mut AnyConnection,
    unattached_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<MediaRow>, DbError> {
    let no_status = diesel::dsl::not(diesel::dsl::exists(
        statuses::table.filter(statuses::id.nullable().eq(media_attachments::status_id)),
    ));
    let no_account = diesel::dsl::not(diesel::dsl::exists(
        accounts::table.filter(accounts::id.eq(media_attachments::account_id)),
    ));
    Ok(media_attachments::table
        .filter(
            media_attachments::status_id
                .is_not_null()
                .and(no_status)
                .or(media_attachments::status_id
                    .is_null()
                    .and(media_attachments::created_at.lt(unattached_before)))
                .or(no_account),
        )
        .limit(limit)
        .select(MediaRow::as_select())
        .load(conn)?)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(media_attachments::table.find(id)).execute(conn)?;
    Ok(())
}
