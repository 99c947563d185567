//! Accounts: the list with its filters (`/admin/accounts`), an account's page
//! (role, state, sign-up reason, history, reports) and its actions — the services
//! the admin accounts API calls (`services::moderation`, `services::erasure`). No
//! email address or IP appears: the admin API never shows them to anyone.

use actix_web::{web, HttpResponse};
use fluent_bundle::FluentValue;
use kindred_api::services::moderation::{
    self as service, AccountFilter, Acting, Actor, AdminView, AuditQuery,
};
use kindred_api::services::reports::{self as reports, ReportFilter};
use kindred_api::services::{erasure, ServiceError};
use kindred_db::models::statuses::Page;
use kindred_db::AccountRow;
use kindred_domain::moderation::{AccountAction, AccountUndo};
use kindred_domain::Role;
use maud::{html, Markup};
use serde::Deserialize;

use super::reports::{account_action_form, button};
use super::{checked_form, failed, handle, page, parse_id, query, refusal, staff, when};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::layout::csrf_field;

const PAGE_SIZE: i64 = 40;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    max_id: Option<String>,
}

/// `GET /admin/accounts?origin=local|remote&status=pending|active|suspended|silenced|disabled&username=`.
pub async fn index(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let q: ListQuery = query(&ctx);
    let origin = q.origin.clone().unwrap_or_default();
    let status = q.status.clone().unwrap_or_default();
    let username = q.username.clone().unwrap_or_default().trim().to_owned();
    let mut filter = AccountFilter {
        limit: PAGE_SIZE,
        max_id: q.max_id.as_deref().and_then(|s| s.trim().parse().ok()),
        username: (!username.is_empty()).then(|| username.trim_start_matches('@').to_owned()),
        ..Default::default()
    };
    match origin.as_str() {
        "local" => filter.local = Some(true),
        "remote" => filter.local = Some(false),
        _ => {}
    }
    match status.as_str() {
        "pending" => filter.pending = true,
        "active" => filter.active = true,
        "suspended" => filter.suspended = true,
        "silenced" => filter.silenced = true,
        "disabled" => filter.disabled = true,
        _ => {}
    }
    let views = service::list(&ctx.state, filter)
        .await
        .map_err(|e| failed(&ctx, e))?;
    let older = (views.len() as i64 >= PAGE_SIZE)
        .then(|| views.iter().map(|v| v.account.id).min())
        .flatten();
    let title = ctx.t("admin-accounts-title");
    Ok(page(
        &ctx,
        &me,
        &title,
        &[],
        html! {
            form method="get" action="/admin/accounts" class="card" {
                label for="origin" { (ctx.t("admin-accounts-origin")) }
                select id="origin" name="origin" {
                    @for (v, id) in [("", "admin-all"), ("local", "admin-accounts-local"), ("remote", "admin-accounts-remote")] {
                        option value=(v) selected[origin == v] { (ctx.t(id)) }
                    }
                }
                label for="status" { (ctx.t("admin-accounts-status")) }
                select id="status" name="status" {
                    @for v in ["", "pending", "active", "suspended", "silenced", "disabled"] {
                        option value=(v) selected[status == v] {
                            (if v.is_empty() { ctx.t("admin-all") } else { ctx.t(&format!("admin-state-{v}")) })
                        }
                    }
                }
                label for="username" { (ctx.t("admin-accounts-search")) }
                input type="search" id="username" name="username" value=(username);
                button type="submit" { (ctx.t("admin-filter")) }
            }
            @if views.is_empty() {
                p class="muted" { (ctx.t("admin-accounts-none")) }
            } @else {
                table {
                    caption { (ctx.t("admin-accounts-title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("admin-account-name")) }
                        th scope="col" { (ctx.t("admin-account-role")) }
                        th scope="col" { (ctx.t("admin-account-state")) }
                        th scope="col" { (ctx.t("admin-account-joined")) }
                    } }
                    tbody {
                        @for v in &views {
                            tr {
                                td { (super::account_link(&v.account)) }
                                td { (ctx.t(&format!("admin-role-{}", v.account.role.as_str()))) }
                                td { (states(&ctx, v).join(", ")) }
                                td { (crate::i18n::date(ctx.lang, v.account.created_at.date())) }
                            }
                        }
                    }
                }
            }
            @if let Some(older) = older {
                p { a href=(format!("/admin/accounts?origin={}&status={}&username={}&max_id={older}",
                    crate::form::encode_component(&origin), crate::form::encode_component(&status),
                    crate::form::encode_component(&username))) { (ctx.t("admin-older")) } }
            }
        },
    ))
}

/// The words for an account's state: pending, active, suspended, silenced, ...
fn states(ctx: &Ctx, v: &AdminView) -> Vec<String> {
    let mut out = Vec::new();
    if !v.account.approved {
        out.push(ctx.t("admin-state-pending"));
    }
    if v.account.suspended {
        out.push(ctx.t("admin-state-suspended"));
    }
    if v.state.silenced {
        out.push(ctx.t("admin-state-silenced"));
    }
    if v.state.disabled {
        out.push(ctx.t("admin-state-disabled"));
    }
    if v.state.sensitized {
        out.push(ctx.t("admin-state-sensitized"));
    }
    if out.is_empty() {
        out.push(ctx.t("admin-state-active"));
    }
    out
}

/// `GET /admin/accounts/:id`.
pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let id = parse_id(&ctx, &path)?;
    render(&ctx, &me, id, &[]).await
}

