//! Our members at meetings listed by other servers: the host's answer to a
//! member's RSVP (their `Join`, or the instance's anonymous one by token).

use chrono::{DateTime, Utc};
use kindred_db::models::meetings::{self as store, MeetingPlaceRow, Participant};
use kindred_db::models::notifications::NotificationRow;
use kindred_db::models::remote_meetings;
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::ParticipationState;
use kindred_domain::{AccountId, MeetingId, NotificationKind};

use super::notices;

/// The host (`host`, its actor's account) accepted or declined `member`'s RSVP to
/// our copy `meeting_id` of its listing. Accepted keeps the full place the host sent
/// (`place`, shown only to accepted members); a member newly given a place (at
/// once, on approval or from the wait list) is told as a local place would tell
/// them. Without a participation of the member there is nothing to answer.
#[allow(clippy::too_many_arguments)]
pub fn host_answered(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: MeetingId,
    member: AccountId,
    host: AccountId,
    accepted: bool,
    place: Option<&MeetingPlaceRow>,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let who = Participant::Account(member.get());
    let Some(before) = store::participation(c, meeting_id.get(), &who)? else {
        return Ok(Vec::new());
    };
    let state = if accepted {
        ParticipationState::Accepted
    } else {
        ParticipationState::Rejected
    };
    remote_meetings::set_participation(
        c,
        meeting_id.get(),
        member.get(),
        Some(state),
        ids.next_at(now),
        now.naive_utc(),
    )?;
    if let Some(p) = place.filter(|_| accepted) {
        store::set_place(c, p)?;
    }
    if !accepted || before.state == ParticipationState::Accepted {
        return Ok(Vec::new());
    }
    notices::send(
        c,
        ids,
        meeting_id,
        NotificationKind::ParticipationAccepted,
        &[(member, host)],
        now,
    )
}
