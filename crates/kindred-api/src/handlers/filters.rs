//! Keyword and status filters: `/api/v2/filters` (and read-only `/api/v1/filters`).

use crate::services::filters::{
    self as service, FilterRow, FilterStatusRow, FullFilter, KeywordChanges, KeywordRow, Refusal,
};
use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDateTime, Utc};
use kindred_domain::filters::{parse_keyword, parse_title, FilterAction, FilterContexts};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::entities::filters::{Filter, FilterKeyword, FilterStatus, FilterV1};
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::{statuses::visible, viewer::Viewer};
use crate::{ApiError, AppState};

fn too_many() -> ApiError {
    ApiError::unprocessable(
        "too_many_filters",
        "Validation failed: too many filters, keywords or statuses",
    )
}

fn refusal(r: Result<(), Refusal>) -> Result<(), ApiError> {
    r.map_err(|Refusal::TooMany| too_many())
}

/// `expires_in` seconds from now; empty means never.
fn expiry(raw: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            let secs: i64 = s.parse().map_err(|_| {
                ApiError::unprocessable("invalid_filter", "Validation failed: invalid expires_in")
            })?;
            // Up to ten years; beyond that, "never" is what was meant.
            if !(1..=315_360_000).contains(&secs) {
                return Err(ApiError::unprocessable(
                    "invalid_filter",
                    "Validation failed: invalid expires_in",
                ));
            }
            Ok(Some((Utc::now() + Duration::seconds(secs)).naive_utc()))
        }
    }
}

async fn owned(state: &AppState, owner: i64, raw: &str) -> Result<FullFilter, ApiError> {
    let id = parse_id(raw)?;
    service::find_owned(state, owner, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn index(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let me = auth.user()?.id;
    let rows = service::of_account(&state, me).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(Filter::from).collect::<Vec<_>>()))
}

/// v1: each keyword of each filter, as Mastodon shows v2 filters to older apps.
pub async fn index_v1(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let me = auth.user()?.id;
    let rows = service::of_account(&state, me).await?;
    Ok(HttpResponse::Ok().json(rows.iter().flat_map(FilterV1::all).collect::<Vec<_>>()))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let f = owned(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(Filter::from(&f)))
}

#[derive(Deserialize, Default)]
pub struct KeywordAttributes {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    keyword: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    whole_word: Option<bool>,
    #[serde(default, rename = "_destroy", deserialize_with = "lenient::opt_bool")]
    destroy: Option<bool>,
}

