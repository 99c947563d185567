//! Follows, blocks, mutes and follow requests between accounts.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::relations::{self as service, is_group, AccountList};
use crate::services::{present, viewer::Viewer, AccountRow};
use crate::{ApiError, AppState};

/// An active account other than the caller, by path id.
async fn target(state: &AppState, raw: &str) -> Result<AccountRow, ApiError> {
    let id = parse_id(raw)?;
    Ok(service::active_account(state, id).await?)
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
    if is_group(&other) {
        crate::services::groups::join(&state, &me, other.id, Vec::new()).await?;
        return relationship(&state, me.id, other.id).await;
    }
    if other.id == me.id {
        return Err(ApiError::forbidden(
            "forbidden",
            "You cannot follow yourself",
        ));
    }
    let (reblogs, notify) = (p.reblogs.unwrap_or(true), p.notify.unwrap_or(false));
    service::follow(&state, &me, &other, reblogs, notify).await?;
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
    if is_group(&other) {
        match crate::services::groups::leave(&state, &me, other.id).await {
            Ok(()) => {}
            Err(crate::services::ServiceError::NotFound) => {
                crate::services::groups::blocking::may_shun(&state, &me, other.id).await?
            }
            Err(e) => return Err(e.into()),
        }
        return relationship(&state, me.id, other.id).await;
    }
    service::unfollow(&state, &me, &other).await?;
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
    if is_group(&other) {
        crate::services::groups::blocking::block(&state, &me, other.id).await?;
        return relationship(&state, me.id, other.id).await;
    }
    if other.id == me.id {
        return Err(ApiError::forbidden(
            "forbidden",
            "You cannot block yourself",
        ));
    }
    service::block(&state, &me, &other).await?;
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
    if is_group(&other) {
        crate::services::groups::blocking::may_shun(&state, &me, other.id).await?;
    }
    service::unblock(&state, me.id, other.id).await?;
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
    if is_group(&other) {
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
    let hide = p.notifications.unwrap_or(true);
    service::mute(&state, me.id, other.id, hide, expires, now).await?;
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
    if is_group(&other) {
        crate::services::groups::blocking::may_shun(&state, &me, other.id).await?;
    }
    service::unmute(&state, me.id, other.id).await?;
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
    let existing = service::existing(&state, me.id, ids).await?;
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
    let rows = service::account_list(state, which, w.max_id, w.since_id, w.limit).await?;
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
    service::decide(&state, &me, &requester, accept).await?;
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
