//! Account deletion: the member's own (`POST /api/v1/kindred/account/delete`, field
//! `password`) and an admin's purge of a suspended account
//! (`DELETE /api/v1/admin/accounts/:id`). Both answer with the deletion receipt,
//! as a JSON file to keep.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::erasure::{self as service, Receipt};
use crate::{ApiError, AppState};

#[derive(Deserialize, Default)]
pub struct DeleteParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
}

fn as_file(receipt: &Receipt) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"kindred-deletion-receipt.json\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(receipt)
}

pub async fn delete_own(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?.clone();
    let password = p.password.filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::unprocessable(
            "password_required",
            "Validation failed: password is required",
        )
    })?;
    let receipt = service::delete_own(&state, &me, &password).await?;
    Ok(as_file(&receipt))
}

pub async fn admin_purge(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:write:accounts")?.clone();
    let id = parse_id(&path)?;
    let receipt = service::purge_suspended(&state, &me, id).await?;
    Ok(as_file(&receipt))
}
