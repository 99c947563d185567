//! `/meetings/:id` for a browser: the meeting, the person's answer and standing,
//! the full place once their place is accepted (the API's `full_location`, decided
//! by the same rule), and the calendar links. `POST /meetings/:id/answer` answers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use kindred_api::entities::meetings::Event;
use kindred_api::services::meetings as service;
use kindred_domain::meetings::Rsvp;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::view;
use crate::context::{Ctx, WebError};
use crate::form;
use crate::layout::{csrf_field, form_errors};

/// Our small script that adds the viewer's own time zone (optional).
pub const SCRIPT_PATH: &str = "/static/kindred-meetings-1.js";
const SCRIPT: &str = include_str!("local_time.js");

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=604800, immutable"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(SCRIPT)
}

/// What the answer form carried, kept when it comes back with a problem.
#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    rsvp: Option<String>,
    #[serde(default)]
    name_for_meeting: Option<String>,
    #[serde(default)]
    anonymous: Option<String>,
}

/// `GET /meetings/:id`.
pub async fn page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let id = view::parse_id(&ctx, &path)?;
    let (event, remote) = view::load(&ctx, id).await?;
    Ok(render(&ctx, &event, remote, &AnswerForm::default(), &[]))
}

fn render(
    ctx: &Ctx,
    e: &Event,
    remote: bool,
    typed: &AnswerForm,
    errors: &[String],
) -> HttpResponse {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // plain_text_to_html escapes everything it is given.
    let description = kindred_domain::text::plain_text_to_html(&e.description);
    ctx.page_with_status(
        status,
        &e.title,
        html! {
            h1 { (e.title) }
            (view::status_badge(ctx, e))
            section aria-labelledby="when" {
                h2 id="when" { (ctx.t("meetings-when")) }
                (view::times(ctx, e))
                @if e.recurrence.is_some() {
                    p class="muted" { (ctx.t("meetings-repeats")) }
                }
            }
            section aria-labelledby="where" {
                h2 id="where" { (ctx.t("meetings-where")) }
                p { (view::public_place(ctx, e)) }
                @if let Some(full) = &e.full_location {
                    div class="card full-place" {
                        h3 { (ctx.t("meetings-full-place")) }
                        @if !full.venue_name.is_empty() { p { (full.venue_name) } }
                        @if !full.street_address.is_empty() || !full.postal_code.is_empty() {
                            p { (full.street_address) " " (full.postal_code) }
                        }
                        @if !full.access_notes.is_empty() { p { (full.access_notes) } }
                        @if let Some(link) = &full.online_link {
                            p { (ctx.t("meetings-online-link")) " " (link) }
                        }
                        p class="hint" { (ctx.t("meetings-full-place-hint")) }
                    }
                } @else {
                    p class="hint" { (ctx.t("meetings-place-after-accept")) }
                }
            }
            @if !e.description.is_empty() {
                section aria-labelledby="about" {
                    h2 id="about" { (ctx.t("meetings-about")) }
                    div class="about" { (PreEscaped(description)) }
                }
            }
            @if let Some(n) = e.participants_count {
                p class="muted" {
                    (ctx.t_args("meetings-counts", &[
                        ("accepted", n.into()),
                        ("waiting", e.waitlist_count.unwrap_or(0).into()),
                    ]))
                }
            }
            (answer_section(ctx, e, remote, typed, errors))
            section aria-labelledby="calendar" {
                h2 id="calendar" { (ctx.t("meetings-calendar")) }
                p { a href=(format!("/api/v1/pleroma/events/{}/ics", e.id)) { (ctx.t("meetings-add-to-calendar")) } }
                @if ctx.account().is_some() {
                    p { a href="/meetings/calendar" { (ctx.t("meetings-feed-link")) } }
                }
            }
            @if e.facilitator {
                section aria-labelledby="run" class="card" {
                    h2 id="run" { (ctx.t("meetings-run-heading")) }
                    @if let Some(n) = e.participation_request_count {
                        p { (ctx.t_args("meetings-requests-waiting", &[("count", n.into())])) }
                    }
                    ul {
                        li { a href=(format!("/meetings/{}/participants", e.id)) { (ctx.t("meetings-participants-link")) } }
                        li { a href=(format!("/meetings/{}/edit", e.id)) { (ctx.t("meetings-edit-link")) } }
                    }
                }
            }
            script src=(SCRIPT_PATH) defer {}
        },
    )
}

