//! What the meeting pages share: loading a meeting as the viewer may see it (the
//! API's entity, so the full place is there only when the API would show it), times
//! in the meeting's zone and UTC, the public place, and service errors as words.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use kindred_api::entities::meetings::Event;
use kindred_api::services::meetings::{self as service, present};
use kindred_api::services::ServiceError;
use maud::{html, Markup};

use crate::context::{Ctx, WebError, WebErrorKind};
use crate::i18n::{self, Lang};

/// The path of a meeting's page.
pub fn path(id: &str) -> String {
    format!("/meetings/{id}")
}

/// A meeting id from the path; anything else is "not found".
pub fn parse_id(ctx: &Ctx, raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ctx.error(WebErrorKind::NotFound))
}

/// A failure that is not the person's to fix: not found, not allowed, or an error.
pub fn fail(ctx: &Ctx, e: ServiceError) -> WebError {
    match e {
        ServiceError::NotFound => ctx.error(WebErrorKind::NotFound),
        ServiceError::Forbidden(_) => ctx.error(WebErrorKind::Forbidden),
        ServiceError::Throttled => ctx.error(WebErrorKind::TooMany),
        other => ctx.internal(other.code()),
    }
}

/// A refusal the person can act on (422 on the same page), or `Err` for the rest.
pub fn refusal(ctx: &Ctx, e: ServiceError) -> Result<String, WebError> {
    let known = |code: &str| {
        [
            "invalid_meeting",
            "invalid_meeting_time",
            "unknown_time_zone",
            "unsupported_recurrence",
            "invalid_place",
        ]
        .contains(&code)
    };
    match &e {
        ServiceError::Invalid(_) | ServiceError::Unprocessable(_) | ServiceError::Refused(..) => {
            let code = e.code();
            let headline = if known(code) {
                ctx.t(&format!("meetings-error-{}", code.replace('_', "-")))
            } else {
                ctx.t("meetings-error-refused")
            };
            // The rule's own sentence says exactly what is wrong (it names fields,
            // never a person).
            Ok(format!("{headline} ({e})"))
        }
        _ => Err(fail(ctx, e)),
    }
}

/// The meeting as this viewer may see it, and whether another server lists it.
pub async fn load(ctx: &Ctx, id: i64) -> Result<(Event, bool), WebError> {
    let me = ctx.account().cloned();
    let loaded = service::load(&ctx.state, me.as_ref(), id)
        .await
        .map_err(|e| fail(ctx, e))?;
    let remote = loaded.access.remote;
    let event = present::event(&ctx.state, loaded)
        .await
        .map_err(|e| fail(ctx, e))?;
    Ok((event, remote))
}

pub fn utc(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn zone(raw: &str) -> Tz {
    raw.parse::<Tz>().unwrap_or(chrono_tz::UTC)
}

/// When the meeting next happens (or first happened): start and end in UTC.
pub fn when(e: &Event) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match &e.next_occurrence {
        Some(o) => Some((utc(&o.start_time)?, utc(&o.end_time)?)),
        None => Some((utc(&e.start_time)?, utc(&e.end_time)?)),
    }
}

/// "7 December 2026, 19:30 – 21:00 (Europe/Oslo)".
pub fn span(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let end_local = end.with_timezone(&tz);
    format!(
        "{} – {} ({})",
        i18n::datetime(lang, start, tz),
        end_local.format("%H:%M"),
        tz.name()
    )
}

/// The time in the meeting's zone and in UTC; a small script of ours adds the
/// viewer's own zone where it differs (`data-utc-start`).
pub fn times(ctx: &Ctx, e: &Event) -> Markup {
    let tz = zone(&e.time_zone);
    html! {
        @if let Some((start, end)) = when(e) {
            p class="meeting-time" {
                time datetime=(start.to_rfc3339()) { (span(ctx.lang, start, end, tz)) }
            }
            @if tz != chrono_tz::UTC {
                p class="muted" {
                    (ctx.t("meetings-time-utc")) " "
                    (span(ctx.lang, start, end, chrono_tz::UTC))
                }
            }
            p class="muted viewer-time" hidden
                data-utc-start=(start.to_rfc3339()) data-utc-end=(end.to_rfc3339())
                data-meeting-zone=(tz.name()) data-label=(ctx.t("meetings-time-yours")) {}
        }
    }
}

/// Town, region and country: the public place (never the address).
pub fn public_place(ctx: &Ctx, e: &Event) -> String {
    let parts: Vec<&str> = [
        e.location.locality.as_str(),
        e.location.region.as_str(),
        e.location.country.as_str(),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect();
    let mut out = parts.join(", ");
    if e.location.online {
        if !out.is_empty() {
            out.push_str(" · ");
        }
        out.push_str(&ctx.t("meetings-online"));
    }
    if out.is_empty() {
        out = ctx.t("meetings-place-unknown");
    }
    out
}

/// The person's own standing, in words.
pub fn own_state(ctx: &Ctx, state: &str) -> String {
    let id = match state {
        "accepted" => "meetings-state-accepted",
        "requested" => "meetings-state-requested",
        "waitlisted" => "meetings-state-waitlisted",
        "interested" => "meetings-state-interested",
        "invited" => "meetings-state-invited",
        "rejected" => "meetings-state-rejected",
        _ => "meetings-state-none",
    };
    ctx.t(id)
}

/// A wall-clock start as the API names an occurrence.
pub fn wall_clock(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// The status line: cancelled or tentative meetings say so.
pub fn status_badge(ctx: &Ctx, e: &Event) -> Markup {
    html! {
        @match e.status.as_str() {
            "cancelled" => { p class="notice" { strong { (ctx.t("meetings-status-cancelled")) } } }
            "tentative" => { p class="muted" { (ctx.t("meetings-status-tentative")) } }
            _ => {}
        }
    }
}
