//! Notifications (`/notifications`): read as `GET /api/v1/notifications` reads
//! them (the same service, presenter and filters), newest first, with paging.

use actix_web::{web, HttpResponse};
use kindred_api::entities::status::Notification;
use kindred_api::services::filtering::ActiveFilters;
use kindred_api::services::notifications::{self, NotificationQuery};
use kindred_api::services::{present, viewer::Viewer};
use kindred_domain::filters::FilterContext;
use maud::{html, Markup};

use super::home::{self, PageQuery};
use crate::context::{Ctx, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(list));
}

/// `GET /notifications`.
pub async fn list(ctx: Ctx, q: web::Query<PageQuery>) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let viewer = Viewer::load(&ctx.state, Some(&me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let page = q.page();
    let query = NotificationQuery {
        types: Vec::new(),
        exclude_types: Vec::new(),
        from_account_id: None,
        hidden_from: viewer.hidden.clone(),
        max_id: page.max_id,
        since_id: None,
        min_id: None,
        limit: home::PAGE_SIZE,
    };
    let rows = notifications::list(&ctx.state, me.id, query)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let full = rows.len() as i64 >= home::PAGE_SIZE;
    let oldest = rows.last().map(|n| n.id);
    let filters = ActiveFilters::load(&ctx.state, &viewer, FilterContext::Notifications)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let shown = filters.apply_notifications(
        present::notifications(&ctx.state, &viewer, rows)
            .await
            .map_err(|e| ctx.internal(e.code()))?,
    );
    let title = ctx.t("member-notifications-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            @if shown.is_empty() {
                p class="muted" { (ctx.t("member-notifications-none")) }
            } @else {
                ol class="plain" {
                    @for n in &shown { li { (one(&ctx, n)) } }
                }
            }
            (home::older_link(&ctx, "/notifications", full, oldest))
        },
    ))
}

fn one(ctx: &Ctx, n: &Notification) -> Markup {
    let who = if n.account.display_name.is_empty() {
        n.account.username.clone()
    } else {
        n.account.display_name.clone()
    };
    let id = match n.kind.as_str() {
        "mention" => "member-notification-mention",
        "reblog" => "member-notification-reblog",
        "favourite" => "member-notification-favourite",
        "follow" => "member-notification-follow",
        "follow_request" => "member-notification-follow-request",
        "status" => "member-notification-status",
        "update" => "member-notification-update",
        "admin.sign_up" => "member-notification-sign-up",
        "admin.report" => "member-notification-report",
        _ => "member-notification-other",
    };
    let when = chrono::DateTime::parse_from_rfc3339(&n.created_at)
        .ok()
        .map(|d| crate::i18n::datetime(ctx.lang, d.with_timezone(&chrono::Utc), chrono_tz::UTC))
        .unwrap_or_default();
    html! {
        article class="card notification" {
            p {
                (ctx.t_args(id, &[("name", who.into())])) " "
                @if n.account.acct.contains('@') {
                    span class="muted" { "@" (n.account.acct) }
                } @else {
                    a href={ "/@" (n.account.acct) } { "@" (n.account.acct) }
                }
                " · " time datetime=(n.created_at) { (when) }
            }
            @if let Some(s) = &n.status { (home::status(ctx, s)) }
        }
    }
}
