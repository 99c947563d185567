//! Meeting notifications (docs/api/meetings.md, "Notifications"), named as
//! Pleroma/Rebased name them so apps that know them show them and others ignore
//! them. Each carries the meeting's status (the group's meeting post) where there is
//! one, and the meeting's id; never its private place. Only people of this instance
//! are notified: a remote attendee hears of a decision by the Accept or Reject the
//! caller sends.

use chrono::{DateTime, NaiveDateTime, Utc};
use kindred_db::models::meeting_reminders as reminders;
use kindred_db::models::meetings::{
    self as store, Meeting, MeetingPlaceRow, MeetingRow, ParticipationRow,
};
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::{accounts, meeting_posts};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::{MeetingStatus, ParticipationState};
use kindred_domain::{AccountId, GroupId, MeetingId, NotificationKind, StatusId};

/// Who a meeting's notifications come from: its group, or for the instance's own
/// meetings the facilitator who created it.
pub fn host(m: &MeetingRow) -> Option<AccountId> {
    m.group_id.or(m.created_by).map(AccountId::new)
}

/// The people who run the meeting: the group's facilitators, or the instance's.
pub fn facilitators(c: &mut AnyConnection, m: &MeetingRow) -> Result<Vec<AccountId>, DbError> {
    match m.group_id {
        Some(g) => crate::groups::membership::facilitators(c, GroupId::new(g)),
        None => Ok(reminders::instance_facilitators(c)?
            .into_iter()
            .map(AccountId::new)
            .collect()),
    }
}

pub(super) fn meeting(c: &mut AnyConnection, id: MeetingId) -> Result<MeetingRow, DbError> {
    Ok(store::find(c, id.get())?.ok_or(DbError::NotFound)?.meeting)
}

/// Stores one notification of `kind` about the meeting to each `(recipient, from)`,
/// and queues the email of those who opted in to one for `kind`.
pub fn send(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: MeetingId,
    kind: NotificationKind,
    to: &[(AccountId, AccountId)],
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    if to.is_empty() {
        return Ok(Vec::new());
    }
    let status = meeting_posts::status_of(c, meeting_id.get())?.map(StatusId::new);
    let rows: Vec<NotificationRow> = to
        .iter()
        .map(|&(recipient, from)| {
            NotificationRow::new(
                ids.next_at(now),
                recipient,
                from,
                kind,
                status,
                now.naive_utc(),
            )
            .about_meeting(meeting_id)
        })
        .collect();
    let stored = notif::insert(c, &rows)?;
    // Who chose to hear of it by email too (reminders, places confirmed).
    let told: Vec<i64> = stored.iter().map(|n| n.account_id).collect();
    crate::mail::with_notification(c, ids, kind, &told, now)?;
    Ok(stored)
}

/// The participation's account, if it is one of this instance's.
fn local_account(
    c: &mut AnyConnection,
    p: &ParticipationRow,
) -> Result<Option<AccountId>, DbError> {
    let Some(a) = p.account_id.map(AccountId::new) else {
        return Ok(None);
    };
    Ok(accounts::find(c, a.get())?
        .filter(|row| row.is_local())
        .map(|row| row.account_id()))
}

/// Whether this change moved the participation into `state` (a row the change left
/// alone keeps its old `updated_at`).
pub(super) fn moved_into(
    p: Option<&ParticipationRow>,
    state: ParticipationState,
    now: DateTime<Utc>,
) -> bool {
    p.is_some_and(|p| p.state == state && p.updated_at == now.naive_utc())
}

/// A place given to each of `seated` who is a person of this instance, from the
/// meeting's host.
pub(super) fn places_given(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    m: &MeetingRow,
    seated: &[&ParticipationRow],
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let Some(from) = host(m) else {
        return Ok(Vec::new());
    };
    let mut to = Vec::new();
    for p in seated {
        if let Some(a) = local_account(c, p)? {
            to.push((a, from));
        }
    }
    send(
        c,
        ids,
        m.meeting_id(),
        NotificationKind::ParticipationAccepted,
        &to,
        now,
    )
}

