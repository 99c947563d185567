//! Reports: the queue (`/admin/reports`, open or resolved), a report's page and
//! the moderators' steps on it — assign, resolve, reopen, category and rules, the
//! reported account's moderation and the removal of a reported post — through the
//! services the admin reports API calls (`services::reports`, `services::moderation`).

use actix_web::{web, HttpResponse};
use fluent_bundle::FluentValue;
use kindred_api::services::moderation::{self, Acting, Actor};
use kindred_api::services::reports::{self as service, FullReport, ModeratorStep, ReportFilter};
use kindred_db::models::statuses::Page;
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::moderation::AccountAction;
use kindred_domain::reports::{Category, RuleIds};
use maud::{html, Markup};
use serde::Deserialize;

use super::{account_link, checked_form, failed, page, parse_id, query, refusal, staff, when};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::layout::csrf_field;

const PAGE_SIZE: i64 = 40;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default)]
    max_id: Option<String>,
}

/// `GET /admin/reports?resolved=1`: newest first, open ones unless asked.
pub async fn index(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let q: ListQuery = query(&ctx);
    let resolved = q.resolved.as_deref() == Some("1");
    let max_id = q.max_id.as_deref().and_then(|s| s.trim().parse().ok());
    let filter = ReportFilter {
        resolved: Some(resolved),
        reporter_account_id: None,
        target_account_id: None,
    };
    let window = Page {
        max_id,
        since_id: None,
        min_id: None,
        limit: PAGE_SIZE,
    };
    let (reports, ids) = service::list(&ctx.state, &me, filter, window)
        .await
        .map_err(|e| failed(&ctx, e))?;
    let older = (ids.len() as i64 >= PAGE_SIZE)
        .then(|| ids.iter().min().copied())
        .flatten();
    let title = ctx.t("admin-reports-title");
    Ok(page(
        &ctx,
        &me,
        &title,
        &[],
        html! {
            p {
                @if resolved {
                    a href="/admin/reports" { (ctx.t("admin-reports-show-open")) }
                } @else {
                    a href="/admin/reports?resolved=1" { (ctx.t("admin-reports-show-resolved")) }
                }
            }
            @if reports.is_empty() {
                p class="muted" { (ctx.t("admin-reports-none")) }
            } @else {
                table {
                    caption { (if resolved { ctx.t("admin-reports-resolved") } else { ctx.t("admin-reports-open") }) }
                    thead { tr {
                        th scope="col" { (ctx.t("admin-report-number")) }
                        th scope="col" { (ctx.t("admin-report-target")) }
                        th scope="col" { (ctx.t("admin-report-category")) }
                        th scope="col" { (ctx.t("admin-report-filed")) }
                        th scope="col" { (ctx.t("admin-report-assigned")) }
                    } }
                    tbody {
                        @for r in &reports { (row(&ctx, r)) }
                    }
                }
            }
            @if let Some(older) = older {
                p { a href=(format!("/admin/reports?resolved={}&max_id={older}", u8::from(resolved))) { (ctx.t("admin-older")) } }
            }
        },
    ))
}

fn row(ctx: &Ctx, full: &FullReport) -> Markup {
    let r = &full.seen.report;
    let target = r.target_account_id.and_then(|t| full.accounts.get(&t));
    let assigned = r.assigned_account_id.and_then(|a| full.accounts.get(&a));
    html! {
        tr {
            td { a href=(format!("/admin/reports/{}", r.id)) {
                (ctx.t_args("admin-report-link", &[("id", FluentValue::from(r.id.to_string()))]))
            } }
            td { @if let Some(t) = target { (super::handle(t)) } }
            td { (category_text(ctx, r.category)) }
            td { (when(ctx, r.created_at)) }
            td { @match assigned { Some(a) => (super::handle(a)), None => span class="muted" { (ctx.t("admin-nobody")) } } }
        }
    }
}

fn category_text(ctx: &Ctx, c: Category) -> String {
    ctx.t(&format!("admin-category-{}", c.as_str()))
}

