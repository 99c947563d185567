//! `/auth/*`: the minimal server-rendered pages behind the links Kindred emails —
//! asking for a password reset, choosing the new password, confirming an address.
//! No JavaScript; each form carries a `csrf_token` (HMAC of a nonce held in a
//! strict same-site cookie) checked on POST. The web portal restyles them later.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::oauth::html_response;
use crate::html;
use crate::params::{lenient, Params};
use crate::services::{email, passwords, ServiceError};
use crate::AppState;

use crate::csrf_cookie::AUTH_PAGES;

#[derive(Deserialize, Default)]
pub struct FormParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    csrf_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
}

/// The browser's nonce (kept if it has one).
fn nonce(req: &HttpRequest) -> String {
    AUTH_PAGES.nonce(req).0
}

fn with_cookie(state: &AppState, mut resp: HttpResponse, nonce: String) -> HttpResponse {
    let _ = resp.add_cookie(&AUTH_PAGES.cookie(state, nonce));
    resp
}

fn csrf_ok(state: &AppState, req: &HttpRequest, p: &FormParams) -> bool {
    AUTH_PAGES.verify(state, req, p.csrf_token.as_deref())
}

fn page(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    html_response(status, html::message(title, text).into_string())
}

fn expired_form() -> HttpResponse {
    tracing::warn!("auth form rejected: csrf token mismatch");
    page(
        StatusCode::FORBIDDEN,
        "Please try again",
        "This form has expired or did not come from this site. Please go back, reload the page and try again.",
    )
}

fn dead_link() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "This link does not work",
        "The link was used already or is too old. You can ask for a new one.",
    )
}

fn failed() -> HttpResponse {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Please try again later.",
    )
}

/// `GET /auth/password/reset`.
pub async fn reset_request_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let nonce = nonce(&req);
    let token = state.secrets.csrf.token_for(&nonce);
    let body = html::reset_request(
        &state.instance.name,
        &token,
        state.instance.email_enabled,
        false,
    );
    with_cookie(
        &state,
        html_response(StatusCode::OK, body.into_string()),
        nonce,
    )
}

/// `POST /auth/password/reset` (field `email`): one answer whether or not the
/// address is known, given before the look-up runs, so its timing tells nothing.
pub async fn reset_request_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(p): Params<FormParams>,
) -> HttpResponse {
    if !csrf_ok(&state, &req, &p) {
        return expired_form();
    }
    let address = p.email.unwrap_or_default();
    // Over the per-address or per-client limit nothing is looked up or sent, and
    // the page is the same (it says nothing of the address either way).
    let client = state.limits.client(&req);
    if state.limits.reset_request_allowed(&client, &address) {
        let worker = state.clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = passwords::request_reset(&worker, &address).await {
                tracing::warn!(error = e.code(), "password reset request failed");
            }
        });
    } else {
        tracing::info!("password reset request over the limit: no mail");
    }
    let body = html::reset_request(&state.instance.name, "", state.instance.email_enabled, true);
    html_response(StatusCode::OK, body.into_string())
}

fn reset_action(token: &str) -> String {
    format!("/auth/password/reset/{token}")
}

/// `GET /auth/password/reset/{token}`: the emailed link's form (looking at it does
/// not use the link up).
pub async fn reset_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let token = path.into_inner();
    match passwords::reset_link_works(&state, &token).await {
        Ok(true) => {}
        Ok(false) => return dead_link(),
        Err(_) => return failed(),
    }
    let nonce = nonce(&req);
    let csrf = state.secrets.csrf.token_for(&nonce);
    let body = html::reset_form(&state.instance.name, &reset_action(&token), &csrf, None);
    with_cookie(
        &state,
        html_response(StatusCode::OK, body.into_string()),
        nonce,
    )
}

/// `POST /auth/password/reset/{token}` (field `password`).
pub async fn reset_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Params(p): Params<FormParams>,
) -> HttpResponse {
    if !csrf_ok(&state, &req, &p) {
        return expired_form();
    }
    let token = path.into_inner();
    match passwords::reset(&state, &token, p.password.as_deref().unwrap_or_default()).await {
        Ok(true) => page(
            StatusCode::OK,
            "Your password is changed",
            "Sign in again with your new password, in the app or on the web.",
        ),
        Ok(false) => dead_link(),
        Err(ServiceError::Invalid(e)) => {
            let nonce = nonce(&req);
            let csrf = state.secrets.csrf.token_for(&nonce);
            let body = html::reset_form(
                &state.instance.name,
                &reset_action(&token),
                &csrf,
                Some(&e.to_string()),
            );
            with_cookie(
                &state,
                html_response(StatusCode::UNPROCESSABLE_ENTITY, body.into_string()),
                nonce,
            )
        }
        Err(e) => {
            tracing::warn!(error = e.code(), "password reset failed");
            failed()
        }
    }
}

/// `GET /auth/email/confirm/{token}`: a button (mail scanners open links).
pub async fn confirm_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let action = format!("/auth/email/confirm/{}", path.into_inner());
    let nonce = nonce(&req);
    let csrf = state.secrets.csrf.token_for(&nonce);
    let body = html::confirm_form(&state.instance.name, &action, &csrf);
    with_cookie(
        &state,
        html_response(StatusCode::OK, body.into_string()),
        nonce,
    )
}

/// `POST /auth/email/confirm/{token}`.
pub async fn confirm_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Params(p): Params<FormParams>,
) -> HttpResponse {
    if !csrf_ok(&state, &req, &p) {
        return expired_form();
    }
    match email::confirm(&state, &path.into_inner()).await {
        Ok(true) => page(
            StatusCode::OK,
            "Your email address is confirmed",
            "Thank you. You can close this page.",
        ),
        Ok(false) => dead_link(),
        Err(e) => {
            tracing::warn!(error = e.code(), "email confirmation failed");
            failed()
        }
    }
}
