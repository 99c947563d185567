//! A group's page (`/@name`): `pages::groups::page` renders it.

use actix_web::HttpResponse;
use kindred_db::AccountRow;

use crate::context::{Ctx, WebError};

pub async fn page(ctx: Ctx, account: AccountRow) -> Result<HttpResponse, WebError> {
    super::groups::page::show(ctx, account.id).await
}
