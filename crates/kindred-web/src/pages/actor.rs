//! `/@name` for a browser: a group's page or a person's profile, by what the name
//! is. (ActivityPub clients asking for JSON reach the API's handler instead.)

use actix_web::{web, HttpResponse};
use kindred_api::services::{accounts, relations};

use crate::context::{Ctx, WebError, WebErrorKind};

pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let name = path.into_inner();
    let account = accounts::find_local(&ctx.state, &name)
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .filter(|a| a.is_active())
        .ok_or_else(|| ctx.error(WebErrorKind::NotFound))?;
    if relations::is_group(&account) {
        super::group::page(ctx, account).await
    } else {
        super::profile::page(ctx, account).await
    }
}
