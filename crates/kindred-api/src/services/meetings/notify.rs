//! Meeting notifications (docs/api/meetings.md, "Notifications"), named as
//! Pleroma/Rebased name them so apps that know them show them and others ignore
//! them: the reminder the day before, a request to come (to the facilitators), a
//! place given (approval or the wait list), and a change of time or place or a
//! cancellation (to accepted attendees). Each carries the meeting's status (the
//! group's meeting post) where there is one, and the meeting's id; never its
//! private place. Built inside the change's transaction; the caller streams the
//! stored rows once it is committed.

use kindred_domain::NotificationKind;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use kindred_db::models::federated::atomically;
use kindred_db::models::meeting_reminders as reminders;
use kindred_db::models::meetings::{
    self as store, Applied, Meeting, MeetingPlaceRow, MeetingRow, MeetingTimeRow, ParticipationRow,
};
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::{groups, meeting_posts};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::reminder;
use kindred_domain::meetings::{MeetingStatus, ParticipationState, Series};
use kindred_domain::DomainError;

use crate::services::ServiceError;
use crate::AppState;

/// Who a meeting's notifications come from: its group, or for the instance's own
/// meetings the facilitator who created it.
fn host(m: &MeetingRow) -> Option<i64> {
    m.group_id.or(m.created_by)
}

/// The people who run the meeting: the group's facilitators, or the instance's.
fn facilitators(c: &mut AnyConnection, m: &MeetingRow) -> Result<Vec<i64>, DbError> {
    match m.group_id {
        Some(g) => groups::facilitators(c, g),
        None => reminders::instance_facilitators(c),
    }
}

/// Stores one notification of `kind` about the meeting to each recipient.
fn send(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: i64,
    kind: NotificationKind,
    to: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    if to.is_empty() {
        return Ok(Vec::new());
    }
    let status = meeting_posts::status_of(c, meeting_id)?;
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
    notif::insert(c, &rows)
}

/// Whether this change moved the participation into `state` (a row the change left
/// alone keeps its old `updated_at`).
fn moved_into(p: &Option<ParticipationRow>, state: ParticipationState, now: DateTime<Utc>) -> bool {
    p.as_ref()
        .is_some_and(|p| p.state == state && p.updated_at == now.naive_utc())
}

/// Places given from the wait list.
fn promotions(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    m: &MeetingRow,
    promoted: &[ParticipationRow],
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let Some(from) = host(m) else {
        return Ok(Vec::new());
    };
    let to: Vec<(i64, i64)> = promoted
        .iter()
        .filter_map(|p| Some((p.account_id?, from)))
        .collect();
    send(
        c,
        ids,
        m.id,
        NotificationKind::ParticipationAccepted,
        &to,
        now,
    )
}

fn meeting(c: &mut AnyConnection, id: i64) -> Result<MeetingRow, DbError> {
    Ok(store::find(c, id)?.ok_or(DbError::NotFound)?.meeting)
}

