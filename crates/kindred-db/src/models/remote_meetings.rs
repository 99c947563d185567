//! Meetings listed by other servers, received as ActivityPub `Event`s. Each is an
//! ordinary meeting (no group, no creator, an empty private place) so listings show
//! it, plus a `remote_meetings` row naming its ActivityPub id, the actor that
//! published it and its page. The inbox decides what is stored; this module keeps
//! the rows in step.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::meetings::ParticipationState;

use super::meetings::{MeetingPlaceRow, MeetingRow, MeetingTimeRow};
use crate::schema::{meeting_cancellations as mc, meeting_times as mt, meetings, remote_meetings};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = remote_meetings)]
pub struct RemoteMeetingRow {
    pub meeting_id: i64,
    /// The `Event`'s ActivityPub id.
    pub uri: String,
    /// The actor that published it.
    pub account_id: i64,
    /// Its web page, for links.
    pub url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Where a meeting comes from; `None` for a local one.
pub fn of_meeting(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Option<RemoteMeetingRow>, DbError> {
    Ok(remote_meetings::table
        .find(meeting_id)
        .select(RemoteMeetingRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of these meetings were listed by another server.
pub fn among(
    conn: &mut AnyConnection,
    meeting_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    if meeting_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(remote_meetings::table
        .filter(remote_meetings::meeting_id.eq_any(meeting_ids.to_vec()))
        .select(remote_meetings::meeting_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

pub fn by_uri(conn: &mut AnyConnection, uri: &str) -> Result<Option<RemoteMeetingRow>, DbError> {
    Ok(remote_meetings::table
        .filter(remote_meetings::uri.eq(uri))
        .select(RemoteMeetingRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a remote listing, or refreshes the one stored under `origin.uri`.
/// `meeting.id` is used for a new one (and in `time`); an existing one keeps its id,
/// its first-seen time and its publisher. Single-occurrence cancellations are
/// dropped on refresh (the remote `Event` carries none). Returns the meeting id and
/// whether it was new.
pub fn upsert(
    conn: &mut AnyConnection,
    origin: &RemoteMeetingRow,
    meeting: &MeetingRow,
    time: &MeetingTimeRow,
) -> Result<(i64, bool), DbError> {
    crate::transaction::atomically(conn, |conn| {
        if let Some(existing) = by_uri(conn, &origin.uri)? {
            let id = existing.meeting_id;
            diesel::update(meetings::table.find(id))
                .set((
                    meetings::title.eq(&meeting.title),
                    meetings::description.eq(&meeting.description),
                    meetings::status.eq(&meeting.status),
                    meetings::join_mode.eq(&meeting.join_mode),
                    meetings::capacity.eq(meeting.capacity),
                    meetings::content_category.eq(&meeting.content_category),
                    meetings::locality.eq(&meeting.locality),
                    meetings::region.eq(&meeting.region),
                    meetings::country.eq(&meeting.country),
                    meetings::online.eq(meeting.online),
                    meetings::updated_at.eq(meeting.updated_at),
                ))
                .execute(conn)?;
            diesel::update(mt::table.find(id))
                .set((
                    mt::time_zone.eq(&time.time_zone),
                    mt::starts_at.eq(time.starts_at),
                    mt::ends_at.eq(time.ends_at),
                    mt::recurrence.eq(&time.recurrence),
                    mt::series_ends_at.eq(time.series_ends_at),
                ))
                .execute(conn)?;
            diesel::delete(mc::table.filter(mc::meeting_id.eq(id))).execute(conn)?;
            diesel::update(remote_meetings::table.find(id))
                .set((
                    remote_meetings::url.eq(&origin.url),
                    remote_meetings::updated_at.eq(origin.updated_at),
                ))
                .execute(conn)?;
            return Ok((id, false));
        }
        let id = meeting.id;
        diesel::insert_into(meetings::table)
            .values(meeting)
            .execute(conn)?;
        diesel::insert_into(mt::table)
            .values(&MeetingTimeRow {
                meeting_id: id,
                ..time.clone()
            })
            .execute(conn)?;
        // The private place of a remote listing is empty: we never learn it here.
        diesel::insert_into(crate::schema::meeting_places::table)
            .values(&MeetingPlaceRow {
                meeting_id: id,
                venue_name: String::new(),
                street_address: String::new(),
                postal_code: String::new(),
                access_notes: String::new(),
                accessibility: String::new(),
                online_link: None,
            })
            .execute(conn)?;
        diesel::insert_into(remote_meetings::table)
            .values(&RemoteMeetingRow {
                meeting_id: id,
                ..origin.clone()
            })
            .execute(conn)?;
        Ok((id, true))
    })
}

/// Removes a remote listing (its meeting and everything hanging on it).
pub fn delete(conn: &mut AnyConnection, meeting_id: i64) -> Result<bool, DbError> {
    let is_remote = of_meeting(conn, meeting_id)?.is_some();
    if !is_remote {
        return Ok(false);
    }
    Ok(diesel::delete(meetings::table.find(meeting_id)).execute(conn)? > 0)
}

/// Removes every listing an actor published (its account is going away).
pub fn delete_of_account(conn: &mut AnyConnection, account_id: i64) -> Result<usize, DbError> {
    let ids: Vec<i64> = remote_meetings::table
        .filter(remote_meetings::account_id.eq(account_id))
        .select(remote_meetings::meeting_id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(meetings::table.filter(meetings::id.eq_any(ids))).execute(conn)?)
}

/// Sets a local member's participation in a remote listing as its host answered
/// (or as pending: `requested`), or removes it (`None`). The host applies the
/// meeting's rules; this copy only mirrors its answer. `new_id` is used for a new row.
pub fn set_participation(
    conn: &mut AnyConnection,
    meeting_id: i64,
    account_id: i64,
    state: Option<ParticipationState>,
    new_id: i64,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    use crate::schema::meeting_participations as mp;
    let mine = mp::table
        .filter(mp::meeting_id.eq(meeting_id))
        .filter(mp::account_id.eq(account_id));
    let Some(state) = state else {
        diesel::delete(mine).execute(conn)?;
        return Ok(());
    };
    let n = diesel::update(mine)
        .set((mp::state.eq(state.as_str()), mp::updated_at.eq(now)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(mp::table)
            .values(super::meetings::ParticipationRow {
                id: new_id,
                meeting_id,
                account_id: Some(account_id),
                anonymous_token: None,
                anonymous_domain: None,
                state,
                meeting_name: None,
                created_at: now,
                updated_at: now,
                anonymous_actor_id: None,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The token of a member's anonymous RSVP to a remote listing, if they sent one.
pub fn rsvp_token(
    conn: &mut AnyConnection,
    meeting_id: i64,
    account_id: i64,
) -> Result<Option<String>, DbError> {
    use crate::schema::remote_rsvp_tokens as t;
    Ok(t::table
        .find((meeting_id, account_id))
        .select(t::token)
        .first(conn)
        .optional()?)
}

/// Keeps (or forgets, `None`) the token of a member's anonymous RSVP.
pub fn set_rsvp_token(
    conn: &mut AnyConnection,
    meeting_id: i64,
    account_id: i64,
    token: Option<&str>,
) -> Result<(), DbError> {
    use crate::schema::remote_rsvp_tokens as t;
    diesel::delete(t::table.find((meeting_id, account_id))).execute(conn)?;
    if let Some(token) = token {
        diesel::insert_into(t::table)
            .values((
                t::meeting_id.eq(meeting_id),
                t::account_id.eq(account_id),
                t::token.eq(token),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The member an anonymous RSVP's token stands for.
pub fn member_of_token(
    conn: &mut AnyConnection,
    meeting_id: i64,
    token: &str,
) -> Result<Option<i64>, DbError> {
    use crate::schema::remote_rsvp_tokens as t;
    Ok(t::table
        .filter(t::meeting_id.eq(meeting_id))
        .filter(t::token.eq(token))
        .select(t::account_id)
        .first(conn)
        .optional()?)
}
