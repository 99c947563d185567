//! Signing in and out (`/auth/sign_in`, `POST /auth/sign_out`).

use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use kindred_api::services::oauth::{self, Login};

use crate::context::{safe_local_path, Ctx, WebError, WebErrorKind};
use crate::layout::{csrf_field, form_errors};
use crate::{form, session};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignInForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

fn sign_in_page(ctx: &Ctx, username: &str, next: &str, errors: &[String]) -> HttpResponse {
    let title = ctx.t("sign-in-title");
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.page_with_status(
        status,
        &title,
        html! {
            h1 { (title) }
            (form_errors(ctx.lang, errors))
            form method="post" action="/auth/sign_in" {
                (csrf_field(&ctx.csrf_token))
                input type="hidden" name="next" value=(next);
                label for="username" { (ctx.t("sign-in-username")) }
                input type="text" id="username" name="username" value=(username)
                    autocomplete="username" autocapitalize="none" spellcheck="false" required;
                label for="password" { (ctx.t("sign-in-password")) }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required;
                button type="submit" { (ctx.t("sign-in-submit")) }
            }
            p { a href="/auth/password/reset" { (ctx.t("sign-in-forgot")) } }
            p { (ctx.t("sign-in-no-account")) " " a href="/auth/sign_up" { (ctx.t("nav-sign-up")) } }
        },
    )
}

/// `GET /auth/sign_in`.
pub async fn sign_in_form(ctx: Ctx, q: web::Query<NextQuery>) -> HttpResponse {
    let next = safe_local_path(q.next.as_deref().unwrap_or("/home"));
    if ctx.account().is_some() {
        return ctx.redirect(&next);
    }
    sign_in_page(&ctx, "", &next, &[])
}

/// `POST /auth/sign_in` (fields `username` — a name or an email — and `password`).
pub async fn sign_in(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let f: SignInForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let username = f.username.unwrap_or_default();
    let next = safe_local_path(f.next.as_deref().unwrap_or("/home"));
    let password = f.password.unwrap_or_default();
    let client = ctx.state.limits.client(&ctx.req);
    let login = oauth::check_credentials(&ctx.state, &client, &username, &password)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let account = match login {
        Login::Valid(account) => account,
        Login::Invalid => {
            return Ok(sign_in_page(
                &ctx,
                &username,
                &next,
                &[ctx.t("sign-in-failed")],
            ))
        }
        Login::Throttled => {
            return Ok(sign_in_page(
                &ctx,
                &username,
                &next,
                &[ctx.t("error-too-many")],
            ))
        }
    };
    if account.suspended {
        return Ok(sign_in_page(
            &ctx,
            &username,
            &next,
            &[ctx.t("sign-in-suspended")],
        ));
    }
    if !account.approved {
        return Ok(sign_in_page(
            &ctx,
            &username,
            &next,
            &[ctx.t("sign-in-pending")],
        ));
    }
    let cookie = session::start(&ctx.state, account.id)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let mut resp = ctx.redirect(&next);
    let _ = resp.add_cookie(&cookie);
    Ok(resp)
}

#[derive(Deserialize, Default)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: Option<String>,
}

/// `POST /auth/sign_out`: the session's token is revoked, the cookie cleared.
pub async fn sign_out(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let f: CsrfOnly = form::parse(&body);
    if !ctx.csrf_ok(f.csrf_token.as_deref()) {
        return Err(ctx.error(WebErrorKind::CsrfExpired));
    }
    let cookie = session::end(&ctx.state, &ctx.req).await;
    let mut resp = ctx.redirect("/");
    let _ = resp.add_cookie(&cookie);
    Ok(resp)
}