async fn render(
    ctx: &Ctx,
    me: &AccountRow,
    id: i64,
    errors: &[String],
) -> Result<HttpResponse, WebError> {
    let v = service::view(&ctx.state, id)
        .await
        .map_err(|e| failed(ctx, e))?;
    let history = service::audit_log(
        &ctx.state,
        AuditQuery {
            target_account_id: Some(id),
            limit: 40,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| failed(ctx, e))?;
    let window = || Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: 20,
    };
    // The same list the admin reports API gives for `target_account_id`: never
    // the reports about the moderator themselves.
    let (about, _) = reports::list(
        &ctx.state,
        me,
        ReportFilter {
            resolved: None,
            reporter_account_id: None,
            target_account_id: Some(id),
        },
        window(),
    )
    .await
    .map_err(|e| failed(ctx, e))?;
    let names = super::audit::names(ctx, &history).await?;
    let a = &v.account;
    let title = handle(a);
    let base = format!("/admin/accounts/{id}");
    Ok(page(
        ctx,
        me,
        &title,
        errors,
        html! {
            dl {
                @if !a.display_name.is_empty() {
                    dt { (ctx.t("admin-account-display-name")) }
                    dd { (a.display_name) }
                }
                dt { (ctx.t("admin-account-role")) }
                dd { (ctx.t(&format!("admin-role-{}", a.role.as_str()))) }
                dt { (ctx.t("admin-account-state")) }
                dd { (states(ctx, &v).join(", ")) }
                dt { (ctx.t("admin-account-joined")) }
                dd { (crate::i18n::date(ctx.lang, a.created_at.date())) }
                @if let Some(reason) = v.user.as_ref().and_then(|u| u.sign_up_reason.clone()) {
                    dt { (ctx.t("admin-account-reason")) }
                    dd { (reason) }
                }
            }
            @if a.is_local() && !a.approved {
                section aria-labelledby="sign-up" class="card" {
                    h2 id="sign-up" { (ctx.t("admin-sign-up-waiting")) }
                    (button(ctx, &format!("{base}/approve"), "admin-approve", ""))
                    " "
                    (button(ctx, &format!("{base}/reject"), "admin-reject", "danger"))
                }
            }
            section aria-labelledby="account-actions" {
                h2 id="account-actions" { (ctx.t("admin-account-actions")) }
                (undo_buttons(ctx, &v, &base))
                (account_action_form(ctx, &format!("{base}/action"), a, false))
                @if me.role.is_admin() && a.is_local() {
                    form method="post" action=(format!("{base}/role")) class="card" {
                        (csrf_field(&ctx.csrf_token))
                        h3 { (ctx.t("admin-role-heading")) }
                        label for="role" { (ctx.t("admin-account-role")) }
                        select id="role" name="role" {
                            @for r in ["member", "facilitator", "moderator", "admin"] {
                                option value=(r) selected[a.role.as_str() == r] { (ctx.t(&format!("admin-role-{r}"))) }
                            }
                        }
                        button type="submit" class="secondary" { (ctx.t("admin-role-submit")) }
                    }
                }
                @if a.is_local() && a.suspended {
                    form method="post" action=(format!("{base}/purge")) class="card" {
                        (csrf_field(&ctx.csrf_token))
                        h3 { (ctx.t("admin-purge-heading")) }
                        p class="hint" { (ctx.t("admin-purge-hint")) }
                        div class="check" {
                            input type="checkbox" id="purge-confirm" name="confirm" value="1" required;
                            label for="purge-confirm" { (ctx.t("admin-purge-confirm")) }
                        }
                        button type="submit" class="danger" { (ctx.t("admin-purge-submit")) }
                    }
                }
            }
            section aria-labelledby="account-reports" {
                h2 id="account-reports" { (ctx.t("admin-account-reports")) }
                @if about.is_empty() {
                    p class="muted" { (ctx.t("admin-none")) }
                } @else {
                    ul {
                        @for r in &about {
                            li {
                                a href=(format!("/admin/reports/{}", r.seen.report.id)) {
                                    (ctx.t_args("admin-report-link", &[("id", FluentValue::from(r.seen.report.id.to_string()))]))
                                }
                                " – " (when(ctx, r.seen.report.created_at)) " – "
                                (if r.seen.report.resolved() { ctx.t("admin-report-is-resolved") } else { ctx.t("admin-report-is-open") })
                            }
                        }
                    }
                }
            }
            section aria-labelledby="account-history" {
                h2 id="account-history" { (ctx.t("admin-account-history")) }
                (super::audit::entries(ctx, &history, &names))
            }
        },
    ))
}

