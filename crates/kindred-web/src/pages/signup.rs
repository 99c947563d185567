//! Signing up (`/auth/sign_up`): pseudonym guidance, the rules to accept, and the
//! registration mode's fields. The rule is `services::accounts::sign_up`, the same
//! as `POST /api/v1/accounts`; it records which rules were accepted, and when.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use kindred_api::services::accounts::{self, SignUp};
use kindred_api::services::ServiceError;
use kindred_domain::{DomainError, RegistrationMode};
use maud::html;
use serde::Deserialize;

use crate::context::{Ctx, WebError};
use crate::layout::{csrf_field, form_errors};
use crate::{form, session};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/auth/sign_up")
            .wrap(actix_web::middleware::from_fn(
                kindred_api::ratelimit::rate_limit,
            ))
            .route(web::get().to(sign_up_form))
            .route(web::post().to(sign_up)),
    )
    .route("/auth/sign_up/pending", web::get().to(pending));
}

#[derive(Deserialize, Default)]
struct SignUpForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    invite_code: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// What was typed, shown again after an error (never the password).
#[derive(Default)]
struct Typed {
    username: String,
    email: String,
    agreement: bool,
    invite_code: String,
    reason: String,
}

fn page(ctx: &Ctx, typed: &Typed, errors: &[String]) -> HttpResponse {
    let mode = ctx.state.instance.registration;
    let title = ctx.t("member-sign-up-title");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if !mode.accepts_sign_ups() {
        return ctx.page_with_status(
            status,
            &title,
            html! { h1 { (title) } p { (ctx.t("member-sign-up-closed")) } },
        );
    }
    let rules = &ctx.state.instance.rules;
    ctx.page_with_status(
        status,
        &title,
        html! {
            h1 { (title) }
            (form_errors(ctx.lang, errors))
            @match mode {
                RegistrationMode::Approval => p class="notice" { (ctx.t("member-sign-up-approval-mode")) },
                RegistrationMode::Invite => p class="notice" { (ctx.t("member-sign-up-invite-mode")) },
                _ => {}
            }
            form method="post" action="/auth/sign_up" {
                (csrf_field(&ctx.csrf_token))
                label for="username" { (ctx.t("member-sign-up-username")) }
                p class="hint" id="username-hint" { (ctx.t("member-sign-up-pseudonym")) }
                input type="text" id="username" name="username" value=(typed.username)
                    aria-describedby="username-hint" autocomplete="username"
                    autocapitalize="none" spellcheck="false" maxlength="30" required;
                label for="password" { (ctx.t("member-sign-up-password")) }
                p class="hint" id="password-hint" { (ctx.t("member-sign-up-password-hint")) }
                input type="password" id="password" name="password"
                    aria-describedby="password-hint" autocomplete="new-password" required;
                label for="email" { (ctx.t("member-sign-up-email")) }
                p class="hint" id="email-hint" { (ctx.t("member-sign-up-email-hint")) }
                input type="email" id="email" name="email" value=(typed.email)
                    aria-describedby="email-hint" autocomplete="email";
                @if mode == RegistrationMode::Invite {
                    label for="invite_code" { (ctx.t("member-sign-up-invite")) }
                    input type="text" id="invite_code" name="invite_code"
                        value=(typed.invite_code) autocomplete="off" required;
                }
                @if mode == RegistrationMode::Approval {
                    label for="reason" { (ctx.t("member-sign-up-reason")) }
                    p class="hint" id="reason-hint" { (ctx.t("member-sign-up-reason-hint")) }
                    textarea id="reason" name="reason" rows="3" maxlength="1000"
                        aria-describedby="reason-hint" { (typed.reason) }
                }
                @if !rules.is_empty() {
                    section aria-labelledby="sign-up-rules" class="card" {
                        h2 id="sign-up-rules" { (ctx.t("footer-rules")) }
                        ol { @for r in rules { li { (r) } } }
                    }
                }
                p class="check" {
                    input type="checkbox" id="agreement" name="agreement" value="1"
                        checked[typed.agreement] required;
                    label for="agreement" { (ctx.t("member-sign-up-agreement")) }
                }
                button type="submit" { (ctx.t("member-sign-up-submit")) }
            }
            p { (ctx.t("member-sign-up-have-account")) " " a href="/auth/sign_in" { (ctx.t("nav-sign-in")) } }
        },
    )
}

/// `GET /auth/sign_up`.
pub async fn sign_up_form(ctx: Ctx) -> HttpResponse {
    if ctx.account().is_some() {
        return ctx.redirect("/home");
    }
    page(&ctx, &Typed::default(), &[])
}

/// `POST /auth/sign_up`.
pub async fn sign_up(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let f: SignUpForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let typed = Typed {
        username: f.username.clone().unwrap_or_default(),
        email: f.email.clone().unwrap_or_default(),
        agreement: f.agreement.as_deref().is_some_and(|a| !a.is_empty()),
        invite_code: f.invite_code.clone().unwrap_or_default(),
        reason: f.reason.clone().unwrap_or_default(),
    };
    if typed.username.trim().is_empty() || f.password.as_deref().unwrap_or("").is_empty() {
        return Ok(page(&ctx, &typed, &[ctx.t("member-sign-up-missing")]));
    }
    let result = accounts::sign_up(
        &ctx.state,
        SignUp {
            username: typed.username.clone(),
            email: Some(typed.email.clone()).filter(|e| !e.trim().is_empty()),
            password: f.password.unwrap_or_default(),
            agreement: typed.agreement,
            reason: Some(typed.reason.clone()),
            invite_code: Some(typed.invite_code.clone()),
        },
    )
    .await;
    let account = match result {
        Ok(a) => a,
        Err(e) => {
            let id = match &e {
                ServiceError::UsernameTaken => "member-sign-up-taken",
                ServiceError::RegistrationClosed => "member-sign-up-closed",
                ServiceError::InvalidInvite => "member-sign-up-bad-invite",
                ServiceError::AgreementRequired => "member-sign-up-agree-first",
                ServiceError::Throttled => "error-too-many",
                ServiceError::Invalid(DomainError::InvalidUsername)
                | ServiceError::Invalid(DomainError::ReservedUsername) => {
                    "member-sign-up-bad-username"
                }
                ServiceError::Invalid(DomainError::InvalidEmail) => "member-sign-up-bad-email",
                ServiceError::Invalid(DomainError::InvalidPassword { .. }) => {
                    "member-sign-up-bad-password"
                }
                other => return Err(ctx.internal(other.code())),
            };
            tracing::info!(reason = e.code(), "web sign-up refused");
            return Ok(page(&ctx, &typed, &[ctx.t(id)]));
        }
    };
    if !account.approved {
        return Ok(ctx.redirect("/auth/sign_up/pending"));
    }
    let cookie = session::start(&ctx.state, account.id)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let mut resp = ctx.redirect("/home");
    let _ = resp.add_cookie(&cookie);
    Ok(resp)
}

/// `GET /auth/sign_up/pending`: what happens next in approval mode.
pub async fn pending(ctx: Ctx) -> HttpResponse {
    let title = ctx.t("member-pending-title");
    ctx.page(
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("member-pending-text")) }
            p { a href="/help" { (ctx.t("member-pending-help")) } }
        },
    )
}
