//! Facilitator pages: create a meeting for a group the member facilitates
//! (`/meetings/new`), edit it (`/meetings/:id/edit`) and cancel one occurrence or
//! all (`POST /meetings/:id/cancel`). The same services as the API's events
//! endpoints decide who may and what is valid.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use kindred_api::entities::meetings::Event;
use kindred_api::services::meetings::{self as service, Fields};
use kindred_api::services::{groups, ServiceError};
use kindred_db::AccountRow;
use kindred_domain::meetings::Series;
use maud::{html, Markup};
use serde::Deserialize;

use super::view;
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::form;
use crate::layout::{csrf_field, form_errors};

/// Groups offered on the create form (the member's own, facilitated ones).
const GROUPS: i64 = 40;

#[derive(Deserialize, Default, Clone)]
pub struct MeetingForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    recurrence: Option<String>,
    #[serde(default)]
    locality: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    venue_name: Option<String>,
    #[serde(default)]
    street_address: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    access_notes: Option<String>,
    #[serde(default)]
    online_link: Option<String>,
    #[serde(default)]
    capacity: Option<String>,
    #[serde(default)]
    join_mode: Option<String>,
    #[serde(default)]
    audience: Option<String>,
}

impl MeetingForm {
    fn get(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }

    /// The form as the service's fields: every field sent, so an emptied one clears.
    fn fields(&self) -> Result<Fields, ()> {
        let s = |v: &Option<String>| Some(v.as_deref().unwrap_or("").trim().to_owned());
        let capacity = match Self::get(&self.capacity).trim() {
            "" => None,
            n => Some(n.parse::<i64>().map_err(|_| ())?),
        };
        Ok(Fields {
            title: s(&self.title),
            description: Some(Self::get(&self.description).to_owned()),
            start_time: s(&self.start_time),
            end_time: s(&self.end_time),
            time_zone: s(&self.time_zone),
            recurrence: s(&self.recurrence),
            status: None,
            join_mode: s(&self.join_mode),
            audience: s(&self.audience),
            capacity: Some(capacity),
            content_category: None,
            locality: s(&self.locality),
            region: s(&self.region),
            country: s(&self.country),
            venue_name: s(&self.venue_name),
            street_address: s(&self.street_address),
            postal_code: s(&self.postal_code),
            access_notes: s(&self.access_notes),
            accessibility: None,
            online_link: s(&self.online_link),
            max_per_remote_domain: None,
        })
    }

    /// The meeting's current values, for the edit form.
    fn of(e: &Event) -> MeetingForm {
        let tz = view::zone(&e.time_zone);
        let local = |raw: &str| {
            view::utc(raw)
                .map(|t| view::wall_clock(t.with_timezone(&tz).naive_local()))
                .unwrap_or_default()
        };
        let full = e.full_location.clone();
        let f = |pick: fn(&kindred_api::entities::meetings::FullLocation) -> String| {
            full.as_ref().map(pick)
        };
        MeetingForm {
            csrf_token: None,
            group_id: e.group_id.clone(),
            title: Some(e.title.clone()),
            description: Some(e.description.clone()),
            start_time: Some(local(&e.start_time)),
            end_time: Some(local(&e.end_time)),
            time_zone: Some(e.time_zone.clone()),
            recurrence: e.recurrence.clone(),
            locality: Some(e.location.locality.clone()),
            region: Some(e.location.region.clone()),
            country: Some(e.location.country.clone()),
            venue_name: f(|p| p.venue_name.clone()),
            street_address: f(|p| p.street_address.clone()),
            postal_code: f(|p| p.postal_code.clone()),
            access_notes: f(|p| p.access_notes.clone()),
            online_link: f(|p| p.online_link.clone().unwrap_or_default()),
            capacity: e.capacity.map(|c| c.to_string()),
            join_mode: Some(e.join_mode.clone()),
            audience: Some(e.audience.clone()),
        }
    }
}

