//! The status a group posts for each of its meetings (`meeting_posts`): found by
//! meeting to refresh it when the meeting changes, and by status to show the
//! meeting's preview card beside it.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::models::meetings::{MeetingRow, MeetingTimeRow};
use crate::schema::{meeting_posts as mp, meeting_times, meetings};
use crate::{AnyConnection, DbError};

pub fn link(conn: &mut AnyConnection, meeting_id: i64, status_id: i64) -> Result<(), DbError> {
    diesel::insert_into(mp::table)
        .values((mp::meeting_id.eq(meeting_id), mp::status_id.eq(status_id)))
        .execute(conn)?;
    Ok(())
}

/// The status posted for a meeting, if any.
pub fn status_of(conn: &mut AnyConnection, meeting_id: i64) -> Result<Option<i64>, DbError> {
    Ok(mp::table
        .find(meeting_id)
        .select(mp::status_id)
        .first(conn)
        .optional()?)
}

/// The meeting (public rows only) behind each of these statuses that has one.
pub fn meetings_of(
    conn: &mut AnyConnection,
    status_ids: &[i64],
) -> Result<HashMap<i64, (MeetingRow, MeetingTimeRow)>, DbError> {
    if status_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(mp::table
        .inner_join(meetings::table.on(meetings::id.eq(mp::meeting_id)))
        .inner_join(meeting_times::table.on(meeting_times::meeting_id.eq(mp::meeting_id)))
        .filter(mp::status_id.eq_any(status_ids.to_vec()))
        .select((
            mp::status_id,
            MeetingRow::as_select(),
            MeetingTimeRow::as_select(),
        ))
        .load::<(i64, MeetingRow, MeetingTimeRow)>(conn)?
        .into_iter()
        .map(|(s, m, t)| (s, (m, t)))
        .collect())
}
