//! The audit log (`/admin/audit_log`): who did what, when, to whom — filtered by
//! kind and by the acting moderator, newest first, in pages. The same reading as
//! `GET /api/v1/admin/kindred/audit_log` (moderators and admins).

use std::collections::HashMap;

use actix_web::HttpResponse;
use kindred_api::services::moderation::{self as service, AuditQuery};
use kindred_core::audit::Entry;
use kindred_db::AccountRow;
use maud::{html, Markup};
use serde::Deserialize;

use super::{failed, page, query, staff, when};
use crate::context::{Ctx, WebError};

const PAGE_SIZE: i64 = 40;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    actor: Option<String>,
    #[serde(default)]
    max_id: Option<String>,
}

/// `GET /admin/audit_log?kind=&actor=&max_id=`.
pub async fn index(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let q: ListQuery = query(&ctx);
    let kind = q.kind.clone().unwrap_or_default().trim().to_owned();
    let actor = q.actor.clone().unwrap_or_default().trim().to_owned();
    let mut errors = Vec::new();
    let actor_id = if actor.is_empty() {
        None
    } else {
        match service::local_by_username(&ctx.state, &actor).await {
            Ok(a) => Some(a.id),
            Err(kindred_api::services::ServiceError::NotFound) => {
                errors.push(ctx.t("admin-audit-no-such-actor"));
                None
            }
            Err(e) => return Err(failed(&ctx, e)),
        }
    };
    let rows = if errors.is_empty() {
        service::audit_log(
            &ctx.state,
            AuditQuery {
                actor_id,
                kind: (!kind.is_empty()).then(|| kind.clone()),
                max_id: q.max_id.as_deref().and_then(|s| s.trim().parse().ok()),
                limit: PAGE_SIZE,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| failed(&ctx, e))?
    } else {
        Vec::new()
    };
    let names = names(&ctx, &rows).await?;
    let older = (rows.len() as i64 >= PAGE_SIZE)
        .then(|| rows.iter().map(|e| e.id).min())
        .flatten();
    let title = ctx.t("admin-audit-title");
    Ok(page(
        &ctx,
        &me,
        &title,
        &errors,
        html! {
            form method="get" action="/admin/audit_log" class="card" {
                label for="kind" { (ctx.t("admin-audit-kind")) }
                p class="hint" id="kind-hint" { (ctx.t("admin-audit-kind-hint")) }
                input type="text" id="kind" name="kind" value=(kind) aria-describedby="kind-hint";
                label for="actor" { (ctx.t("admin-audit-actor")) }
                input type="text" id="actor" name="actor" value=(actor) autocapitalize="none" spellcheck="false";
                button type="submit" { (ctx.t("admin-filter")) }
            }
            (entries(&ctx, &rows, &names))
            @if let Some(older) = older {
                p { a href=(format!("/admin/audit_log?kind={}&actor={}&max_id={older}",
                    crate::form::encode_component(&kind), crate::form::encode_component(&actor))) { (ctx.t("admin-older")) } }
            }
        },
    ))
}

/// The accounts the entries name, by id.
pub(super) async fn names(ctx: &Ctx, rows: &[Entry]) -> Result<HashMap<i64, AccountRow>, WebError> {
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|e| [e.actor_id, e.target_account_id])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let found = ctx
        .state
        .db
        .run(move |c| kindred_db::models::social::find_accounts(c, &ids))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    Ok(found.into_iter().map(|a| (a.id, a)).collect())
}

/// Entries as a table.
pub(super) fn entries(ctx: &Ctx, rows: &[Entry], names: &HashMap<i64, AccountRow>) -> Markup {
    html! {
        @if rows.is_empty() {
            p class="muted" { (ctx.t("admin-audit-none")) }
        } @else {
            table class="audit-log" {
                caption { (ctx.t("admin-audit-title")) }
                thead { tr {
                    th scope="col" { (ctx.t("admin-audit-when")) }
                    th scope="col" { (ctx.t("admin-audit-who")) }
                    th scope="col" { (ctx.t("admin-audit-kind")) }
                    th scope="col" { (ctx.t("admin-audit-target")) }
                    th scope="col" { (ctx.t("admin-audit-change")) }
                } }
                tbody {
                    @for e in rows {
                        tr {
                            td { (when(ctx, e.created_at)) }
                            td {
                                @match e.actor_id.and_then(|i| names.get(&i)) {
                                    Some(a) => (super::account_link(a)),
                                    None => (e.actor),
                                }
                            }
                            td { code { (e.kind) } }
                            td {
                                @match e.target_account_id.and_then(|i| names.get(&i)) {
                                    Some(a) => (super::account_link(a)),
                                    None => (e.target.clone().unwrap_or_default()),
                                }
                                @if let Some(r) = e.report_id {
                                    " (" a href=(format!("/admin/reports/{r}")) { (ctx.t_args("admin-report-link", &[("id", r.to_string().into())])) } ")"
                                }
                            }
                            td {
                                @if let Some(o) = &e.old_value { del { (o) } " " }
                                @if let Some(n) = &e.new_value { ins { (n) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
