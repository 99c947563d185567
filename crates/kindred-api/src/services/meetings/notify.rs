//! Meeting notifications (docs/api/meetings.md, "Notifications"): the types, who
//! receives them and what an answer, a decision or a change sends are
//! `kindred_core::meetings` (shared with the inbox); here is the reminder job, the
//! day before an occurrence. The caller streams the stored rows once committed.

use kindred_domain::{AccountId, NotificationKind};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kindred_core::meetings::notices::{host, send};
use kindred_db::models::meeting_reminders as reminders;
use kindred_db::transaction::atomically;
use kindred_db::DbError;
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::reminder;
use kindred_domain::meetings::Series;

pub use kindred_core::meetings::notices::{already_cancelled, changed, time_or_place_changed};

use crate::services::ServiceError;
use crate::AppState;

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
        let (ids, meeting_id) = (ids.clone(), cand.meeting.meeting.meeting_id());
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
                        &[(AccountId::new(cand.account_id), from)],
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
