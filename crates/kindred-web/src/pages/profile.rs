//! A person's profile page (`/@name`).

use actix_web::HttpResponse;
use kindred_db::AccountRow;
use maud::{html, PreEscaped};

use crate::context::{Ctx, WebError};

pub async fn page(ctx: Ctx, account: AccountRow) -> Result<HttpResponse, WebError> {
    let shown = if account.display_name.is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let handle = format!("@{}@{}", account.username, ctx.state.urls.domain());
    // plain_text_to_html escapes everything it is given.
    let note = kindred_domain::text::plain_text_to_html(&account.note);
    Ok(ctx.page(
        &shown,
        html! {
            h1 { (shown) }
            p class="muted" { (handle) }
            div class="bio" { (PreEscaped(note)) }
        },
    ))
}
