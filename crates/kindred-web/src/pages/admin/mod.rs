//! `/admin`: the moderators' and admins' pages. Every handler starts from
//! [`staff`] (moderators and admins, as the API's `Auth::moderator`) or [`admin`]
//! (admins only, as `Auth::admin`); the signed-out are sent to sign in, everyone
//! else gets 403 as the API answers. Pages call the services the admin API calls.

mod accounts;
mod audit;
mod federation;
mod invites;
mod notices;
mod overview;
mod reports;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDateTime, TimeZone, Utc};
use fluent_bundle::FluentValue;
use kindred_api::services::ServiceError;
use kindred_db::AccountRow;
use maud::{html, Markup};

use crate::context::{Ctx, WebError, WebErrorKind};
use crate::i18n;

/// The admin routes, under `/admin`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(overview::show))
        .route("/admin/reports", web::get().to(reports::index))
        .route("/admin/reports/{id}", web::get().to(reports::show))
        .route("/admin/reports/{id}/{step}", web::post().to(reports::act))
        .route("/admin/accounts", web::get().to(accounts::index))
        .route("/admin/accounts/{id}", web::get().to(accounts::show))
        .route("/admin/accounts/{id}/{step}", web::post().to(accounts::act))
        .route("/admin/sign_ups", web::get().to(invites::sign_ups))
        .route("/admin/invites", web::get().to(invites::index))
        .route("/admin/invites", web::post().to(invites::create))
        .route(
            "/admin/invites/{id}/revoke",
            web::post().to(invites::revoke),
        )
        .route("/admin/audit_log", web::get().to(audit::index))
        .route("/admin/federation", web::get().to(federation::show))
        .route("/admin/federation/{step}", web::post().to(federation::act))
        .route(
            "/admin/announcements",
            web::get().to(notices::announcements),
        )
        .route(
            "/admin/announcements/{step}",
            web::post().to(notices::announcement_act),
        )
        .route("/admin/crisis", web::get().to(notices::crisis))
        .route("/admin/crisis/{step}", web::post().to(notices::crisis_act));
}

/// A moderator or admin (the API's `Auth::moderator`).
fn staff(ctx: &Ctx) -> Result<AccountRow, WebError> {
    ctx.moderator().cloned()
}

/// An admin only (the API's `Auth::admin`): moderators get 403.
fn admin(ctx: &Ctx) -> Result<AccountRow, WebError> {
    let me = staff(ctx)?;
    if me.role.is_admin() {
        Ok(me)
    } else {
        Err(ctx.error(WebErrorKind::Forbidden))
    }
}

/// What a service's answer becomes on a page: a refusal is a message on the same
/// page (`Ok(message)`); a missing thing or a forbidden one is an error page.
fn refusal(ctx: &Ctx, e: ServiceError) -> Result<String, WebError> {
    match e {
        ServiceError::NotFound => Err(ctx.error(WebErrorKind::NotFound)),
        ServiceError::Forbidden(reason) => {
            Ok(ctx.t_args("admin-refused", &[("reason", FluentValue::from(reason))]))
        }
        ServiceError::Db(_) | ServiceError::Internal(_) => Err(ctx.internal(e.code())),
        other => Ok(ctx.t_args(
            "admin-refused",
            &[("reason", FluentValue::from(other.to_string()))],
        )),
    }
}

/// A service failure on a page that only reads: an error page.
fn failed(ctx: &Ctx, e: ServiceError) -> WebError {
    match e {
        ServiceError::NotFound => ctx.error(WebErrorKind::NotFound),
        ServiceError::Forbidden(_) => ctx.error(WebErrorKind::Forbidden),
        other => ctx.internal(other.code()),
    }
}

/// A page of the admin set: its own small navigation above the body, 422 when the
/// form had problems.
fn page(ctx: &Ctx, me: &AccountRow, title: &str, errors: &[String], body: Markup) -> HttpResponse {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let is_admin = me.role.is_admin();
    ctx.page_with_status(
        status,
        title,
        html! {
            nav aria-label=(ctx.t("admin-nav-label")) class="admin-nav" {
                ul class="plain" {
                    li { a href="/admin" { (ctx.t("admin-overview-title")) } }
                    li { a href="/admin/reports" { (ctx.t("admin-reports-title")) } }
                    li { a href="/admin/accounts" { (ctx.t("admin-accounts-title")) } }
                    li { a href="/admin/sign_ups" { (ctx.t("admin-sign-ups-title")) } }
                    li { a href="/admin/invites" { (ctx.t("admin-invites-title")) } }
                    li { a href="/admin/audit_log" { (ctx.t("admin-audit-title")) } }
                    li { a href="/admin/crisis" { (ctx.t("admin-crisis-title")) } }
                    @if is_admin {
                        li { a href="/admin/federation" { (ctx.t("admin-federation-title")) } }
                        li { a href="/admin/announcements" { (ctx.t("admin-announcements-title")) } }
                    }
                }
            }
            h1 { (title) }
            (crate::layout::form_errors(ctx.lang, errors))
            (body)
        },
    )
}

fn when(ctx: &Ctx, at: NaiveDateTime) -> String {
    i18n::datetime(ctx.lang, Utc.from_utc_datetime(&at), chrono_tz::UTC)
}

/// `@name` or `@name@domain`.
fn handle(a: &AccountRow) -> String {
    if a.is_local() {
        format!("@{}", a.username)
    } else {
        format!("@{}@{}", a.username, a.domain)
    }
}

/// A link to an account's admin page.
fn account_link(a: &AccountRow) -> Markup {
    html! { a href=(format!("/admin/accounts/{}", a.id)) { (handle(a)) } }
}

/// A query string or form read leniently.
fn query<T: serde::de::DeserializeOwned + Default>(ctx: &Ctx) -> T {
    crate::form::parse(ctx.req.query_string().as_bytes())
}

fn parse_id(ctx: &Ctx, raw: &str) -> Result<i64, WebError> {
    raw.trim()
        .parse()
        .map_err(|_| ctx.error(WebErrorKind::NotFound))
}

/// A POST form's fields (repeated ones kept), after its CSRF token is checked:
/// nothing is read or changed without it.
fn checked_form(ctx: &Ctx, body: &[u8]) -> Result<Fields, WebError> {
    let f = Fields(crate::form::pairs(body));
    ctx.check_csrf(f.get("csrf_token"))?;
    Ok(f)
}

/// A submitted form's fields.
struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, if given.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, trimmed ("" when missing).
    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_owned()
    }

    /// Whether a checkbox `name` was ticked.
    fn ticked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every value of `name` (checkboxes sharing a name).
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
