//! Crisis resources: `/api/v1/admin/kindred/crisis_resources[/:id]` (admins write,
//! moderators read) and the public `/api/v1/kindred/crisis_resources`.

use actix_web::{web, HttpResponse};
use kindred_domain::crisis::CrisisResourceInput;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::crisis as service;
use crate::{ApiError, AppState};

/// Anyone, signed in or not: the list is public on purpose.
pub async fn public_index(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = service::list(&state).await?;
    Ok(HttpResponse::Ok().json(service::present(&rows)))
}

pub async fn admin_index(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.moderator("admin:read")?;
    let rows = service::list(&state).await?;
    Ok(HttpResponse::Ok().json(service::present(&rows)))
}

pub async fn admin_show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.moderator("admin:read")?;
    let row = service::find(&state, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(service::present(&[row]).pop()))
}

#[derive(Deserialize, Default)]
pub struct ResourceParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    hours: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    region: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    position: Option<String>,
}

impl ResourceParams {
    fn input(self) -> Result<CrisisResourceInput, ApiError> {
        let position = self
            .position
            .map(|p| {
                p.trim().parse::<i32>().map_err(|_| {
                    ApiError::unprocessable(
                        "invalid_crisis_resource",
                        "Validation failed: position must be a number",
                    )
                })
            })
            .transpose()?;
        Ok(CrisisResourceInput {
            name: self.name,
            phone: self.phone,
            text: self.text,
            url: self.url,
            hours: self.hours,
            region: self.region,
            language: self.language,
            position,
        })
    }
}

pub async fn admin_create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<ResourceParams>,
) -> Result<HttpResponse, ApiError> {
    auth.admin("admin:write")?;
    let row = service::create(&state, p.input()?).await?;
    Ok(HttpResponse::Ok().json(service::present(&[row]).pop()))
}

pub async fn admin_update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<ResourceParams>,
) -> Result<HttpResponse, ApiError> {
    auth.admin("admin:write")?;
    let id = parse_id(&path)?;
    let row = service::update(&state, id, p.input()?).await?;
    Ok(HttpResponse::Ok().json(service::present(&[row]).pop()))
}

pub async fn admin_delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.admin("admin:write")?;
    service::delete(&state, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
