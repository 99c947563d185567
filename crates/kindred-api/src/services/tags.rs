//! Hashtags a member follows (their statuses reach the home timeline), for
//! `handlers::tags`.

use chrono::NaiveDateTime;
use kindred_db::models::statuses::find_tag;
use kindred_db::models::tag_follows as repo;

pub use kindred_db::models::tag_follows::MAX_FOLLOWED_TAGS;

use super::ServiceError;
use crate::AppState;

/// The hashtag's id and, for a member, whether they follow it; `None` if no status
/// ever used it.
pub async fn find(
    state: &AppState,
    member: Option<i64>,
    name: String,
) -> Result<Option<(i64, Option<bool>)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let Some(id) = find_tag(c, &name)? else {
                return Ok(None);
            };
            let following = member.map(|m| repo::is_following(c, m, id)).transpose()?;
            Ok(Some((id, following)))
        })
        .await?)
}

/// Follows the hashtag, creating it if new (`tag_id` is its id then). The hashtag's
/// id, and false (following nothing) when the member follows [`MAX_FOLLOWED_TAGS`].
pub async fn follow(
    state: &AppState,
    member: i64,
    name: String,
    tag_id: i64,
    follow_id: i64,
    now: NaiveDateTime,
) -> Result<(i64, bool), ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let tag = repo::find_or_create_tag(c, &name, tag_id, now)?;
            Ok((tag, repo::follow(c, follow_id, member, tag, now)?))
        })
        .await?)
}

/// Stops following the hashtag; its id, `None` if it is unknown.
pub async fn unfollow(
    state: &AppState,
    member: i64,
    name: String,
) -> Result<Option<i64>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let Some(id) = find_tag(c, &name)? else {
                return Ok(None);
            };
            repo::unfollow(c, member, id)?;
            Ok(Some(id))
        })
        .await?)
}

/// A page of followed hashtags: (follow id, tag id, name).
pub async fn followed(
    state: &AppState,
    member: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64, String)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::page(c, member, max_id, since_id, limit))
        .await?)
}
