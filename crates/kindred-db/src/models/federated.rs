//! Look-ups the inbox needs that the client API does not: statuses by their
//! ActivityPub id, pending outbound follow requests.

use diesel::prelude::*;

use crate::models::statuses::StatusRow;
use crate::schema::{follow_requests, follows, statuses};
use crate::{AnyConnection, DbError};

pub fn status_by_uri(conn: &mut AnyConnection, uri: &str) -> Result<Option<StatusRow>, DbError> {
    Ok(statuses::table
        .filter(statuses::uri.eq(uri))
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether `a` asked to follow `b` and is waiting.
pub fn follow_requested(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, DbError> {
    let n: i64 = follow_requests::table
        .filter(follow_requests::account_id.eq(a))
        .filter(follow_requests::target_account_id.eq(b))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The follow row id from `a` to `b`, if `a` follows `b`.
pub fn follow_id(conn: &mut AnyConnection, a: i64, b: i64) -> Result<Option<i64>, DbError> {
    Ok(follows::table
        .filter(follows::account_id.eq(a))
        .filter(follows::target_account_id.eq(b))
        .select(follows::id)
        .first(conn)
        .optional()?)
}

/// Runs `f` in one transaction (a savepoint when nested), for callers outside this
/// crate that combine several model functions into one change.
pub fn atomically<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    conn.transaction::<T, DbError, _>(f)
}
