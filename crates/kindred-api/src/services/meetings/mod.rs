//! Offline and hybrid meetings (docs/meetings.md): who may see a meeting, who runs
//! it, and the operations of the events API. The rules are
//! `kindred_domain::meetings`, storage `kindred_db::models::meetings`; this module
//! decides access and applies them. A meeting exists for a viewer only as far as its
//! group does (a private group's meetings are members-only, and a members-only
//! meeting is "not found" for everyone else). The full place is read only after the
//! domain's `Disclosure` was decided, and never logged.

pub mod calendar;
pub mod notify;
pub mod posts;
pub mod present;

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use kindred_db::models::federated::atomically;
use kindred_db::models::groups::{MembershipRow, GROUP_ROLE};
use kindred_db::models::meetings::{
    self as store, Cursor, Meeting, MeetingStoreError, Participant, ParticipationRow, Scope,
};
use kindred_db::models::remote_meetings;
use kindred_db::{AccountRow, DbError};
use kindred_domain::groups::{GroupRole, GroupVisibility};
use kindred_domain::meetings::{
    FacilitatorAction, MeetingDetails, MeetingInput, ParticipationState, PlaceInput, Rsvp,
};
use kindred_domain::{DomainError, Role};

use kindred_federation::outbox::Outbox;

use super::groups::find_visible;
use super::ServiceError;
use crate::AppState;

/// What the viewer may do with one meeting.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Runs the meeting: a facilitator of its group, or an instance facilitator or
    /// admin for the instance's own meetings.
    pub facilitator: bool,
    /// A member of the group (or a user of the instance, for its own meetings).
    pub member: bool,
    /// Banned from the group: may still read its public listings (as anyone may),
    /// but not come to its meetings.
    pub banned: bool,
    pub participation: Option<ParticipationRow>,
    /// Listed by another server (`remote_meetings`): shown, never run or answered
    /// here (RSVP across instances is not built yet).
    pub remote: bool,
}

impl Access {
    pub fn domain_viewer(&self) -> kindred_domain::meetings::Viewer {
        kindred_domain::meetings::Viewer {
            facilitator: self.facilitator,
            participation: self
                .participation
                .as_ref()
                .and_then(ParticipationRow::state),
        }
    }
}

pub struct Loaded {
    pub meeting: Meeting,
    pub access: Access,
}

fn is_instance_facilitator(me: &AccountRow) -> bool {
    me.is_local() && matches!(Role::parse(&me.role), Ok(Role::Facilitator | Role::Admin))
}

fn is_local_user(me: &AccountRow) -> bool {
    me.is_local() && me.role != GROUP_ROLE
}

/// Access to the meetings of one group (or of the instance, `None`), before the
/// audience is looked at. `Err(NotFound)`: the group does not exist for the viewer.
async fn access_to_holder(
    state: &AppState,
    viewer: Option<&AccountRow>,
    group_id: Option<i64>,
) -> Result<(Access, Option<GroupVisibility>), ServiceError> {
    match group_id {
        None => Ok((
            Access {
                facilitator: viewer.is_some_and(is_instance_facilitator),
                member: viewer.is_some_and(is_local_user),
                banned: false,
                participation: None,
                remote: false,
            },
            None,
        )),
        Some(g) => {
            let (loaded, membership) = find_visible(state, viewer.map(|v| v.id), g).await?;
            let member = membership.as_ref().is_some_and(MembershipRow::is_member);
            let facilitator = member
                && membership
                    .as_ref()
                    .and_then(|m| GroupRole::parse(&m.role).ok())
                    .is_some_and(GroupRole::moderates);
            let visibility = GroupVisibility::parse(&loaded.group.visibility).ok();
            Ok((
                Access {
                    facilitator,
                    member,
                    banned: membership.as_ref().is_some_and(|m| m.state == "banned"),
                    participation: None,
                    remote: false,
                },
                visibility,
            ))
        }
    }
}

/// Whether a meeting with this access is seen at all: members-only meetings only by
/// members (and facilitators).
fn sees(meeting: &Meeting, access: &Access) -> bool {
    meeting.meeting.audience == "public" || access.member || access.facilitator
}

