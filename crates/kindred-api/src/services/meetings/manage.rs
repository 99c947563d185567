//! Running meetings: create, update, cancel (the whole meeting or one occurrence).
//! Each change writes the meeting, its group's status and the federated listing in
//! one transaction, and tells accepted attendees when the time or place moved.

use chrono::{NaiveDateTime, Utc};
use kindred_db::models::meetings::{self as store, Meeting};
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_domain::meetings::{MeetingDetails, MeetingInput, PlaceInput};
use kindred_domain::{DomainError, MeetingId};
use kindred_federation::outbox::Outbox;

use super::{access_to_holder, as_facilitator, load, notify, posts, refused, Loaded};
use crate::services::ServiceError;
use crate::AppState;

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
    /// Cap on places held through one remote server; `Some(None)`: the group's
    /// default (else the instance's setting).
    pub max_per_remote_domain: Option<Option<i64>>,
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
            max_per_remote_domain: self.max_per_remote_domain.or(base.max_per_remote_domain),
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
            max_per_remote_domain: self.max_per_remote_domain.flatten(),
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
    let cap = details.max_per_remote_domain;
    let status = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                store::create(c, &meeting, &time, &place)?;
                store::set_remote_cap(c, id, cap)?;
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
fn current_fields(
    m: &Meeting,
    private: &store::MeetingPlaceRow,
    remote_cap: Option<i64>,
) -> Fields {
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
        max_per_remote_domain: Some(remote_cap),
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
    let (private, remote_cap) = state
        .db
        .run(move |c| Ok((store::private_place(c, id)?, store::remote_cap(c, id)?)))
        .await?;
    let private = private.ok_or(ServiceError::NotFound)?;
    let (_, visibility) =
        access_to_holder(state, Some(me), loaded.meeting.meeting.group_id).await?;
    let mut details = changes
        .over(current_fields(&loaded.meeting, &private, remote_cap))
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
    let cap = details.max_per_remote_domain;
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let r = kindred_core::meetings::update(
                    c, &ids, &meeting, &time, &place, moved, now_utc,
                )?;
                if let Ok(done) = &r {
                    // Remote people a larger capacity moved up get their Accept
                    // (with the place), as when someone leaves.
                    for p in &done.promoted {
                        outbox.rsvp_decided(c, p)?;
                    }
                    store::set_remote_cap(c, id, cap)?;
                    posts::refresh(c, &urls, &ids, id, now_utc)?;
                    if was_or_is_public {
                        outbox.meeting_updated(c, id)?;
                    }
                }
                Ok(r.map(|done| done.notifications))
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
                let again = notify::already_cancelled(c, MeetingId::new(id), occurrence)?;
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
                    Ok(()) => Ok(notify::changed(c, &ids, MeetingId::new(id), now_utc)?),
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
