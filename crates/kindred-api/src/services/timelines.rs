//! The pages of the timelines: home, public and hashtag, an account's or a group's
//! statuses, and the viewer's favourites and bookmarks, for `handlers::timelines`
//! (and the list timeline, `services::lists`). Who may see what is decided by the
//! scopes the handler builds from the `Viewer` and again, status by status, by
//! `present::statuses`.

use kindred_db::models::groups;
use kindred_db::models::statuses::{self as repo, Page};
use kindred_db::models::{home_feed, interactions};

pub use kindred_db::models::groups::{GroupScope, HeldPosts};
pub use kindred_db::models::interactions::Mark;
pub use kindred_db::models::statuses::{AccountScope, PublicScope};
pub use kindred_db::StatusRow;

use super::ServiceError;
use crate::AppState;

pub async fn home(
    state: &AppState,
    account: i64,
    hidden: Vec<i64>,
    page: Page,
) -> Result<Vec<StatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| home_feed::home_feed(c, account, &hidden, page))
        .await?)
}

/// A hashtag's id by its (lowercased) name; `None` if no status ever used it.
pub async fn find_tag(state: &AppState, name: String) -> Result<Option<i64>, ServiceError> {
    Ok(state.db.run(move |c| repo::find_tag(c, &name)).await?)
}

pub async fn public(
    state: &AppState,
    scope: PublicScope,
    hidden: Vec<i64>,
    page: Page,
) -> Result<Vec<StatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::public(c, scope, &hidden, page))
        .await?)
}

/// A page of the statuses the account favourited or bookmarked, each with the id
/// of its mark (what the page is paged by).
pub async fn marked(
    state: &AppState,
    mark: Mark,
    account: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, StatusRow)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| interactions::marked_statuses(c, mark, account, max_id, since_id, limit))
        .await?)
}

/// Which of a person's statuses a viewer may list: their own all, a follower's
/// followers-only ones too, a stranger's the public ones (and those mentioning
/// them). `exclude_*`/`pinned_only` are the caller's.
pub fn account_scope(viewer: &crate::services::viewer::Viewer, target: i64) -> AccountScope {
    let own = viewer.id() == Some(target);
    AccountScope {
        include_private: own || viewer.following.contains(&target),
        include_direct: own,
        viewer: viewer.id(),
        include_local_only: viewer.is_local_member(),
        exclude_replies: false,
        exclude_reblogs: false,
        pinned_only: false,
        tag_id: None,
    }
}

/// A page of a person's statuses; with `tag`, only those with that hashtag (none if
/// the hashtag is unknown).
pub async fn account(
    state: &AppState,
    account: i64,
    mut scope: AccountScope,
    tag: Option<String>,
    page: Page,
) -> Result<Vec<StatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            if let Some(t) = tag {
                match repo::find_tag(c, &t)? {
                    Some(id) => scope.tag_id = Some(id),
                    None => return Ok(Vec::new()),
                }
            }
            repo::by_account(c, account, scope, page)
        })
        .await?)
}

/// A page of a group's statuses in `scope`.
pub async fn group(
    state: &AppState,
    group: i64,
    scope: GroupScope,
    hidden: Vec<i64>,
    page: Page,
) -> Result<Vec<StatusRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| groups::timeline(c, group, scope, &hidden, page))
        .await?)
}
