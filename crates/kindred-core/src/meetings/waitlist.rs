//! Wait-list moves a facilitator makes: approving or declining a request (or
//! inviting), and changing a meeting (a larger capacity lets the wait list in; a
//! new time or place is news to those coming).

use chrono::{DateTime, Utc};
use kindred_db::models::meetings::{
    self as store, MeetingPlaceRow, MeetingRow, MeetingStoreError, MeetingTimeRow, Participant,
    ParticipationRow,
};
use kindred_db::models::notifications::NotificationRow;
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::{FacilitatorAction, ParticipationState};
use kindred_domain::{DomainError, MeetingId};

use super::{notices, Answered};

/// A facilitator's decision on `who`: the person given a place hears of it, as do
/// those it moved up from the wait list (people of this instance; the caller
/// answers remote ones). `Ok(Err(_))`: a rule refused it and nothing was written.
pub fn decide(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: MeetingId,
    who: &Participant,
    action: FacilitatorAction,
    now: DateTime<Utc>,
    new_id: i64,
) -> Result<Result<Answered, DomainError>, DbError> {
    let applied = match store::facilitate(c, meeting_id.get(), who, action, now, new_id) {
        Ok(a) => a,
        Err(MeetingStoreError::Refused(d)) => return Ok(Err(d)),
        Err(MeetingStoreError::Db(e)) => return Err(e),
    };
    let m = notices::meeting(c, meeting_id)?;
    let mut seated: Vec<&ParticipationRow> = applied.promoted.iter().collect();
    seated.extend(
        applied
            .participation
            .iter()
            .filter(|p| notices::moved_into(Some(p), ParticipationState::Accepted, now)),
    );
    let notifications = notices::places_given(c, ids, &m, &seated, now)?;
    Ok(Ok(Answered {
        applied,
        notifications,
    }))
}

/// What a meeting's change committed.
#[derive(Debug, Clone)]
pub struct Updated {
    /// Moved up from the wait list by a larger capacity (the caller answers remote
    /// people among them).
    pub promoted: Vec<ParticipationRow>,
    /// Stored notifications, to stream once the transaction is committed.
    pub notifications: Vec<NotificationRow>,
}

/// Stores a meeting's change: a capacity below the accepted count is refused with
/// nothing written; a larger one gives places from the wait list, and those moved
/// up hear of it. When `time_or_place` moved
/// ([`notices::time_or_place_changed`]), the accepted local attendees hear of it
/// too (once: those just moved up already heard of the meeting as it is now).
pub fn update(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting: &MeetingRow,
    time: &MeetingTimeRow,
    place: &MeetingPlaceRow,
    time_or_place: bool,
    now: DateTime<Utc>,
) -> Result<Result<Updated, DomainError>, DbError> {
    let promoted = match store::update(c, meeting, time, place) {
        Ok(p) => p,
        Err(MeetingStoreError::Refused(d)) => return Ok(Err(d)),
        Err(MeetingStoreError::Db(e)) => return Err(e),
    };
    let m = notices::meeting(c, meeting.meeting_id())?;
    let seated: Vec<&ParticipationRow> = promoted.iter().collect();
    let mut notifications = notices::places_given(c, ids, &m, &seated, now)?;
    if time_or_place {
        let fresh: Vec<i64> = notifications.iter().map(|n| n.account_id).collect();
        notifications.extend(
            notices::changed(c, ids, meeting.meeting_id(), now)?
                .into_iter()
                .filter(|n| !fresh.contains(&n.account_id)),
        );
    }
    Ok(Ok(Updated {
        promoted,
        notifications,
    }))
}
