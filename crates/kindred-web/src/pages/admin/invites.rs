//! Sign-ups waiting for approval (`/admin/sign_ups`) and invite codes
//! (`/admin/invites`: create with an expiry and a number of uses, list, revoke).
//! A new code is shown once, on the page that answers its creation; only its hash
//! is stored.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use fluent_bundle::FluentValue;
use kindred_api::services::accounts as account_service;
use kindred_api::services::moderation::{self, AccountFilter};
use kindred_db::AccountRow;
use maud::html;

use super::reports::button;
use super::{checked_form, failed, page, parse_id, refusal, staff, when};
use crate::context::{Ctx, WebError};
use crate::layout::csrf_field;

/// `GET /admin/sign_ups`: local accounts waiting for approval, oldest first.
pub async fn sign_ups(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let mut views = moderation::list(
        &ctx.state,
        AccountFilter {
            local: Some(true),
            pending: true,
            limit: 200,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| failed(&ctx, e))?;
    views.reverse();
    let title = ctx.t("admin-sign-ups-title");
    Ok(page(
        &ctx,
        &me,
        &title,
        &[],
        html! {
            @if views.is_empty() {
                p class="muted" { (ctx.t("admin-sign-ups-none")) }
            }
            ul class="plain" {
                @for v in &views {
                    @let base = format!("/admin/accounts/{}", v.account.id);
                    li class="card" {
                        h2 { (super::account_link(&v.account)) }
                        p class="muted" { (when(&ctx, v.account.created_at)) }
                        @if let Some(reason) = v.user.as_ref().and_then(|u| u.sign_up_reason.clone()) {
                            p { strong { (ctx.t("admin-account-reason")) ": " } (reason) }
                        }
                        form method="post" action=(format!("{base}/approve")) class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            input type="hidden" name="next" value="/admin/sign_ups";
                            button type="submit" { (ctx.t_args("admin-approve-named", &[("name", FluentValue::from(super::handle(&v.account)))])) }
                        }
                        " "
                        form method="post" action=(format!("{base}/reject")) class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            button type="submit" class="danger" { (ctx.t_args("admin-reject-named", &[("name", FluentValue::from(super::handle(&v.account)))])) }
                        }
                    }
                }
            }
        },
    ))
}

/// `GET /admin/invites`.
pub async fn index(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    render(&ctx, &me, None, &[], ("", "")).await
}

async fn render(
    ctx: &Ctx,
    me: &AccountRow,
    new_code: Option<&str>,
    errors: &[String],
    typed: (&str, &str),
) -> Result<HttpResponse, WebError> {
    let rows = account_service::invites(&ctx.state)
        .await
        .map_err(|e| failed(ctx, e))?;
    let now = Utc::now().naive_utc();
    let title = ctx.t("admin-invites-title");
    Ok(page(
        ctx,
        me,
        &title,
        errors,
        html! {
            @if let Some(code) = new_code {
                div class="notice" role="status" {
                    p { (ctx.t("admin-invite-created")) }
                    p { code class="invite-code" { (code) } }
                    p class="hint" { (ctx.t("admin-invite-once")) }
                }
            }
            form method="post" action="/admin/invites" class="card" {
                (csrf_field(&ctx.csrf_token))
                h2 { (ctx.t("admin-invite-new")) }
                label for="max_uses" { (ctx.t("admin-invite-max-uses")) }
                p class="hint" id="max-uses-hint" { (ctx.t("admin-invite-max-uses-hint")) }
                input type="number" id="max_uses" name="max_uses" min="1" max="1000" value=(typed.0) aria-describedby="max-uses-hint";
                label for="expires_days" { (ctx.t("admin-invite-expires")) }
                p class="hint" id="expires-hint" { (ctx.t("admin-invite-expires-hint")) }
                input type="number" id="expires_days" name="expires_days" min="1" max="365" value=(typed.1) aria-describedby="expires-hint";
                button type="submit" { (ctx.t("admin-invite-create")) }
            }
            h2 { (ctx.t("admin-invites-list")) }
            @if rows.is_empty() {
                p class="muted" { (ctx.t("admin-none")) }
            } @else {
                table {
                    caption { (ctx.t("admin-invites-list")) }
                    thead { tr {
                        th scope="col" { (ctx.t("admin-invite-made")) }
                        th scope="col" { (ctx.t("admin-invite-uses")) }
                        th scope="col" { (ctx.t("admin-invite-expiry")) }
                        th scope="col" { (ctx.t("admin-invite-state")) }
                    } }
                    tbody {
                        @for i in &rows {
                            tr {
                                td { (when(ctx, i.created_at)) }
                                td { (i.uses) " / " @match i.max_uses { Some(m) => (m), None => "∞" } }
                                td { @match i.expires_at { Some(t) => (when(ctx, t)), None => (ctx.t("admin-invite-never")) } }
                                td {
                                    @if i.usable(now) {
                                        (ctx.t("admin-invite-usable")) " "
                                        (button(ctx, &format!("/admin/invites/{}/revoke", i.id), "admin-invite-revoke", "danger"))
                                    } @else {
                                        (ctx.t("admin-invite-ended"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `POST /admin/invites` (fields `max_uses`, `expires_days`; both optional).
pub async fn create(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let (uses_raw, days_raw) = (f.text("max_uses"), f.text("expires_days"));
    let mut errors = Vec::new();
    let max_uses = match uses_raw.as_str() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(n) if (1..=1000).contains(&n) => Some(n),
            _ => {
                errors.push(ctx.t("admin-invite-bad-uses"));
                None
            }
        },
    };
    let expires = match days_raw.as_str() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=365).contains(&n) => Some(chrono::Duration::days(n)),
            _ => {
                errors.push(ctx.t("admin-invite-bad-days"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return render(&ctx, &me, None, &errors, (&uses_raw, &days_raw)).await;
    }
    match account_service::create_invite(&ctx.state, Some(me.id), max_uses, expires).await {
        // Shown once, on this answer; reloading it does not make another.
        Ok(code) => render(&ctx, &me, Some(&code), &[], ("", "")).await,
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            render(&ctx, &me, None, &[msg], (&uses_raw, &days_raw)).await
        }
    }
}

/// `POST /admin/invites/:id/revoke`.
pub async fn revoke(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let _me = staff(&ctx)?;
    checked_form(&ctx, &body)?;
    let id = parse_id(&ctx, &path)?;
    account_service::revoke_invite(&ctx.state, id)
        .await
        .map_err(|e| failed(&ctx, e))?;
    Ok(ctx.redirect("/admin/invites"))
}
