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

/// Records a processed activity and answers whether it was new: one statement,
/// so a transaction that does the activity's work can begin with it (the work is
/// rolled back with the record if it fails). `ON CONFLICT DO NOTHING` rather than
/// a caught unique violation, which would abort a PostgreSQL transaction. Only an
/// activity seen before costs a second statement, to tell a fresh delivery from a
/// replay.
pub fn record(
    conn: &mut AnyConnection,
    id_hash: &str,
    signature_hash: &str,
    now: NaiveDateTime,
) -> Result<Seen, DbError> {
    let row = (
        received_activities::id_hash.eq(id_hash),
        received_activities::signature_hash.eq(signature_hash),
        received_activities::received_at.eq(now),
    );
    let inserted = native!(conn, c => diesel::insert_into(received_activities::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted > 0 {
        return Ok(Seen::New);
    }
    Ok(match check(conn, id_hash, signature_hash)? {
        Seen::Replay => Seen::Replay,
        // Seen, or pruned between the two statements: not new either way.
        Seen::Duplicate | Seen::New => Seen::Duplicate,
    })
}

/// Deletes records older than `before`; returns how many. On PostgreSQL it skips
/// rows another transaction holds (another process pruning at the same time):
/// they are old either way, and waiting for them in the middle of a group-commit
/// batch could close a circle of waits with that process's batch.
pub fn prune(conn: &mut AnyConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(match conn {
        AnyConnection::Sqlite(c) => diesel::delete(
            received_activities::table.filter(received_activities::received_at.lt(before)),
        )
        .execute(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "DELETE FROM received_activities WHERE id_hash IN (SELECT id_hash \
             FROM received_activities WHERE received_at < $1 FOR UPDATE SKIP LOCKED)",
        )
        .bind::<diesel::sql_types::Timestamp, _>(before)
        .execute(c)?,
    })
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(received_activities::table.count().get_result(conn)?)
}
