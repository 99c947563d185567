//! Activity ids already received: a re-delivery is acknowledged without processing,
//! the very same request sent again is a replay. Kept 14 days, pruned as we go.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::native;
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
    let found: Option<String> = native!(conn, c => received_activities::table
        .find(id_hash)
        .select(received_activities::signature_hash)
        .first(c)
        .optional())?;
    Ok(match found {
        None => Seen::New,
        Some(s) if s == signature_hash => Seen::Replay,
        Some(_) => Seen::Duplicate,
    })
}

/// Records a processed activity; a concurrent delivery that got here first is fine.
/// `ON CONFLICT DO NOTHING` rather than a caught unique violation, so that it can
/// run inside the transaction of the activity's work (a failed statement aborts a
/// PostgreSQL transaction).
pub fn record(
    conn: &mut AnyConnection,
    id_hash: &str,
    signature_hash: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let row = (
        received_activities::id_hash.eq(id_hash),
        received_activities::signature_hash.eq(signature_hash),
        received_activities::received_at.eq(now),
    );
    native!(conn, c => diesel::insert_into(received_activities::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
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
