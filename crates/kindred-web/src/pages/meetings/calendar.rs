//! `/meetings/calendar`: the member's personal calendar feed — a secret address a
//! calendar app subscribes to. Made (or made anew, which stops the old one) and
//! revoked with the same service as the API's `/calendars/personal`.

use actix_web::{web, HttpResponse};
use kindred_api::services::meetings::calendar;
use maud::{html, Markup};
use serde::Deserialize;

use super::view;
use crate::context::{Ctx, WebError};
use crate::form;
use crate::layout::csrf_field;

#[derive(Deserialize, Default)]
struct FeedForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    revoke: Option<String>,
}

fn body(ctx: &Ctx, url: Option<&str>, revoked: bool) -> Markup {
    html! {
        h1 { (ctx.t("meetings-feed-title")) }
        p { (ctx.t("meetings-feed-intro")) }
        @if let Some(url) = url {
            div class="notice" role="status" {
                p { (ctx.t("meetings-feed-made")) }
                label for="feed-url" { (ctx.t("meetings-feed-address")) }
                input type="text" id="feed-url" readonly value=(url);
                p class="hint" { (ctx.t("meetings-feed-secret")) }
            }
        }
        @if revoked {
            p class="notice" role="status" { (ctx.t("meetings-feed-revoked")) }
        }
        form method="post" action="/meetings/calendar" {
            (csrf_field(&ctx.csrf_token))
            button type="submit" { (ctx.t("meetings-feed-make")) }
        }
        form method="post" action="/meetings/calendar" {
            (csrf_field(&ctx.csrf_token))
            input type="hidden" name="revoke" value="true";
            button type="submit" class="secondary" { (ctx.t("meetings-feed-revoke")) }
        }
    }
}

/// `GET /meetings/calendar`.
pub async fn page(ctx: Ctx) -> Result<HttpResponse, WebError> {
    ctx.member()?;
    Ok(ctx.page(&ctx.t("meetings-feed-title"), body(&ctx, None, false)))
}

/// `POST /meetings/calendar`: a new secret address (shown once, on this answer:
/// it is stored only as a hash), or `revoke`.
pub async fn make(ctx: Ctx, data: web::Bytes) -> Result<HttpResponse, WebError> {
    let f: FeedForm = form::parse(&data);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let me = ctx.member()?.clone();
    if f.revoke.is_some() {
        calendar::revoke_token(&ctx.state, &me)
            .await
            .map_err(|e| view::fail(&ctx, e))?;
        return Ok(ctx.page(&ctx.t("meetings-feed-title"), body(&ctx, None, true)));
    }
    let token = calendar::create_token(&ctx.state, &me)
        .await
        .map_err(|e| view::fail(&ctx, e))?;
    let url = ctx
        .state
        .urls
        .path(&format!("/api/v1/pleroma/calendars/personal/{token}"))
        .to_string();
    Ok(ctx.page(&ctx.t("meetings-feed-title"), body(&ctx, Some(&url), false)))
}
