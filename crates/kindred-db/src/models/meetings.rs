//! Offline meetings: the meeting and its times, the private part of its place (kept
//! in its own table, read only after a disclosure decision), single-occurrence
//! cancellations, participations with their wait list, and personal calendar-feed
//! tokens. The rules (who may answer, who gets a place, who learns the address) are
//! in `kindred_domain::meetings`; this module stores, reads, and applies the rules'
//! outcomes in transactions.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use kindred_domain::groups::GroupVisibility;
use kindred_domain::meetings::rsvp::{self, MeetingState};
use kindred_domain::meetings::{
    Accessibility, Capacity, Counts, FacilitatorAction, FullPlace, JoinMode, MeetingDetails,
    MeetingStatus, MeetingTime, MeetingZone, ParticipationState, Place, PublicPlace, Recurrence,
    Rsvp, Series,
};
use kindred_domain::{DomainError, GroupId, MeetingId};

use crate::schema::{
    groups, ics_feed_tokens as feeds, meeting_cancellations as mc, meeting_participations as mp,
    meeting_places as mpl, meeting_remote_caps as mrc, meeting_times as mt, meetings,
};
use crate::{AnyConnection, DbError};

/// A storage failure, or a rule that refused the change (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum MeetingStoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Refused(#[from] DomainError),
}

impl From<diesel::result::Error> for MeetingStoreError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// The public part of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    pub id: i64,
    /// `None`: the instance's own meeting.
    pub group_id: Option<i64>,
    pub created_by: Option<i64>,
    pub title: String,
    pub description: String,
    pub status: String,
    pub join_mode: String,
    pub audience: String,
    pub capacity: Option<i64>,
    pub content_category: Option<String>,
    pub locality: String,
    pub region: String,
    pub country: String,
    pub online: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = mt)]
pub struct MeetingTimeRow {
    pub meeting_id: i64,
    pub time_zone: String,
    /// The first occurrence, UTC.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub recurrence: Option<String>,
    /// When the last occurrence ends; `None` when the rule has no end.
    pub series_ends_at: Option<NaiveDateTime>,
}

impl MeetingTimeRow {
    /// The stored schedule as domain values (checked again: a row is only trusted as
    /// far as the rules accept it).
    pub fn schedule(&self) -> Result<(MeetingTime, Option<Recurrence>), DomainError> {
        let zone = MeetingZone::parse(&self.time_zone)?;
        let time = MeetingTime::new(zone, self.starts_at.and_utc(), self.ends_at.and_utc())?;
        let rule = self
            .recurrence
            .as_deref()
            .map(|r| Recurrence::parse(r, &time))
            .transpose()?;
        Ok((time, rule))
    }

    /// The row for a schedule, with the series end worked out.
    pub fn new(meeting_id: i64, time: &MeetingTime, rule: Option<&Recurrence>) -> Self {
        let series = Series {
            time,
            rule,
            cancelled: &[],
        };
        Self {
            meeting_id,
            time_zone: time.zone().name().to_owned(),
            starts_at: time.start().naive_utc(),
            ends_at: time.end().naive_utc(),
            recurrence: rule.map(Recurrence::to_rrule),
            series_ends_at: series.last_end().map(|t| t.naive_utc()),
        }
    }
}

/// The private part of a place: for facilitators and accepted attendees only.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = mpl)]
pub struct MeetingPlaceRow {
    pub meeting_id: i64,
    pub venue_name: String,
    pub street_address: String,
    pub postal_code: String,
    pub access_notes: String,
    pub accessibility: String,
    pub online_link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = mp)]
pub struct ParticipationRow {
    pub id: i64,
    pub meeting_id: i64,
    pub account_id: Option<i64>,
    pub anonymous_token: Option<String>,
    pub anonymous_domain: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub state: ParticipationState,
    /// The "name for the meeting": facilitators only.
    pub meeting_name: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// For an anonymous attendee: the remote actor (their instance actor) that sent
    /// the RSVP, to whom later decisions go back with the token.
    pub anonymous_actor_id: Option<i64>,
}

