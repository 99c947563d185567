//! Hashtags a member features on their profile, for `handlers::featured_tags`.

use chrono::Utc;
use kindred_db::models::featured_tags::{self as repo, NotFeatured};

/// A featured hashtag as shown (handlers name it without reaching into storage).
pub use kindred_db::models::featured_tags::FeaturedTag;
use kindred_db::models::tag_follows::find_or_create_tag;

use super::ServiceError;
use crate::AppState;

pub async fn list(state: &AppState, account_id: i64) -> Result<Vec<FeaturedTag>, ServiceError> {
    Ok(state.db.run(move |c| repo::list(c, account_id)).await?)
}

/// Features `name` (already a valid hashtag name); the featured tag as shown.
pub async fn add(
    state: &AppState,
    account_id: i64,
    name: String,
) -> Result<FeaturedTag, ServiceError> {
    let now = Utc::now();
    let (tag_id, id) = (state.ids.next_at(now), state.ids.next_at(now));
    let at = now.naive_utc();
    let wanted = name.clone();
    let added = state
        .db
        .run(move |c| {
            let tag = find_or_create_tag(c, &wanted, tag_id, at)?;
            repo::add(c, id, account_id, tag, at)
        })
        .await?;
    match added {
        Ok(()) => {}
        Err(NotFeatured::AlreadyFeatured) => {
            return Err(ServiceError::Refused(
                "already_featured",
                "Validation failed: Tag is already featured",
            ))
        }
        Err(NotFeatured::TooMany) => {
            return Err(ServiceError::Refused(
                "too_many_featured_tags",
                "Validation failed: you can feature at most 10 hashtags",
            ))
        }
    }
    list(state, account_id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(ServiceError::NotFound)
}

pub async fn remove(state: &AppState, account_id: i64, id: i64) -> Result<(), ServiceError> {
    if state
        .db
        .run(move |c| repo::remove(c, account_id, id))
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Hashtags of the member's own recent public posts, not featured yet.
pub async fn suggestions(state: &AppState, account_id: i64) -> Result<Vec<String>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::suggestions(c, account_id, 10))
        .await?)
}
