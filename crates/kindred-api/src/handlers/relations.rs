//! Follows, blocks, mutes and follow requests between accounts.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use kindred_db::models::accounts;
use kindred_db::models::federated::atomically;
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::social::{self, AccountList};
use kindred_db::AccountRow;
use kindred_domain::NotificationKind;
use kindred_federation::outbox::Outbox;
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::{follow_resends, present, viewer::Viewer};
use crate::{ApiError, AppState};

/// An active account other than the caller, by path id.
async fn target(state: &AppState, raw: &str) -> Result<AccountRow, ApiError> {
    let id = parse_id(raw)?;
    state
        .db
        .run(move |c| accounts::find(c, id))
        .await?
        .filter(|a| a.is_active())
        .ok_or_else(ApiError::not_found)
}

async fn relationship(state: &AppState, me: i64, other: i64) -> Result<HttpResponse, ApiError> {
    let mut rels = present::relationships(state, me, vec![other]).await?;
    Ok(HttpResponse::Ok().json(rels.pop().ok_or_else(ApiError::internal)?))
}

#[derive(Deserialize, Default)]
pub struct FollowParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    notify: Option<bool>,
}

pub async fn follow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<FollowParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:follows", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    // Following a group asks to join it (docs/groups.md).
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        crate::services::groups::join(&state, &me, other.id, Vec::new()).await?;
        return relationship(&state, me.id, other.id).await;
    }
    if other.id == me.id {
        return Err(ApiError::forbidden(
            "forbidden",
            "You cannot follow yourself",
        ));
    }
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let nid = state.ids.next_at(now);
    let (reblogs, notify) = (p.reblogs.unwrap_or(true), p.notify.unwrap_or(false));
    // A remote account answers with Accept or Reject: until then it is a request.
    let (me_id, other_id, locked) = (me.id, other.id, other.locked || !other.is_local());
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, other_row) = (me.clone(), other.clone());
    let now = now.naive_utc();
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if social::blocked_either_way(c, me_id, other_id)? {
                    return Err(kindred_db::DbError::NotFound);
                }
                // Changing options of an existing follow never turns it back into a request.
                let already = social::is_following(c, me_id, other_id)?;
                let (new, kind) = if locked && !already {
                    (
                        social::request_follow(c, id, me_id, other_id, reblogs, notify, now)?,
                        NotificationKind::FollowRequest,
                    )
                } else {
                    (
                        social::follow(c, id, me_id, other_id, reblogs, notify, now)?,
                        NotificationKind::Follow,
                    )
                };
                let requested = locked && !already;
                if !new {
                    if requested {
                        // Asked again while still requested: a remote group's
                        // Follow goes out again (its Accept may have been lost).
                        follow_resends::requested(c, &outbox, &me_row, &other_row, false, now)?;
                    }
                    return Ok(Vec::new());
                }
                if !other_row.is_local() {
                    outbox.follow(c, &me_row, &other_row, id)?;
                    follow_resends::requested(c, &outbox, &me_row, &other_row, true, now)?;
                    return Ok(Vec::new());
                }
                notif::insert(
                    c,
                    &[NotificationRow::new(nid, other_id, me_id, kind, None, now)],
                )
            })
        })
        .await
        .map_err(|e| match e {
            kindred_db::DbError::NotFound => {
                ApiError::forbidden("forbidden", "This action is not allowed")
            }
            other => other.into(),
        })?;
    state.delivery.wake();
    state.streaming.notifications(&stored);
    relationship(&state, me.id, other.id).await
}

