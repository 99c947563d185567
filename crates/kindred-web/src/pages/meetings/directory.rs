//! `/meetings`: the meetings directory as the API shows this viewer — the public
//! listings (the instance's, its groups' and the partner directory's), and for a
//! member also their own answers and their groups' members-only meetings — with
//! filters by place and dates, and paging.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use kindred_api::entities::meetings::Event;
use kindred_api::services::groups;
use kindred_api::services::meetings::{self as service, present, Listing};
use maud::html;
use serde::Deserialize;

use super::view;
use crate::context::{Ctx, WebError};
use crate::form::encode_component;

/// Listings fetched per page (the API's largest page).
const PAGE: i64 = 40;
/// A member's groups whose members-only meetings are added (bounded queries).
const GROUPS: i64 = 10;

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

fn day(raw: Option<&str>) -> Option<NaiveDate> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Whether the meeting passes the filters (on what the listing shows anyway).
fn shown(e: &Event, place: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    let place = place.trim().to_lowercase();
    if !place.is_empty() {
        let l = &e.location;
        let hay = format!("{} {} {}", l.locality, l.region, l.country).to_lowercase();
        if !hay.contains(&place) {
            return false;
        }
    }
    let Some((start, _)) = view::when(e) else {
        return false;
    };
    let local = start.with_timezone(&view::zone(&e.time_zone)).date_naive();
    from.is_none_or(|f| local >= f) && to.is_none_or(|t| local <= t)
}

/// `GET /meetings`.
pub async fn index(ctx: Ctx, q: web::Query<Filters>) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let me = ctx.account().cloned();
    let after = q
        .after
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok());
    let mut loaded = service::upcoming(&ctx.state, me.as_ref(), Listing::Directory, after, PAGE)
        .await
        .map_err(|e| view::fail(&ctx, e))?;
    let full = loaded.len() as i64 >= PAGE;
    let next = loaded.last().map(|l| l.meeting.meeting.id);
    if let (Some(me), None) = (&me, after) {
        // The member's groups' meetings, members-only ones included (first page).
        let mine = groups::directory(&ctx.state, me.id, true, None, GROUPS)
            .await
            .map_err(|e| view::fail(&ctx, e))?;
        for (g, _) in mine {
            match service::upcoming(&ctx.state, Some(me), Listing::Group(g.account_id), None, 10)
                .await
            {
                Ok(list) => loaded.extend(list),
                Err(kindred_api::services::ServiceError::NotFound) => {}
                Err(e) => return Err(view::fail(&ctx, e)),
            }
        }
    }
    let events = present::events(&ctx.state, loaded)
        .await
        .map_err(|e| view::fail(&ctx, e))?;
    // One entry per meeting, by start.
    let mut by_start: BTreeMap<(String, i64), Event> = BTreeMap::new();
    let (from, to) = (day(q.from.as_deref()), day(q.to.as_deref()));
    let place = q.place.clone().unwrap_or_default();
    for e in events {
        if !shown(&e, &place, from, to) {
            continue;
        }
        let start = view::when(&e)
            .map(|(s, _)| s.to_rfc3339())
            .unwrap_or_default();
        let id = e.id.parse::<i64>().unwrap_or_default();
        by_start.insert((start, id), e);
    }
    let joined = match &me {
        Some(me) if after.is_none() => {
            let list = service::joined(&ctx.state, me, None, 10)
                .await
                .map_err(|e| view::fail(&ctx, e))?;
            present::events(&ctx.state, list)
                .await
                .map_err(|e| view::fail(&ctx, e))?
        }
        _ => Vec::new(),
    };
    let next_link = next.filter(|_| full).map(|n| {
        format!(
            "/meetings?place={}&from={}&to={}&after={n}",
            encode_component(&place),
            encode_component(q.from.as_deref().unwrap_or("")),
            encode_component(q.to.as_deref().unwrap_or("")),
        )
    });
    let title = ctx.t("meetings-directory-title");
    Ok(ctx.page(
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("meetings-directory-intro")) }
            @if ctx.account().is_some() {
                p { a href="/meetings/new" { (ctx.t("meetings-new-link")) } }
            }
            @if !joined.is_empty() {
                section aria-labelledby="my-meetings" {
                    h2 id="my-meetings" { (ctx.t("meetings-mine-heading")) }
                    ul class="plain" {
                        @for e in &joined { li { (item(&ctx, e)) } }
                    }
                }
            }
            form method="get" action="/meetings" class="card filters" role="search"
                aria-label=(ctx.t("meetings-filter-label")) {
                label for="place" { (ctx.t("meetings-filter-place")) }
                input type="text" id="place" name="place" value=(place);
                label for="from" { (ctx.t("meetings-filter-from")) }
                input type="date" id="from" name="from" value=(q.from.as_deref().unwrap_or(""));
                label for="to" { (ctx.t("meetings-filter-to")) }
                input type="date" id="to" name="to" value=(q.to.as_deref().unwrap_or(""));
                button type="submit" { (ctx.t("meetings-filter-submit")) }
            }
            section aria-labelledby="upcoming" {
                h2 id="upcoming" { (ctx.t("meetings-upcoming-heading")) }
                @if by_start.is_empty() {
                    p class="muted" { (ctx.t("meetings-none")) }
                } @else {
                    ul class="plain meeting-list" {
                        @for e in by_start.values() { li { (item(&ctx, e)) } }
                    }
                }
                @if let Some(link) = next_link {
                    p { a href=(link) { (ctx.t("meetings-next-page")) } }
                }
            }
        },
    ))
}

fn item(ctx: &Ctx, e: &Event) -> maud::Markup {
    let tz = view::zone(&e.time_zone);
    html! {
        article class="card meeting" {
            h3 { a href=(view::path(&e.id)) { (e.title) } }
            @if let Some((start, end)) = view::when(e) {
                p { (view::span(ctx.lang, start, end, tz)) }
            }
            p class="muted" { (view::public_place(ctx, e)) }
            (view::status_badge(ctx, e))
            @if let Some(p) = &e.participation {
                p { (view::own_state(ctx, &p.state)) }
            }
        }
    }
}
