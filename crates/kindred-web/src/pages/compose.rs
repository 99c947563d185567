//! Compose (`/compose`): a post with its audience, content warning and language,
//! published through `services::statuses::create` as `POST /api/v1/statuses` is.

use actix_web::{web, HttpResponse};
use kindred_api::services::statuses::{self, NewPost};
use kindred_api::services::{accounts, viewer::Viewer, ServiceError};
use kindred_domain::DomainError;
use maud::{html, Markup};
use serde::Deserialize;

use crate::context::{Ctx, WebError};
use crate::form;
use crate::layout::{csrf_field, form_errors};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/compose")
            .route(web::get().to(compose_page))
            .route(web::post().to(publish)),
    );
}

pub const AUDIENCES: [&str; 4] = ["public", "unlisted", "private", "direct"];

#[derive(Deserialize, Default)]
struct ComposeForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

/// What the form shows.
#[derive(Default)]
pub struct Typed {
    pub status: String,
    pub spoiler_text: String,
    pub visibility: String,
    pub language: String,
}

impl Typed {
    /// An empty form with the member's default audience and language.
    pub async fn default_for(ctx: &Ctx) -> Result<Typed, &'static str> {
        let Some(me) = ctx.account() else {
            return Ok(Typed::default());
        };
        let user = accounts::find_user(&ctx.state, me.id)
            .await
            .map_err(|e| e.code())?;
        Ok(Typed {
            visibility: user
                .as_ref()
                .map(|u| u.default_privacy.clone())
                .unwrap_or_else(|| "private".to_owned()),
            language: user
                .and_then(|u| u.default_language)
                .unwrap_or_else(|| ctx.lang.tag().to_owned()),
            ..Typed::default()
        })
    }
}

/// The compose form (on `/home` and `/compose`).
pub fn form(ctx: &Ctx, typed: &Result<Typed, &'static str>) -> Result<Markup, &'static str> {
    let typed = typed.as_ref().map_err(|e| *e)?;
    Ok(html! {
        section aria-labelledby="compose" class="card" {
            h2 id="compose" { (ctx.t("member-compose-title")) }
            form method="post" action="/compose" {
                (csrf_field(&ctx.csrf_token))
                input type="hidden" name="idempotency_key" value=(kindred_api::crypto::random_token());
                label for="spoiler_text" { (ctx.t("member-compose-cw")) }
                p class="hint" id="cw-hint" { (ctx.t("member-compose-cw-hint")) }
                input type="text" id="spoiler_text" name="spoiler_text"
                    value=(typed.spoiler_text) aria-describedby="cw-hint" maxlength="500";
                label for="status" { (ctx.t("member-compose-text")) }
                textarea id="status" name="status" rows="5" required { (typed.status) }
                label for="visibility" { (ctx.t("member-compose-audience")) }
                select id="visibility" name="visibility" {
                    @for a in AUDIENCES {
                        option value=(a) selected[typed.visibility == a] {
                            (audience_label(ctx, a))
                        }
                    }
                }
                label for="language" { (ctx.t("member-compose-language")) }
                input type="text" id="language" name="language" value=(typed.language)
                    maxlength="3" size="4" autocomplete="off";
                button type="submit" { (ctx.t("member-compose-submit")) }
            }
        }
    })
}

fn page(ctx: &Ctx, typed: Typed, errors: &[String]) -> Result<HttpResponse, WebError> {
    let title = ctx.t("member-compose-title");
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let form = form(ctx, &Ok(typed)).map_err(|e| ctx.internal(e))?;
    Ok(ctx.page_with_status(
        status,
        &title,
        html! {
            h1 { (title) }
            (form_errors(ctx.lang, errors))
            (form)
        },
    ))
}

/// `GET /compose`.
pub async fn compose_page(ctx: Ctx) -> Result<HttpResponse, WebError> {
    ctx.member()?;
    let typed = Typed::default_for(&ctx)
        .await
        .map_err(|e| ctx.internal(e))?;
    page(&ctx, typed, &[])
}

/// `POST /compose`.
pub async fn publish(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: ComposeForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let typed = Typed {
        status: f.status.unwrap_or_default(),
        spoiler_text: f.spoiler_text.unwrap_or_default(),
        visibility: f.visibility.unwrap_or_default(),
        language: f.language.unwrap_or_default().trim().to_ascii_lowercase(),
    };
    let language_ok = typed.language.is_empty()
        || (2..=3).contains(&typed.language.len())
            && typed.language.bytes().all(|b| b.is_ascii_lowercase());
    if !language_ok {
        return page(&ctx, typed, &[ctx.t("member-compose-bad-language")]);
    }
    if !AUDIENCES.contains(&typed.visibility.as_str()) {
        return page(&ctx, typed, &[ctx.t("member-compose-bad-audience")]);
    }
    let viewer = Viewer::load(&ctx.state, Some(&me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let post = NewPost {
        text: typed.status.clone(),
        spoiler_text: typed.spoiler_text.clone(),
        sensitive: !typed.spoiler_text.trim().is_empty(),
        visibility: Some(typed.visibility.clone()),
        local_only: false,
        in_reply_to_id: None,
        language: Some(typed.language.clone()).filter(|l| !l.is_empty()),
        idempotency_key: f.idempotency_key,
        poll: None,
        media_ids: Vec::new(),
    };
    match statuses::create(&ctx.state, &me, &viewer, post).await {
        Ok(_) => Ok(ctx.redirect("/home")),
        Err(ServiceError::Invalid(DomainError::EmptyStatus)) => {
            page(&ctx, typed, &[ctx.t("member-compose-empty")])
        }
        Err(ServiceError::Invalid(_)) => page(&ctx, typed, &[ctx.t("member-compose-invalid")]),
        Err(e) => Err(ctx.internal(e.code())),
    }
}

/// An audience in words.
pub fn audience_label(ctx: &Ctx, visibility: &str) -> String {
    match visibility {
        "public" => ctx.t("member-audience-public"),
        "unlisted" => ctx.t("member-audience-unlisted"),
        "private" => ctx.t("member-audience-private"),
        "direct" => ctx.t("member-audience-direct"),
        _ => ctx.t("member-audience-other"),
    }
}
