//! A member's data export: `POST /api/v1/kindred/account/export` starts one,
//! `GET /api/v1/kindred/account/export` says `{state, url}`, and the URL (a keyed
//! token) gives the zip to its owner only, logged in.

use actix_web::{web, HttpResponse};

use crate::auth::Authenticated;
use crate::services::export as service;
use crate::{ApiError, AppState};

pub async fn request(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.clone();
    let status = service::request(&state, &me).await?;
    // Built in the background now; the export job picks up what a restart left.
    let builder = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = service::build_pending(&builder).await {
            tracing::warn!(error = e.code(), "data exports not built");
        }
    });
    Ok(HttpResponse::Accepted().json(status))
}

pub async fn status(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.clone();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(service::status(&state, &me).await?))
}

pub async fn download(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.clone();
    let bytes = service::download(&state, &me, &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"kindred-export.zip\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