/// The groups this member facilitates: (id, name).
async fn facilitated(ctx: &Ctx, me: &AccountRow) -> Result<Vec<(i64, String)>, WebError> {
    let mine = groups::directory(&ctx.state, me.id, true, None, GROUPS)
        .await
        .map_err(|e| view::fail(ctx, e))?;
    let mut out = Vec::new();
    for (g, account) in mine {
        let membership = match groups::find_visible(&ctx.state, Some(me.id), g.account_id).await {
            Ok((_, m)) => m,
            Err(ServiceError::NotFound) => continue,
            Err(e) => return Err(view::fail(ctx, e)),
        };
        if membership.is_some_and(|m| m.is_member() && m.role.moderates()) {
            let name = if account.display_name.is_empty() {
                account.username.clone()
            } else {
                account.display_name.clone()
            };
            out.push((g.account_id, name));
        }
    }
    Ok(out)
}

fn text_field(id: &str, label: String, value: &str, hint: Option<String>) -> Markup {
    let hint_id = format!("{id}-hint");
    html! {
        label for=(id) { (label) }
        @if let Some(h) = hint {
            input type="text" id=(id) name=(id) value=(value) aria-describedby=(hint_id);
            p class="hint" id=(hint_id) { (h) }
        } @else {
            input type="text" id=(id) name=(id) value=(value);
        }
    }
}

/// The meeting form (create when `groups` is given, else edit `action`).
fn meeting_form(
    ctx: &Ctx,
    action: &str,
    f: &MeetingForm,
    groups: Option<&[(i64, String)]>,
) -> Markup {
    let g = MeetingForm::get;
    let rule = g(&f.recurrence);
    let mut rules = vec![
        (String::new(), ctx.t("meetings-form-repeat-none")),
        (
            "FREQ=WEEKLY".to_owned(),
            ctx.t("meetings-form-repeat-weekly"),
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2".to_owned(),
            ctx.t("meetings-form-repeat-fortnightly"),
        ),
    ];
    if !rules.iter().any(|(r, _)| r == rule) {
        rules.push((rule.to_owned(), rule.to_owned()));
    }
    let join = g(&f.join_mode);
    let audience = g(&f.audience);
    html! {
        form method="post" action=(action) {
            (csrf_field(&ctx.csrf_token))
            @if let Some(groups) = groups {
                label for="group_id" { (ctx.t("meetings-form-group")) }
                select id="group_id" name="group_id" {
                    @for (id, name) in groups {
                        option value=(id) selected[g(&f.group_id) == id.to_string()] { (name) }
                    }
                }
            }
            (text_field("title", ctx.t("meetings-form-title"), g(&f.title), None))
            label for="description" { (ctx.t("meetings-form-description")) }
            textarea id="description" name="description" rows="5" { (g(&f.description)) }
            fieldset {
                legend { (ctx.t("meetings-form-when")) }
                label for="start_time" { (ctx.t("meetings-form-start")) }
                input type="datetime-local" id="start_time" name="start_time" value=(g(&f.start_time));
                label for="end_time" { (ctx.t("meetings-form-end")) }
                input type="datetime-local" id="end_time" name="end_time" value=(g(&f.end_time));
                (text_field("time_zone", ctx.t("meetings-form-zone"), g(&f.time_zone), Some(ctx.t("meetings-form-zone-hint"))))
                label for="recurrence" { (ctx.t("meetings-form-repeat")) }
                select id="recurrence" name="recurrence" {
                    @for (value, label) in &rules {
                        option value=(value) selected[value == rule] { (label) }
                    }
                }
            }
            fieldset {
                legend { (ctx.t("meetings-form-public-place")) }
                p class="hint" { (ctx.t("meetings-form-public-place-hint")) }
                (text_field("locality", ctx.t("meetings-form-locality"), g(&f.locality), None))
                (text_field("region", ctx.t("meetings-form-region"), g(&f.region), None))
                (text_field("country", ctx.t("meetings-form-country"), g(&f.country), None))
            }
            fieldset {
                legend { (ctx.t("meetings-form-private-place")) }
                p class="hint" { (ctx.t("meetings-form-private-place-hint")) }
                (text_field("venue_name", ctx.t("meetings-form-venue"), g(&f.venue_name), None))
                (text_field("street_address", ctx.t("meetings-form-street"), g(&f.street_address), None))
                (text_field("postal_code", ctx.t("meetings-form-postal"), g(&f.postal_code), None))
                (text_field("access_notes", ctx.t("meetings-form-access-notes"), g(&f.access_notes), None))
                (text_field("online_link", ctx.t("meetings-form-online-link"), g(&f.online_link), None))
            }
            fieldset {
                legend { (ctx.t("meetings-form-who")) }
                label for="capacity" { (ctx.t("meetings-form-capacity")) }
                input type="number" id="capacity" name="capacity" min="1" value=(g(&f.capacity))
                    aria-describedby="capacity-hint";
                p class="hint" id="capacity-hint" { (ctx.t("meetings-form-capacity-hint")) }
                label for="join_mode" { (ctx.t("meetings-form-join-mode")) }
                select id="join_mode" name="join_mode" {
                    option value="free" selected[join == "free"] { (ctx.t("meetings-form-join-free")) }
                    option value="approval" selected[join == "approval"] { (ctx.t("meetings-form-join-approval")) }
                    option value="invite" selected[join == "invite"] { (ctx.t("meetings-form-join-invite")) }
                }
                label for="audience" { (ctx.t("meetings-form-audience")) }
                select id="audience" name="audience" {
                    option value="public" selected[audience == "public"] { (ctx.t("meetings-form-audience-public")) }
                    option value="members" selected[audience == "members"] { (ctx.t("meetings-form-audience-members")) }
                }
            }
            button type="submit" { (ctx.t("meetings-form-save")) }
        }
    }
}

