//! Boosts and favourites, from a local account (API) or a remote one (inbox): what
//! is stored and who is told. Only a local author is told (a remote one hears
//! through its own server); never oneself, never across a block
//! (`notifications::insert`); a muted account's are stored and hidden when read.

use chrono::{DateTime, Utc};
use kindred_db::models::federated;
use kindred_db::models::interactions::{self, Mark};
use kindred_db::models::notifications::{self, NotificationRow};
use kindred_db::models::statuses::{self as repo, StatusInsert};
use kindred_db::{AnyConnection, DbError, StatusRow};
use kindred_domain::{AccountId, IdGenerator, NotificationKind};

use crate::events::{Event, StatusChange};

/// How storing a boost ended.
pub enum Boosted {
    /// Stored now, with the events to publish once committed.
    New(StatusRow, Vec<Event>),
    /// The account had boosted it already (or this boost was stored before): the
    /// boost that stands, nothing done.
    Existing(StatusRow),
}

/// Stores the boost `insert` of `original` (idempotent per booster and status, and
/// per boost id) and tells the original's author (`reblog`).
pub fn boost(
    c: &mut AnyConnection,
    insert: &StatusInsert,
    original: &StatusRow,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<Boosted, DbError> {
    let booster = AccountId::new(insert.status.account_id);
    if let Some(existing) = repo::find_reblog(c, booster.get(), original.id)? {
        return Ok(Boosted::Existing(existing));
    }
    if let Some(existing) = federated::status_by_uri(c, &insert.status.uri)? {
        return Ok(Boosted::Existing(existing));
    }
    let row = repo::insert(c, insert)?;
    let stored = tell_author(c, original, booster, NotificationKind::Reblog, ids, now)?;
    Ok(Boosted::New(
        row.clone(),
        vec![
            Event::status(StatusChange::Created, &row, &[]),
            Event::Notifications(stored),
        ],
    ))
}

/// Removes `booster`'s boost of `original` and its notification; `None` when there
/// was none. `before_delete` runs with the boost still stored (the API queues its
/// `Undo` there: recipients are read from it).
pub fn unboost(
    c: &mut AnyConnection,
    boost: &StatusRow,
    before_delete: impl FnOnce(&mut AnyConnection, &StatusRow) -> Result<(), DbError>,
) -> Result<Vec<Event>, DbError> {
    let Some(original_id) = boost.reblog_of_id else {
        return Ok(Vec::new());
    };
    if let Some(original) = repo::find(c, original_id)? {
        before_delete(c, &original)?;
        notifications::retract(
            c,
            original.account_id,
            boost.account_id,
            NotificationKind::Reblog,
            Some(original_id),
        )?;
    }
    repo::delete(c, boost.id)?;
    Ok(vec![Event::status(StatusChange::Deleted, boost, &[])])
}

/// `account_id` favourites `status` (favourite row id `id`); the author is told the
/// first time. Returns whether it is new, and the events.
pub fn favourite(
    c: &mut AnyConnection,
    id: i64,
    account_id: AccountId,
    status: &StatusRow,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<(bool, Vec<Event>), DbError> {
    let new = interactions::add(
        c,
        Mark::Favourite,
        id,
        account_id.get(),
        status.id,
        now.naive_utc(),
    )?;
    if !new {
        return Ok((false, Vec::new()));
    }
    let stored = tell_author(c, status, account_id, NotificationKind::Favourite, ids, now)?;
    Ok((true, vec![Event::Notifications(stored)]))
}

/// Withdraws `account_id`'s favourite of `status` and its notification; whether
/// there was one.
pub fn unfavourite(
    c: &mut AnyConnection,
    account_id: AccountId,
    status: &StatusRow,
) -> Result<bool, DbError> {
    if !interactions::remove(c, Mark::Favourite, account_id.get(), status.id)? {
        return Ok(false);
    }
    notifications::retract(
        c,
        status.account_id,
        account_id.get(),
        NotificationKind::Favourite,
        Some(status.id),
    )?;
    Ok(true)
}

/// The `kind` notification to the author of `status`, when the author is local.
fn tell_author(
    c: &mut AnyConnection,
    status: &StatusRow,
    from: AccountId,
    kind: NotificationKind,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    if !status.local {
        return Ok(Vec::new());
    }
    notifications::insert(
        c,
        &[NotificationRow::new(
            ids.next_at(now),
            status.author_id(),
            from,
            kind,
            Some(status.status_id()),
            now.naive_utc(),
        )],
    )
}