fn undo_buttons(ctx: &Ctx, v: &AdminView, base: &str) -> Markup {
    html! {
        @if v.account.suspended || v.state.silenced || v.state.disabled || v.state.sensitized {
            div class="actions" {
                @if v.account.suspended { (button(ctx, &format!("{base}/unsuspend"), "admin-undo-unsuspend", "secondary")) " " }
                @if v.state.silenced { (button(ctx, &format!("{base}/unsilence"), "admin-undo-unsilence", "secondary")) " " }
                @if v.state.disabled { (button(ctx, &format!("{base}/enable"), "admin-undo-enable", "secondary")) " " }
                @if v.state.sensitized { (button(ctx, &format!("{base}/unsensitive"), "admin-undo-unsensitive", "secondary")) }
            }
        }
    }
}

/// `POST /admin/accounts/:id/{action,approve,reject,unsuspend,unsilence,enable,unsensitive,role,purge}`.
pub async fn act(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let (raw, verb) = path.into_inner();
    let id = parse_id(&ctx, &raw)?;
    let acting = |text: String| Acting {
        actor: Actor::Account(me.id),
        role: me.role.person(),
        report_id: None,
        text,
    };
    let back = format!("/admin/accounts/{id}");
    let outcome: Result<String, ServiceError> = match verb.as_str() {
        "action" => match AccountAction::parse(f.get("type").unwrap_or("none")) {
            Ok(action) => service::act(
                &ctx.state,
                acting(f.get("text").unwrap_or_default().to_owned()),
                id,
                action,
            )
            .await
            .map(|_| back.clone()),
            Err(e) => Err(e.into()),
        },
        "approve" => service::decide_sign_up(&ctx.state, Actor::Account(me.id), id, true)
            .await
            .map(|_| back.clone()),
        // The rejected sign-up is deleted: back to the list of those waiting.
        "reject" => service::decide_sign_up(&ctx.state, Actor::Account(me.id), id, false)
            .await
            .map(|_| "/admin/sign_ups".to_owned()),
        "unsuspend" | "unsilence" | "enable" | "unsensitive" => {
            let undo = match verb.as_str() {
                "unsuspend" => AccountUndo::Unsuspend,
                "unsilence" => AccountUndo::Unsilence,
                "enable" => AccountUndo::Enable,
                _ => AccountUndo::Unsensitive,
            };
            service::undo(&ctx.state, acting(String::new()), id, undo)
                .await
                .map(|_| back.clone())
        }
        "role" => {
            // Admins only, as `PUT /api/v1/admin/kindred/accounts/:id/role`.
            if !me.role.is_admin() {
                return Err(ctx.error(WebErrorKind::Forbidden));
            }
            match Role::parse(&f.text("role")) {
                Ok(role) => service::set_role(&ctx.state, Actor::Account(me.id), id, role)
                    .await
                    .map(|_| back.clone()),
                Err(e) => Err(e.into()),
            }
        }
        "purge" => {
            if !f.ticked("confirm") {
                return render(&ctx, &me, id, &[ctx.t("admin-purge-unconfirmed")]).await;
            }
            erasure::purge_suspended(&ctx.state, &me, id)
                .await
                .map(|_| "/admin/accounts".to_owned())
        }
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match outcome {
        // From the sign-ups list, back to it.
        Ok(_) if f.get("next") == Some("/admin/sign_ups") => Ok(ctx.redirect("/admin/sign_ups")),
        Ok(to) => Ok(ctx.redirect(&to)),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            render(&ctx, &me, id, &[msg]).await
        }
    }
}
