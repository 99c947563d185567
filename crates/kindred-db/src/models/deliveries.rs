//! The persistent delivery queue: activities waiting to be POSTed to remote inboxes.
//! Callers enqueue inside the transaction that makes the change, so an accepted
//! change is never without its deliveries and a rolled-back one never has any.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{deliveries, instances};
use crate::{AnyConnection, DbError};

/// One activity for one inbox.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deliveries)]
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
}

/// Records that an instance exists (first contact), leaving known ones unchanged.
pub fn ensure_instance(
    conn: &mut AnyConnection,
    domain: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let known: i64 = instances::table
        .filter(instances::domain.eq(domain))
        .count()
        .get_result(conn)?;
    if known == 0 {
        diesel::insert_into(instances::table)
            .values((
                instances::domain.eq(domain),
                instances::failures.eq(0),
                instances::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Queues deliveries. Call inside the transaction of the change that causes them.
pub fn enqueue(
    conn: &mut AnyConnection,
    items: &[NewDelivery],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let mut seen: Vec<&str> = Vec::new();
    for d in items {
        if !seen.contains(&d.domain.as_str()) {
            ensure_instance(conn, &d.domain, now)?;
            seen.push(&d.domain);
        }
        diesel::insert_into(deliveries::table)
            .values(d.clone())
            .execute(conn)?;
    }
    Ok(())
}

/// Pending deliveries per instance (for admins and tests).
pub fn backlog(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, DbError> {
    Ok(deliveries::table
        .group_by(deliveries::domain)
        .select((deliveries::domain, diesel::dsl::count_star()))
        .order(deliveries::domain.asc())
        .load(conn)?)
}