/// `GET /admin/reports/:id`.
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
    let full = service::show(&ctx.state, me, id)
        .await
        .map_err(|e| failed(ctx, e))?;
    let title = ctx.t_args(
        "admin-report-title",
        &[("id", FluentValue::from(id.to_string()))],
    );
    Ok(page(ctx, me, &title, errors, report_body(ctx, &full)))
}

fn named(full: &FullReport, id: Option<i64>) -> Option<&AccountRow> {
    id.and_then(|i| full.accounts.get(&i))
}

fn report_body(ctx: &Ctx, full: &FullReport) -> Markup {
    let r = &full.seen.report;
    let rules = &ctx.state.instance.rules;
    let rule_ids = RuleIds::from_stored(&r.rule_ids);
    let action = format!("/admin/reports/{}", r.id);
    let target = r.target_account_id.and_then(|t| full.accounts.get(&t));
    html! {
        dl {
            dt { (ctx.t("admin-report-reporter")) }
            dd {
                @if let Some(domain) = &r.reporter_domain {
                    (ctx.t_args("admin-report-from-server", &[("domain", FluentValue::from(domain.clone()))]))
                } @else if let Some(a) = named(full, r.reporter_account_id) {
                    (account_link(a))
                }
            }
            dt { (ctx.t("admin-report-target")) }
            dd { @if let Some(t) = target { (account_link(t)) } }
            dt { (ctx.t("admin-report-filed")) }
            dd { (when(ctx, r.created_at)) }
            dt { (ctx.t("admin-report-status")) }
            dd {
                @if r.resolved() {
                    (ctx.t("admin-report-is-resolved"))
                    @if let Some(by) = named(full, r.action_taken_by_account_id) { " (" (super::handle(by)) ")" }
                } @else {
                    (ctx.t("admin-report-is-open"))
                }
            }
            dt { (ctx.t("admin-report-assigned")) }
            dd { @match named(full, r.assigned_account_id) { Some(a) => (super::handle(a)), None => (ctx.t("admin-nobody")) } }
            dt { (ctx.t("admin-report-category")) }
            dd { (category_text(ctx, r.category)) }
            @if !rule_ids.is_empty() {
                dt { (ctx.t("admin-report-rules")) }
                dd { ul { @for i in rule_ids.ids() {
                    li { (i) ". " (rules.get((*i as usize).saturating_sub(1)).cloned().unwrap_or_default()) }
                } } }
            }
            dt { (ctx.t("admin-report-comment")) }
            dd { @if r.comment.is_empty() { span class="muted" { (ctx.t("admin-none")) } } @else { (r.comment) } }
            @if r.forwarded {
                dt { (ctx.t("admin-report-forwarded")) }
                dd { (ctx.t("admin-yes")) }
            }
        }

        section aria-labelledby="reported-posts" {
            h2 id="reported-posts" { (ctx.t("admin-report-posts")) }
            @if full.statuses.is_empty() {
                p class="muted" { (ctx.t("admin-report-no-posts")) }
            }
            @for s in &full.statuses { (status_card(ctx, r.id, s)) }
        }

        section aria-labelledby="report-steps" {
            h2 id="report-steps" { (ctx.t("admin-report-steps")) }
            div class="actions" {
                @if r.assigned_account_id.is_some() {
                    (button(ctx, &format!("{action}/unassign"), "admin-report-unassign", "secondary"))
                } @else {
                    (button(ctx, &format!("{action}/assign_to_self"), "admin-report-assign", "secondary"))
                }
                @if r.resolved() {
                    (button(ctx, &format!("{action}/reopen"), "admin-report-reopen", "secondary"))
                } @else {
                    (button(ctx, &format!("{action}/resolve"), "admin-report-resolve", ""))
                }
            }
            form method="post" action=(format!("{action}/update")) class="card" {
                (csrf_field(&ctx.csrf_token))
                h3 { (ctx.t("admin-report-classify")) }
                label for="category" { (ctx.t("admin-report-category")) }
                select id="category" name="category" {
                    @for c in ["spam", "legal", "violation", "other"] {
                        option value=(c) selected[r.category.as_str() == c] { (ctx.t(&format!("admin-category-{c}"))) }
                    }
                }
                @if !rules.is_empty() {
                    fieldset {
                        legend { (ctx.t("admin-report-rules")) }
                        @for (i, rule) in rules.iter().enumerate() {
                            @let n = (i + 1) as u32;
                            div class="check" {
                                input type="checkbox" id=(format!("rule-{n}")) name="rule_ids" value=(n)
                                    checked[rule_ids.ids().contains(&n)];
                                label for=(format!("rule-{n}")) { (n) ". " (rule) }
                            }
                        }
                    }
                }
                button type="submit" class="secondary" { (ctx.t("admin-save")) }
            }
            @if let Some(t) = target {
                (account_action_form(ctx, &format!("{action}/account_action"), t, true))
            }
        }

        section aria-labelledby="report-history" {
            h2 id="report-history" { (ctx.t("admin-report-history")) }
            @if full.seen.actions.is_empty() {
                p class="muted" { (ctx.t("admin-none")) }
            } @else {
                ol {
                    @for a in &full.seen.actions {
                        li {
                            (when(ctx, a.created_at)) ": "
                            (ctx.t(&format!("admin-step-{}", a.kind.as_str())))
                            @if let Some(by) = named(full, a.account_id) { " – " (super::handle(by)) }
                            @if let Some(g) = a.group_id.and_then(|g| full.accounts.get(&g)) { " (" (super::handle(g)) ")" }
                            @if !a.note.is_empty() { " – " (a.note) }
                        }
                    }
                }
            }
            @if !full.seen.groups.is_empty() {
                h3 { (ctx.t("admin-report-groups")) }
                ul {
                    @for g in &full.seen.groups {
                        li {
                            @match full.accounts.get(&g.group_id) { Some(a) => (super::handle(a)), None => (g.group_id) }
                            " – "
                            @if g.done_at.is_some() { (ctx.t("admin-report-group-done")) } @else { (ctx.t("admin-report-group-waiting")) }
                        }
                    }
                }
            }
        }
    }
}