/// The meeting as the viewer may see it; "not found" when it does not exist for them.
pub async fn load(
    state: &AppState,
    viewer: Option<&AccountRow>,
    id: i64,
) -> Result<Loaded, ServiceError> {
    let meeting = state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (mut access, _) = access_to_holder(state, viewer, meeting.meeting.group_id).await?;
    if !sees(&meeting, &access) {
        return Err(ServiceError::NotFound);
    }
    if state
        .db
        .run(move |c| kindred_db::models::remote_meetings::of_meeting(c, id))
        .await?
        .is_some()
    {
        // Another server's listing: its staff run it, not ours.
        access.remote = true;
        access.facilitator = false;
    }
    if let Some(me) = viewer {
        let me_id = me.id;
        access.participation = state
            .db
            .run(move |c| store::participation(c, id, &Participant::Account(me_id)))
            .await?;
    }
    Ok(Loaded { meeting, access })
}

/// Many meetings with the viewer's access, dropping those they may not see.
pub async fn load_many(
    state: &AppState,
    viewer: Option<&AccountRow>,
    meetings: Vec<Meeting>,
) -> Result<Vec<Loaded>, ServiceError> {
    let mut holders: HashMap<Option<i64>, Option<Access>> = HashMap::new();
    for m in &meetings {
        let g = m.meeting.group_id;
        if holders.contains_key(&g) {
            continue;
        }
        let access = match access_to_holder(state, viewer, g).await {
            Ok((a, _)) => Some(a),
            Err(ServiceError::NotFound) => None,
            Err(e) => return Err(e),
        };
        holders.insert(g, access);
    }
    let mut out: Vec<Loaded> = meetings
        .into_iter()
        .filter_map(|meeting| {
            let access = holders.get(&meeting.meeting.group_id).cloned().flatten()?;
            sees(&meeting, &access).then_some(Loaded { meeting, access })
        })
        .collect();
    if let Some(me) = viewer {
        let me_id = me.id;
        let ids: Vec<i64> = out.iter().map(|l| l.meeting.meeting.id).collect();
        let mut mine = state
            .db
            .run(move |c| {
                let mut found = HashMap::new();
                for id in ids {
                    if let Some(p) = store::participation(c, id, &Participant::Account(me_id))? {
                        found.insert(id, p);
                    }
                }
                Ok(found)
            })
            .await?;
        for l in &mut out {
            l.access.participation = mine.remove(&l.meeting.meeting.id);
        }
    }
    let ids: Vec<i64> = out.iter().map(|l| l.meeting.meeting.id).collect();
    let remote = state
        .db
        .run(move |c| kindred_db::models::remote_meetings::among(c, &ids))
        .await?;
    for l in &mut out {
        if remote.contains(&l.meeting.meeting.id) {
            l.access.remote = true;
            l.access.facilitator = false;
        }
    }
    Ok(out)
}

/// A meeting the caller runs; 403 for someone who only sees it, 404 for the rest.
async fn as_facilitator(
    state: &AppState,
    me: &AccountRow,
    id: i64,
) -> Result<Loaded, ServiceError> {
    let loaded = load(state, Some(me), id).await?;
    if !loaded.access.facilitator {
        return Err(ServiceError::Forbidden(
            "only the meeting's facilitators can do this",
        ));
    }
    Ok(loaded)
}

/// Splits a store result into a rule's refusal (nothing written) and a storage failure.
fn refused<T>(r: Result<T, MeetingStoreError>) -> Result<Result<T, DomainError>, DbError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(MeetingStoreError::Refused(d)) => Ok(Err(d)),
        Err(MeetingStoreError::Db(e)) => Err(e),
    }
}

/// A meeting as sent; `None` keeps the current value on update (or the default on
/// create).
#[derive(Debug, Default, Clone)]
pub struct Fields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub time_zone: Option<String>,
    pub recurrence: Option<String>,
    pub status: Option<String>,
    pub join_mode: Option<String>,
    pub audience: Option<String>,
    /// `Some(None)`: no limit.
    pub capacity: Option<Option<i64>>,
    pub content_category: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub venue_name: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub access_notes: Option<String>,
    pub accessibility: Option<Vec<String>>,
    pub online_link: Option<String>,
}

