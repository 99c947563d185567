//! A local member's answer to a meeting: going, interested, not going.

use chrono::Utc;
use kindred_db::models::meetings::{self as store, Participant};
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_domain::meetings::Rsvp;
use kindred_domain::DomainError;
use kindred_federation::outbox::Outbox;

use super::remote::answer_remote;
use super::{is_local_user, load, notify, refused, tell_remote_attendees, Loaded};
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