#[derive(Deserialize, Default)]
pub struct FilterParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    context: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    filter_action: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    expires_in: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_objects")]
    keywords_attributes: Option<Vec<KeywordAttributes>>,
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<FilterParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let me = auth.user()?.id;
    let now = Utc::now();
    let title = parse_title(p.title.as_deref().unwrap_or(""))?;
    let contexts = FilterContexts::parse(&p.context.unwrap_or_default())?;
    let action: FilterAction = p.filter_action.as_deref().unwrap_or("warn").parse()?;
    let filter = FilterRow {
        id: state.ids.next_at(now),
        account_id: me,
        title,
        contexts: contexts.to_string(),
        filter_action: action.as_str().to_owned(),
        expires_at: expiry(p.expires_in.as_deref())?,
        created_at: now.naive_utc(),
    };
    let keywords = p
        .keywords_attributes
        .unwrap_or_default()
        .into_iter()
        .filter(|k| !k.destroy.unwrap_or(false))
        .map(|k| {
            Ok(KeywordRow {
                id: state.ids.next_at(now),
                filter_id: filter.id,
                keyword: parse_keyword(k.keyword.as_deref().unwrap_or(""))?,
                whole_word: k.whole_word.unwrap_or(true),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let full = FullFilter {
        filter: filter.clone(),
        keywords: keywords.clone(),
        statuses: Vec::new(),
    };
    refusal(service::create(&state, filter, keywords).await?)?;
    Ok(HttpResponse::Ok().json(Filter::from(&full)))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<FilterParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let me = auth.user()?.id;
    let mut f = owned(&state, me, &path).await?;
    let now = Utc::now();
    if let Some(t) = p.title.as_deref() {
        f.filter.title = parse_title(t)?;
    }
    if let Some(c) = p.context {
        f.filter.contexts = FilterContexts::parse(&c)?.to_string();
    }
    if let Some(a) = p.filter_action.as_deref() {
        f.filter.filter_action = a.parse::<FilterAction>()?.as_str().to_owned();
    }
    if p.expires_in.is_some() {
        f.filter.expires_at = expiry(p.expires_in.as_deref())?;
    }
    let mut changes = KeywordChanges::default();
    for k in p.keywords_attributes.unwrap_or_default() {
        match k.id.as_deref() {
            Some(raw) => {
                let id = parse_id(raw)?;
                if !f.keywords.iter().any(|existing| existing.id == id) {
                    return Err(ApiError::not_found());
                }
                if k.destroy.unwrap_or(false) {
                    changes.destroy.push(id);
                } else {
                    let keyword = k.keyword.as_deref().map(parse_keyword).transpose()?;
                    changes.change.push((id, keyword, k.whole_word));
                }
            }
            None if k.destroy.unwrap_or(false) => {}
            None => changes.add.push(KeywordRow {
                id: state.ids.next_at(now),
                filter_id: f.filter.id,
                keyword: parse_keyword(k.keyword.as_deref().unwrap_or(""))?,
                whole_word: k.whole_word.unwrap_or(true),
            }),
        }
    }
    let row = f.filter.clone();
    refusal(service::update(&state, row, changes).await?)?;
    let id = f.filter.id;
    let f = service::find_owned(&state, me, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(Filter::from(&f)))
}

pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let f = owned(&state, auth.user()?.id, &path).await?;
    service::delete(&state, f.filter.id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn keywords(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let f = owned(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(
        f.keywords
            .iter()
            .map(FilterKeyword::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, Default)]
pub struct KeywordParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    keyword: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    whole_word: Option<bool>,
}

pub async fn add_keyword(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<KeywordParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let f = owned(&state, auth.user()?.id, &path).await?;
    let row = KeywordRow {
        id: state.ids.next_at(Utc::now()),
        filter_id: f.filter.id,
        keyword: parse_keyword(p.keyword.as_deref().unwrap_or(""))?,
        whole_word: p.whole_word.unwrap_or(true),
    };
    let stored = row.clone();
    refusal(service::add_keyword(&state, stored).await?)?;
    Ok(HttpResponse::Ok().json(FilterKeyword::from(&row)))
}

async fn owned_keyword(state: &AppState, owner: i64, raw: &str) -> Result<KeywordRow, ApiError> {
    let id = parse_id(raw)?;
    service::find_keyword_owned(state, owner, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn show_keyword(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let k = owned_keyword(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(FilterKeyword::from(&k)))
}

pub async fn update_keyword(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<KeywordParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let mut k = owned_keyword(&state, auth.user()?.id, &path).await?;
    if let Some(word) = p.keyword.as_deref() {
        k.keyword = parse_keyword(word)?;
    }
    if let Some(w) = p.whole_word {
        k.whole_word = w;
    }
    let stored = k.clone();
    service::update_keyword(&state, stored).await?;
    Ok(HttpResponse::Ok().json(FilterKeyword::from(&k)))
}

pub async fn delete_keyword(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let k = owned_keyword(&state, auth.user()?.id, &path).await?;
    service::delete_keyword(&state, k.id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn statuses(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let f = owned(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(
        f.statuses
            .iter()
            .map(FilterStatus::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, Default)]
pub struct StatusParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status_id: Option<String>,
}

pub async fn add_status(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<StatusParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let me = auth.user()?.clone();
    let f = owned(&state, me.id, &path).await?;
    let status_id = parse_id(p.status_id.as_deref().unwrap_or(""))?;
    // Only a status the member can see: no probing for hidden ids.
    let viewer = Viewer::load(&state, Some(&me)).await?;
    visible(&state, &viewer, status_id).await?;
    let row = FilterStatusRow {
        id: state.ids.next_at(Utc::now()),
        filter_id: f.filter.id,
        status_id,
    };
    let stored = service::add_status(&state, row)
        .await?
        .map_err(|Refusal::TooMany| too_many())?;
    Ok(HttpResponse::Ok().json(FilterStatus::from(&stored)))
}

async fn owned_status(
    state: &AppState,
    owner: i64,
    raw: &str,
) -> Result<FilterStatusRow, ApiError> {
    let id = parse_id(raw)?;
    service::find_status_owned(state, owner, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn show_status(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:filters")?;
    let s = owned_status(&state, auth.user()?.id, &path).await?;
    Ok(HttpResponse::Ok().json(FilterStatus::from(&s)))
}

pub async fn delete_status(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:filters")?;
    let s = owned_status(&state, auth.user()?.id, &path).await?;
    service::delete_status(&state, s.id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
