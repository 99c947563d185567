//! A member's notifications and read markers, for `handlers::notifications`.
//! Notifications are created by the rules that cause them (`kindred_core`, the other
//! services); this reads, dismisses and marks them.

use chrono::NaiveDateTime;
use kindred_db::models::accounts;
use kindred_db::models::notifications as repo;
use kindred_db::UserRow;

pub use kindred_db::models::notifications::{MarkerRow, NotificationQuery, NotificationRow};

use super::ServiceError;
use crate::AppState;

pub async fn list(
    state: &AppState,
    account: i64,
    q: NotificationQuery,
) -> Result<Vec<NotificationRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::list(c, account, &q)).await?)
}

/// The account's own notification by id; `None` for anyone else's.
pub async fn find(
    state: &AppState,
    account: i64,
    id: i64,
) -> Result<Option<NotificationRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::find(c, account, id)).await?)
}

/// False when the account has no such notification.
pub async fn dismiss(state: &AppState, account: i64, id: i64) -> Result<bool, ServiceError> {
    Ok(state.db.run(move |c| repo::dismiss(c, account, id)).await?)
}

pub async fn clear(state: &AppState, account: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::clear(c, account)).await?)
}

/// Unread notifications, not from `hidden` accounts, counted up to `limit`.
pub async fn unread_count(
    state: &AppState,
    account: i64,
    hidden: Vec<i64>,
    limit: i64,
) -> Result<i64, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::unread_count(c, account, &hidden, limit))
        .await?)
}

/// The account's markers of these timelines, those it has.
pub async fn markers(
    state: &AppState,
    account: i64,
    timelines: Vec<String>,
) -> Result<Vec<MarkerRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            timelines
                .iter()
                .filter_map(|t| repo::marker(c, account, t).transpose())
                .collect::<Result<Vec<_>, _>>()
        })
        .await?)
}

/// Sets (timeline, last read id) markers; the markers as stored.
pub async fn set_markers(
    state: &AppState,
    account: i64,
    updates: Vec<(String, String)>,
    now: NaiveDateTime,
) -> Result<Vec<MarkerRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            updates
                .iter()
                .map(|(t, id)| repo::set_marker(c, account, t, id, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?)
}

/// A local account's settings (`None` for a remote account).
pub async fn user(state: &AppState, account: i64) -> Result<Option<UserRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| accounts::find_user(c, account))
        .await?)
}
