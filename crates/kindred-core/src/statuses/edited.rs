//! An edit of a status, by its local author through the API or by its remote author
//! through the inbox: one rule for both (Mastodon's).

use kindred_domain::NotificationKind;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use kindred_db::models::statuses as repo;
use kindred_db::models::{interactions, notifications};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::{AccountId, IdGenerator, StatusId};

use crate::events::{Event, StatusChange};

/// Boosters read per page when telling them of an edit: a bound on one read, not
/// on how many are told.
const BOOSTERS_PAGE: i64 = 500;

/// The new text of a status, rendered by the entrance it came through.
pub struct Edit<'a> {
    pub text: &'a str,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
    /// The accounts recorded as mentioned now (`groups::mentions::carried`).
    pub mentioned: &'a [AccountRow],
    /// Lower-cased tag names.
    pub tags: &'a [String],
}

/// Applies an edit of `previous` in the caller's transaction (the audience never
/// changes) and tells, as Mastodon does:
/// - every local account that boosted it (`update`), however many, paged;
/// - local accounts it mentions now and did not before (`mention`): an edit can
///   name someone new, who hears of it once.
///
/// Returns the row as edited and the events to publish once committed.
pub fn apply(
    c: &mut AnyConnection,
    previous: &StatusRow,
    edit: &Edit<'_>,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<(StatusRow, Vec<Event>), DbError> {
    let before: HashSet<i64> = repo::mentions_of(c, &[previous.id])?
        .remove(&previous.id)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mentioned: Vec<i64> = edit.mentioned.iter().map(|a| a.id).collect();
    let tags: Vec<(String, i64)> = edit
        .tags
        .iter()
        .map(|t| (t.clone(), ids.next_at(now)))
        .collect();
    let at = now.naive_utc();
    let row = repo::edit(
        c,
        previous,
        Some(ids.next_at(now)),
        edit.text,
        edit.content,
        edit.spoiler_text,
        edit.sensitive,
        edit.language,
        &mentioned,
        &tags,
        at,
    )?;
    let mut notes: Vec<_> = edit
        .mentioned
        .iter()
        .filter(|a| a.is_local() && !before.contains(&a.id))
        .map(|a| {
            let to = a.account_id();
            super::about(&row, ids.next_at(now), to, NotificationKind::Mention, at)
        })
        .collect();
    for booster in local_boosters(c, row.status_id())? {
        notes.push(super::about(
            &row,
            ids.next_at(now),
            booster,
            NotificationKind::Update,
            at,
        ));
    }
    let stored = notifications::insert(c, &notes)?;
    Ok((
        row.clone(),
        vec![
            Event::status(StatusChange::Edited, &row, edit.tags),
            Event::Notifications(stored),
        ],
    ))
}

/// Every local account that boosted the status, read a page at a time.
pub(crate) fn local_boosters(
    c: &mut AnyConnection,
    status_id: StatusId,
) -> Result<Vec<AccountId>, DbError> {
    local_boosters_paged(c, status_id, BOOSTERS_PAGE)
}

fn local_boosters_paged(
    c: &mut AnyConnection,
    status_id: StatusId,
    page: i64,
) -> Result<Vec<AccountId>, DbError> {
    let mut out = Vec::new();
    let mut max_id = None;
    loop {
        let rows = interactions::reblogged_by(c, status_id.get(), max_id, page)?;
        let Some((last, _)) = rows.last() else {
            break;
        };
        max_id = Some(*last);
        let full = rows.len() as i64 == page;
        out.extend(
            rows.into_iter()
                .filter(|(_, a)| a.is_local())
                .map(|(_, a)| a.account_id()),
        );
        if !full {
            break;
        }
    }
    Ok(out)
}
