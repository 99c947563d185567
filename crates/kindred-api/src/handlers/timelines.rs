//! Timelines: home, public, hashtag, and the viewer's favourites and bookmarks.

use actix_web::{web, HttpRequest, HttpResponse};
use kindred_domain::filters::FilterContext;
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::filtering::ActiveFilters;
use crate::services::relations::{active_account, is_group};
use crate::services::timelines::{
    self as service, AccountScope, GroupScope, HeldPosts, Mark, PublicScope, StatusRow,
};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};

/// Presents a page with the viewer's filters for `context` applied, and adds the Link
/// header from the rows' ids (before filtering, so paging never skips or repeats).
pub(crate) async fn respond_filtered(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<StatusRow>,
    page_ids: Vec<i64>,
    context: FilterContext,
) -> Result<HttpResponse, ApiError> {
    let filters = ActiveFilters::load(state, viewer, context).await?;
    let mut statuses = filters.apply(present::statuses(state, viewer, rows).await?);
    present::drop_hidden_boosts(viewer, &mut statuses);
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(req, state.urls.base(), &page_ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(statuses))
}

pub async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let account = auth.user()?.clone();
    let w = page.window(20, 40)?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let hidden = viewer.hidden.clone();
    let rows = service::home(&state, account.id, hidden, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(&req, &state, &viewer, rows, ids, FilterContext::Home).await
}

#[derive(Deserialize, Default)]
pub struct PublicParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    only_media: Option<bool>,
}

async fn public_like(
    req: &HttpRequest,
    state: &AppState,
    auth: MaybeAuthenticated,
    p: PublicParams,
    tag: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    if user.is_none() && !state.instance.public_timeline_preview {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "user_required",
            "This method requires an authenticated user",
        ));
    }
    let w = p.page.window(20, 40)?;
    let viewer = Viewer::load(state, user.as_ref()).await?;
    if p.only_media.unwrap_or(false) {
        // No media on this server: an empty page, not an error.
        return Ok(HttpResponse::Ok().json(Vec::<()>::new()));
    }
    let tag_id = match tag {
        Some(name) => {
            let found = service::find_tag(state, name).await?;
            match found {
                Some(id) => Some(id),
                None => return Ok(HttpResponse::Ok().json(Vec::<()>::new())),
            }
        }
        None => None,
    };
    let scope = PublicScope {
        local: p.local.unwrap_or(false),
        remote: p.remote.unwrap_or(false),
        include_local_only: viewer.is_local_member(),
        tag_id,
        viewer: viewer.id(),
    };
    let hidden = viewer.hidden.clone();
    let rows = service::public(state, scope, hidden, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(req, state, &viewer, rows, ids, FilterContext::Public).await
}

pub async fn public(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    Params(p): Params<PublicParams>,
) -> Result<HttpResponse, ApiError> {
    public_like(&req, &state, auth, p, None).await
}

pub async fn tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(p): Params<PublicParams>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner().trim_start_matches('#').to_lowercase();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::not_found());
    }
    public_like(&req, &state, auth, p, Some(name)).await
}

async fn marked(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    page: PageParams,
    mark: Mark,
    scope: &str,
) -> Result<HttpResponse, ApiError> {
    auth.require(scope)?;
    let account = auth.user()?.clone();
    let w = page.window(20, 40)?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let rows = service::marked(&state, mark, account.id, w.max_id, w.since_id, w.limit).await?;
    let ids: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    let rows = rows.into_iter().map(|(_, s)| s).collect();
    // Mastodon applies no filter context to favourites and bookmarks: the member
    // chose these statuses. Shown as they are, still only if visible.
    let statuses = present::statuses(&state, &viewer, rows).await?;
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(statuses))
}

pub async fn favourites(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    marked(req, state, auth, page, Mark::Favourite, "read:favourites").await
}

pub async fn bookmarks(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    marked(req, state, auth, page, Mark::Bookmark, "read:bookmarks").await
}

#[derive(Deserialize, Default)]
pub struct AccountStatusesParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pinned: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    only_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    tagged: Option<String>,
}

/// `GET /api/v1/accounts/:id/statuses`.
pub async fn account_statuses(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(p): Params<AccountStatusesParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let target_id = super::statuses::parse_id(&path)?;
    let target = active_account(&state, target_id).await?;
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    if viewer.blocked.contains(&target.id) || p.only_media.unwrap_or(false) {
        return Ok(HttpResponse::Ok().json(Vec::<()>::new()));
    }
    let w = p.page.window(20, 40)?;
    if is_group(&target) {
        return group_statuses(&req, &state, &viewer, &target, p.pinned.unwrap_or(false), w).await;
    }
    let tag = p.tagged.map(|t| t.trim_start_matches('#').to_lowercase());
    let scope = AccountScope {
        exclude_replies: p.exclude_replies.unwrap_or(false),
        exclude_reblogs: p.exclude_reblogs.unwrap_or(false),
        pinned_only: p.pinned.unwrap_or(false),
        ..service::account_scope(&viewer, target.id)
    };
    let rows = service::account(&state, target_id, scope, tag, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(&req, &state, &viewer, rows, ids, FilterContext::Account).await
}

/// A group's statuses for Mastodon apps: its announcements, and for members its
/// discussions too. A private group does not exist for others.
async fn group_statuses(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    group: &crate::services::AccountRow,
    pinned_only: bool,
    w: crate::pagination::Window,
) -> Result<HttpResponse, ApiError> {
    let id = group.id;
    crate::services::groups::find_visible(state, viewer.id(), id).await?;
    let scope = GroupScope {
        discussions: viewer.groups.contains_key(&id),
        held: HeldPosts::Exclude,
        pinned_only,
        viewer: viewer.id(),
    };
    let hidden = viewer.hidden.clone();
    let rows = service::group(state, id, scope, hidden, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(req, state, viewer, rows, ids, FilterContext::Account).await
}