fn form_page(ctx: &Ctx, title: &str, errors: &[String], form: Markup) -> HttpResponse {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.page_with_status(
        status,
        title,
        html! {
            h1 { (title) }
            (form_errors(ctx.lang, errors))
            (form)
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    group: Option<String>,
}

/// `GET /meetings/new` (`?group=ID` preselects a group).
pub async fn new_form(ctx: Ctx, q: web::Query<NewQuery>) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let groups = facilitated(&ctx, &me).await?;
    let title = ctx.t("meetings-new-title");
    if groups.is_empty() {
        return Ok(ctx.page_with_status(
            StatusCode::FORBIDDEN,
            &title,
            html! { h1 { (title) } p { (ctx.t("meetings-new-no-groups")) } },
        ));
    }
    let f = MeetingForm {
        group_id: q.group.clone(),
        time_zone: Some("Europe/Oslo".to_owned()),
        join_mode: Some("approval".to_owned()),
        audience: Some("public".to_owned()),
        ..MeetingForm::default()
    };
    Ok(form_page(
        &ctx,
        &title,
        &[],
        meeting_form(&ctx, "/meetings/new", &f, Some(&groups)),
    ))
}

/// `POST /meetings/new`: the API's `create`.
pub async fn create(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, WebError> {
    let f: MeetingForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let me = ctx.member()?.clone();
    let groups = facilitated(&ctx, &me).await?;
    let title = ctx.t("meetings-new-title");
    let group = MeetingForm::get(&f.group_id)
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|g| groups.iter().any(|(id, _)| id == g));
    let again = |errors: &[String]| {
        form_page(
            &ctx,
            &title,
            errors,
            meeting_form(&ctx, "/meetings/new", &f, Some(&groups)),
        )
    };
    let Some(group) = group else {
        return Ok(again(&[ctx.t("meetings-form-pick-group")]));
    };
    let Ok(fields) = f.fields() else {
        return Ok(again(&[ctx.t("meetings-form-capacity-number")]));
    };
    match service::create(&ctx.state, &me, Some(group), fields).await {
        Ok(loaded) => Ok(ctx.redirect(&view::path(&loaded.meeting.meeting.id.to_string()))),
        Err(e) => {
            let message = view::refusal(&ctx, e)?;
            Ok(again(&[message]))
        }
    }
}

/// The meeting, for its facilitators only (403 for who only sees it, else 404).
async fn run_by_me(ctx: &Ctx, raw: &str) -> Result<(i64, Event), WebError> {
    ctx.member()?;
    let id = view::parse_id(ctx, raw)?;
    let (event, _) = view::load(ctx, id).await?;
    if !event.facilitator {
        return Err(ctx.error(WebErrorKind::Forbidden));
    }
    Ok((id, event))
}

/// `GET /meetings/:id/edit`.
pub async fn edit_form(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let (id, event) = run_by_me(&ctx, &path).await?;
    edit_page(&ctx, id, &event, &MeetingForm::of(&event), &[]).await
}

async fn edit_page(
    ctx: &Ctx,
    id: i64,
    e: &Event,
    f: &MeetingForm,
    errors: &[String],
) -> Result<HttpResponse, WebError> {
    let title = ctx.t_args("meetings-edit-title", &[("title", e.title.clone().into())]);
    let occurrences = upcoming_occurrences(ctx, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ctx.page_with_status(
        status,
        &title,
        html! {
            h1 { (title) }
            p { a href=(view::path(&e.id)) { (ctx.t("meetings-back-to-meeting")) } }
            (form_errors(ctx.lang, errors))
            (meeting_form(ctx, &format!("/meetings/{id}/edit"), f, None))
            @if e.status != "cancelled" {
                section aria-labelledby="cancel" class="card" {
                    h2 id="cancel" { (ctx.t("meetings-cancel-heading")) }
                    @if e.recurrence.is_some() && !occurrences.is_empty() {
                        form method="post" action=(format!("/meetings/{id}/cancel")) {
                            (csrf_field(&ctx.csrf_token))
                            label for="occurrence" { (ctx.t("meetings-cancel-occurrence-label")) }
                            select id="occurrence" name="occurrence" {
                                @for (value, label) in &occurrences {
                                    option value=(value) { (label) }
                                }
                            }
                            button type="submit" class="secondary" { (ctx.t("meetings-cancel-occurrence")) }
                        }
                    }
                    form method="post" action=(format!("/meetings/{id}/cancel")) {
                        (csrf_field(&ctx.csrf_token))
                        input type="hidden" name="all" value="true";
                        button type="submit" class="danger" { (ctx.t("meetings-cancel-all")) }
                    }
                }
            }
        },
    ))
}

/// The next occurrences still to come: (wall-clock start as the API names it, words).
async fn upcoming_occurrences(ctx: &Ctx, id: i64) -> Result<Vec<(String, String)>, WebError> {
    let me = ctx.account().cloned();
    let loaded = service::load(&ctx.state, me.as_ref(), id)
        .await
        .map_err(|e| view::fail(ctx, e))?;
    let (event, _) = view::load(ctx, id).await?;
    let cancelled: Vec<chrono::NaiveDateTime> = event
        .cancelled_occurrences
        .iter()
        .filter_map(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
        .collect();
    let Ok((time, rule)) = loaded.meeting.time.schedule() else {
        return Ok(Vec::new());
    };
    let tz = view::zone(&event.time_zone);
    let now = Utc::now();
    let series = Series {
        time: &time,
        rule: rule.as_ref(),
        cancelled: &cancelled,
    };
    Ok(series
        .between(now, now + Duration::days(120), 12)
        .into_iter()
        .map(|o| {
            (
                view::wall_clock(o.local_start),
                crate::i18n::datetime(ctx.lang, o.start, tz),
            )
        })
        .collect())
}

/// `POST /meetings/:id/edit`: the API's `update`.
pub async fn update(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: MeetingForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let (id, event) = run_by_me(&ctx, &path).await?;
    let me = ctx.member()?.clone();
    let Ok(fields) = f.fields() else {
        return edit_page(
            &ctx,
            id,
            &event,
            &f,
            &[ctx.t("meetings-form-capacity-number")],
        )
        .await;
    };
    match service::update(&ctx.state, &me, id, fields).await {
        Ok(_) => Ok(ctx.redirect(&view::path(&id.to_string()))),
        Err(e) => {
            let message = view::refusal(&ctx, e)?;
            edit_page(&ctx, id, &event, &f, &[message]).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CancelForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    occurrence: Option<String>,
    #[serde(default)]
    all: Option<String>,
}

/// `POST /meetings/:id/cancel`: one occurrence (`occurrence`), or all (`all`).
pub async fn cancel(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: CancelForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let (id, event) = run_by_me(&ctx, &path).await?;
    let me = ctx.member()?.clone();
    let occurrence = match (f.all.is_some(), f.occurrence.as_deref().map(str::trim)) {
        (true, _) => None,
        (false, Some(o)) if !o.is_empty() => Some(o),
        _ => {
            let f = MeetingForm::of(&event);
            return edit_page(&ctx, id, &event, &f, &[ctx.t("meetings-cancel-pick")]).await;
        }
    };
    match service::cancel(&ctx.state, &me, id, occurrence).await {
        Ok(_) => Ok(ctx.redirect(&view::path(&id.to_string()))),
        Err(e) => {
            let message = view::refusal(&ctx, e)?;
            let f = MeetingForm::of(&event);
            edit_page(&ctx, id, &event, &f, &[message]).await
        }
    }
}
