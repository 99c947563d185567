//! A new status, local or remote: the direct conversation it joins and who is told.

use chrono::{DateTime, Utc};
use kindred_db::models::notifications;
use kindred_db::models::{conversations, social};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::{AccountId, NotificationKind};
use kindred_domain::{IdGenerator, Visibility};

use crate::crisis::CrisisNotice;
use crate::events::{Event, StatusChange};

/// What a status just stored brings with it, in the caller's transaction:
/// - a direct one joins the conversation of the status it answers (or starts its
///   own);
/// - each local account in `mentioned` is told (`mention`); remote ones hear through
///   their own server;
/// - followers who asked to be told of new posts (`notify`) get `status`, for
///   public, unlisted and followers-only posts that do not mention them already.
///
/// - the author of a local post that matches the instance's crisis phrases gets the
///   gentle notice with the crisis resources (`crisis::after_post`; `crisis` is the
///   notice when the instance turned it on; remote posts never get it).
///
/// `mentioned` are the accounts recorded as mentioned (`groups::mentions::carried`).
/// Returns the events to publish once committed: the status, then the
/// notifications stored.
pub fn settle(
    c: &mut AnyConnection,
    row: &StatusRow,
    tags: &[String],
    mentioned: &[AccountRow],
    crisis: Option<&CrisisNotice>,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, DbError> {
    let visibility = row.visibility;
    if visibility == Visibility::Direct {
        let conversation = match row.in_reply_to_id {
            Some(parent) => conversations::of_status(c, parent)?.unwrap_or(parent),
            None => row.id,
        };
        conversations::attach(c, row.id, conversation)?;
    }
    let at = now.naive_utc();
    let mut notes: Vec<_> = mentioned
        .iter()
        .filter(|a| a.is_local())
        .map(|a| {
            let to = a.account_id();
            super::about(row, ids.next_at(now), to, NotificationKind::Mention, at)
        })
        .collect();
    if matches!(
        visibility,
        Visibility::Public | Visibility::Unlisted | Visibility::Private
    ) {
        for f in social::notifying_followers(c, row.account_id)? {
            if !mentioned.iter().any(|m| m.id == f) {
                notes.push(super::about(
                    row,
                    ids.next_at(now),
                    AccountId::new(f),
                    NotificationKind::Status,
                    at,
                ));
            }
        }
    }
    let mut stored = notifications::insert(c, &notes)?;
    stored.extend(crate::crisis::after_post(c, crisis, row, ids, now)?);
    Ok(vec![
        Event::status(StatusChange::Created, row, tags),
        Event::Notifications(stored),
    ])
}