/// The participation `id` of this meeting, if it is an anonymous attendee's (how
/// facilitators name an anonymous attendee: they never see the token).
pub fn anonymous_participation(
    conn: &mut AnyConnection,
    meeting_id: i64,
    id: i64,
) -> Result<Option<ParticipationRow>, DbError> {
    Ok(mp::table
        .find(id)
        .filter(mp::meeting_id.eq(meeting_id))
        .filter(mp::account_id.is_null())
        .select(ParticipationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records which remote actor sent an anonymous attendee's RSVP.
pub fn set_anonymous_actor(
    conn: &mut AnyConnection,
    participation_id: i64,
    actor_id: i64,
) -> Result<(), DbError> {
    diesel::update(
        mp::table
            .find(participation_id)
            .filter(mp::account_id.is_null()),
    )
    .set(mp::anonymous_actor_id.eq(actor_id))
    .execute(conn)?;
    Ok(())
}

/// A meeting as listings need it: the public row and its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub meeting: MeetingRow,
    pub time: MeetingTimeRow,
}

/// Who answers: a local account, or a remote attendee by opaque token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participant {
    Account(i64),
    Anonymous { token: String, domain: String },
}

/// Keyset position in a listing ordered by first start, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub starts_at: NaiveDateTime,
    pub id: i64,
}

impl Meeting {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            starts_at: self.time.starts_at,
            id: self.meeting.id,
        }
    }
}

/// Which meetings a listing covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Group(i64),
    /// The instance's own meetings.
    Instance,
    /// Every listing that is public: public audience, and the instance's own or of a
    /// group that is not private.
    Public,
}

/// The three rows of a checked meeting.
pub fn rows(
    id: i64,
    group_id: Option<i64>,
    created_by: Option<i64>,
    d: &MeetingDetails,
    now: NaiveDateTime,
) -> (MeetingRow, MeetingTimeRow, MeetingPlaceRow) {
    let public = d.place.public();
    let meeting = MeetingRow {
        id,
        group_id,
        created_by,
        title: d.title.clone(),
        description: d.description.clone(),
        status: d.status.as_str().to_owned(),
        join_mode: d.join_mode.as_str().to_owned(),
        audience: d.audience.as_str().to_owned(),
        capacity: d.capacity.map(|c| i64::from(c.get())),
        content_category: d.content_category.map(|c| c.as_str().to_owned()),
        locality: public.locality.clone(),
        region: public.region.clone(),
        country: public.country.clone(),
        online: d.place.is_online(),
        created_at: now,
        updated_at: now,
    };
    let time = MeetingTimeRow::new(id, &d.time, d.recurrence.as_ref());
    let full = d.place.clone().into_stored();
    let place = MeetingPlaceRow {
        meeting_id: id,
        venue_name: full.venue_name,
        street_address: full.street_address,
        postal_code: full.postal_code,
        access_notes: full.access_notes,
        accessibility: Accessibility::join(&full.accessibility),
        online_link: full.online_link.map(String::from),
    };
    (meeting, time, place)
}

impl MeetingRow {
    /// The id, typed.
    pub fn meeting_id(&self) -> MeetingId {
        MeetingId::new(self.id)
    }

    /// The group the meeting belongs to (`None`: the instance's own), typed.
    pub fn group(&self) -> Option<GroupId> {
        self.group_id.map(GroupId::new)
    }

    /// The part of the place anyone may see.
    pub fn public_place(&self) -> PublicPlace {
        PublicPlace {
            locality: self.locality.clone(),
            region: self.region.clone(),
            country: self.country.clone(),
        }
    }

    /// The whole place, from this row and the private one.
    pub fn place(&self, private: &MeetingPlaceRow) -> Place {
        Place::from_stored(FullPlace {
            public: self.public_place(),
            venue_name: private.venue_name.clone(),
            street_address: private.street_address.clone(),
            postal_code: private.postal_code.clone(),
            access_notes: private.access_notes.clone(),
            // Stored values were checked when written; an unknown word is dropped.
            accessibility: private
                .accessibility
                .split(',')
                .filter_map(|a| Accessibility::parse(a).ok())
                .collect(),
            online_link: private
                .online_link
                .as_deref()
                .and_then(|l| url::Url::parse(l).ok()),
        })
    }
}