/// A new request to come, to the meeting's facilitators, from the person asking:
/// their account, or for an anonymous attendee the instance actor that sent it
/// (which names no one).
pub(super) fn request(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    m: &MeetingRow,
    p: &ParticipationRow,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let Some(asker) = p.account_id.or(p.anonymous_actor_id).map(AccountId::new) else {
        return Ok(Vec::new());
    };
    let to: Vec<(AccountId, AccountId)> = facilitators(c, m)?
        .into_iter()
        .map(|f| (f, asker))
        .collect();
    send(
        c,
        ids,
        m.meeting_id(),
        NotificationKind::ParticipationRequest,
        &to,
        now,
    )
}

/// Tells the accepted local attendees that the meeting changed or was cancelled.
pub fn changed(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: MeetingId,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let m = meeting(c, meeting_id)?;
    let Some(from) = host(&m) else {
        return Ok(Vec::new());
    };
    let to: Vec<(AccountId, AccountId)> = reminders::accepted_local(c, meeting_id.get())?
        .into_iter()
        .map(|a| (AccountId::new(a), from))
        .collect();
    send(c, ids, meeting_id, NotificationKind::EventUpdate, &to, now)
}

/// Whether the meeting (or this occurrence) is cancelled already: cancelling it
/// again tells nobody anything new.
pub fn already_cancelled(
    c: &mut AnyConnection,
    meeting_id: MeetingId,
    occurrence: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    Ok(match occurrence {
        None => meeting(c, meeting_id)?.status == MeetingStatus::Cancelled.as_str(),
        Some(at) => store::cancellations(c, &[meeting_id.get()])?
            .get(&meeting_id.get())
            .is_some_and(|list| list.contains(&at)),
    })
}

/// Whether an edit changed what attendees plan by: the time, the place (public or
/// private part), or the meeting was cancelled.
pub fn time_or_place_changed(
    before: &Meeting,
    before_place: &MeetingPlaceRow,
    after: &MeetingRow,
    after_time: &store::MeetingTimeRow,
    after_place: &MeetingPlaceRow,
) -> bool {
    let (b, t) = (&before.meeting, &before.time);
    let cancelled_now = after.status == MeetingStatus::Cancelled.as_str()
        && b.status != MeetingStatus::Cancelled.as_str();
    let time = (&t.time_zone, t.starts_at, t.ends_at, &t.recurrence)
        != (
            &after_time.time_zone,
            after_time.starts_at,
            after_time.ends_at,
            &after_time.recurrence,
        );
    let public = (&b.locality, &b.region, &b.country, b.online)
        != (&after.locality, &after.region, &after.country, after.online);
    let private = (
        &before_place.venue_name,
        &before_place.street_address,
        &before_place.postal_code,
        &before_place.access_notes,
        &before_place.online_link,
    ) != (
        &after_place.venue_name,
        &after_place.street_address,
        &after_place.postal_code,
        &after_place.access_notes,
        &after_place.online_link,
    );
    cancelled_now || time || public || private
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: ParticipationState, updated_at: NaiveDateTime) -> ParticipationRow {
        ParticipationRow {
            id: 1,
            meeting_id: 2,
            account_id: Some(3),
            anonymous_token: None,
            anonymous_domain: None,
            state,
            meeting_name: None,
            created_at: updated_at,
            updated_at,
            anonymous_actor_id: None,
        }
    }

    #[test]
    fn only_a_change_made_now_moves_into_a_state() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::minutes(5);
        let fresh = row(ParticipationState::Requested, now.naive_utc());
        let old = row(ParticipationState::Requested, earlier.naive_utc());
        assert!(moved_into(Some(&fresh), ParticipationState::Requested, now));
        // Asking again leaves the row (and its time) alone: nobody is told twice.
        assert!(!moved_into(Some(&old), ParticipationState::Requested, now));
        assert!(!moved_into(Some(&fresh), ParticipationState::Accepted, now));
        assert!(!moved_into(None, ParticipationState::Requested, now));
    }
}