impl Fields {
    /// These changes over `base`.
    fn over(self, base: Fields) -> Fields {
        Fields {
            title: self.title.or(base.title),
            description: self.description.or(base.description),
            start_time: self.start_time.or(base.start_time),
            end_time: self.end_time.or(base.end_time),
            time_zone: self.time_zone.or(base.time_zone),
            recurrence: self.recurrence.or(base.recurrence),
            status: self.status.or(base.status),
            join_mode: self.join_mode.or(base.join_mode),
            audience: self.audience.or(base.audience),
            capacity: self.capacity.or(base.capacity),
            content_category: self.content_category.or(base.content_category),
            locality: self.locality.or(base.locality),
            region: self.region.or(base.region),
            country: self.country.or(base.country),
            venue_name: self.venue_name.or(base.venue_name),
            street_address: self.street_address.or(base.street_address),
            postal_code: self.postal_code.or(base.postal_code),
            access_notes: self.access_notes.or(base.access_notes),
            accessibility: self.accessibility.or(base.accessibility),
            online_link: self.online_link.or(base.online_link),
        }
    }

    fn parse(&self) -> Result<MeetingDetails, DomainError> {
        let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let (title, description, start, end, zone, rule) = (
            s(&self.title),
            s(&self.description),
            s(&self.start_time),
            s(&self.end_time),
            s(&self.time_zone),
            s(&self.recurrence),
        );
        let (status, join_mode, audience, category) = (
            s(&self.status),
            s(&self.join_mode),
            s(&self.audience),
            s(&self.content_category),
        );
        let accessibility = self.accessibility.clone().unwrap_or_default();
        let (locality, region, country, venue, street, postal, notes, link) = (
            s(&self.locality),
            s(&self.region),
            s(&self.country),
            s(&self.venue_name),
            s(&self.street_address),
            s(&self.postal_code),
            s(&self.access_notes),
            s(&self.online_link),
        );
        MeetingDetails::parse(&MeetingInput {
            title: &title,
            description: &description,
            start: &start,
            end: &end,
            time_zone: &zone,
            recurrence: &rule,
            status: &status,
            join_mode: &join_mode,
            audience: &audience,
            capacity: self.capacity.flatten(),
            content_category: &category,
            place: PlaceInput {
                locality: &locality,
                region: &region,
                country: &country,
                venue_name: &venue,
                street_address: &street,
                postal_code: &postal,
                access_notes: &notes,
                accessibility: &accessibility,
                online_link: &link,
            },
        })
    }
}

/// Creates a meeting: a group's facilitators for the group, the instance's
/// facilitators and admins for the instance's own.
pub async fn create(
    state: &AppState,
    me: &AccountRow,
    group_id: Option<i64>,
    fields: Fields,
) -> Result<Loaded, ServiceError> {
    let (holder, visibility) = access_to_holder(state, Some(me), group_id).await?;
    if !holder.facilitator {
        return Err(ServiceError::Forbidden(match group_id {
            Some(_) => "only the group's facilitators can create its meetings",
            None => "only facilitators and admins can create the instance's meetings",
        }));
    }
    let mut details = fields.parse()?;
    details.audience = details.audience.within(visibility);
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let (meeting, time, place) = store::rows(id, group_id, Some(me.id), &details, now.naive_utc());
    let (urls, ids) = (state.urls.clone(), state.ids.clone());
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let status = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                store::create(c, &meeting, &time, &place)?;
                posts::publish(c, &urls, &ids, id, now)?;
                // The group's Event to its remote followers (public listings only).
                outbox.meeting_published(c, id)?;
                kindred_db::models::meeting_posts::status_of(c, id)
            })
        })
        .await?;
    state.delivery.wake();
    stream_post(state, status).await;
    tracing::info!(meeting_id = id, group_id, "meeting created");
    load(state, Some(me), id).await
}

/// Streams a meeting's new status to those who may see it (members' home, the
/// group timeline, public timelines for a public meeting).
async fn stream_post(state: &AppState, status_id: Option<i64>) {
    let Some(id) = status_id else {
        return;
    };
    match state
        .db
        .run(move |c| kindred_db::models::statuses::find(c, id))
        .await
    {
        Ok(Some(row)) => state
            .streaming
            .status(crate::streaming::StatusChange::Created, &row, &[]),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = e.code(), "meeting status not streamed"),
    }
}

