use actix_web::{web, HttpResponse};

use crate::entities::instance;
use crate::services::crisis;
use crate::services::instance::stats;
use crate::{ApiError, AppState};

pub async fn v1(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = stats(&state).await?;
    let c = crisis::list(&state).await?;
    Ok(HttpResponse::Ok().json(instance::v1(&state, &s, &c)))
}

pub async fn v2(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = stats(&state).await?;
    let c = crisis::list(&state).await?;
    Ok(HttpResponse::Ok().json(instance::v2(&state, &s, &c)))
}

/// The configured rules and, last, the crisis resources.
pub async fn rules(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let c = crisis::list(&state).await?;
    Ok(HttpResponse::Ok().json(instance::rules_entity(&state, &c)))
}

/// Mastodon's extended description: the description, then the crisis resources.
pub async fn extended_description(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let c = crisis::list(&state).await?;
    Ok(HttpResponse::Ok().json(crisis::extended_description(&state, &c)))
}

/// Kindred has no custom emoji; an empty list is the true answer.
pub async fn custom_emojis() -> HttpResponse {
    HttpResponse::Ok().json(Vec::<()>::new())
}