/// A one-button form.
pub(super) fn button(ctx: &Ctx, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form method="post" action=(action) class="inline" {
            (csrf_field(&ctx.csrf_token))
            button type="submit" class=(class) { (ctx.t(label)) }
        }
    }
}

/// A post as moderators read it: its warning and its words as plain text.
fn status_card(ctx: &Ctx, report_id: i64, s: &StatusRow) -> Markup {
    let text = if s.text.is_empty() {
        strip_tags(&s.content)
    } else {
        s.text.clone()
    };
    html! {
        article class="card" {
            p class="muted" { (when(ctx, s.created_at)) " · " (ctx.t(&format!("admin-visibility-{}", s.visibility.as_str()))) }
            @if !s.spoiler_text.is_empty() { p { strong { (ctx.t("admin-post-warning")) " " } (s.spoiler_text) } }
            p { (text) }
            form method="post" action=(format!("/admin/reports/{report_id}/remove_status")) class="inline" {
                (csrf_field(&ctx.csrf_token))
                input type="hidden" name="status_id" value=(s.id);
                button type="submit" class="danger" { (ctx.t("admin-report-remove-post")) }
            }
        }
    }
}

/// Text of stored HTML, for reading (maud escapes it again).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The account actions (warn, sensitive, disable, silence, suspend) with the
/// warning's text; from a report, optionally resolving it as well.
pub(super) fn account_action_form(
    ctx: &Ctx,
    action: &str,
    target: &AccountRow,
    from_report: bool,
) -> Markup {
    html! {
        form method="post" action=(action) class="card" {
            (csrf_field(&ctx.csrf_token))
            h3 { (ctx.t_args("admin-action-heading", &[("name", FluentValue::from(super::handle(target)))])) }
            fieldset {
                legend { (ctx.t("admin-action-type")) }
                @for kind in ["none", "sensitive", "disable", "silence", "suspend"] {
                    @let applies = AccountAction::parse(kind).is_ok_and(|a| a.applies_to(target.is_local()));
                    @if applies {
                        div class="check" {
                            input type="radio" id=(format!("action-{kind}")) name="type" value=(kind) checked[kind == "none"];
                            label for=(format!("action-{kind}")) { (ctx.t(&format!("admin-action-{kind}"))) }
                        }
                    }
                }
            }
            label for="action-text" { (ctx.t("admin-action-text")) }
            p class="hint" id="action-text-hint" { (ctx.t("admin-action-text-hint")) }
            textarea id="action-text" name="text" rows="3" aria-describedby="action-text-hint" {}
            @if from_report {
                div class="check" {
                    input type="checkbox" id="also-resolve" name="resolve" value="1" checked;
                    label for="also-resolve" { (ctx.t("admin-action-resolve-too")) }
                }
            }
            button type="submit" class="danger" { (ctx.t("admin-action-submit")) }
        }
    }
}