/// The stored meeting as fields, to apply a partial change over.
fn current_fields(m: &Meeting, private: &store::MeetingPlaceRow) -> Fields {
    let row = &m.meeting;
    let rfc3339 = |t: NaiveDateTime| t.and_utc().to_rfc3339();
    Fields {
        title: Some(row.title.clone()),
        description: Some(row.description.clone()),
        start_time: Some(rfc3339(m.time.starts_at)),
        end_time: Some(rfc3339(m.time.ends_at)),
        time_zone: Some(m.time.time_zone.clone()),
        recurrence: Some(m.time.recurrence.clone().unwrap_or_default()),
        status: Some(row.status.clone()),
        join_mode: Some(row.join_mode.clone()),
        audience: Some(row.audience.clone()),
        capacity: Some(row.capacity),
        content_category: Some(row.content_category.clone().unwrap_or_default()),
        locality: Some(row.locality.clone()),
        region: Some(row.region.clone()),
        country: Some(row.country.clone()),
        venue_name: Some(private.venue_name.clone()),
        street_address: Some(private.street_address.clone()),
        postal_code: Some(private.postal_code.clone()),
        access_notes: Some(private.access_notes.clone()),
        accessibility: Some(
            private
                .accessibility
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        online_link: Some(private.online_link.clone().unwrap_or_default()),
    }
}

/// Changes a meeting (its facilitators only). A capacity below the accepted count is
/// refused with nothing changed; a larger one lets the wait list in.
pub async fn update(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    changes: Fields,
) -> Result<Loaded, ServiceError> {
    let loaded = as_facilitator(state, me, id).await?;
    let private = state
        .db
        .run(move |c| store::private_place(c, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (_, visibility) =
        access_to_holder(state, Some(me), loaded.meeting.meeting.group_id).await?;
    let mut details = changes
        .over(current_fields(&loaded.meeting, &private))
        .parse()?;
    details.audience = details.audience.within(visibility);
    let now_utc = Utc::now();
    let now = now_utc.naive_utc();
    let row = &loaded.meeting.meeting;
    let (mut meeting, time, place) = store::rows(id, row.group_id, row.created_by, &details, now);
    meeting.created_at = row.created_at;
    let (urls, ids) = (state.urls.clone(), state.ids.clone());
    let outbox = Outbox::new(&state.urls, &state.ids, now_utc);
    // A listing that never was public and is not now has nothing to tell others.
    let was_or_is_public = row.audience == "public" || meeting.audience == "public";
    let moved = notify::time_or_place_changed(&loaded.meeting, &private, &meeting, &time, &place);
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let r = refused(store::update(c, &meeting, &time, &place))?;
                if r.is_ok() {
                    posts::refresh(c, &urls, &ids, id, now_utc)?;
                    if was_or_is_public {
                        outbox.meeting_updated(c, id)?;
                    }
                }
                Ok(match r {
                    Ok(promoted) => Ok(notify::updated(c, &ids, id, &promoted, moved, now_utc)?),
                    Err(e) => Err(e),
                })
            })
        })
        .await??;
    state.delivery.wake();
    state.streaming.notifications(&stored);
    tracing::info!(meeting_id = id, "meeting updated");
    load(state, Some(me), id).await
}

/// Cancels the whole meeting, or one occurrence named by its wall-clock start.
pub async fn cancel(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    occurrence: Option<&str>,
) -> Result<Loaded, ServiceError> {
    let loaded_public = as_facilitator(state, me, id)
        .await?
        .meeting
        .meeting
        .audience
        == "public";
    let occurrence = occurrence
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
                .map_err(|_| {
                    DomainError::InvalidMeetingTime(
                        "occurrence is a wall-clock start like 2026-12-08T18:30",
                    )
                })
        })
        .transpose()?;
    let now_utc = Utc::now();
    let now = now_utc.naive_utc();
    let (urls, ids) = (state.urls.clone(), state.ids.clone());
    let outbox = Outbox::new(&state.urls, &state.ids, now_utc);
    let public = loaded_public;
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let again = notify::already_cancelled(c, id, occurrence)?;
                let r = match occurrence {
                    None => {
                        store::cancel(c, id, now)?;
                        posts::refresh(c, &urls, &ids, id, now_utc)?;
                        if public {
                            outbox.meeting_cancelled(c, id)?;
                        }
                        Ok(())
                    }
                    Some(at) => {
                        let r = refused(store::cancel_occurrence(c, id, at, now))?;
                        if r.is_ok() && public {
                            outbox.meeting_updated(c, id)?;
                        }
                        r
                    }
                };
                Ok(match r {
                    Ok(()) if again => Ok(Vec::new()),
                    Ok(()) => Ok(notify::changed(c, &ids, id, now_utc)?),
                    Err(e) => Err(e),
                })
            })
        })
        .await??;
    state.delivery.wake();
    state.streaming.notifications(&stored);
    tracing::info!(
        meeting_id = id,
        whole = occurrence.is_none(),
        "meeting cancelled"
    );
    load(state, Some(me), id).await
}

