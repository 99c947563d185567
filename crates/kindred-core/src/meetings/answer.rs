//! Someone's answer to one of our meetings (going, interested, not going): from a
//! member through the events API, or from another server's `Join`/`Leave` (an
//! account, or an anonymous attendee by token). One rule for both: who may come,
//! where they are seated, who moves up when a place frees, and who is told.

use chrono::{DateTime, Utc};
use kindred_db::models::meetings::{
    self as store, Applied, MeetingRow, MeetingStoreError, Participant, RemoteAnswer,
};
use kindred_db::models::notifications::NotificationRow;
use kindred_db::models::{groups, social};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::groups::MembershipState;
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::{ParticipationState, Rsvp, RsvpRefusal};
use kindred_domain::{AccountId, DomainError, MeetingId};

use super::notices;

/// Where an answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via<'a> {
    /// A member of this instance, with the name they give the facilitators (if any).
    Member { name: Option<&'a str> },
    /// Someone answering from another server.
    Remote(Remote<'a>),
}

/// A remote answer, as the rules and the notifications need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remote<'a> {
    /// Their server, whether it is trusted with RSVPs, and the instance's cap.
    pub answer: RemoteAnswer<'a>,
    /// The actor that sent it: the attendee's account, or for an anonymous RSVP the
    /// instance actor that later answers go back to.
    pub actor: AccountId,
}

/// What an answer (or a facilitator's decision) committed.
#[derive(Debug, Clone)]
pub struct Answered {
    /// The participation afterwards, and who moved up from the wait list: the
    /// caller answers remote people among them (Accept/Reject).
    pub applied: Applied,
    /// Stored notifications, to stream once the transaction is committed.
    pub notifications: Vec<NotificationRow>,
}

/// Whether `who` may come to the meeting's group's meetings: not someone the group
/// banned, nor blocked either way with the group; and for an answer from another
/// server, not sent by an actor blocked either way with the group (for an anonymous
/// RSVP the sender is the partner's instance actor: a group that blocked that server
/// seats nobody it sends). The instance's meetings belong to no group.
pub fn may_come(
    c: &mut AnyConnection,
    m: &MeetingRow,
    who: &Participant,
    sender: Option<AccountId>,
) -> Result<bool, DbError> {
    let Some(group) = m.group_id else {
        return Ok(true);
    };
    if let Some(actor) = sender {
        if social::blocked_either_way(c, group, actor.get())? {
            return Ok(false);
        }
    }
    let Participant::Account(account) = who else {
        return Ok(true);
    };
    let banned = groups::membership(c, group, *account)?
        .is_some_and(|ms| ms.state == MembershipState::Banned);
    Ok(!banned && !social::blocked_either_way(c, group, *account)?)
}

/// Applies `who`'s answer, with the wait list advancing, and stores the
/// notifications it causes: a new request goes to the facilitators; a place freed
/// goes to the head of the wait list (those of this instance are notified). Leaving
/// is always possible; coming, or asking to, is refused for someone who may not
/// come ([`may_come`]). `Ok(Err(_))`: a rule refused it and nothing was written.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: MeetingId,
    who: &Participant,
    rsvp: Rsvp,
    via: Via<'_>,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Result<Answered, DomainError>, DbError> {
    let m = notices::meeting(c, meeting_id)?;
    let meeting_id = meeting_id.get();
    let sender = match via {
        Via::Remote(r) => Some(r.actor),
        Via::Member { .. } => None,
    };
    if rsvp != Rsvp::NotGoing && !may_come(c, &m, who, sender)? {
        return Ok(Err(RsvpRefusal::Banned.into()));
    }
    let r = match via {
        Via::Member { name } => store::answer(c, meeting_id, who, rsvp, name, now, new_id),
        Via::Remote(r) => store::answer_remote(c, meeting_id, who, rsvp, &r.answer, now, new_id),
    };
    let mut applied = match r {
        Ok(a) => a,
        Err(MeetingStoreError::Refused(d)) => return Ok(Err(d)),
        Err(MeetingStoreError::Db(e)) => return Err(e),
    };
    if let (Via::Remote(r), Participant::Anonymous { .. }, Some(p)) =
        (via, who, applied.participation.as_mut())
    {
        // An anonymous attendee's later answers go back to the instance actor that
        // sent the RSVP.
        store::set_anonymous_actor(c, p.id, r.actor.get())?;
        p.anonymous_actor_id = Some(r.actor.get());
    }
    let promoted: Vec<_> = applied.promoted.iter().collect();
    let mut notifications = notices::places_given(c, ids, &m, &promoted, now)?;
    let asking = applied
        .participation
        .as_ref()
        .filter(|p| notices::moved_into(Some(p), ParticipationState::Requested, now));
    if let Some(p) = asking {
        notifications.extend(notices::request(c, ids, &m, p, now)?);
    }
    Ok(Ok(Answered {
        applied,
        notifications,
    }))
}
