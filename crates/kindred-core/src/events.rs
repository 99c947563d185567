//! The one event type: what a committed change announces to the streaming API,
//! whichever entrance made it. Core functions return these; the caller publishes
//! them once its transaction is committed (never before: a rolled-back change must
//! not be announced).

use kindred_db::models::notifications::NotificationRow;
use kindred_db::StatusRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Created,
    Edited,
    Deleted,
}

/// A change that was committed.
#[derive(Debug, Clone)]
pub enum Event {
    /// A status (or boost) created, edited or deleted, with its lower-cased tags
    /// (hashtag streams route by them).
    Status {
        change: StatusChange,
        row: Box<StatusRow>,
        tags: Vec<String>,
    },
    /// Notifications stored (as `notifications::insert` returns them).
    Notifications(Vec<NotificationRow>),
}

impl Event {
    pub fn status(change: StatusChange, row: &StatusRow, tags: &[String]) -> Self {
        Self::Status {
            change,
            row: Box::new(row.clone()),
            tags: tags.to_vec(),
        }
    }
}