/// Which upcoming meetings to list.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    Group(i64),
    Instance,
    /// Every public listing of this instance (the directory).
    Directory,
}

/// Upcoming meetings the viewer may see, after the meeting `after` (by start, id).
pub async fn upcoming(
    state: &AppState,
    viewer: Option<&AccountRow>,
    listing: Listing,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Loaded>, ServiceError> {
    let (scope, members) = match listing {
        Listing::Group(g) => {
            let (access, _) = access_to_holder(state, viewer, Some(g)).await?;
            (Scope::Group(g), access.member || access.facilitator)
        }
        Listing::Instance => (Scope::Instance, viewer.is_some_and(is_local_user)),
        Listing::Directory => (Scope::Public, false),
    };
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| {
            let cursor = match after {
                Some(a) => Some(store::find(c, a)?.ok_or(DbError::NotFound)?.cursor()),
                None => None,
            };
            store::upcoming(c, scope, members, now, cursor, limit)
        })
        .await
        .map_err(|e| match e {
            DbError::NotFound => ServiceError::Unprocessable("after names no meeting"),
            other => other.into(),
        })?;
    load_many(state, viewer, list).await
}

/// The caller's upcoming meetings (going: accepted, wait-listed or asking).
pub async fn joined(
    state: &AppState,
    me: &AccountRow,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Loaded>, ServiceError> {
    let me_id = me.id;
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| store::joined(c, me_id, now, after, limit))
        .await?;
    load_many(state, Some(me), list.into_iter().map(|(m, _)| m).collect()).await
}

/// The cursor of a meeting (for `joined` paging).
pub async fn cursor_of(state: &AppState, id: i64) -> Result<Cursor, ServiceError> {
    state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .map(|m| m.cursor())
        .ok_or(ServiceError::Unprocessable("after names no meeting"))
}

/// The caller's answer: going, interested or not going, with an optional name for the
/// meeting (seen by facilitators only).
pub async fn answer(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    rsvp: Rsvp,
    meeting_name: Option<String>,
) -> Result<Loaded, ServiceError> {
    answer_as(state, me, id, rsvp, meeting_name, false).await
}

/// As [`answer`]; `anonymous` answers a meeting listed by another server without
/// telling it who (the RSVP comes from the instance, by an opaque token).
pub async fn answer_as(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    rsvp: Rsvp,
    meeting_name: Option<String>,
    anonymous: bool,
) -> Result<Loaded, ServiceError> {
    if !is_local_user(me) {
        return Err(ServiceError::Forbidden(
            "only members of this instance can answer",
        ));
    }
    let access = load(state, Some(me), id).await?.access;
    if access.remote {
        return answer_remote(state, me, id, rsvp, access.participation, anonymous).await;
    }
    if anonymous {
        return Err(ServiceError::Unprocessable(
            "anonymous answers are for meetings listed by another server",
        ));
    }
    if access.banned {
        return Err(ServiceError::Forbidden(
            "you can no longer come to this group's meetings",
        ));
    }
    if let Some(n) = &meeting_name {
        if n.chars().count() > 100 || n.contains('\n') {
            return Err(DomainError::InvalidMeeting(
                "name_for_meeting is one line of at most 100 characters",
            )
            .into());
        }
    }
    let now = Utc::now();
    let new_id = state.ids.next_at(now);
    let me_id = me.id;
    let ids = state.ids.clone();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let r = refused(store::answer(
                    c,
                    id,
                    &Participant::Account(me_id),
                    rsvp,
                    meeting_name.as_deref(),
                    now,
                    new_id,
                ))?;
                // A remote attendee may get the place this answer freed.
                if let Ok(applied) = &r {
                    tell_remote_attendees(c, &outbox, applied)?;
                }
                notify::answered(c, &ids, id, r, now)
            })
        })
        .await??;
    state.streaming.notifications(&stored);
    state.delivery.wake();
    tracing::info!(meeting_id = id, "meeting answered");
    load(state, Some(me), id).await
}

