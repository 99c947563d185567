//! `/meetings/:id/participants`: who answered, for the meeting's facilitators only
//! (invariant 3) — requests to approve or decline, the accepted, the wait list in
//! the order places are given, and the interested. Names are the ones people gave
//! for the meeting. `POST /meetings/:id/participants/:who/:action` decides.

use actix_web::{web, HttpResponse};
use kindred_api::services::meetings::{self as service, Target};
use kindred_db::models::meetings::ParticipationRow;
use kindred_db::AccountRow;
use kindred_domain::meetings::{FacilitatorAction, ParticipationState};
use maud::{html, Markup};
use serde::Deserialize;

use super::view;
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::form;
use crate::layout::{csrf_field, form_errors};

/// The most participations shown (the API's largest page).
const LIMIT: i64 = 80;

type Row = (ParticipationRow, Option<AccountRow>);

/// The name shown to facilitators: the name given for the meeting, else the handle;
/// an anonymous attendee of another server by its server only.
fn shown_name(ctx: &Ctx, (p, a): &Row) -> String {
    if let Some(n) = p.meeting_name.as_deref().filter(|n| !n.trim().is_empty()) {
        return n.to_owned();
    }
    match a {
        Some(a) if a.is_local() => format!("@{}", a.username),
        Some(a) => format!("@{}@{}", a.username, a.domain),
        None => ctx.t_args(
            "meetings-people-anonymous",
            &[(
                "server",
                p.anonymous_domain.clone().unwrap_or_default().into(),
            )],
        ),
    }
}

fn who(row: &Row) -> String {
    match &row.1 {
        Some(a) => a.id.to_string(),
        None => Target::anonymous_id(row.0.id),
    }
}

/// `GET /meetings/:id/participants`.
pub async fn list(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let id = view::parse_id(&ctx, &path)?;
    render(&ctx, id, &[]).await
}

async fn render(ctx: &Ctx, id: i64, errors: &[String]) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let (event, _) = view::load(ctx, id).await?;
    if !event.facilitator {
        return Err(ctx.error(WebErrorKind::Forbidden));
    }
    let rows = service::participations(&ctx.state, &me, id, None, None, LIMIT)
        .await
        .map_err(|e| view::fail(ctx, e))?;
    let of =
        |s: ParticipationState| -> Vec<&Row> { rows.iter().filter(|r| r.0.state == s).collect() };
    let mut waiting = of(ParticipationState::Waitlisted);
    // Places go to the wait list in this order (`promote_waitlisted`).
    waiting.sort_by_key(|r| (r.0.updated_at, r.0.id));
    let title = ctx.t_args(
        "meetings-people-title",
        &[("title", event.title.clone().into())],
    );
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ctx.page_with_status(
        status,
        &title,
        html! {
            h1 { (title) }
            p { a href=(view::path(&event.id)) { (ctx.t("meetings-back-to-meeting")) } }
            (form_errors(ctx.lang, errors))
            section aria-labelledby="requests" {
                h2 id="requests" { (ctx.t("meetings-people-requests")) }
                (people(ctx, id, &of(ParticipationState::Requested), true, false))
            }
            section aria-labelledby="accepted" {
                h2 id="accepted" { (ctx.t("meetings-people-accepted")) }
                @if let Some(c) = event.capacity {
                    p class="muted" { (ctx.t_args("meetings-people-capacity", &[("capacity", c.into())])) }
                }
                (people(ctx, id, &of(ParticipationState::Accepted), false, false))
            }
            section aria-labelledby="waitlist" {
                h2 id="waitlist" { (ctx.t("meetings-people-waitlist")) }
                p class="hint" { (ctx.t("meetings-people-waitlist-hint")) }
                (people(ctx, id, &waiting, false, true))
            }
            section aria-labelledby="interested" {
                h2 id="interested" { (ctx.t("meetings-people-interested")) }
                (people(ctx, id, &of(ParticipationState::Interested), false, false))
            }
        },
    ))
}

fn people(ctx: &Ctx, id: i64, rows: &[&Row], decide: bool, ordered: bool) -> Markup {
    html! {
        @if rows.is_empty() {
            p class="muted" { (ctx.t("meetings-people-none")) }
        } @else {
            @let items = html! {
                @for row in rows {
                    @let name = shown_name(ctx, row);
                    li class="participant" {
                        span class="name" { (name) }
                        @if decide {
                            " "
                            @for (action, label) in [("approve", "meetings-people-approve"), ("reject", "meetings-people-decline")] {
                                form method="post" class="inline"
                                    action=(format!("/meetings/{id}/participants/{}/{action}", who(row))) {
                                    (csrf_field(&ctx.csrf_token))
                                    button type="submit" class=(if action == "reject" { "secondary" } else { "" }) {
                                        (ctx.t_args(label, &[("name", name.clone().into())]))
                                    }
                                }
                            }
                        }
                    }
                }
            };
            @if ordered { ol class="people" { (items) } } @else { ul class="people" { (items) } }
        }
    }
}

#[derive(Deserialize, Default)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: Option<String>,
}

/// `POST /meetings/:id/participants/:who/:action` (`approve` or `reject`): the API's
/// `decide`.
pub async fn decide(
    ctx: Ctx,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: CsrfOnly = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let me = ctx.member()?.clone();
    let (raw, who, action) = path.into_inner();
    let id = view::parse_id(&ctx, &raw)?;
    let target = Target::parse(&who).ok_or_else(|| ctx.error(WebErrorKind::NotFound))?;
    let action = match action.as_str() {
        "approve" => FacilitatorAction::Approve,
        "reject" => FacilitatorAction::Reject,
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match service::facilitate(&ctx.state, &me, id, target, action).await {
        Ok(_) => Ok(ctx.redirect(&format!("/meetings/{id}/participants"))),
        Err(e) => {
            let message = view::refusal(&ctx, e)?;
            render(&ctx, id, &[message]).await
        }
    }
}
