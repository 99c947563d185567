//! A member's keyword and status filters: reading and changing them for
//! `handlers::filters` (applying them to what is shown is `services::filtering`).
//! The limits are checked in storage, in one transaction with the change.

use kindred_db::models::filters as repo;

pub use kindred_db::models::filters::{
    FilterRow, FilterStatusRow, FullFilter, KeywordChanges, KeywordRow, Refusal,
};

use super::ServiceError;
use crate::AppState;

pub async fn of_account(state: &AppState, owner: i64) -> Result<Vec<FullFilter>, ServiceError> {
    Ok(state.db.run(move |c| repo::of_account(c, owner)).await?)
}

/// The owner's filter by id; `None` for another member's.
pub async fn find_owned(
    state: &AppState,
    owner: i64,
    id: i64,
) -> Result<Option<FullFilter>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::find_owned(c, owner, id))
        .await?)
}

pub async fn create(
    state: &AppState,
    filter: FilterRow,
    keywords: Vec<KeywordRow>,
) -> Result<Result<(), Refusal>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::insert(c, &filter, &keywords))
        .await?)
}

pub async fn update(
    state: &AppState,
    filter: FilterRow,
    changes: KeywordChanges,
) -> Result<Result<(), Refusal>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::update(c, &filter, &changes))
        .await?)
}

pub async fn delete(state: &AppState, id: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::delete(c, id)).await?)
}

pub async fn find_keyword_owned(
    state: &AppState,
    owner: i64,
    id: i64,
) -> Result<Option<KeywordRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::find_keyword_owned(c, owner, id))
        .await?)
}

pub async fn add_keyword(
    state: &AppState,
    k: KeywordRow,
) -> Result<Result<(), Refusal>, ServiceError> {
    Ok(state.db.run(move |c| repo::insert_keyword(c, &k)).await?)
}

pub async fn update_keyword(state: &AppState, k: KeywordRow) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::update_keyword(c, &k)).await?)
}

pub async fn delete_keyword(state: &AppState, id: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::delete_keyword(c, id)).await?)
}

pub async fn find_status_owned(
    state: &AppState,
    owner: i64,
    id: i64,
) -> Result<Option<FilterStatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::find_status_owned(c, owner, id))
        .await?)
}

/// Adds a status to a filter; an existing pair is returned as it is.
pub async fn add_status(
    state: &AppState,
    row: FilterStatusRow,
) -> Result<Result<FilterStatusRow, Refusal>, ServiceError> {
    Ok(state.db.run(move |c| repo::insert_status(c, &row)).await?)
}

pub async fn delete_status(state: &AppState, id: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::delete_status(c, id)).await?)
}
