//! A local member's answer to a meeting: going, interested, not going.

use chrono::Utc;
use kindred_core::meetings::{self as core, Via};
use kindred_db::models::meetings::Participant;
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_domain::meetings::{Rsvp, RsvpRefusal};
use kindred_domain::{DomainError, MeetingId};
use kindred_federation::outbox::Outbox;

use super::remote::answer_remote;
use super::{is_local_user, load, tell_remote_attendees, Loaded};
use crate::services::ServiceError;
use crate::AppState;

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
    let Loaded { meeting, access } = load(state, Some(me), id).await?;
    if access.remote {
        let current = access.participation;
        return answer_remote(state, me, &meeting, rsvp, current, anonymous).await;
    }
    if anonymous {
        return Err(ServiceError::Unprocessable(
            "anonymous answers are for meetings listed by another server",
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
                let name = Via::Member {
                    name: meeting_name.as_deref(),
                };
                let me = Participant::Account(me_id);
                let meeting = MeetingId::new(id);
                let r = core::answer(c, &ids, meeting, &me, rsvp, name, now, new_id)?;
                // A remote attendee may get the place this answer freed.
                if let Ok(done) = &r {
                    tell_remote_attendees(c, &outbox, &done.applied)?;
                }
                Ok(r.map(|done| done.notifications))
            })
        })
        .await?
        .map_err(|e| match e {
            // Someone the group banned reads its public listings, but does not come.
            DomainError::Rsvp(r @ RsvpRefusal::Banned) => ServiceError::Forbidden(r.message()),
            e => e.into(),
        })?;
    state.streaming.notifications(&stored);
    state.delivery.wake();
    tracing::info!(meeting_id = id, "meeting answered");
    load(state, Some(me), id).await
}
