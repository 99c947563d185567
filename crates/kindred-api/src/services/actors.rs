//! What this instance serves over ActivityPub and WebFinger: its actors (people and
//! groups that are not private), a group's public collections, and a status as the
//! document it was delivered as. For `handlers::activitypub`, `well_known`, `inbox`.

use kindred_db::models::groups::{self, PublicFigures};
use kindred_db::models::{accounts, outbound, statuses};
use kindred_db::{AccountRow, StatusRow};
use kindred_federation::outbox::note;

pub use kindred_db::models::groups::GroupRow;

use super::ServiceError;
use crate::AppState;

/// A local person, or a group that is not private (with its group row), by
/// username; what a remote server may know of.
pub async fn federated(
    state: &AppState,
    name: String,
) -> Result<Option<(AccountRow, Option<GroupRow>)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| groups::federated_actor(c, &name))
        .await?)
}

/// Like [`federated`], but a suspended account is found too (without its group
/// row), so that it can be answered as gone.
pub async fn federated_or_suspended(
    state: &AppState,
    name: String,
) -> Result<Option<(AccountRow, Option<GroupRow>)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let Some(account) = accounts::find_local_by_username(c, &name)? else {
                return Ok(None);
            };
            if account.suspended {
                return Ok(Some((account, None)));
            }
            groups::federated_actor(c, &account.username)
        })
        .await?)
}

/// The counts a group shows the world.
pub async fn public_figures(state: &AppState, group: i64) -> Result<PublicFigures, ServiceError> {
    Ok(state
        .db
        .run(move |c| groups::public_figures(c, group))
        .await?)
}

/// A group's pinned public announcements (at most 20), as notes.
pub async fn featured_notes(
    state: &AppState,
    group: i64,
) -> Result<Vec<serde_json::Value>, ServiceError> {
    let urls = state.urls.clone();
    Ok(state
        .db
        .run(move |c| {
            let mut items = Vec::new();
            for status in groups::pinned_public(c, group, 20)? {
                let Some(author) = accounts::find(c, status.account_id)? else {
                    continue;
                };
                let parts = note::parts(c, &urls, &status)?;
                items.push(note::note(&urls, &author, &status, &parts));
            }
            Ok(items)
        })
        .await?)
}

/// The author's status by id, with the original when it is a boost; `None` if the
/// author has no such status.
pub async fn authored_status(
    state: &AppState,
    author: i64,
    id: i64,
) -> Result<Option<(StatusRow, Option<StatusRow>)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let Some(s) = statuses::find(c, id)? else {
                return Ok(None);
            };
            if s.account_id != author {
                return Ok(None);
            }
            let original = match s.reblog_of_id {
                Some(o) => statuses::find(c, o)?,
                None => None,
            };
            Ok(Some((s, original)))
        })
        .await?)
}

/// A status as the document it was delivered as: a boost's Announce, else the Note
/// (wrapped in its Create when `activity`).
pub async fn status_document(
    state: &AppState,
    author: AccountRow,
    status: StatusRow,
    original: Option<StatusRow>,
    activity: bool,
) -> Result<serde_json::Value, ServiceError> {
    let urls = state.urls.clone();
    Ok(state
        .db
        .run(move |c| {
            let mut doc = match &original {
                // Served as delivered (a boost of a public or unlisted status).
                Some(original) => {
                    kindred_federation::outbox::announce(c, &urls, &author, &status, original)?
                }
                None => {
                    let parts = note::parts(c, &urls, &status)?;
                    let object = note::note(&urls, &author, &status, &parts);
                    if activity {
                        let id = format!("{}/activity", status.uri);
                        note::wrap(&urls, "Create", id, &author, object)
                    } else {
                        object
                    }
                }
            };
            doc["@context"] = note::context();
            Ok(doc)
        })
        .await?)
}

/// The instances the status was addressed to (its mentions' and, with
/// `with_followers`, the author's followers' servers).
pub async fn audience_domains(
    state: &AppState,
    author: i64,
    status: i64,
    with_followers: bool,
) -> Result<Vec<String>, ServiceError> {
    Ok(state
        .db
        .run(move |c| outbound::audience_domains(c, author, status, with_followers))
        .await?)
}

/// A local meeting's public listing (its `Event` as federated); `None` for a
/// members-only meeting, a private group's, or a remote listing.
pub async fn meeting_listing(
    state: &AppState,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<kindred_federation::outbox::event::Listing>, ServiceError> {
    let urls = state.urls.clone();
    Ok(state
        .db
        .run(move |c| kindred_federation::outbox::event::listing(c, &urls, id, now))
        .await?)
}
