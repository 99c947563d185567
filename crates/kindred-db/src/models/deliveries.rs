//! The persistent delivery queue: activities waiting to be POSTed to remote inboxes.
//! Callers enqueue inside the transaction that makes the change, so an accepted
//! change is never without its deliveries and a rolled-back one never has any.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{deliveries, instances};
use crate::{AnyConnection, DbError};

/// Rows per INSERT statement (9 columns: far under both backends' bound parameters).
const ROWS_PER_STATEMENT: usize = 500;

/// One activity for one inbox.
// `treat_none_as_default_value = false`: NULL for a `None` signer, so SQLite gets one
// multi-row statement instead of a row-at-a-time fallback.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deliveries, treat_none_as_default_value = false)]
pub struct NewDelivery {
    pub id: i64,
    /// Normalized host of the inbox (lower case, port if not default).
    pub domain: String,
    pub inbox_url: String,
    /// Local account that signs; `None` for the instance actor.
    pub signer_account_id: Option<i64>,
    pub activity_id: String,
    pub body: String,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// The kind of traffic, for the federation policy's partner scopes (the
    /// domain's `Traffic::as_str`).
    pub traffic: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub domain: String,
    pub inbox_url: String,
    pub signer_account_id: Option<i64>,
    pub activity_id: String,
    pub body: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    /// `None` for rows queued before the kind was recorded.
    pub traffic: Option<String>,
}

/// A multi-row insert through the concrete connection (the multi-backend connection
/// has no batch insert).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            AnyConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c)?,
            AnyConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c)?,
        }
    };
}

/// Known instances among `domains`.
fn known_instances(conn: &mut AnyConnection, domains: &[&str]) -> Result<Vec<String>, DbError> {
    let mut known = Vec::new();
    for chunk in domains.chunks(ROWS_PER_STATEMENT) {
        known.extend(
            instances::table
                .filter(instances::domain.eq_any(chunk))
                .select(instances::domain)
                .load::<String>(conn)?,
        );
    }
    Ok(known)
}

/// Makes sure every domain has an `instances` row (the queue's per-instance state).
pub fn ensure_instances(
    conn: &mut AnyConnection,
    domains: &[&str],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let mut wanted: Vec<&str> = domains.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let known: std::collections::HashSet<String> =
        known_instances(conn, &wanted)?.into_iter().collect();
    let new: Vec<_> = wanted
        .into_iter()
        .filter(|d| !known.contains(*d))
        .map(|d| {
            (
                instances::domain.eq(d),
                instances::failures.eq(0),
                instances::created_at.eq(now),
            )
        })
        .collect();
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        insert_rows!(conn, instances::table, chunk);
    }
    Ok(())
}

/// Adds deliveries to the queue (and their instances), in multi-row statements: a
/// post to followers on a thousand instances is a handful of statements inside the
/// post's transaction, not two thousand.
pub fn enqueue(
    conn: &mut AnyConnection,
    items: &[NewDelivery],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let domains: Vec<&str> = items.iter().map(|d| d.domain.as_str()).collect();
    ensure_instances(conn, &domains, now)?;
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        insert_rows!(conn, deliveries::table, chunk);
    }
    Ok(())
}

/// Withdraws queued deliveries before they are sent: every row whose activity id is
/// one of `ids` or begins with one of `prefixes`. The rows go, and their bodies with
/// them (SQLite overwrites freed pages: `secure_delete`). A delivery being sent at
/// this moment completes; the worker's later bookkeeping on its missing row does
/// nothing. Returns how many were withdrawn.
pub fn withdraw(
    conn: &mut AnyConnection,
    ids: &[String],
    prefixes: &[String],
) -> Result<usize, DbError> {
    let mut withdrawn = 0;
    if !ids.is_empty() {
        withdrawn += diesel::delete(deliveries::table.filter(deliveries::activity_id.eq_any(ids)))
            .execute(conn)?;
    }
    for prefix in prefixes {
        // Escaped: user names may hold `_`, which LIKE reads as any character.
        let pattern = crate::models::search::like_prefix(prefix);
        withdrawn += diesel::delete(
            deliveries::table.filter(deliveries::activity_id.like(pattern).escape('\\')),
        )
        .execute(conn)?;
    }
    Ok(withdrawn)
}

/// Pending deliveries per instance (for admins and tests).
pub fn backlog(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, DbError> {
    Ok(deliveries::table
        .group_by(deliveries::domain)
        .select((deliveries::domain, diesel::dsl::count_star()))
        .order(deliveries::domain.asc())
        .load(conn)?)
}