fn answer_section(
    ctx: &Ctx,
    e: &Event,
    remote: bool,
    typed: &AnswerForm,
    errors: &[String],
) -> Markup {
    let current = e.participation.as_ref();
    let chosen = typed
        .rsvp
        .clone()
        .unwrap_or_else(|| match current.map(|p| p.state.as_str()) {
            Some("interested") => "interested".to_owned(),
            Some("accepted" | "requested" | "waitlisted" | "invited") => "going".to_owned(),
            _ => String::new(),
        });
    let name = typed
        .name_for_meeting
        .clone()
        .or_else(|| current.and_then(|p| p.name_for_meeting.clone()))
        .unwrap_or_default();
    html! {
        section aria-labelledby="answer" {
            h2 id="answer" { (ctx.t("meetings-answer-heading")) }
            @if let Some(p) = current {
                p class="notice own-state" role="status" { (view::own_state(ctx, &p.state)) }
            }
            @if ctx.account().is_none() {
                p { a href=(format!("/auth/sign_in?next=/meetings/{}", e.id)) { (ctx.t("meetings-sign-in-to-answer")) } }
            } @else if e.status != "cancelled" {
                (form_errors(ctx.lang, errors))
                form method="post" action=(format!("/meetings/{}/answer", e.id)) {
                    (csrf_field(&ctx.csrf_token))
                    fieldset {
                        legend { (ctx.t("meetings-answer-legend")) }
                        @for (value, label) in [("going", "meetings-rsvp-going"), ("interested", "meetings-rsvp-interested"), ("not_going", "meetings-rsvp-not-going")] {
                            div class="check" {
                                input type="radio" name="rsvp" id=(format!("rsvp-{value}")) value=(value)
                                    checked[chosen == value];
                                label for=(format!("rsvp-{value}")) { (ctx.t(label)) }
                            }
                        }
                    }
                    @if remote {
                        div class="check" {
                            input type="checkbox" name="anonymous" id="anonymous" value="true"
                                checked[typed.anonymous.is_some()];
                            label for="anonymous" { (ctx.t("meetings-anonymous")) }
                        }
                        p class="hint" { (ctx.t("meetings-anonymous-hint")) }
                    } @else {
                        label for="name_for_meeting" { (ctx.t("meetings-name-for-meeting")) }
                        input type="text" id="name_for_meeting" name="name_for_meeting"
                            value=(name) maxlength="100" aria-describedby="name-hint";
                        p class="hint" id="name-hint" { (ctx.t("meetings-name-hint")) }
                    }
                    button type="submit" { (ctx.t("meetings-answer-submit")) }
                }
            }
        }
    }
}

/// `POST /meetings/:id/answer`: the same service as the API's `join`.
pub async fn answer(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: AnswerForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let me = ctx.member()?.clone();
    let id = view::parse_id(&ctx, &path)?;
    let rsvp = match f.rsvp.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        s => Rsvp::parse(s).ok(),
    };
    let Some(rsvp) = rsvp else {
        let (event, remote) = view::load(&ctx, id).await?;
        return Ok(render(
            &ctx,
            &event,
            remote,
            &f,
            &[ctx.t("meetings-answer-choose")],
        ));
    };
    let name = f
        .name_for_meeting
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let anonymous = f.anonymous.is_some();
    match service::answer_as(&ctx.state, &me, id, rsvp, name, anonymous).await {
        Ok(_) => Ok(ctx.redirect(&view::path(&id.to_string()))),
        Err(e) => {
            let message = view::refusal(&ctx, e)?;
            let (event, remote) = view::load(&ctx, id).await?;
            Ok(render(&ctx, &event, remote, &f, &[message]))
        }
    }
}