/// `POST /admin/reports/:id/{assign_to_self,unassign,resolve,reopen,update,account_action,remove_status}`.
pub async fn act(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let (raw, verb) = path.into_inner();
    let id = parse_id(&ctx, &raw)?;
    let back = format!("/admin/reports/{id}");
    let step = match verb.as_str() {
        "assign_to_self" => Some(ModeratorStep::AssignToSelf),
        "unassign" => Some(ModeratorStep::Unassign),
        "resolve" => Some(ModeratorStep::Resolve),
        "reopen" => Some(ModeratorStep::Reopen),
        "update" => Some(ModeratorStep::Update {
            category: Some(f.text("category")),
            rule_ids: Some(f.all("rule_ids")),
        }),
        "account_action" | "remove_status" => None,
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    let outcome = match (step, verb.as_str()) {
        (Some(step), _) => service::act(&ctx.state, &me, id, step).await.map(|_| ()),
        (None, "remove_status") => {
            let Ok(status_id) = f.text("status_id").parse::<i64>() else {
                return render(&ctx, &me, id, &[ctx.t("admin-error-no-post")]).await;
            };
            service::remove_status(&ctx.state, &me, status_id, Some(id))
                .await
                .map(|_| ())
        }
        _ => account_action(&ctx, &me, id, &f).await,
    };
    match outcome {
        Ok(()) => Ok(ctx.redirect(&back)),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            render(&ctx, &me, id, &[msg]).await
        }
    }
}

/// The reported account's moderation from its report (the report is shown first,
/// so a moderator never acts through a report they may not see).
async fn account_action(
    ctx: &Ctx,
    me: &AccountRow,
    report_id: i64,
    f: &super::Fields,
) -> Result<(), kindred_api::services::ServiceError> {
    let full = service::show(&ctx.state, me, report_id).await?;
    let action = AccountAction::parse(f.get("type").unwrap_or("none"))?;
    let acting = Acting {
        actor: Actor::Account(me.id),
        role: me.role.person(),
        report_id: Some(report_id),
        text: f.get("text").unwrap_or_default().to_owned(),
    };
    // An erased member's report keeps its decision; there is no one left to act on.
    let target = full
        .seen
        .report
        .target_account_id
        .ok_or(kindred_api::services::ServiceError::NotFound)?;
    moderation::act(&ctx.state, acting, target, action).await?;
    if f.ticked("resolve") && !full.seen.report.resolved() {
        service::act(&ctx.state, me, report_id, ModeratorStep::Resolve).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::strip_tags;

    #[test]
    fn stored_html_reads_as_text() {
        assert_eq!(
            strip_tags("<p>Hello <a href=\"x\">@river</a></p><p>a &amp; b &lt;3</p>"),
            "Hello @river a & b <3"
        );
        assert_eq!(strip_tags("plain"), "plain");
    }
}
