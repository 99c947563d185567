//! Polls through the API: reading one and voting. A poll is seen, and voted on, by
//! exactly those who may see its status (`statuses::visible`): for anyone else it
//! does not exist (404), as the status does not.

use actix_web::web::Data;
use chrono::Utc;
use kindred_db::models::polls::{self as repo, PollView};
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;

use super::statuses::visible;
use super::viewer::Viewer;
use super::ServiceError;
use crate::AppState;

/// The poll of status `id`, as the viewer may see it.
pub async fn show(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(PollView, bool), ServiceError> {
    let (status, _) = visible(state, viewer, id).await?;
    let viewer_id = viewer.id();
    let by_author = viewer_id == Some(status.account_id);
    let view = state
        .db
        .run(move |c| Ok(repo::views_of(c, &[status.id], viewer_id)?.remove(&status.id)))
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((view, by_author))
}

/// `voter` votes `choices` in the poll of status `id`; answers the poll as they
/// now see it.
pub async fn vote(
    state: &Data<AppState>,
    voter: &AccountRow,
    viewer: &Viewer,
    id: i64,
    choices: Vec<i64>,
) -> Result<(PollView, bool), ServiceError> {
    let (status, _) = visible(state, viewer, id).await?;
    let now = Utc::now();
    let who = voter.account_id();
    let counted = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                match kindred_core::polls::vote(c, &status, who, &choices, None, now) {
                    Ok(voted) => Ok(Ok(voted)),
                    Err(kindred_core::CoreError::Db(e)) => Err(e),
                    Err(refused) => Ok(Err(refused)),
                }
            })
        })
        .await?;
    let voted = counted?;
    tracing::info!(
        status_id = id,
        remote = voted.poll.is_remote(),
        "poll vote counted"
    );
    show(state, viewer, id).await
}

/// The poll job's work: tells the author and voters of each poll ended by `now`
/// (`kindred_core::polls::tell_ended`, once per poll across processes) and streams
/// the notifications. Returns how many polls' ends were told.
pub async fn tell_ended(
    state: &AppState,
    now: chrono::DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let ids = state.ids.clone();
    let events = state
        .db
        .run(move |c| {
            kindred_core::polls::tell_ended(c, &ids, now).map_err(|e| match e {
                kindred_core::CoreError::Db(e) => e,
                _ => kindred_db::DbError::NotFound,
            })
        })
        .await?;
    let n = events.len();
    state.streaming.announce(events);
    Ok(n)
}
