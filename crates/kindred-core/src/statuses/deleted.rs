//! A status deleted, local or remote: it goes with its boosts, and hashtag streams
//! hear of it by the tags it had.

use kindred_db::models::statuses as repo;
use kindred_db::{AnyConnection, DbError, StatusRow};

use crate::events::{Event, StatusChange};

/// Deletes `row` in the caller's transaction and returns the event to publish once
/// committed. The tags are read first: the deletion is routed by them. A caller that
/// federates the deletion queues it before this (its recipients come from the
/// status's mentions, which go with it).
pub fn deleted(c: &mut AnyConnection, row: &StatusRow) -> Result<Event, DbError> {
    let tags = repo::extras(c, &[row.id], None)?
        .tags
        .remove(&row.id)
        .unwrap_or_default();
    repo::delete(c, row.id)?;
    Ok(Event::status(StatusChange::Deleted, row, &tags))
}
