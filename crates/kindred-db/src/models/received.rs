//! Activity ids already received: a re-delivery is acknowledged without processing,
//! the very same request sent again is a replay. Kept 14 days, pruned as we go.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::received_activities;
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    New,
    /// Processed before; this is a fresh delivery of it.
    Duplicate,
    /// Processed before, with this very signature: a captured request sent again.
    Replay,
}

pub fn check(
    conn: &mut AnyConnection,
    id_hash: &str,
    signature_hash: &str,
) -> Result<Seen, DbError> {
    let found: Option<String> = received_activities::table
        .find(id_hash)
        .select(received_activities::signature_hash)
        .first(conn)
        .optional()?;
    Ok(match found {
        None => Seen::New,
        Some(s) if s == signature_hash => Seen::Replay,
        Some(_) => Seen::Duplicate,
    })
}

/// Records a processed activity; a concurrent delivery that got here first is fine.
pub fn record(
    conn: &mut AnyConnection,
    id_hash: &str,
    signature_hash: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let inserted = diesel::insert_into(received_activities::table)
        .values((
            received_activities::id_hash.eq(id_hash),
            received_activities::signature_hash.eq(signature_hash),
            received_activities::received_at.eq(now),
        ))
        .execute(conn)
        .map_err(DbError::from);
    match inserted {
        Ok(_) | Err(DbError::Conflict) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Deletes records older than `before`; returns how many.
pub fn prune(conn: &mut AnyConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        received_activities::table.filter(received_activities::received_at.lt(before)),
    )
    .execute(conn)?)
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(received_activities::table.count().get_result(conn)?)
}