/// After a member's own answer: a request to come goes to the facilitators; places
/// freed (someone left) go to the head of the wait list.
pub fn answered(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: i64,
    applied: Result<Applied, DomainError>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<NotificationRow>, DomainError>, DbError> {
    let Ok(applied) = applied else {
        return Ok(applied.map(|_| Vec::new()));
    };
    let m = meeting(c, meeting_id)?;
    let mut stored = promotions(c, ids, &m, &applied.promoted, now)?;
    if moved_into(&applied.participation, ParticipationState::Requested, now) {
        if let Some(asker) = applied.participation.as_ref().and_then(|p| p.account_id) {
            let to: Vec<(i64, i64)> = facilitators(c, &m)?
                .into_iter()
                .map(|f| (f, asker))
                .collect();
            stored.extend(send(
                c,
                ids,
                meeting_id,
                NotificationKind::ParticipationRequest,
                &to,
                now,
            )?);
        }
    }
    Ok(Ok(stored))
}

/// After a facilitator's decision: the person approved hears of it, as do those
/// moved up from the wait list.
pub fn decided(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: i64,
    applied: Result<Applied, DomainError>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<NotificationRow>, DomainError>, DbError> {
    let Ok(applied) = applied else {
        return Ok(applied.map(|_| Vec::new()));
    };
    let m = meeting(c, meeting_id)?;
    let mut stored = promotions(c, ids, &m, &applied.promoted, now)?;
    if moved_into(&applied.participation, ParticipationState::Accepted, now) {
        if let (Some(from), Some(to)) = (
            host(&m),
            applied.participation.as_ref().and_then(|p| p.account_id),
        ) {
            stored.extend(send(
                c,
                ids,
                meeting_id,
                NotificationKind::ParticipationAccepted,
                &[(to, from)],
                now,
            )?);
        }
    }
    Ok(Ok(stored))
}

/// Whether an edit changed what attendees plan by: the time, the place (public or
/// private part), or the meeting was cancelled.
pub fn time_or_place_changed(
    before: &Meeting,
    before_place: &MeetingPlaceRow,
    after: &MeetingRow,
    after_time: &MeetingTimeRow,
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

/// Tells the accepted local attendees that the meeting changed or was cancelled.
pub fn changed(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let m = meeting(c, meeting_id)?;
    let Some(from) = host(&m) else {
        return Ok(Vec::new());
    };
    let to: Vec<(i64, i64)> = reminders::accepted_local(c, meeting_id)?
        .into_iter()
        .map(|a| (a, from))
        .collect();
    send(c, ids, meeting_id, NotificationKind::EventUpdate, &to, now)
}

/// Whether the meeting (or this occurrence) is cancelled already: cancelling it
/// again tells nobody anything new.
pub fn already_cancelled(
    c: &mut AnyConnection,
    meeting_id: i64,
    occurrence: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    Ok(match occurrence {
        None => meeting(c, meeting_id)?.status == MeetingStatus::Cancelled.as_str(),
        Some(at) => store::cancellations(c, &[meeting_id])?
            .get(&meeting_id)
            .is_some_and(|list| list.contains(&at)),
    })
}

/// After an edit: places the larger capacity gave, and the change if attendees
/// plan by it.
pub fn updated(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    meeting_id: i64,
    promoted: &[ParticipationRow],
    time_or_place: bool,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let m = meeting(c, meeting_id)?;
    let mut stored = promotions(c, ids, &m, promoted, now)?;
    if time_or_place {
        // Those just moved up already heard of the meeting as it is now.
        let fresh: Vec<i64> = stored.iter().map(|n| n.account_id).collect();
        stored.extend(
            changed(c, ids, meeting_id, now)?
                .into_iter()
                .filter(|n| !fresh.contains(&n.account_id)),
        );
    }
    Ok(stored)
}

/// The reminder job's core: sends each due reminder (the day before an occurrence
/// the member has a place at) once. Safe to run again and from several processes:
/// each reminder is recorded in the transaction that stores it, and a second run
/// finds the record. Returns how many were sent.
pub async fn send_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let (from_now, until) = (now.naive_utc(), (now + reminder::lead()).naive_utc());
    let candidates = state
        .db
        .run(move |c| reminders::candidates(c, from_now, until))
        .await?;
    let ids: Arc<IdGenerator> = state.ids.clone();
    let mut sent = 0;
    for cand in candidates {
        let Ok((time, rule)) = cand.meeting.time.schedule() else {
            continue;
        };
        let series = Series {
            time: &time,
            rule: rule.as_ref(),
            cancelled: &cand.cancelled,
        };
        let (Some(occurrence), Some(from)) =
            (reminder::due(&series, now), host(&cand.meeting.meeting))
        else {
            continue;
        };
        let (ids, meeting_id) = (ids.clone(), cand.meeting.meeting.id);
        let result = state
            .db
            .run(move |c| {
                atomically(c, |c| {
                    reminders::record(
                        c,
                        cand.participation_id,
                        occurrence.start.naive_utc(),
                        now.naive_utc(),
                    )?;
                    send(
                        c,
                        &ids,
                        meeting_id,
                        NotificationKind::EventReminder,
                        &[(cand.account_id, from)],
                        now,
                    )
                })
            })
            .await;
        match result {
            Ok(stored) => {
                sent += stored.len();
                state.streaming.notifications(&stored);
            }
            // Already sent, by an earlier run or another process.
            Err(DbError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if sent > 0 {
        tracing::info!(sent, "meeting reminders sent");
    }
    Ok(sent)
}
