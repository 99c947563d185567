//! Answers to meetings listed by other servers (RSVP across instances, attendee
//! side): the member's Join or Leave, or the instance's anonymous one by token.

use chrono::Utc;
use kindred_db::models::meetings::{self as store, Meeting, ParticipationRow};
use kindred_db::models::remote_meetings;
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_domain::federation_policy::Traffic;
use kindred_domain::meetings::ParticipationState;
use kindred_domain::meetings::{MeetingStatus, Rsvp, RsvpRefusal, Series};
use kindred_domain::DomainError;
use kindred_federation::outbox::Outbox;

use super::{load, Loaded};
use crate::services::ServiceError;
use crate::AppState;

/// An answer to a meeting listed by another server: going sends the member's
/// `Join` and keeps a pending participation (`requested`) until the host's Accept
/// or Reject arrives; not going removes it and sends `Leave`. The host runs the
/// meeting's rules; "interested" stays here and is not sent. Going to a copy that
/// is cancelled or over is refused here, with nothing stored or sent (the host
/// would refuse it too).
pub(super) async fn answer_remote(
    state: &AppState,
    me: &AccountRow,
    meeting: &Meeting,
    rsvp: Rsvp,
    current: Option<ParticipationRow>,
    anonymous: bool,
) -> Result<Loaded, ServiceError> {
    let id = meeting.meeting.id;
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
    if going {
        if let Some(refusal) = closed(meeting, &cancelled_occurrences(state, id).await?, now) {
            return Err(DomainError::from(refusal).into());
        }
        // The policy would drop the Join before it is sent; say so now rather than
        // leave the member waiting for an answer that cannot come.
        let host = state
            .db
            .run(move |c| {
                let Some(listing) = remote_meetings::of_meeting(c, id)? else {
                    return Ok(None);
                };
                Ok(kindred_db::models::accounts::find(c, listing.account_id)?.map(|a| a.domain))
            })
            .await?;
        if let Some(domain) = host {
            if !state.policy.decide(&domain).await.permits(Traffic::Rsvps) {
                return Err(ServiceError::Unprocessable(
                    "The federation policy does not let RSVPs reach this meeting's server",
                ));
            }
        }
    }
    let new_id = state.ids.next_at(now);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let member = me.clone();
    let already = current.as_ref().map(|p| p.state);
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
                let keep = going && already == Some(ParticipationState::Accepted);
                if !keep {
                    let next = going.then_some(ParticipationState::Requested);
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

async fn cancelled_occurrences(
    state: &AppState,
    id: i64,
) -> Result<Vec<chrono::NaiveDateTime>, ServiceError> {
    Ok(state
        .db
        .run(move |c| store::cancellations(c, &[id]))
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// Why a copy can't be answered going: cancelled, or no occurrence left.
fn closed(
    m: &Meeting,
    cancelled: &[chrono::NaiveDateTime],
    now: chrono::DateTime<Utc>,
) -> Option<RsvpRefusal> {
    if m.meeting.status == MeetingStatus::Cancelled.as_str() {
        return Some(RsvpRefusal::Cancelled);
    }
    let (time, rule) = m.time.schedule().ok()?;
    let series = Series {
        time: &time,
        rule: rule.as_ref(),
        cancelled,
    };
    series
        .next_after(now)
        .is_none()
        .then_some(RsvpRefusal::Over)
}
