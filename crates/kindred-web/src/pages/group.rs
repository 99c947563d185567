//! A group's page (`/@name`).

use actix_web::HttpResponse;
use kindred_api::services::actors;
use kindred_db::AccountRow;
use maud::{html, PreEscaped};

use crate::context::{Ctx, WebError, WebErrorKind};

pub async fn page(ctx: Ctx, account: AccountRow) -> Result<HttpResponse, WebError> {
    // Only what the group shows the world, so far: a private group is not found.
    let visible = actors::federated_or_suspended(&ctx.state, account.username.clone())
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .is_some_and(|(_, g)| g.is_some());
    if !visible {
        return Err(ctx.error(WebErrorKind::NotFound));
    }
    let shown = if account.display_name.is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let note = kindred_domain::text::plain_text_to_html(&account.note);
    Ok(ctx.page(
        &shown,
        html! {
            h1 { (shown) }
            div class="about" { (PreEscaped(note)) }
        },
    ))
}
