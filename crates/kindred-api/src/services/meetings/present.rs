//! Meetings as API entities. The full place is read from storage only for meetings
//! where the domain's `Disclosure` was decided for the viewer; everyone else gets the
//! public place and counts.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use kindred_db::models::meetings::{self as store, MeetingPlaceRow};
use kindred_domain::meetings::{Accessibility, Disclosure, Series};

use super::Loaded;
use crate::entities::meetings::{
    Event, FullLocation, Occurrence, OwnParticipation, PublicLocation,
};
use crate::entities::status::timestamp;
use crate::services::ServiceError;
use crate::AppState;

fn wall_clock(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub async fn events(state: &AppState, list: Vec<Loaded>) -> Result<Vec<Event>, ServiceError> {
    let ids: Vec<i64> = list.iter().map(|l| l.meeting.meeting.id).collect();
    // Only meetings the viewer may learn the address of.
    let disclosed: Vec<i64> = list
        .iter()
        .filter(|l| Disclosure::decide(&l.access.domain_viewer()).is_some())
        .map(|l| l.meeting.meeting.id)
        .collect();
    let (counts, cancellations, places, caps) = state
        .db
        .run(move |c| {
            let mut places: HashMap<i64, MeetingPlaceRow> = HashMap::new();
            for id in disclosed {
                if let Some(p) = store::private_place(c, id)? {
                    places.insert(id, p);
                }
            }
            Ok((
                store::counts(c, &ids)?,
                store::cancellations(c, &ids)?,
                places,
                store::remote_caps(c, &ids)?,
            ))
        })
        .await?;
    let now = Utc::now();
    Ok(list
        .into_iter()
        .map(|l| {
            let row = &l.meeting.meeting;
            let id = row.id;
            // Counts only for who may see them: facilitators, or everyone when the
            // group allows it; anonymous remote attendees count like anyone.
            let shown = l.access.sees_counts();
            let count = |s: &str| {
                shown.then(|| counts.get(&id).and_then(|m| m.get(s)).copied().unwrap_or(0))
            };
            let cancelled = cancellations.get(&id).cloned().unwrap_or_default();
            let next = l.meeting.time.schedule().ok().and_then(|(time, rule)| {
                Series {
                    time: &time,
                    rule: rule.as_ref(),
                    cancelled: &cancelled,
                }
                .next_after(now)
            });
            let full_location = Disclosure::decide(&l.access.domain_viewer())
                .and_then(|d| places.get(&id).map(|p| row.place(p).full(&d).clone()))
                .map(|full| FullLocation {
                    venue_name: full.venue_name,
                    street_address: full.street_address,
                    postal_code: full.postal_code,
                    access_notes: full.access_notes,
                    accessibility: full
                        .accessibility
                        .iter()
                        .map(|a| Accessibility::as_str(*a).to_owned())
                        .collect(),
                    online_link: full.online_link.map(String::from),
                });
            Event {
                id: id.to_string(),
                group_id: row.group_id.map(|g| g.to_string()),
                title: row.title.clone(),
                description: row.description.clone(),
                start_time: timestamp(l.meeting.time.starts_at),
                end_time: timestamp(l.meeting.time.ends_at),
                time_zone: l.meeting.time.time_zone.clone(),
                recurrence: l.meeting.time.recurrence.clone(),
                cancelled_occurrences: cancelled.iter().copied().map(wall_clock).collect(),
                next_occurrence: next.map(|o| Occurrence {
                    start_time: timestamp(o.start.naive_utc()),
                    end_time: timestamp(o.end.naive_utc()),
                }),
                status: row.status.clone(),
                join_mode: row.join_mode.clone(),
                audience: row.audience.clone(),
                capacity: row.capacity,
                max_per_remote_domain: l
                    .access
                    .facilitator
                    .then(|| caps.get(&id).copied())
                    .flatten(),
                content_category: row.content_category.clone(),
                location: PublicLocation {
                    locality: row.locality.clone(),
                    region: row.region.clone(),
                    country: row.country.clone(),
                    online: row.online,
                },
                full_location,
                participants_count: count("accepted"),
                waitlist_count: count("waitlisted"),
                interested_count: count("interested"),
                participation_request_count: l
                    .access
                    .facilitator
                    .then(|| count("requested").unwrap_or(0)),
                participation: l.access.participation.as_ref().map(|p| OwnParticipation {
                    state: p.state.as_str().to_owned(),
                    name_for_meeting: p.meeting_name.clone(),
                }),
                facilitator: l.access.facilitator,
                ics_url: state
                    .urls
                    .path(&format!("/api/v1/pleroma/events/{id}/ics"))
                    .to_string(),
                created_at: timestamp(row.created_at),
                updated_at: timestamp(row.updated_at),
            }
        })
        .collect())
}

pub async fn event(state: &AppState, loaded: Loaded) -> Result<Event, ServiceError> {
    events(state, vec![loaded])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}
