//! Settings: the profile and preferences (`/settings`, the same service as
//! `PATCH /api/v1/accounts/update_credentials`), the password, web sessions, apps,
//! the data export and account deletion — each through the service the API uses.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use kindred_api::services::accounts::{self, PreferenceChanges, ProfileChanges};
use kindred_api::services::passwords::{self, Change};
use kindred_api::services::{authorized_apps, erasure, export, ServiceError};
use kindred_db::models::oauth as oauth_db;
use kindred_domain::{DisplayName, DomainError, Note, PostingPrivacy};
use maud::{html, Markup};
use serde::Deserialize;

use crate::context::{Ctx, WebError, WebErrorKind};
use crate::i18n::Lang;
use crate::layout::{csrf_field, form_errors};
use crate::{form, session};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/settings")
            .route(web::get().to(show))
            .route(web::post().to(save)),
    )
    .service(
        web::resource("/settings/password")
            .wrap(actix_web::middleware::from_fn(
                kindred_api::ratelimit::rate_limit,
            ))
            .route(web::get().to(password_form))
            .route(web::post().to(change_password)),
    )
    .route("/settings/sessions", web::get().to(sessions))
    .route("/settings/sessions/revoke", web::post().to(revoke_session))
    .route("/settings/apps", web::get().to(apps))
    .route("/settings/apps/revoke", web::post().to(revoke_app))
    .service(
        web::resource("/settings/export")
            .route(web::get().to(export_page))
            .route(web::post().to(start_export)),
    )
    .route("/settings/export/download", web::get().to(download_export))
    .service(
        web::resource("/settings/delete")
            .wrap(actix_web::middleware::from_fn(
                kindred_api::ratelimit::rate_limit,
            ))
            .route(web::get().to(delete_form))
            .route(web::post().to(delete_account)),
    );
}

fn status_for(errors: &[String]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The settings pages' own navigation.
fn subnav(ctx: &Ctx) -> Markup {
    html! {
        nav aria-label=(ctx.t("member-settings-nav")) class="subnav" {
            ul class="plain inline-list" {
                li { a href="/settings" { (ctx.t("member-settings-profile")) } }
                li { a href="/settings/password" { (ctx.t("member-password-title")) } }
                li { a href="/settings/sessions" { (ctx.t("member-sessions-title")) } }
                li { a href="/settings/apps" { (ctx.t("member-apps-title")) } }
                li { a href="/settings/export" { (ctx.t("member-export-title")) } }
                li { a href="/settings/delete" { (ctx.t("member-delete-title")) } }
            }
        }
    }
}

fn done_notice(ctx: &Ctx) -> Markup {
    let done = ctx.req.query_string().split('&').any(|p| p == "saved=1");
    html! { @if done { p class="notice" role="status" { (ctx.t("member-settings-saved")) } } }
}

#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    default_privacy: Option<String>,
    #[serde(default)]
    ui_language: Option<String>,
}

struct Profile {
    display_name: String,
    note: String,
    default_privacy: String,
    ui_language: String,
}

fn profile_page(ctx: &Ctx, p: &Profile, errors: &[String]) -> HttpResponse {
    let title = ctx.t("member-settings-title");
    ctx.page_with_status(
        status_for(errors),
        &title,
        html! {
            h1 { (title) }
            (subnav(ctx))
            (done_notice(ctx))
            (form_errors(ctx.lang, errors))
            form method="post" action="/settings" {
                (csrf_field(&ctx.csrf_token))
                label for="display_name" { (ctx.t("member-settings-display-name")) }
                p class="hint" id="display-name-hint" { (ctx.t("member-sign-up-pseudonym")) }
                input type="text" id="display_name" name="display_name" value=(p.display_name)
                    aria-describedby="display-name-hint" maxlength="30";
                label for="note" { (ctx.t("member-settings-bio")) }
                textarea id="note" name="note" rows="4" maxlength="500" { (p.note) }
                label for="default_privacy" { (ctx.t("member-settings-audience")) }
                select id="default_privacy" name="default_privacy" {
                    @for a in ["public", "unlisted", "private"] {
                        option value=(a) selected[p.default_privacy == a] {
                            (super::compose::audience_label(ctx, a))
                        }
                    }
                }
                label for="ui_language" { (ctx.t("member-settings-language")) }
                select id="ui_language" name="ui_language" {
                    option value="" selected[p.ui_language.is_empty()] { (ctx.t("member-settings-language-browser")) }
                    option value="en" lang="en" selected[p.ui_language == "en"] { "English" }
                    option value="nb" lang="nb" selected[p.ui_language == "nb"] { "Norsk bokmål" }
                }
                button type="submit" { (ctx.t("member-settings-save")) }
            }
        },
    )
}

