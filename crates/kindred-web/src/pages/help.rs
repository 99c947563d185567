//! `/help`: where to find support now — the instance's crisis resources, readable
//! without signing in (the frame links it from every page).

use actix_web::{web, HttpResponse};
use kindred_api::services::crisis;
use maud::html;

use crate::context::{Ctx, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/help", web::get().to(help));
}

/// `GET /help`.
pub async fn help(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let rows = crisis::list(&ctx.state)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let title = ctx.t("member-help-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("member-help-intro")) }
            @if rows.is_empty() {
                p class="notice" { (ctx.t("member-help-none")) }
            } @else {
                ul class="plain" {
                    @for r in &rows {
                        li class="card" lang=[r.language.as_deref()] {
                            h2 { (r.name) }
                            dl {
                                @if let Some(phone) = &r.phone {
                                    dt { (ctx.t("member-help-phone")) }
                                    dd { a href={ "tel:" (phone.replace(' ', "")) } { (phone) } }
                                }
                                @if let Some(text) = &r.text_line {
                                    dt { (ctx.t("member-help-text")) }
                                    dd { (text) }
                                }
                                @if let Some(url) = &r.url {
                                    dt { (ctx.t("member-help-web")) }
                                    dd { a href=(url) rel="noreferrer" { (url) } }
                                }
                                @if let Some(hours) = &r.hours {
                                    dt { (ctx.t("member-help-hours")) }
                                    dd { (hours) }
                                }
                                @if let Some(region) = &r.region {
                                    dt { (ctx.t("member-help-region")) }
                                    dd { (region) }
                                }
                            }
                        }
                    }
                }
            }
            p { (ctx.t("member-help-emergency")) }
        },
    ))
}
