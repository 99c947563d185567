//! A member's direct-message conversations, for `handlers::conversations`: the page,
//! one conversation, marking read and hiding. Which statuses belong to one is decided
//! when a status is stored, not here.

use kindred_db::models::conversations as repo;
use kindred_db::models::{social, statuses};
use kindred_db::{AccountRow, StatusRow};

pub use kindred_db::models::conversations::ConversationSummary;

use super::ServiceError;
use crate::AppState;

/// A page of the member's conversations, leaving out `hidden` accounts.
pub async fn page(
    state: &AppState,
    member: i64,
    hidden: Vec<i64>,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ConversationSummary>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::page(c, member, &hidden, max_id, since_id, limit))
        .await?)
}

/// The member's conversation by id; `None` if they are not in it.
pub async fn find(
    state: &AppState,
    member: i64,
    id: i64,
) -> Result<Option<ConversationSummary>, ServiceError> {
    Ok(state.db.run(move |c| repo::find(c, member, id)).await?)
}

/// The rows to present conversations with: the participants and the last statuses
/// (the presenter drops what the viewer may not see).
pub async fn rows(
    state: &AppState,
    account_ids: Vec<i64>,
    status_ids: Vec<i64>,
) -> Result<(Vec<AccountRow>, Vec<StatusRow>), ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            Ok((
                social::find_accounts(c, &account_ids)?,
                statuses::find_many(c, &status_ids)?,
            ))
        })
        .await?)
}

/// Marks the conversation read up to status `up_to`.
pub async fn mark_read(
    state: &AppState,
    member: i64,
    id: i64,
    up_to: i64,
) -> Result<(), ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::mark_read(c, member, id, up_to))
        .await?)
}

/// Hides the conversation up to status `up_to` (a later status shows it again).
pub async fn hide(state: &AppState, member: i64, id: i64, up_to: i64) -> Result<(), ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::hide(c, member, id, up_to))
        .await?)
}