/// `GET /settings`.
pub async fn show(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let user = accounts::find_user(&ctx.state, me.id)
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .ok_or_else(|| ctx.error(WebErrorKind::NotFound))?;
    let p = Profile {
        display_name: me.display_name.clone(),
        note: me.note.clone(),
        default_privacy: user.default_privacy.clone(),
        ui_language: user.ui_language.clone().unwrap_or_default(),
    };
    Ok(profile_page(&ctx, &p, &[]))
}

/// `POST /settings`.
pub async fn save(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: ProfileForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let p = Profile {
        display_name: f.display_name.unwrap_or_default(),
        note: f.note.unwrap_or_default(),
        default_privacy: f.default_privacy.unwrap_or_default(),
        ui_language: f.ui_language.unwrap_or_default(),
    };
    let mut errors = Vec::new();
    let display_name = DisplayName::parse(&p.display_name)
        .map_err(|_| errors.push(ctx.t("member-settings-bad-display-name")))
        .ok();
    let note = Note::parse(&p.note)
        .map_err(|_| errors.push(ctx.t("member-settings-bad-bio")))
        .ok();
    let privacy = PostingPrivacy::parse(&p.default_privacy)
        .map_err(|_| errors.push(ctx.t("member-compose-bad-audience")))
        .ok();
    let ui_language = if p.ui_language.is_empty() {
        Some(None)
    } else {
        match Lang::from_code(&p.ui_language) {
            Some(l) => Some(Some(l.tag().to_owned())),
            None => {
                errors.push(ctx.t("member-settings-bad-language"));
                None
            }
        }
    };
    if !errors.is_empty() {
        return Ok(profile_page(&ctx, &p, &errors));
    }
    let profile = ProfileChanges {
        display_name: display_name.map(|d| d.as_str().to_owned()),
        note: note.map(|n| n.as_str().to_owned()),
        updated_at: Some(Utc::now().naive_utc()),
        ..ProfileChanges::default()
    };
    let prefs = PreferenceChanges {
        default_privacy: privacy.map(|v| v.as_str().to_owned()),
        ui_language,
        ..PreferenceChanges::default()
    };
    accounts::update_profile(&ctx.state, me.id, profile, prefs)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    Ok(ctx.redirect("/settings?saved=1"))
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    current_password: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

fn password_page(ctx: &Ctx, errors: &[String]) -> HttpResponse {
    let title = ctx.t("member-password-title");
    ctx.page_with_status(
        status_for(errors),
        &title,
        html! {
            h1 { (title) }
            (subnav(ctx))
            (done_notice(ctx))
            (form_errors(ctx.lang, errors))
            p { (ctx.t("member-password-intro")) }
            form method="post" action="/settings/password" {
                (csrf_field(&ctx.csrf_token))
                label for="current_password" { (ctx.t("member-password-current")) }
                input type="password" id="current_password" name="current_password"
                    autocomplete="current-password" required;
                label for="password" { (ctx.t("member-password-new")) }
                p class="hint" id="new-password-hint" { (ctx.t("member-sign-up-password-hint")) }
                input type="password" id="password" name="password"
                    aria-describedby="new-password-hint" autocomplete="new-password" required;
                button type="submit" { (ctx.t("member-password-submit")) }
            }
        },
    )
}

/// `GET /settings/password`.
pub async fn password_form(ctx: Ctx) -> Result<HttpResponse, WebError> {
    ctx.member()?;
    Ok(password_page(&ctx, &[]))
}

/// `POST /settings/password`: every other session and app token ends; this
/// session stays.
pub async fn change_password(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let auth = ctx.member_auth()?;
    let (me, keep) = (ctx.member()?.id, auth.token.id);
    let f: PasswordForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let current = f.current_password.unwrap_or_default();
    let new = f.password.unwrap_or_default();
    match passwords::change(&ctx.state, me, keep, &current, &new).await {
        Ok(Change::Changed) => Ok(ctx.redirect("/settings/password?saved=1")),
        Ok(Change::WrongPassword) => Ok(password_page(&ctx, &[ctx.t("member-password-wrong")])),
        Err(ServiceError::Invalid(DomainError::InvalidPassword { .. })) => {
            Ok(password_page(&ctx, &[ctx.t("member-sign-up-bad-password")]))
        }
        Err(e) => Err(ctx.internal(e.code())),
    }
}

fn when(ctx: &Ctx, t: chrono::NaiveDateTime) -> String {
    crate::i18n::datetime(ctx.lang, t.and_utc(), chrono_tz::UTC)
}

fn day(ctx: &Ctx, t: chrono::NaiveDateTime) -> String {
    crate::i18n::date(ctx.lang, t.date())
}

/// `GET /settings/sessions`: the member's web sessions, each revocable.
pub async fn sessions(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let auth = ctx.member_auth()?;
    let (me, current) = (ctx.member()?.id, auth.token.id);
    let rows = ctx
        .state
        .db
        .run(move |c| oauth_db::account_tokens(c, me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let web: Vec<_> = rows
        .into_iter()
        .filter(|(_, app)| app.client_id == session::WEB_CLIENT_ID)
        .map(|(t, _)| t)
        .collect();
    let title = ctx.t("member-sessions-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            (subnav(&ctx))
            (done_notice(&ctx))
            p { (ctx.t("member-sessions-intro")) }
            ul class="plain" {
                @for t in &web {
                    li class="card" {
                        p {
                            (ctx.t_args("member-sessions-started", &[("when", when(&ctx, t.created_at).into())]))
                            br;
                            (ctx.t_args("member-sessions-used", &[("day", day(&ctx, t.last_active()).into())]))
                            @if t.id == current { " " strong { (ctx.t("member-sessions-this")) } }
                        }
                        @if t.id != current {
                            form method="post" action="/settings/sessions/revoke" class="inline" {
                                (csrf_field(&ctx.csrf_token))
                                input type="hidden" name="id" value=(t.id);
                                button type="submit" class="danger" { (ctx.t("member-sessions-revoke")) }
                            }
                        }
                    }
                }
            }
            form method="post" action="/settings/sessions/revoke" {
                (csrf_field(&ctx.csrf_token))
                input type="hidden" name="id" value="others";
                button type="submit" class="secondary" { (ctx.t("member-sessions-revoke-others")) }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct IdForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

/// `POST /settings/sessions/revoke`: one other session (`id`), or every other
/// (`id=others`). Only the member's own web sessions can be named.
pub async fn revoke_session(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let auth = ctx.member_auth()?;
    let (me, current) = (ctx.member()?.id, auth.token.id);
    let f: IdForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let wanted = f.id.unwrap_or_default();
    let one: Option<i64> = wanted.parse().ok();
    if one.is_none() && wanted != "others" {
        return Ok(ctx.redirect("/settings/sessions"));
    }
    let now = Utc::now().naive_utc();
    let ended = ctx
        .state
        .db
        .run(move |c| {
            let mut ended = 0;
            for (t, app) in oauth_db::account_tokens(c, me)? {
                let mine = app.client_id == session::WEB_CLIENT_ID && t.id != current;
                if mine && one.is_none_or(|id| id == t.id) {
                    oauth_db::revoke_token(c, &t.token_hash, t.application_id, now)?;
                    ended += 1;
                }
            }
            Ok(ended)
        })
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    tracing::info!(
        account_id = me,
        sessions_ended = ended,
        "web sessions revoked"
    );
    Ok(ctx.redirect("/settings/sessions?saved=1"))
}

/// `GET /settings/apps`: apps with access (the web sessions are listed apart).
pub async fn apps(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.id;
    let list = authorized_apps::list(&ctx.state, me)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let web_app = ctx
        .state
        .db
        .run(|c| oauth_db::find_application_by_client_id(c, session::WEB_CLIENT_ID))
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .map(|a| a.id);
    let list: Vec<_> = list.into_iter().filter(|a| Some(a.id) != web_app).collect();
    let title = ctx.t("member-apps-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            (subnav(&ctx))
            (done_notice(&ctx))
            @if list.is_empty() {
                p class="muted" { (ctx.t("member-apps-none")) }
            }
            ul class="plain" {
                @for a in &list {
                    li class="card" {
                        h2 { (a.name) }
                        p {
                            (ctx.t_args("member-apps-since", &[("when", when(&ctx, a.authorized_at).into())]))
                            br;
                            (ctx.t_args("member-sessions-used", &[("day", day(&ctx, a.last_used_at).into())]))
                            br;
                            (ctx.t("member-apps-scopes")) " " code { (a.scopes.join(" ")) }
                        }
                        form method="post" action="/settings/apps/revoke" class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            input type="hidden" name="id" value=(a.id);
                            button type="submit" class="danger" {
                                (ctx.t_args("member-apps-revoke", &[("app", a.name.clone().into())]))
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `POST /settings/apps/revoke`.
pub async fn revoke_app(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.id;
    let f: IdForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let Some(id) = f.id.and_then(|i| i.parse::<i64>().ok()) else {
        return Ok(ctx.redirect("/settings/apps"));
    };
    match authorized_apps::revoke(&ctx.state, me, id).await {
        Ok(()) | Err(ServiceError::NotFound) => Ok(ctx.redirect("/settings/apps?saved=1")),
        Err(e) => Err(ctx.internal(e.code())),
    }
}

/// `GET /settings/export`: start an export, or download the latest when ready.
pub async fn export_page(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let latest = match export::status(&ctx.state, &me).await {
        Ok(s) => Some(s),
        Err(ServiceError::NotFound) => None,
        Err(e) => return Err(ctx.internal(e.code())),
    };
    let title = ctx.t("member-export-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            (subnav(&ctx))
            p { (ctx.t("member-export-intro")) }
            @if let Some(s) = &latest {
                p class="notice" role="status" {
                    @match s.state {
                        "ready" => (ctx.t("member-export-ready")),
                        "failed" => (ctx.t("member-export-failed")),
                        _ => (ctx.t("member-export-pending")),
                    }
                }
                @if let Some(token) = s.url.as_deref().and_then(|u| u.rsplit('/').next()) {
                    p { a class="button" href={ "/settings/export/download?token=" (crate::form::encode_component(token)) } { (ctx.t("member-export-download")) } }
                }
            }
            form method="post" action="/settings/export" {
                (csrf_field(&ctx.csrf_token))
                button type="submit" { (ctx.t("member-export-start")) }
            }
        },
    ))
}

/// `POST /settings/export`.
pub async fn start_export(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: IdForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    match export::request(&ctx.state, &me).await {
        // One already on its way is answered as itself: the page shows it.
        Ok(_) => Ok(ctx.redirect("/settings/export")),
        Err(e) => Err(ctx.internal(e.code())),
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: Option<String>,
}

/// `GET /settings/export/download?token=`: the owner's archive.
pub async fn download_export(
    ctx: Ctx,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let token = q.token.clone().unwrap_or_default();
    match export::download(&ctx.state, &me, &token).await {
        Ok(bytes) => Ok(HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"kindred-export.zip\"",
            ))
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .body(bytes)),
        Err(ServiceError::NotFound) => Err(ctx.error(WebErrorKind::NotFound)),
        Err(e) => Err(ctx.internal(e.code())),
    }
}

#[derive(Deserialize, Default)]
struct DeleteForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

fn delete_page(ctx: &Ctx, errors: &[String]) -> HttpResponse {
    let title = ctx.t("member-delete-title");
    ctx.page_with_status(
        status_for(errors),
        &title,
        html! {
            h1 { (title) }
            (subnav(ctx))
            (form_errors(ctx.lang, errors))
            p { (ctx.t("member-delete-intro")) }
            p { a href="/settings/export" { (ctx.t("member-delete-export-first")) } }
            form method="post" action="/settings/delete" {
                (csrf_field(&ctx.csrf_token))
                label for="password" { (ctx.t("member-delete-password")) }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required;
                button type="submit" class="danger" { (ctx.t("member-delete-submit")) }
            }
        },
    )
}

/// `GET /settings/delete`.
pub async fn delete_form(ctx: Ctx) -> Result<HttpResponse, WebError> {
    ctx.member()?;
    Ok(delete_page(&ctx, &[]))
}

/// `POST /settings/delete`: erasure with the password; the receipt is shown once
/// (the session has ended with the account).
pub async fn delete_account(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: DeleteForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let receipt =
        match erasure::delete_own(&ctx.state, &me, f.password.as_deref().unwrap_or("")).await {
            Ok(r) => r,
            Err(ServiceError::Forbidden(_)) => {
                return Ok(delete_page(&ctx, &[ctx.t("member-password-wrong")]))
            }
            Err(e) => return Err(ctx.internal(e.code())),
        };
    let json = serde_json::to_string_pretty(&receipt).unwrap_or_default();
    let title = ctx.t("member-deleted-title");
    let frame_less = crate::layout::Frame {
        viewer: None,
        may_moderate: false,
        ..ctx.frame()
    };
    let markup = crate::layout::page(
        &frame_less,
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("member-deleted-text")) }
            h2 { (ctx.t("member-deleted-receipt")) }
            pre class="receipt" tabindex="0" { (json) }
        },
    );
    let mut resp = crate::context::html_response(StatusCode::OK, markup.into_string());
    let _ = resp.add_cookie(&session::end(&ctx.state, &ctx.req).await);
    Ok(resp)
}
