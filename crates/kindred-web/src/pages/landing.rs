//! Arriving: `/` (the landing page) and `/about` (description and rules).

use actix_web::HttpResponse;
use maud::html;

use crate::context::Ctx;

/// `GET /` for a browser.
pub async fn landing(ctx: Ctx) -> HttpResponse {
    let instance = &ctx.state.instance;
    let title = ctx.t("landing-welcome");
    ctx.page(
        &title,
        html! {
            h1 { (instance.name) }
            @if !instance.description.is_empty() { p { (instance.description) } }
            @if ctx.account().is_none() {
                p { (ctx.t("landing-signed-out")) }
                p {
                    a class="button" href="/auth/sign_up" { (ctx.t("nav-sign-up")) }
                    " "
                    a class="button secondary" href="/auth/sign_in" { (ctx.t("nav-sign-in")) }
                }
            }
            (rules(&ctx))
        },
    )
}

/// `GET /about`.
pub async fn about(ctx: Ctx) -> HttpResponse {
    let instance = &ctx.state.instance;
    ctx.page(
        &ctx.t("footer-about"),
        html! {
            h1 { (instance.name) }
            @if !instance.description.is_empty() { p { (instance.description) } }
            (rules(&ctx))
        },
    )
}

fn rules(ctx: &Ctx) -> maud::Markup {
    let rules = &ctx.state.instance.rules;
    html! {
        @if !rules.is_empty() {
            section aria-labelledby="rules" {
                h2 id="rules" { (ctx.t("footer-rules")) }
                ol { @for r in rules { li { (r) } } }
            }
        }
    }
}
