use actix_web::{web, HttpResponse};

use crate::entities::instance;
use crate::services::instance::stats;
use crate::{ApiError, AppState};

pub async fn v1(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = stats(&state).await?;
    Ok(HttpResponse::Ok().json(instance::v1(&state, &s)))
}

pub async fn v2(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = stats(&state).await?;
    Ok(HttpResponse::Ok().json(instance::v2(&state, &s)))
}

pub async fn rules(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(instance::rules_entity(&state))
}

/// Kindred has no custom emoji; an empty list is the true answer.
pub async fn custom_emojis() -> HttpResponse {
    HttpResponse::Ok().json(Vec::<()>::new())
}
