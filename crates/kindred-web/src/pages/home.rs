//! Home (`/home`): the member's home timeline, newest first, twenty a page, with
//! content warnings collapsed (`<details>`) and an "older posts" link (`max_id`).
//! The page is read exactly as `GET /api/v1/timelines/home` reads it: the same
//! service, the same per-status visibility check (`present::statuses`), the same
//! filters and hidden boosts.

use actix_web::{web, HttpResponse};
use kindred_api::entities::status::Status;
use kindred_api::services::filtering::ActiveFilters;
use kindred_api::services::{present, timelines, viewer::Viewer};
use kindred_db::models::statuses::Page;
use kindred_domain::filters::FilterContext;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::context::{Ctx, WebError};

pub const PAGE_SIZE: i64 = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/home", web::get().to(home));
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    max_id: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Page {
        Page {
            max_id: self.max_id.as_deref().and_then(|m| m.parse().ok()),
            since_id: None,
            min_id: None,
            limit: PAGE_SIZE,
        }
    }
}

/// `GET /home`.
pub async fn home(ctx: Ctx, q: web::Query<PageQuery>) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let viewer = Viewer::load(&ctx.state, Some(&me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let rows = timelines::home(&ctx.state, me.id, viewer.hidden.clone(), q.page())
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let full = rows.len() as i64 >= PAGE_SIZE;
    let oldest = rows.last().map(|r| r.id);
    let statuses = presented(&ctx, &viewer, rows, FilterContext::Home).await?;
    let compose = super::compose::form(&ctx, &super::compose::Typed::default_for(&ctx).await)
        .map_err(|e| ctx.internal(e))?;
    let title = ctx.t("member-home-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            (compose)
            section aria-labelledby="timeline" {
                h2 id="timeline" { (ctx.t("member-home-timeline")) }
                (list(&ctx, &statuses, "member-home-empty"))
                (older_link(&ctx, "/home", full, oldest))
            }
        },
    ))
}

/// Rows as the viewer may see them, with their filters applied (as the API does).
pub async fn presented(
    ctx: &Ctx,
    viewer: &Viewer,
    rows: Vec<kindred_db::StatusRow>,
    context: FilterContext,
) -> Result<Vec<Status>, WebError> {
    let filters = ActiveFilters::load(&ctx.state, viewer, context)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let shown = present::statuses(&ctx.state, viewer, rows)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let mut statuses = filters.apply(shown);
    present::drop_hidden_boosts(viewer, &mut statuses);
    Ok(statuses)
}

/// The "older posts" link when the page was full.
pub fn older_link(ctx: &Ctx, base: &str, full: bool, oldest: Option<i64>) -> Markup {
    html! {
        @if let (true, Some(id)) = (full, oldest) {
            nav aria-label=(ctx.t("member-paging")) {
                a href={ (base) "?max_id=" (id) } { (ctx.t("member-older")) }
            }
        }
    }
}

/// A list of posts, or `empty`'s message.
pub fn list(ctx: &Ctx, statuses: &[Status], empty: &str) -> Markup {
    html! {
        @if statuses.is_empty() {
            p class="muted" { (ctx.t(empty)) }
        } @else {
            ol class="plain statuses" {
                @for s in statuses { li { (status(ctx, s)) } }
            }
        }
    }
}

/// One post. `content` is HTML made by our own renderer or sanitizer (local posts
/// are rendered from text, remote ones sanitized on arrival), so it is shown as it
/// is; everything else is escaped by maud.
pub fn status(ctx: &Ctx, s: &Status) -> Markup {
    let (shown, boosted_by) = match &s.reblog {
        Some(original) => (original.as_ref(), Some(&s.account)),
        None => (s, None),
    };
    let author = if shown.account.display_name.is_empty() {
        shown.account.username.clone()
    } else {
        shown.account.display_name.clone()
    };
    let when = chrono::DateTime::parse_from_rfc3339(&shown.created_at)
        .ok()
        .map(|d| crate::i18n::datetime(ctx.lang, d.with_timezone(&chrono::Utc), chrono_tz::UTC))
        .unwrap_or_default();
    let body = html! { div class="content" lang=[shown.language.as_deref()] { (PreEscaped(&shown.content)) } };
    html! {
        article class="card status" {
            @if let Some(by) = boosted_by {
                p class="muted" { (ctx.t_args("member-boosted-by", &[("name", by.acct.clone().into())])) }
            }
            p class="meta" {
                strong { (author) } " "
                span class="muted" { "@" (shown.account.acct) } " · "
                time datetime=(shown.created_at) { (when) } " · "
                span class="muted" { (super::compose::audience_label(ctx, &shown.visibility)) }
            }
            @if shown.spoiler_text.is_empty() {
                (body)
            } @else {
                details {
                    summary { (ctx.t("member-cw")) ": " (shown.spoiler_text) }
                    (body)
                }
            }
        }
    }
}
