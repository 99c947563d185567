//! Lists: create, rename, delete, members, and the list timeline.

use crate::services::lists::{self as service, ListRow, RepliesPolicy};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use kindred_domain::filters::FilterContext;
use kindred_domain::DomainError;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::entities::lists::List;
use crate::handlers::statuses::parse_id;
use crate::handlers::timelines::respond_filtered;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};

fn parse_policy(raw: &str) -> Result<RepliesPolicy, ApiError> {
    match raw {
        "followed" => Ok(RepliesPolicy::Followed),
        "list" => Ok(RepliesPolicy::List),
        "none" => Ok(RepliesPolicy::None),
        _ => Err(DomainError::InvalidList("replies_policy must be followed, list or none").into()),
    }
}

fn parse_title(raw: Option<&str>) -> Result<String, ApiError> {
    let t = raw.unwrap_or("").trim();
    if t.is_empty() {
        return Err(DomainError::InvalidList("title can't be blank").into());
    }
    if t.chars().count() > 256 {
        return Err(DomainError::InvalidList("title is too long").into());
    }
    Ok(t.to_owned())
}

/// The caller's list by path id; other people's lists are "not found".
async fn owned(state: &AppState, owner: i64, raw: &str) -> Result<ListRow, ApiError> {
    let id = parse_id(raw)?;
    service::find_owned(state, owner, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn index(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:lists")?;
    let me = auth.user()?.id;
    let rows = service::of_account(&state, me).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(List::from).collect::<Vec<_>>()))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:lists")?;
    let list = owned(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(List::from(&list)))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclusive: Option<bool>,
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<ListParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:lists")?;
    let me = auth.user()?.id;
    let now = Utc::now();
    let policy = p.replies_policy.as_deref().unwrap_or("list");
    parse_policy(policy)?;
    let row = ListRow {
        id: state.ids.next_at(now),
        account_id: me,
        title: parse_title(p.title.as_deref())?,
        replies_policy: policy.to_owned(),
        exclusive: p.exclusive.unwrap_or(false),
        created_at: now.naive_utc(),
    };
    if !service::create(&state, row.clone()).await? {
        return Err(ApiError::unprocessable(
            "too_many_lists",
            format!("Validation failed: at most {} lists", service::MAX_LISTS),
        ));
    }
    Ok(HttpResponse::Ok().json(List::from(&row)))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<ListParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:lists")?;
    let mut list = owned(&state, auth.user()?.id, &path).await?;
    if p.title.is_some() {
        list.title = parse_title(p.title.as_deref())?;
    }
    if let Some(policy) = p.replies_policy {
        parse_policy(&policy)?;
        list.replies_policy = policy;
    }
    if let Some(e) = p.exclusive {
        list.exclusive = e;
    }
    service::update(&state, list.clone()).await?;
    Ok(HttpResponse::Ok().json(List::from(&list)))
}

pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:lists")?;
    let list = owned(&state, auth.user()?.id, &path).await?;
    service::delete(&state, list.id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
pub struct AccountIdsParams {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    account_ids: Option<Vec<String>>,
}

fn account_ids(p: AccountIdsParams) -> Result<Vec<i64>, ApiError> {
    let raw = p.account_ids.unwrap_or_default();
    if raw.is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: account_ids can't be blank",
        ));
    }
    if raw.len() > 250 {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: too many account_ids",
        ));
    }
    raw.iter()
        .map(|s| parse_id(s))
        .collect::<Result<Vec<i64>, _>>()
}

pub async fn accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:lists")?;
    let me = auth.user()?.id;
    let list = owned(&state, me, &path).await?;
    // Mastodon: limit=0 returns every member.
    let all = page.limit.as_deref().map(str::trim) == Some("0");
    let w = page.window(40, 80)?;
    let limit = (!all).then_some(w.limit);
    let rows = service::members(&state, list.id, w.max_id, w.since_id, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let entities = present::accounts(&state, Some(me), rows).await?;
    let mut resp = HttpResponse::Ok();
    if !all {
        if let Some(link) = link_header(&req, state.urls.base(), &ids) {
            resp.insert_header(("Link", link));
        }
    }
    Ok(resp.json(entities))
}

pub async fn add_accounts(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<AccountIdsParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:lists")?;
    let list = owned(&state, auth.user()?.id, &path).await?;
    let ids = account_ids(p)?;
    if !service::add_accounts(&state, list, ids).await? {
        // Mastodon's answer when an account is not followed (or does not exist).
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn remove_accounts(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<AccountIdsParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:lists")?;
    let list = owned(&state, auth.user()?.id, &path).await?;
    let ids = account_ids(p)?;
    service::remove_accounts(&state, list.id, ids).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `GET /api/v1/accounts/:id/lists`: the caller's lists that contain this account.
pub async fn containing(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:lists")?;
    let me = auth.user()?.id;
    let target = parse_id(&path)?;
    let rows = service::containing(&state, me, target).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(List::from).collect::<Vec<_>>()))
}

/// `GET /api/v1/timelines/list/:id`.
pub async fn timeline(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:lists", "read:statuses"])?;
    let account = auth.user()?.clone();
    let list = owned(&state, account.id, &path).await?;
    let policy = parse_policy(&list.replies_policy).unwrap_or(RepliesPolicy::List);
    let w = page.window(20, 40)?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let hidden = viewer.hidden.clone();
    let rows = service::timeline(&state, account.id, list.id, policy, hidden, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(&req, &state, &viewer, rows, ids, FilterContext::Home).await
}