/// Creates a meeting with its times and private place.
pub fn create(
    conn: &mut AnyConnection,
    meeting: &MeetingRow,
    time: &MeetingTimeRow,
    place: &MeetingPlaceRow,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::insert_into(meetings::table)
            .values(meeting)
            .execute(conn)?;
        diesel::insert_into(mt::table).values(time).execute(conn)?;
        diesel::insert_into(mpl::table)
            .values(place)
            .execute(conn)?;
        Ok(())
    })
}

/// Replaces a meeting's private place (its row exists from creation on).
pub fn set_place(conn: &mut AnyConnection, place: &MeetingPlaceRow) -> Result<(), DbError> {
    diesel::update(mpl::table.find(place.meeting_id))
        .set((
            mpl::venue_name.eq(&place.venue_name),
            mpl::street_address.eq(&place.street_address),
            mpl::postal_code.eq(&place.postal_code),
            mpl::access_notes.eq(&place.access_notes),
            mpl::accessibility.eq(&place.accessibility),
            mpl::online_link.eq(&place.online_link),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a meeting's settings, times and place. A capacity below the accepted
/// count is refused; a larger one lets the head of the wait list in. Cancellations
/// that are no longer occurrences of the new schedule are dropped. Returns the
/// participations promoted from the wait list.
pub fn update(
    conn: &mut AnyConnection,
    meeting: &MeetingRow,
    time: &MeetingTimeRow,
    place: &MeetingPlaceRow,
) -> Result<Vec<ParticipationRow>, MeetingStoreError> {
    crate::transaction::atomically_as(conn, |conn| {
        lock(conn, meeting.id)?;
        let counts = counts_in(conn, meeting.id)?;
        let capacity = meeting.capacity.map(Capacity::new).transpose()?;
        let promote = rsvp::change_capacity(capacity, counts)?;
        diesel::update(meetings::table.find(meeting.id))
            .set((
                meetings::title.eq(&meeting.title),
                meetings::description.eq(&meeting.description),
                meetings::status.eq(&meeting.status),
                meetings::join_mode.eq(&meeting.join_mode),
                meetings::audience.eq(&meeting.audience),
                meetings::capacity.eq(meeting.capacity),
                meetings::content_category.eq(&meeting.content_category),
                meetings::locality.eq(&meeting.locality),
                meetings::region.eq(&meeting.region),
                meetings::country.eq(&meeting.country),
                meetings::online.eq(meeting.online),
                meetings::updated_at.eq(meeting.updated_at),
            ))
            .execute(conn)?;
        diesel::update(mt::table.find(meeting.id))
            .set((
                mt::time_zone.eq(&time.time_zone),
                mt::starts_at.eq(time.starts_at),
                mt::ends_at.eq(time.ends_at),
                mt::recurrence.eq(&time.recurrence),
                mt::series_ends_at.eq(time.series_ends_at),
            ))
            .execute(conn)?;
        set_place(
            conn,
            &MeetingPlaceRow {
                meeting_id: meeting.id,
                ..place.clone()
            },
        )?;
        let (t, rule) = time.schedule()?;
        let series = Series {
            time: &t,
            rule: rule.as_ref(),
            cancelled: &[],
        };
        for c in cancellations_of(conn, meeting.id)? {
            if !series.is_occurrence(c) {
                diesel::delete(mc::table.find((meeting.id, c))).execute(conn)?;
            }
        }
        Ok(promote_waitlisted(
            conn,
            meeting.id,
            promote,
            meeting.updated_at,
        )?)
    })
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<Meeting>, DbError> {
    Ok(meetings::table
        .inner_join(mt::table.on(mt::meeting_id.eq(meetings::id)))
        .filter(meetings::id.eq(id))
        .select((MeetingRow::as_select(), MeetingTimeRow::as_select()))
        .first::<(MeetingRow, MeetingTimeRow)>(conn)
        .optional()?
        .map(|(meeting, time)| Meeting { meeting, time }))
}

/// The private part of the place. Call only once a `Disclosure` was decided.
pub fn private_place(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<MeetingPlaceRow>, DbError> {
    Ok(mpl::table
        .find(id)
        .select(MeetingPlaceRow::as_select())
        .first(conn)
        .optional()?)
}

/// Cancels the whole meeting (every occurrence).
pub fn cancel(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(meetings::table.find(id))
        .set((
            meetings::status.eq(MeetingStatus::Cancelled.as_str()),
            meetings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Cancels one occurrence of a recurring meeting, named by its wall-clock start.
/// Refused when the meeting does not recur or that is not one of its occurrences.
pub fn cancel_occurrence(
    conn: &mut AnyConnection,
    id: i64,
    occurrence_local: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), MeetingStoreError> {
    crate::transaction::atomically_as(conn, |conn| {
        let m = find(conn, id)?.ok_or(DbError::NotFound)?;
        let (time, rule) = m.time.schedule()?;
        if rule.is_none() {
            return Err(
                DomainError::InvalidMeeting("a single meeting is cancelled as a whole").into(),
            );
        }
        let series = Series {
            time: &time,
            rule: rule.as_ref(),
            cancelled: &[],
        };
        if !series.is_occurrence(occurrence_local) {
            return Err(
                DomainError::InvalidMeeting("the meeting has no occurrence starting then").into(),
            );
        }
        let exists = mc::table
            .find((id, occurrence_local))
            .select(count_star())
            .first::<i64>(conn)?
            > 0;
        if !exists {
            diesel::insert_into(mc::table)
                .values((
                    mc::meeting_id.eq(id),
                    mc::occurrence_local.eq(occurrence_local),
                    mc::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        diesel::update(meetings::table.find(id))
            .set(meetings::updated_at.eq(now))
            .execute(conn)?;
        Ok(())
    })
}

/// Takes back a single-occurrence cancellation.
pub fn restore_occurrence(
    conn: &mut AnyConnection,
    id: i64,
    occurrence_local: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n = diesel::delete(mc::table.find((id, occurrence_local))).execute(conn)?;
        if n > 0 {
            diesel::update(meetings::table.find(id))
                .set(meetings::updated_at.eq(now))
                .execute(conn)?;
        }
        Ok(n > 0)
    })
}

fn cancellations_of(conn: &mut AnyConnection, id: i64) -> Result<Vec<NaiveDateTime>, DbError> {
    Ok(mc::table
        .filter(mc::meeting_id.eq(id))
        .order(mc::occurrence_local.asc())
        .select(mc::occurrence_local)
        .load(conn)?)
}

/// Cancelled occurrences of each of these meetings.
pub fn cancellations(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<NaiveDateTime>>, DbError> {
    let mut out: HashMap<i64, Vec<NaiveDateTime>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, NaiveDateTime)> = mc::table
        .filter(mc::meeting_id.eq_any(ids.to_vec()))
        .order((mc::meeting_id.asc(), mc::occurrence_local.asc()))
        .select((mc::meeting_id, mc::occurrence_local))
        .load(conn)?;
    for (id, at) in rows {
        out.entry(id).or_default().push(at);
    }
    Ok(out)
}

/// Meetings with an occurrence still to end after `now`, by first start then id,
/// after `after`; cancelled ones included (shown as cancelled). `members` also lists
/// members-only meetings (for a group's members or the instance's local users): the
/// caller decides, as it decides whether the viewer may see a private group at all.
pub fn upcoming(
    conn: &mut AnyConnection,
    scope: Scope,
    members: bool,
    now: NaiveDateTime,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Meeting>, DbError> {
    let mut q = meetings::table
        .inner_join(mt::table.on(mt::meeting_id.eq(meetings::id)))
        .filter(mt::series_ends_at.is_null().or(mt::series_ends_at.gt(now)))
        .into_boxed();
    q = match scope {
        Scope::Group(g) => q.filter(meetings::group_id.eq(g)),
        // Remote listings have no group either; they are not the instance's own.
        Scope::Instance => q.filter(meetings::group_id.is_null()).filter(
            meetings::id.ne_all(
                crate::schema::remote_meetings::table
                    .select(crate::schema::remote_meetings::meeting_id),
            ),
        ),
        Scope::Public => {
            let private_groups = groups::table
                .filter(groups::visibility.eq(GroupVisibility::Private.as_str()))
                .select(groups::account_id.nullable());
            q.filter(
                meetings::group_id
                    .is_null()
                    .or(meetings::group_id.ne_all(private_groups)),
            )
        }
    };
    if !members || scope == Scope::Public {
        q = q.filter(meetings::audience.eq("public"));
    }
    if let Some(c) = after {
        q = q.filter(
            mt::starts_at
                .gt(c.starts_at)
                .or(mt::starts_at.eq(c.starts_at).and(meetings::id.gt(c.id))),
        );
    }
    Ok(q.order((mt::starts_at.asc(), meetings::id.asc()))
        .limit(limit)
        .select((MeetingRow::as_select(), MeetingTimeRow::as_select()))
        .load::<(MeetingRow, MeetingTimeRow)>(conn)?
        .into_iter()
        .map(|(meeting, time)| Meeting { meeting, time })
        .collect())
}

/// Upcoming meetings an account answers going to (accepted, wait-listed or waiting
/// for approval), with its state, by first start.
pub fn joined(
    conn: &mut AnyConnection,
    account_id: i64,
    now: NaiveDateTime,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<(Meeting, ParticipationRow)>, DbError> {
    let mut q = meetings::table
        .inner_join(mt::table.on(mt::meeting_id.eq(meetings::id)))
        .inner_join(mp::table.on(mp::meeting_id.eq(meetings::id)))
        .filter(mp::account_id.eq(account_id))
        .filter(
            mp::state.eq_any(
                [
                    ParticipationState::Accepted,
                    ParticipationState::Waitlisted,
                    ParticipationState::Requested,
                ]
                .map(ParticipationState::as_str),
            ),
        )
        .filter(mt::series_ends_at.is_null().or(mt::series_ends_at.gt(now)))
        .into_boxed();
    if let Some(c) = after {
        q = q.filter(
            mt::starts_at
                .gt(c.starts_at)
                .or(mt::starts_at.eq(c.starts_at).and(meetings::id.gt(c.id))),
        );
    }
    Ok(q.order((mt::starts_at.asc(), meetings::id.asc()))
        .limit(limit)
        .select((
            MeetingRow::as_select(),
            MeetingTimeRow::as_select(),
            ParticipationRow::as_select(),
        ))
        .load::<(MeetingRow, MeetingTimeRow, ParticipationRow)>(conn)?
        .into_iter()
        .map(|(meeting, time, p)| (Meeting { meeting, time }, p))
        .collect())
}

/// Participations of a meeting for its facilitators, optionally in one state, by id.
pub fn participations(
    conn: &mut AnyConnection,
    meeting_id: i64,
    state: Option<ParticipationState>,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ParticipationRow>, DbError> {
    let mut q = mp::table.filter(mp::meeting_id.eq(meeting_id)).into_boxed();
    if let Some(s) = state {
        q = q.filter(mp::state.eq(s.as_str()));
    }
    if let Some(a) = after_id {
        q = q.filter(mp::id.gt(a));
    }
    Ok(q.order(mp::id.asc())
        .limit(limit)
        .select(ParticipationRow::as_select())
        .load(conn)?)
}

pub fn participation(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
) -> Result<Option<ParticipationRow>, DbError> {
    let q = mp::table.filter(mp::meeting_id.eq(meeting_id)).into_boxed();
    let q = match who {
        Participant::Account(a) => q.filter(mp::account_id.eq(*a)),
        // Scoped by the sending instance: one instance can't reach another's attendees.
        Participant::Anonymous { token, domain } => q
            .filter(mp::anonymous_domain.eq(domain.clone()))
            .filter(mp::anonymous_token.eq(token.clone())),
    };
    Ok(q.select(ParticipationRow::as_select())
        .first(conn)
        .optional()?)
}

/// One account's participations in each of these meetings (one query).
pub fn participations_of(
    conn: &mut AnyConnection,
    account_id: i64,
    meeting_ids: &[i64],
) -> Result<HashMap<i64, ParticipationRow>, DbError> {
    if meeting_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(mp::table
        .filter(mp::account_id.eq(account_id))
        .filter(mp::meeting_id.eq_any(meeting_ids.to_vec()))
        .select(ParticipationRow::as_select())
        .load::<ParticipationRow>(conn)?
        .into_iter()
        .map(|p| (p.meeting_id, p))
        .collect())
}

/// Participations by state, for each of these meetings.
pub fn counts(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, HashMap<String, i64>>, DbError> {
    let mut out: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String, i64)> = mp::table
        .filter(mp::meeting_id.eq_any(ids.to_vec()))
        .group_by((mp::meeting_id, mp::state))
        .select((mp::meeting_id, mp::state, count_star()))
        .load(conn)?;
    for (id, state, n) in rows {
        out.entry(id).or_default().insert(state, n);
    }
    Ok(out)
}

fn counts_in(conn: &mut AnyConnection, meeting_id: i64) -> Result<Counts, DbError> {
    let by_state = counts(conn, &[meeting_id])?
        .remove(&meeting_id)
        .unwrap_or_default();
    let get = |s: ParticipationState| {
        u32::try_from(by_state.get(s.as_str()).copied().unwrap_or(0)).unwrap_or(u32::MAX)
    };
    Ok(Counts {
        accepted: get(ParticipationState::Accepted),
        waitlisted: get(ParticipationState::Waitlisted),
    })
}

/// Serialises changes to one meeting's participations: the first write of the
/// transaction takes PostgreSQL's row lock and SQLite's write lock, so two answers
/// can't both take the last place.
fn lock(conn: &mut AnyConnection, meeting_id: i64) -> Result<(), DbError> {
    let n = diesel::update(meetings::table.find(meeting_id))
        .set(meetings::updated_at.eq(meetings::updated_at))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The meeting's state for the rules, at `now`.
fn state_for_rules(
    conn: &mut AnyConnection,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<MeetingState, MeetingStoreError> {
    let m = find(conn, meeting_id)?.ok_or(DbError::NotFound)?;
    let (time, rule) = m.time.schedule()?;
    let cancelled = cancellations_of(conn, meeting_id)?;
    let series = Series {
        time: &time,
        rule: rule.as_ref(),
        cancelled: &cancelled,
    };
    Ok(MeetingState {
        status: MeetingStatus::parse(&m.meeting.status)?,
        join_mode: JoinMode::parse(&m.meeting.join_mode)?,
        capacity: m.meeting.capacity.map(Capacity::new).transpose()?,
        over: series.next_after(now).is_none(),
        counts: counts_in(conn, meeting_id)?,
    })
}

/// What an answer or a facilitator's action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The participation afterwards (`None`: removed).
    pub participation: Option<ParticipationRow>,
    /// People who just got a place from the wait list (to notify).
    pub promoted: Vec<ParticipationRow>,
}

/// A person's answer (going, interested, not going), applied with the wait list
/// advancing, all in one transaction. `new_id` is used if a participation is created.
/// `meeting_name` (the name for facilitators) replaces the stored one when given.
pub fn answer(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
    answer: Rsvp,
    meeting_name: Option<&str>,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Applied, MeetingStoreError> {
    answer_as(
        conn,
        meeting_id,
        who,
        answer,
        meeting_name,
        None,
        now,
        new_id,
    )
}

/// Someone answering from another server, as the rules need to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAnswer<'a> {
    /// Their server, as `accounts.domain` and `anonymous_domain` store it.
    pub domain: &'a str,
    /// Their server is a partner trusted with RSVPs
    /// (`federation_policy::Decision::trusts_rsvps`).
    pub trusted: bool,
    /// `meetings.max_per_remote_domain`: the cap where neither the meeting nor its
    /// group sets one.
    pub instance_cap: u32,
}

/// As [`answer`], for someone answering from another server: an untrusted server's
/// going is a request, and no server holds more than the meeting's cap.
pub fn answer_remote(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
    answer: Rsvp,
    remote: &RemoteAnswer<'_>,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Applied, MeetingStoreError> {
    answer_as(
        conn,
        meeting_id,
        who,
        answer,
        None,
        Some(remote),
        now,
        new_id,
    )
}

/// The meeting's own cap on places per remote server, if it sets one.
pub fn remote_cap(conn: &mut AnyConnection, meeting_id: i64) -> Result<Option<i64>, DbError> {
    Ok(mrc::table
        .find(meeting_id)
        .select(mrc::max_per_remote_domain)
        .first(conn)
        .optional()?)
}

/// The caps these meetings set themselves.
pub fn remote_caps(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(mrc::table
        .filter(mrc::meeting_id.eq_any(ids.to_vec()))
        .select((mrc::meeting_id, mrc::max_per_remote_domain))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Sets (or, with `None`, clears: the group's default applies) the meeting's cap.
pub fn set_remote_cap(
    conn: &mut AnyConnection,
    meeting_id: i64,
    cap: Option<u32>,
) -> Result<(), DbError> {
    diesel::delete(mrc::table.find(meeting_id)).execute(conn)?;
    if let Some(n) = cap {
        diesel::insert_into(mrc::table)
            .values((
                mrc::meeting_id.eq(meeting_id),
                mrc::max_per_remote_domain.eq(i64::from(n)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Participations (requested, wait-listed or accepted) held on a meeting by people
/// answering through `domain`: its accounts and its anonymous attendees.
pub fn held_through(
    conn: &mut AnyConnection,
    meeting_id: i64,
    domain: &str,
) -> Result<u32, DbError> {
    use crate::schema::accounts;
    let holding = [
        ParticipationState::Requested.as_str(),
        ParticipationState::Waitlisted.as_str(),
        ParticipationState::Accepted.as_str(),
    ];
    let of_accounts = accounts::table
        .filter(accounts::domain.eq(domain.to_owned()))
        .select(accounts::id);
    let n: i64 = mp::table
        .filter(mp::meeting_id.eq(meeting_id))
        .filter(mp::state.eq_any(holding))
        .filter(
            mp::anonymous_domain
                .eq(domain.to_owned())
                .or(mp::account_id.eq_any(of_accounts.nullable())),
        )
        .select(count_star())
        .first(conn)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Where an answer comes from, for the rules (read under the meeting's lock).
fn origin_of(
    conn: &mut AnyConnection,
    meeting_id: i64,
    remote: Option<&RemoteAnswer<'_>>,
) -> Result<rsvp::Origin, DbError> {
    let Some(r) = remote else {
        return Ok(rsvp::Origin::Local);
    };
    let own = remote_cap(conn, meeting_id)?;
    let group: Option<i64> = meetings::table
        .find(meeting_id)
        .select(meetings::group_id)
        .first(conn)?;
    let group_cap = match (own, group) {
        (None, Some(g)) => groups::table
            .find(g)
            .select(groups::max_per_remote_domain)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten(),
        _ => None,
    };
    Ok(rsvp::Origin::Remote(rsvp::RemoteOrigin {
        trusted: r.trusted,
        held: held_through(conn, meeting_id, r.domain)?,
        cap: rsvp::RemoteCap::resolve(own, group_cap, r.instance_cap),
    }))
}

#[allow(clippy::too_many_arguments)]
fn answer_as(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
    answer: Rsvp,
    meeting_name: Option<&str>,
    remote: Option<&RemoteAnswer<'_>>,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Applied, MeetingStoreError> {
    crate::transaction::atomically_as(conn, |conn| {
        lock(conn, meeting_id)?;
        let m = state_for_rules(conn, meeting_id, now)?;
        let current = participation(conn, meeting_id, who)?;
        let origin = origin_of(conn, meeting_id, remote)?;
        let outcome = rsvp::answer_from(&m, current.as_ref().map(|p| p.state), answer, origin)
            .map_err(DomainError::from)?;
        apply(
            conn,
            meeting_id,
            who,
            current,
            outcome,
            meeting_name,
            now,
            new_id,
        )
    })
}

/// A facilitator approves, rejects or invites one participant.
pub fn facilitate(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
    action: FacilitatorAction,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Applied, MeetingStoreError> {
    crate::transaction::atomically_as(conn, |conn| {
        lock(conn, meeting_id)?;
        let m = state_for_rules(conn, meeting_id, now)?;
        let current = participation(conn, meeting_id, who)?;
        let outcome = rsvp::facilitate(&m, current.as_ref().map(|p| p.state), action)
            .map_err(DomainError::from)?;
        apply(conn, meeting_id, who, current, outcome, None, now, new_id)
    })
}

#[allow(clippy::too_many_arguments)]
fn apply(
    conn: &mut AnyConnection,
    meeting_id: i64,
    who: &Participant,
    current: Option<ParticipationRow>,
    outcome: rsvp::RsvpOutcome,
    meeting_name: Option<&str>,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Applied, MeetingStoreError> {
    let now = now.naive_utc();
    let meeting_name = meeting_name.map(str::trim).filter(|s| !s.is_empty());
    let participation = match (current, outcome.state) {
        (Some(row), None) => {
            diesel::delete(mp::table.find(row.id)).execute(conn)?;
            None
        }
        (None, None) => None,
        (Some(mut row), Some(state)) => {
            // The wait-list order is the time the person started waiting.
            if row.state != state {
                row.state = state;
                row.updated_at = now;
            }
            if let Some(n) = meeting_name {
                row.meeting_name = Some(n.to_owned());
            }
            diesel::update(mp::table.find(row.id))
                .set((
                    mp::state.eq(row.state.as_str()),
                    mp::meeting_name.eq(&row.meeting_name),
                    mp::updated_at.eq(row.updated_at),
                ))
                .execute(conn)?;
            Some(row)
        }
        (None, Some(state)) => {
            let (account_id, anonymous_token, anonymous_domain) = match who {
                Participant::Account(a) => (Some(*a), None, None),
                Participant::Anonymous { token, domain } => {
                    (None, Some(token.clone()), Some(domain.clone()))
                }
            };
            let row = ParticipationRow {
                id: new_id,
                meeting_id,
                account_id,
                anonymous_token,
                anonymous_domain,
                state,
                meeting_name: meeting_name.map(str::to_owned),
                created_at: now,
                updated_at: now,
                anonymous_actor_id: None,
            };
            diesel::insert_into(mp::table)
                .values(row.clone())
                .execute(conn)?;
            Some(row)
        }
    };
    let promoted = promote_waitlisted(conn, meeting_id, outcome.promote, now)?;
    Ok(Applied {
        participation,
        promoted,
    })
}

/// Moves the `n` longest-waiting people to accepted.
fn promote_waitlisted(
    conn: &mut AnyConnection,
    meeting_id: i64,
    n: u32,
    now: NaiveDateTime,
) -> Result<Vec<ParticipationRow>, DbError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut rows: Vec<ParticipationRow> = mp::table
        .filter(mp::meeting_id.eq(meeting_id))
        .filter(mp::state.eq(ParticipationState::Waitlisted.as_str()))
        .order((mp::updated_at.asc(), mp::id.asc()))
        .limit(i64::from(n))
        .select(ParticipationRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    diesel::update(mp::table.filter(mp::id.eq_any(ids)))
        .set((
            mp::state.eq(ParticipationState::Accepted.as_str()),
            mp::updated_at.eq(now),
        ))
        .execute(conn)?;
    for r in &mut rows {
        r.state = ParticipationState::Accepted;
        r.updated_at = now;
    }
    Ok(rows)
}

/// Stores a new personal feed token's hash, revoking the account's previous one.
pub fn create_feed_token(
    conn: &mut AnyConnection,
    account_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::delete(feeds::table.find(account_id)).execute(conn)?;
        diesel::insert_into(feeds::table)
            .values((
                feeds::account_id.eq(account_id),
                feeds::token_hash.eq(token_hash),
                feeds::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Revokes the account's feed token; whether there was one.
pub fn revoke_feed_token(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(feeds::table.find(account_id)).execute(conn)? > 0)
}

/// The account a feed token (by its hash) belongs to.
pub fn feed_token_account(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<i64>, DbError> {
    Ok(feeds::table
        .filter(feeds::token_hash.eq(token_hash))
        .select(feeds::account_id)
        .first(conn)
        .optional()?)
}

/// The ids of a group's meetings with a public audience (those that had a public
/// listing), at most `limit`: withdrawn when the group turns private or closes.
pub fn public_of_group(
    conn: &mut AnyConnection,
    group_id: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    Ok(meetings::table
        .filter(meetings::group_id.eq(group_id))
        .filter(meetings::audience.eq("public"))
        .order(meetings::id.desc())
        .limit(limit)
        .select(meetings::id)
        .load(conn)?)
}
