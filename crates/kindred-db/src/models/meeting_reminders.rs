//! Who hears about a meeting: local attendees with a place (reminders, changes),
//! and the record of reminders sent (`meeting_reminders`), one per participation
//! and occurrence, so no reminder is sent twice.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::meetings::{MeetingStatus, ParticipationState};
use kindred_domain::Role;

use crate::models::meetings::{Meeting, MeetingRow, MeetingTimeRow};
use crate::schema::{
    accounts, meeting_cancellations as mc, meeting_participations as mp, meeting_reminders as mr,
    meeting_times as mt, meetings, remote_meetings,
};
use crate::{AnyConnection, DbError};

/// An accepted local participation in a meeting that may have an occurrence soon.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub participation_id: i64,
    pub account_id: i64,
    pub meeting: Meeting,
    /// The meeting's cancelled occurrences (wall-clock starts).
    pub cancelled: Vec<NaiveDateTime>,
}

/// Accepted participations of local accounts in this server's meetings that are not
/// cancelled, whose first occurrence starts before `until` and whose series has not
/// ended by `now`. The caller works out the exact next occurrence.
pub fn candidates(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<Candidate>, DbError> {
    let rows: Vec<(i64, Option<i64>, MeetingRow, MeetingTimeRow)> = mp::table
        .inner_join(meetings::table.on(meetings::id.eq(mp::meeting_id)))
        .inner_join(mt::table.on(mt::meeting_id.eq(mp::meeting_id)))
        .inner_join(accounts::table.on(accounts::id.nullable().eq(mp::account_id)))
        .filter(mp::state.eq(ParticipationState::Accepted.as_str()))
        .filter(accounts::domain.eq(""))
        .filter(accounts::suspended.eq(false))
        .filter(meetings::status.ne(MeetingStatus::Cancelled.as_str()))
        .filter(mt::starts_at.lt(until))
        .filter(mt::series_ends_at.is_null().or(mt::series_ends_at.gt(now)))
        .order(mp::id.asc())
        .select((
            mp::id,
            mp::account_id,
            MeetingRow::as_select(),
            MeetingTimeRow::as_select(),
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.2.id).collect();
    // Another server's listing is run (and reminded of) there.
    let remote: Vec<i64> = if ids.is_empty() {
        Vec::new()
    } else {
        remote_meetings::table
            .filter(remote_meetings::meeting_id.eq_any(ids.clone()))
            .select(remote_meetings::meeting_id)
            .load(conn)?
    };
    let mut cancelled: HashMap<i64, Vec<NaiveDateTime>> = HashMap::new();
    if !ids.is_empty() {
        let list: Vec<(i64, NaiveDateTime)> = mc::table
            .filter(mc::meeting_id.eq_any(ids))
            .select((mc::meeting_id, mc::occurrence_local))
            .load(conn)?;
        for (id, at) in list {
            cancelled.entry(id).or_default().push(at);
        }
    }
    Ok(rows
        .into_iter()
        .filter(|r| !remote.contains(&r.2.id))
        .filter_map(|(pid, account, meeting, time)| {
            Some(Candidate {
                participation_id: pid,
                account_id: account?,
                cancelled: cancelled.get(&meeting.id).cloned().unwrap_or_default(),
                meeting: Meeting { meeting, time },
            })
        })
        .collect())
}

/// Records a reminder as sent. `Err(DbError::Conflict)`: it already was (by this or
/// another process); run inside the transaction that stores the notification, so a
/// concurrent run waits for the first to commit and then finds the row.
pub fn record(
    conn: &mut AnyConnection,
    participation_id: i64,
    occurrence_start: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(mr::table)
        .values((
            mr::participation_id.eq(participation_id),
            mr::occurrence_start.eq(occurrence_start),
            mr::sent_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Local accounts with a place at the meeting (accepted).
pub fn accepted_local(conn: &mut AnyConnection, meeting_id: i64) -> Result<Vec<i64>, DbError> {
    let ids: Vec<Option<i64>> = mp::table
        .inner_join(accounts::table.on(accounts::id.nullable().eq(mp::account_id)))
        .filter(mp::meeting_id.eq(meeting_id))
        .filter(mp::state.eq(ParticipationState::Accepted.as_str()))
        .filter(accounts::domain.eq(""))
        .select(mp::account_id)
        .load(conn)?;
    Ok(ids.into_iter().flatten().collect())
}

/// The instance's facilitators and admins, who run its own meetings.
pub fn instance_facilitators(conn: &mut AnyConnection) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(""))
        .filter(accounts::suspended.eq(false))
        .filter(accounts::role.eq_any([Role::Facilitator, Role::Admin].map(Role::as_str)))
        .select(accounts::id)
        .load(conn)?)
}