pub async fn unfollow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:follows", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    // Unfollowing a group leaves it; not being in it is already the answer, for a
    // group that exists for the caller (a private one they are not in is "not
    // found", unless they block or mute it: `may_shun`).
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        match crate::services::groups::leave(&state, &me, other.id).await {
            Ok(()) => {}
            Err(crate::services::ServiceError::NotFound) => {
                crate::services::groups::blocking::may_shun(&state, &me, other.id).await?
            }
            Err(e) => return Err(e.into()),
        }
        return relationship(&state, me.id, other.id).await;
    }
    let (a, b) = (me.id, other.id);
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    let (me_row, other_row) = (me.clone(), other.clone());
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                outbox.unfollow(c, &me_row, &other_row)?;
                social::unfollow(c, a, b)?;
                notif::retract(c, b, a, NotificationKind::Follow, None)?;
                notif::retract(c, b, a, NotificationKind::FollowRequest, None)
            })
        })
        .await?;
    state.delivery.wake();
    relationship(&state, me.id, other.id).await
}

pub async fn block(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:blocks", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    // Blocking a group leaves it and hides it (docs/groups.md).
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        crate::services::groups::blocking::block(&state, &me, other.id).await?;
        return relationship(&state, me.id, other.id).await;
    }
    if other.id == me.id {
        return Err(ApiError::forbidden(
            "forbidden",
            "You cannot block yourself",
        ));
    }
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let (a, b) = (me.id, other.id);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, other_row) = (me.clone(), other.clone());
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // The block ends follows both ways; a remote server hears only that
                // (Reject of their follow, Undo of ours), never a `Block`, which would
                // tell them who blocked them.
                if kindred_db::models::outbound::follow_of(c, b, a)?.is_some() {
                    outbox.answer_follow(c, &me_row, &other_row, false)?;
                }
                outbox.unfollow(c, &me_row, &other_row)?;
                social::block(c, id, a, b, now.naive_utc())
            })
        })
        .await?;
    state.delivery.wake();
    relationship(&state, me.id, other.id).await
}

pub async fn unblock(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:blocks", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    // Unblocking a group lifts the block and changes nothing else.
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        crate::services::groups::blocking::may_shun(&state, &me, other.id).await?;
    }
    let (a, b) = (me.id, other.id);
    state.db.run(move |c| social::unblock(c, a, b)).await?;
    relationship(&state, me.id, other.id).await
}

#[derive(Deserialize, Default)]
pub struct MuteParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    notifications: Option<bool>,
    /// Seconds; 0 or absent means indefinitely.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    duration: Option<String>,
}

pub async fn mute(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<MuteParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:mutes", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    // Muting a group hides it from home and notifications; membership stays.
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        crate::services::groups::blocking::may_shun(&state, &me, other.id).await?;
    }
    if other.id == me.id {
        return Err(ApiError::forbidden("forbidden", "You cannot mute yourself"));
    }
    let duration: i64 = match p
        .duration
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 0,
        Some(s) => s
            .parse()
            .ok()
            .filter(|d| (0..=10 * 365 * 86400).contains(d))
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "invalid_duration",
                    "Validation failed: duration is invalid",
                )
            })?,
    };
    let now = Utc::now();
    let expires = (duration > 0).then(|| (now + Duration::seconds(duration)).naive_utc());
    let id = state.ids.next_at(now);
    let (a, b, hide) = (me.id, other.id, p.notifications.unwrap_or(true));
    state
        .db
        .run(move |c| social::mute(c, id, a, b, hide, expires, now.naive_utc()))
        .await?;
    relationship(&state, me.id, other.id).await
}

pub async fn unmute(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:mutes", "follow"])?;
    let me = auth.user()?.clone();
    let other = target(&state, &path).await?;
    if other.role == kindred_db::models::groups::GROUP_ROLE {
        crate::services::groups::blocking::may_shun(&state, &me, other.id).await?;
    }
    let (a, b) = (me.id, other.id);
    state.db.run(move |c| social::unmute(c, a, b)).await?;
    relationship(&state, me.id, other.id).await
}

#[derive(Deserialize, Default)]
pub struct RelationshipsParams {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    id: Option<Vec<String>>,
}

pub async fn relationships(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<RelationshipsParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:follows", "follow"])?;
    let me = auth.user()?.clone();
    let ids: Vec<i64> =
        p.id.unwrap_or_default()
            .iter()
            .take(80)
            .filter_map(|s| s.parse().ok())
            .collect();
    let existing = state
        .db
        .run(move |c| crate::services::viewer::existing_for(c, me.id, &ids))
        .await?;
    Ok(HttpResponse::Ok().json(present::relationships(&state, me.id, existing).await?))
}

