//! A member's lists: reading and changing them, their members and their timeline,
//! for `handlers::lists`. Limits (how many lists; only followed accounts) are checked
//! in storage, in one transaction with the change.

use kindred_db::models::lists as repo;
use kindred_db::models::statuses::Page;
use kindred_db::{AccountRow, StatusRow};

pub use kindred_db::models::lists::{ListRow, RepliesPolicy, MAX_LISTS};

use super::ServiceError;
use crate::AppState;

pub async fn of_account(state: &AppState, owner: i64) -> Result<Vec<ListRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::of_account(c, owner)).await?)
}

/// The owner's list by id; `None` for another member's.
pub async fn find_owned(
    state: &AppState,
    owner: i64,
    id: i64,
) -> Result<Option<ListRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::find_owned(c, owner, id))
        .await?)
}

/// False (storing nothing) when the owner has [`MAX_LISTS`] already.
pub async fn create(state: &AppState, row: ListRow) -> Result<bool, ServiceError> {
    Ok(state.db.run(move |c| repo::insert(c, &row)).await?)
}

pub async fn update(state: &AppState, list: ListRow) -> Result<(), ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            repo::update(
                c,
                list.id,
                &list.title,
                &list.replies_policy,
                list.exclusive,
            )
        })
        .await?)
}

pub async fn delete(state: &AppState, id: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::delete(c, id)).await?)
}

/// A page of members (`limit` `None`: all of them).
pub async fn members(
    state: &AppState,
    list_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<AccountRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::members(c, list_id, max_id, since_id, limit))
        .await?)
}

/// False (adding nothing) if any of the accounts is not followed by the owner.
pub async fn add_accounts(
    state: &AppState,
    list: ListRow,
    ids: Vec<i64>,
) -> Result<bool, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::add_accounts(c, &list, &ids))
        .await?)
}

pub async fn remove_accounts(
    state: &AppState,
    list_id: i64,
    ids: Vec<i64>,
) -> Result<(), ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::remove_accounts(c, list_id, &ids))
        .await?)
}

/// The owner's lists that contain `target`.
pub async fn containing(
    state: &AppState,
    owner: i64,
    target: i64,
) -> Result<Vec<ListRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::containing(c, owner, target))
        .await?)
}

/// A page of the list's timeline, leaving out `hidden` accounts.
pub async fn timeline(
    state: &AppState,
    owner: i64,
    list_id: i64,
    policy: RepliesPolicy,
    hidden: Vec<i64>,
    page: Page,
) -> Result<Vec<StatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::timeline(c, owner, list_id, policy, &hidden, page))
        .await?)
}
