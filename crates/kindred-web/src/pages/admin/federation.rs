//! Federation (`/admin/federation`, admins only as in the API): the mode (open or
//! allow-list), domain blocks with their severity, media and report refusal,
//! comments and obfuscation, partners with the kinds of traffic allowed, and the
//! meeting directory's subscriptions — `services::federation_policy` and
//! `services::meeting_directory`, as `handlers/domain_policy.rs` and
//! `handlers/meeting_directory.rs` call them.

use actix_web::{web, HttpResponse};
use kindred_api::services::federation_policy::{self as policy, BlockRequest};
use kindred_api::services::{meeting_directory, ServiceError};
use kindred_db::AccountRow;
use kindred_domain::federation_policy::{Mode, Traffic, TrafficScope};
use maud::html;

use super::reports::button;
use super::{admin, checked_form, failed, page, refusal, when, Fields};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::layout::csrf_field;

/// The audit log's actor, as the API writes it.
fn actor(me: &AccountRow) -> String {
    format!("admin:{}", me.username)
}

/// `GET /admin/federation`.
pub async fn show(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = admin(&ctx)?;
    render(&ctx, &me, &[], None).await
}

async fn render(
    ctx: &Ctx,
    me: &AccountRow,
    errors: &[String],
    typed: Option<&Fields>,
) -> Result<HttpResponse, WebError> {
    let state = &ctx.state;
    let mode = policy::mode(state).await.map_err(|e| failed(ctx, e))?;
    let blocks = policy::blocks(state).await.map_err(|e| failed(ctx, e))?;
    let allows = policy::allows(state).await.map_err(|e| failed(ctx, e))?;
    let directory = meeting_directory::list(state)
        .await
        .map_err(|e| failed(ctx, e))?;
    let t = |name: &str| typed.map(|f| f.text(name)).unwrap_or_default();
    let title = ctx.t("admin-federation-title");
    Ok(page(
        ctx,
        me,
        &title,
        errors,
        html! {
            section aria-labelledby="fed-mode" class="card" {
                h2 id="fed-mode" { (ctx.t("admin-fed-mode")) }
                form method="post" action="/admin/federation/mode" {
                    (csrf_field(&ctx.csrf_token))
                    fieldset {
                        legend { (ctx.t("admin-fed-mode")) }
                        @for (m, v) in [(Mode::Open, "open"), (Mode::Allowlist, "allowlist")] {
                            div class="check" {
                                input type="radio" id=(format!("mode-{v}")) name="mode" value=(v) checked[mode == m];
                                label for=(format!("mode-{v}")) { (ctx.t(&format!("admin-fed-mode-{v}"))) }
                            }
                        }
                    }
                    button type="submit" class="secondary" { (ctx.t("admin-save")) }
                }
            }

            section aria-labelledby="fed-blocks" {
                h2 id="fed-blocks" { (ctx.t("admin-fed-blocks")) }
                @if blocks.is_empty() { p class="muted" { (ctx.t("admin-none")) } }
                ul class="plain" {
                    @for b in &blocks {
                        li class="card" {
                            h3 { (b.domain) }
                            p {
                                (ctx.t(&format!("admin-fed-severity-{}", b.severity)))
                                @if b.reject_media { " · " (ctx.t("admin-fed-reject-media")) }
                                @if b.reject_reports { " · " (ctx.t("admin-fed-reject-reports")) }
                                @if b.obfuscate { " · " (ctx.t("admin-fed-obfuscate")) }
                            }
                            @if let Some(c) = &b.public_comment { p { strong { (ctx.t("admin-fed-public-comment")) ": " } (c) } }
                            @if let Some(c) = &b.private_comment { p { strong { (ctx.t("admin-fed-private-comment")) ": " } (c) } }
                            p class="muted" { (when(ctx, b.updated_at)) }
                            (button(ctx, &format!("/admin/federation/unblock?id={}", b.id), "admin-fed-unblock", "secondary"))
                        }
                    }
                }
                form method="post" action="/admin/federation/block" class="card" {
                    (csrf_field(&ctx.csrf_token))
                    h3 { (ctx.t("admin-fed-block-new")) }
                    label for="block-domain" { (ctx.t("admin-fed-domain")) }
                    input type="text" id="block-domain" name="domain" value=(t("domain")) required autocapitalize="none" spellcheck="false";
                    label for="severity" { (ctx.t("admin-fed-severity")) }
                    select id="severity" name="severity" {
                        @for s in ["suspend", "silence", "noop"] {
                            option value=(s) selected[t("severity") == s] { (ctx.t(&format!("admin-fed-severity-{s}"))) }
                        }
                    }
                    @for (name, label) in [("reject_media", "admin-fed-reject-media"), ("reject_reports", "admin-fed-reject-reports"), ("obfuscate", "admin-fed-obfuscate")] {
                        div class="check" {
                            input type="checkbox" id=(format!("block-{name}")) name=(name) value="1" checked[typed.is_some_and(|f| f.ticked(name))];
                            label for=(format!("block-{name}")) { (ctx.t(label)) }
                        }
                    }
                    label for="public_comment" { (ctx.t("admin-fed-public-comment")) }
                    p class="hint" id="public-comment-hint" { (ctx.t("admin-fed-public-comment-hint")) }
                    textarea id="public_comment" name="public_comment" rows="2" aria-describedby="public-comment-hint" { (t("public_comment")) }
                    label for="private_comment" { (ctx.t("admin-fed-private-comment")) }
                    p class="hint" id="private-comment-hint" { (ctx.t("admin-fed-private-comment-hint")) }
                    textarea id="private_comment" name="private_comment" rows="2" aria-describedby="private-comment-hint" { (t("private_comment")) }
                    button type="submit" class="danger" { (ctx.t("admin-fed-block-submit")) }
                }
            }

            section aria-labelledby="fed-partners" {
                h2 id="fed-partners" { (ctx.t("admin-fed-partners")) }
                p class="hint" { (ctx.t("admin-fed-partners-hint")) }
                @if allows.is_empty() { p class="muted" { (ctx.t("admin-none")) } }
                ul class="plain" {
                    @for a in &allows {
                        li class="card" {
                            h3 { (a.domain) }
                            p { (scope_words(ctx, &a.scopes)) }
                            (button(ctx, &format!("/admin/federation/disallow?id={}", a.id), "admin-fed-partner-remove", "secondary"))
                        }
                    }
                }
                form method="post" action="/admin/federation/allow" class="card" {
                    (csrf_field(&ctx.csrf_token))
                    h3 { (ctx.t("admin-fed-partner-new")) }
                    label for="allow-domain" { (ctx.t("admin-fed-domain")) }
                    input type="text" id="allow-domain" name="domain" value=(if typed.is_some_and(|f| f.get("scopes").is_some() || f.get("partner").is_some()) { t("domain") } else { String::new() })
                        required autocapitalize="none" spellcheck="false";
                    input type="hidden" name="partner" value="1";
                    fieldset {
                        legend { (ctx.t("admin-fed-scopes")) }
                        @for k in Traffic::ALL {
                            div class="check" {
                                input type="checkbox" id=(format!("scope-{}", k.as_str())) name="scopes" value=(k.as_str())
                                    checked[typed.is_none_or(|f| f.all("scopes").iter().any(|s| s == k.as_str()))];
                                label for=(format!("scope-{}", k.as_str())) { (ctx.t(&format!("admin-fed-scope-{}", k.as_str()))) }
                            }
                        }
                    }
                    button type="submit" { (ctx.t("admin-fed-partner-submit")) }
                }
            }

            section aria-labelledby="fed-directory" {
                h2 id="fed-directory" { (ctx.t("admin-fed-directory")) }
                p class="hint" { (ctx.t("admin-fed-directory-hint")) }
                @if directory.subscriptions.is_empty() { p class="muted" { (ctx.t("admin-none")) } }
                ul class="plain" {
                    @for s in &directory.subscriptions {
                        li class="card" {
                            h3 { (s.domain) }
                            p { (ctx.t(&format!("admin-fed-sub-{}", s.state))) }
                            (button(ctx, &format!("/admin/federation/unsubscribe?domain={}", crate::form::encode_component(&s.domain)), "admin-fed-unsubscribe", "secondary"))
                        }
                    }
                }
                @if !directory.subscribers.is_empty() {
                    h3 { (ctx.t("admin-fed-subscribers")) }
                    ul { @for (_, domain) in &directory.subscribers { li { (domain) } } }
                }
                form method="post" action="/admin/federation/subscribe" class="card" {
                    (csrf_field(&ctx.csrf_token))
                    label for="directory-domain" { (ctx.t("admin-fed-domain")) }
                    input type="text" id="directory-domain" name="domain" required autocapitalize="none" spellcheck="false";
                    button type="submit" { (ctx.t("admin-fed-subscribe")) }
                }
            }
        },
    ))
}

