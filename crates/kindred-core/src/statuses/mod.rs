//! What a status brings with it when it is created, edited or deleted, local or
//! remote.

pub mod created;
pub mod deleted;
pub mod edited;

pub use deleted::deleted;

use kindred_db::models::notifications::NotificationRow;
use kindred_db::StatusRow;
use kindred_domain::{AccountId, NotificationKind};

/// A notification about `row`, from its author.
fn about(
    row: &StatusRow,
    id: i64,
    to: AccountId,
    kind: NotificationKind,
    at: chrono::NaiveDateTime,
) -> NotificationRow {
    NotificationRow::new(id, to, row.author_id(), kind, Some(row.status_id()), at)
}