/// An answer to a meeting listed by another server: going sends the member's
/// `Join` and keeps a pending participation (`requested`) until the host's Accept
/// or Reject arrives; not going removes it and sends `Leave`. The host runs the
/// meeting's rules; "interested" stays here and is not sent.
async fn answer_remote(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    rsvp: Rsvp,
    current: Option<ParticipationRow>,
    anonymous: bool,
) -> Result<Loaded, ServiceError> {
    let going = match rsvp {
        Rsvp::Going => true,
        Rsvp::NotGoing => false,
        Rsvp::Interested => {
            return Err(ServiceError::Unprocessable(
                "a meeting listed by another server takes going or not_going",
            ))
        }
    };
    let now = Utc::now();
    let new_id = state.ids.next_at(now);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let member = me.clone();
    let already = current.as_ref().map(|p| p.state.clone());
    let fresh_token = crate::crypto::random_token();
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if !going && already.is_none() {
                    return Ok(());
                }
                // An anonymous RSVP, sent before or now, goes by its token.
                let token = remote_meetings::rsvp_token(c, id, member.id)?;
                let token = match (token, going && anonymous) {
                    (Some(t), _) => Some(t),
                    (None, true) if already.is_none() => {
                        remote_meetings::set_rsvp_token(c, id, member.id, Some(&fresh_token))?;
                        Some(fresh_token)
                    }
                    _ => None,
                };
                // An accepted member asking again stays accepted.
                let keep = going && already.as_deref() == Some("accepted");
                if !keep {
                    let next = going.then_some("requested");
                    remote_meetings::set_participation(
                        c,
                        id,
                        member.id,
                        next,
                        new_id,
                        now.naive_utc(),
                    )?;
                }
                match &token {
                    Some(t) => {
                        outbox.rsvp_sent_anonymously(c, id, t, going)?;
                        if !going {
                            remote_meetings::set_rsvp_token(c, id, member.id, None)?;
                        }
                    }
                    None => {
                        outbox.rsvp_sent(c, &member, id, going)?;
                    }
                }
                Ok(())
            })
        })
        .await?;
    tracing::info!(meeting_id = id, "remote meeting answered");
    load(state, Some(me), id).await
}

/// Queues the Accept or Reject of each remote attendee whose participation a
/// change decided (`Outbox::rsvp_decided` sends nothing for local people).
fn tell_remote_attendees(
    c: &mut kindred_db::AnyConnection,
    outbox: &Outbox,
    applied: &store::Applied,
) -> Result<(), DbError> {
    for p in applied.participation.iter().chain(&applied.promoted) {
        outbox.rsvp_decided(c, p)?;
    }
    Ok(())
}

/// A facilitator approves or declines one account's request, or invites someone.
pub async fn facilitate(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    account_id: i64,
    action: FacilitatorAction,
) -> Result<Loaded, ServiceError> {
    as_facilitator(state, me, id).await?;
    let invite = action == FacilitatorAction::Invite;
    if invite {
        // Only someone who can see the meeting (and may come: not banned) is invited.
        let target = state
            .db
            .run(move |c| kindred_db::models::accounts::find(c, account_id))
            .await?
            .filter(|a| is_local_user(a) && !a.suspended)
            .ok_or(ServiceError::NotFound)?;
        if load(state, Some(&target), id).await?.access.banned {
            return Err(ServiceError::Unprocessable(
                "this person is banned from the group",
            ));
        }
    }
    let now = Utc::now();
    let new_id = state.ids.next_at(now);
    let who = Participant::Account(account_id);
    let ids = state.ids.clone();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // Approving or declining needs an answer to decide on.
                if !invite && store::participation(c, id, &who)?.is_none() {
                    return Err(DbError::NotFound);
                }
                let r = refused(store::facilitate(c, id, &who, action, now, new_id))?;
                // A remote attendee hears the decision (the place with an Accept).
                if let Ok(applied) = &r {
                    tell_remote_attendees(c, &outbox, applied)?;
                }
                notify::decided(c, &ids, id, r, now)
            })
        })
        .await??;
    state.streaming.notifications(&stored);
    state.delivery.wake();
    tracing::info!(meeting_id = id, action = ?action, "meeting participation decided");
    load(state, Some(me), id).await
}

/// Participations of a meeting, for its facilitators only, with their accounts.
pub async fn participations(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    which: Option<ParticipationState>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(ParticipationRow, Option<AccountRow>)>, ServiceError> {
    as_facilitator(state, me, id).await?;
    Ok(state
        .db
        .run(move |c| {
            let rows = store::participations(c, id, which, after, limit)?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let account = match r.account_id {
                    Some(a) => kindred_db::models::accounts::find(c, a)?,
                    None => None,
                };
                out.push((r, account));
            }
            Ok(out)
        })
        .await?)
}