/// The allowed kinds of traffic, in words.
fn scope_words(ctx: &Ctx, stored: &str) -> String {
    match TrafficScope::parse(stored) {
        Ok(s) => s
            .kinds()
            .into_iter()
            .map(|k| ctx.t(&format!("admin-fed-scope-{}", k.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => stored.to_owned(),
    }
}

#[derive(serde::Deserialize, Default)]
struct Which {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

/// `POST /admin/federation/{mode,block,unblock,allow,disallow,subscribe,unsubscribe}`.
pub async fn act(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = admin(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let who = actor(&me);
    let which: Which = super::query(&ctx);
    let id = || {
        which
            .id
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    let state = &ctx.state;
    let outcome: Result<(), ServiceError> = match path.as_str() {
        "mode" => policy::set_mode(state, &who, &f.text("mode"))
            .await
            .map(|_| ()),
        "block" => {
            let request = BlockRequest {
                domain: f.text("domain"),
                severity: Some(f.text("severity")),
                reject_media: f.ticked("reject_media"),
                reject_reports: f.ticked("reject_reports"),
                private_comment: Some(f.text("private_comment")),
                public_comment: Some(f.text("public_comment")),
                obfuscate: f.ticked("obfuscate"),
            };
            policy::block(state, &who, request).await.map(|_| ())
        }
        "unblock" => match id() {
            Some(id) => policy::unblock(state, &who, id).await.map(|_| ()),
            None => Err(ServiceError::NotFound),
        },
        "allow" => {
            let scopes = f.all("scopes");
            if scopes.is_empty() {
                // No box ticked would read as "everything": ask instead.
                let msg = ctx.t("admin-fed-no-scope");
                return render(&ctx, &me, &[msg], Some(&f)).await;
            }
            policy::allow(state, &who, &f.text("domain"), Some(&scopes.join(",")))
                .await
                .map(|_| ())
        }
        "disallow" => match id() {
            Some(id) => policy::disallow(state, &who, id).await.map(|_| ()),
            None => Err(ServiceError::NotFound),
        },
        "subscribe" => meeting_directory::subscribe(state, &who, &f.text("domain"))
            .await
            .map(|_| ()),
        "unsubscribe" => {
            let domain = which.domain.clone().unwrap_or_default();
            meeting_directory::unsubscribe(state, &who, &domain)
                .await
                .map(|_| ())
        }
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match outcome {
        Ok(()) => Ok(ctx.redirect("/admin/federation")),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            render(&ctx, &me, &[msg], Some(&f)).await
        }
    }
}