/// Pages of accounts: followers, following, requests, blocks, mutes (and a group's
/// remote followers, `handlers::groups`).
pub(crate) async fn list(
    req: &HttpRequest,
    state: &AppState,
    viewer: Option<i64>,
    which: AccountList,
    page: PageParams,
) -> Result<HttpResponse, ApiError> {
    let w = page.window(40, 80)?;
    let now = Utc::now().naive_utc();
    let rows = state
        .db
        .run(move |c| social::account_list(c, which, w.max_id, w.since_id, w.limit, now))
        .await?;
    let ids: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    let accounts =
        present::accounts(state, viewer, rows.into_iter().map(|(_, a)| a).collect()).await?;
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(accounts))
}

/// Followers and following: hidden (empty) when the account hides its collections,
/// except to itself; the totals are hidden too (see `present::accounts`).
async fn collection(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    page: PageParams,
    followers: bool,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?.cloned();
    let other = target(&state, &path).await?;
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    if (other.hide_collections && viewer.id() != Some(other.id))
        || viewer.blocked.contains(&other.id)
    {
        return Ok(HttpResponse::Ok().json(Vec::<()>::new()));
    }
    let which = if followers {
        AccountList::Followers(other.id)
    } else {
        AccountList::Following(other.id)
    };
    list(&req, &state, viewer.id(), which, page).await
}

pub async fn followers(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    collection(req, state, auth, path, page, true).await
}

pub async fn following(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    collection(req, state, auth, path, page, false).await
}

pub async fn blocks(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:blocks", "follow"])?;
    let me = auth.user()?.id;
    list(&req, &state, Some(me), AccountList::Blocks(me), page).await
}

pub async fn mutes(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:mutes", "follow"])?;
    let me = auth.user()?.id;
    list(&req, &state, Some(me), AccountList::Mutes(me), page).await
}

pub async fn follow_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:follows", "follow"])?;
    let me = auth.user()?.id;
    list(
        &req,
        &state,
        Some(me),
        AccountList::FollowRequests(me),
        page,
    )
    .await
}

async fn decide(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    accept: bool,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:follows", "follow"])?;
    let me = auth.user()?.clone();
    let requester = target(&state, &path).await?;
    let now = Utc::now();
    let fid = state.ids.next_at(now);
    let nid = state.ids.next_at(now);
    let (me_id, req_id) = (me.id, requester.id);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, requester_row) = (me.clone(), requester.clone());
    let (found, stored) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let mut stored = Vec::new();
                let found = if accept {
                    let found = social::authorize_request(c, fid, req_id, me_id, now.naive_utc())?;
                    if found {
                        outbox.answer_follow(c, &me_row, &requester_row, true)?;
                    }
                    found
                } else {
                    // Answered while the request still holds the Follow's id.
                    let pending =
                        kindred_db::models::federated::follow_requested(c, req_id, me_id)?;
                    if pending {
                        outbox.answer_follow(c, &me_row, &requester_row, false)?;
                    }
                    social::reject_request(c, req_id, me_id)?
                };
                if found {
                    notif::retract(c, me_id, req_id, NotificationKind::FollowRequest, None)?;
                    if accept {
                        stored = notif::insert(
                            c,
                            &[NotificationRow::new(
                                nid,
                                me_id,
                                req_id,
                                NotificationKind::Follow,
                                None,
                                now.naive_utc(),
                            )],
                        )?;
                    }
                }
                Ok((found, stored))
            })
        })
        .await?;
    state.delivery.wake();
    if !found {
        return Err(ApiError::not_found());
    }
    state.streaming.notifications(&stored);
    relationship(&state, me.id, requester.id).await
}

pub async fn authorize_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    decide(state, auth, path, true).await
}

pub async fn reject_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    decide(state, auth, path, false).await
}
