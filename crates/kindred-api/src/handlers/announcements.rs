//! Announcements: members read, dismiss and react; admins write them (a Kindred
//! extension under `/api/v1/admin/announcements`, as Mastodon has no admin API here).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::announcements::{self as service, AnnouncementInput};
use crate::{ApiError, AppState};

#[derive(Deserialize, Default)]
pub struct IndexParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    with_dismissed: Option<bool>,
}

pub async fn index(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<IndexParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read")?;
    let me = auth.user()?.id;
    let now = service::now();
    let with_dismissed = p.with_dismissed.unwrap_or(false);
    let rows = service::current(&state, me, now, with_dismissed).await?;
    Ok(HttpResponse::Ok().json(service::present(&state, me, rows, false).await?))
}

/// A published announcement in force; anything else is "not found" to members.
async fn current(state: &AppState, raw: &str) -> Result<i64, ApiError> {
    let id = parse_id(raw)?;
    let now = service::now();
    service::find(state, id)
        .await?
        .filter(|a| a.published && a.ends_at.is_none_or(|e| e > now))
        .map(|a| a.id)
        .ok_or_else(ApiError::not_found)
}

pub async fn dismiss(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?.id;
    let id = current(&state, &path).await?;
    service::dismiss(&state, id, me).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn react(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:favourites")?;
    let me = auth.user()?.id;
    let (raw_id, raw_name) = path.into_inner();
    let id = current(&state, &raw_id).await?;
    let name = service::parse_reaction(&raw_name)?;
    if !service::react(&state, id, me, name).await? {
        return Err(ApiError::unprocessable(
            "too_many_reactions",
            "Validation failed: maximum number of reactions reached",
        ));
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn unreact(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:favourites")?;
    let me = auth.user()?.id;
    let (raw_id, raw_name) = path.into_inner();
    let id = current(&state, &raw_id).await?;
    let name = raw_name.trim().to_owned();
    service::unreact(&state, id, me, name).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// The caller, if an admin with the given admin scope.
fn admin(auth: &Authenticated, scope: &str) -> Result<i64, ApiError> {
    Ok(auth.admin(scope)?.id)
}

pub async fn admin_index(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let me = admin(&auth, "admin:read")?;
    let rows = service::all(&state).await?;
    Ok(HttpResponse::Ok().json(service::present(&state, me, rows, true).await?))
}

#[derive(Deserialize, Default)]
pub struct AdminParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    starts_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    ends_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    all_day: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    published: Option<bool>,
}

impl From<AdminParams> for AnnouncementInput {
    fn from(p: AdminParams) -> Self {
        Self {
            text: p.text,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            all_day: p.all_day,
            published: p.published,
        }
    }
}

pub async fn admin_create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AdminParams>,
) -> Result<HttpResponse, ApiError> {
    let me = admin(&auth, "admin:write")?;
    let row = service::create(&state, p.into()).await?;
    let mut out = service::present(&state, me, vec![row], true).await?;
    Ok(HttpResponse::Ok().json(out.pop().ok_or_else(ApiError::internal)?))
}

pub async fn admin_update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<AdminParams>,
) -> Result<HttpResponse, ApiError> {
    let me = admin(&auth, "admin:write")?;
    let row = service::update(&state, parse_id(&path)?, p.into()).await?;
    let mut out = service::present(&state, me, vec![row], true).await?;
    Ok(HttpResponse::Ok().json(out.pop().ok_or_else(ApiError::internal)?))
}

pub async fn admin_delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:write")?;
    service::delete(&state, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
