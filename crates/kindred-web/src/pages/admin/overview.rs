//! `GET /admin`: what waits for the moderators.

use actix_web::HttpResponse;
use fluent_bundle::FluentValue;
use kindred_api::services::moderation::{self, AccountFilter};
use kindred_db::models::reports::{self as report_repo, Filter};
use kindred_db::models::statuses::Page;
use maud::html;

use super::{failed, page, staff};
use crate::context::{Ctx, WebError};

/// At most this many are counted; more shows as "100 or more".
const COUNT_UP_TO: i64 = 100;

fn count_text(ctx: &Ctx, id: &str, n: usize) -> String {
    let n = n as i64;
    let more = if n >= COUNT_UP_TO { "more" } else { "exact" };
    ctx.t_args(
        id,
        &[
            ("count", FluentValue::from(n)),
            ("more", FluentValue::from(more)),
        ],
    )
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let window = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: COUNT_UP_TO,
    };
    let open = ctx
        .state
        .db
        .run(move |c| {
            report_repo::page(
                c,
                Filter {
                    resolved: Some(false),
                    reporter_account_id: None,
                    target_account_id: None,
                },
                &window,
            )
        })
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .into_iter()
        // Never counted for the moderator they are about (they never see it).
        .filter(|r| r.target_account_id != Some(me.id))
        .count();
    let pending = moderation::list(
        &ctx.state,
        AccountFilter {
            local: Some(true),
            pending: true,
            limit: COUNT_UP_TO,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| failed(&ctx, e))?
    .len();
    let title = ctx.t("admin-overview-title");
    Ok(page(
        &ctx,
        &me,
        &title,
        &[],
        html! {
            ul class="plain" {
                li class="card" {
                    p { (count_text(&ctx, "admin-overview-reports", open)) }
                    a href="/admin/reports" { (ctx.t("admin-overview-reports-link")) }
                }
                li class="card" {
                    p { (count_text(&ctx, "admin-overview-sign-ups", pending)) }
                    a href="/admin/sign_ups" { (ctx.t("admin-overview-sign-ups-link")) }
                }
            }
        },
    ))
}
