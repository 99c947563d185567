//! What the instance tells everyone: announcements (`/admin/announcements`:
//! create, edit, publish, delete; admins only, as `handlers/announcements.rs`) and
//! the crisis resources (`/admin/crisis`: moderators read, admins change, as
//! `handlers/crisis.rs`) — through `services::announcements` and `services::crisis`.

use actix_web::{web, HttpResponse};
use kindred_api::services::announcements::{self, AnnouncementInput};
use kindred_api::services::{crisis, ServiceError};
use kindred_db::models::announcements::AnnouncementRow;
use kindred_db::models::crisis_resources::CrisisResourceRow;
use kindred_db::AccountRow;
use kindred_domain::crisis::CrisisResourceInput;
use maud::{html, Markup};

use super::reports::button;
use super::{admin, checked_form, failed, page, refusal, staff, when, Fields};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::layout::csrf_field;

#[derive(serde::Deserialize, Default)]
struct Which {
    #[serde(default)]
    id: Option<String>,
}

fn which_id(ctx: &Ctx) -> Option<i64> {
    super::query::<Which>(ctx)
        .id
        .as_deref()
        .and_then(|s| s.trim().parse().ok())
}

/// `GET /admin/announcements`.
pub async fn announcements(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = admin(&ctx)?;
    render_announcements(&ctx, &me, &[], None).await
}

async fn render_announcements(
    ctx: &Ctx,
    me: &AccountRow,
    errors: &[String],
    typed: Option<&Fields>,
) -> Result<HttpResponse, WebError> {
    let rows = announcements::all(&ctx.state)
        .await
        .map_err(|e| failed(ctx, e))?;
    let title = ctx.t("admin-announcements-title");
    Ok(page(
        ctx,
        me,
        &title,
        errors,
        html! {
            (announcement_form(ctx, None, typed))
            h2 { (ctx.t("admin-announcements-list")) }
            @if rows.is_empty() { p class="muted" { (ctx.t("admin-none")) } }
            @for a in &rows { (announcement_form(ctx, Some(a), None)) }
        },
    ))
}

/// The form for a new announcement (`row` none) or an existing one.
fn announcement_form(ctx: &Ctx, row: Option<&AnnouncementRow>, typed: Option<&Fields>) -> Markup {
    let key = row.map_or("new".to_owned(), |r| r.id.to_string());
    let action = match row {
        Some(r) => format!("/admin/announcements/update?id={}", r.id),
        None => "/admin/announcements/create".to_owned(),
    };
    let text = typed
        .map(|f| f.text("text"))
        .or_else(|| row.map(|r| r.text.clone()))
        .unwrap_or_default();
    let day = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| t.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let starts = typed
        .map(|f| f.text("starts_at"))
        .unwrap_or_else(|| day(row.and_then(|r| r.starts_at)));
    let ends = typed
        .map(|f| f.text("ends_at"))
        .unwrap_or_else(|| day(row.and_then(|r| r.ends_at)));
    let published = typed.map_or(row.is_none_or(|r| r.published), |f| f.ticked("published"));
    html! {
        form method="post" action=(action) class="card" {
            (csrf_field(&ctx.csrf_token))
            @match row {
                Some(r) => {
                    h3 { (ctx.t("admin-announcement")) " – " (when(ctx, r.created_at)) }
                    p class="muted" { (if r.published { ctx.t("admin-announcement-published") } else { ctx.t("admin-announcement-draft") }) }
                }
                None => h2 { (ctx.t("admin-announcement-new")) },
            }
            label for=(format!("ann-text-{key}")) { (ctx.t("admin-announcement-text")) }
            textarea id=(format!("ann-text-{key}")) name="text" rows="4" required { (text) }
            label for=(format!("ann-starts-{key}")) { (ctx.t("admin-announcement-starts")) }
            input type="date" id=(format!("ann-starts-{key}")) name="starts_at" value=(starts);
            label for=(format!("ann-ends-{key}")) { (ctx.t("admin-announcement-ends")) }
            input type="date" id=(format!("ann-ends-{key}")) name="ends_at" value=(ends);
            div class="check" {
                input type="checkbox" id=(format!("ann-published-{key}")) name="published" value="1" checked[published];
                label for=(format!("ann-published-{key}")) { (ctx.t("admin-announcement-publish")) }
            }
            button type="submit" { (if row.is_some() { ctx.t("admin-save") } else { ctx.t("admin-announcement-create") }) }
        }
        @if let Some(r) = row {
            (button(ctx, &format!("/admin/announcements/delete?id={}", r.id), "admin-announcement-delete", "danger"))
        }
    }
}

fn announcement_input(f: &Fields) -> AnnouncementInput {
    let starts = f.text("starts_at");
    let ends = f.text("ends_at");
    AnnouncementInput {
        text: Some(f.text("text")),
        // A date alone makes an all-day announcement, as the API reads it.
        all_day: Some(!starts.is_empty() || !ends.is_empty()),
        starts_at: Some(starts),
        ends_at: Some(ends),
        published: Some(f.ticked("published")),
    }
}

/// `POST /admin/announcements/{create,update,delete}` (`?id=` for the last two).
pub async fn announcement_act(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = admin(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let state = &ctx.state;
    let id = which_id(&ctx);
    let outcome: Result<(), ServiceError> = match (path.as_str(), id) {
        ("create", _) => announcements::create(state, announcement_input(&f))
            .await
            .map(|_| ()),
        ("update", Some(id)) => announcements::update(state, id, announcement_input(&f))
            .await
            .map(|_| ()),
        ("delete", Some(id)) => announcements::delete(state, id).await,
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match outcome {
        Ok(()) => Ok(ctx.redirect("/admin/announcements")),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            let typed = (path.as_str() == "create").then_some(&f);
            render_announcements(&ctx, &me, &[msg], typed).await
        }
    }
}

/// `GET /admin/crisis`: moderators read the list; admins change it.
pub async fn crisis(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let me = staff(&ctx)?;
    render_crisis(&ctx, &me, &[], None).await
}

async fn render_crisis(
    ctx: &Ctx,
    me: &AccountRow,
    errors: &[String],
    typed: Option<&Fields>,
) -> Result<HttpResponse, WebError> {
    let rows = crisis::list(&ctx.state).await.map_err(|e| failed(ctx, e))?;
    let may_edit = me.role.is_admin();
    let title = ctx.t("admin-crisis-title");
    Ok(page(
        ctx,
        me,
        &title,
        errors,
        html! {
            p class="hint" { (ctx.t("admin-crisis-hint")) }
            @if rows.is_empty() { p class="muted" { (ctx.t("admin-none")) } }
            @for r in &rows {
                @if may_edit {
                    (crisis_form(ctx, Some(r), None))
                } @else {
                    div class="card" {
                        h2 { (r.name) }
                        dl {
                            @for (label, v) in crisis_fields(r) {
                                @if let Some(v) = v { dt { (ctx.t(label)) } dd { (v) } }
                            }
                        }
                    }
                }
            }
            @if may_edit { (crisis_form(ctx, None, typed)) }
        },
    ))
}

fn crisis_fields(r: &CrisisResourceRow) -> [(&'static str, Option<String>); 6] {
    [
        ("admin-crisis-phone", r.phone.clone()),
        ("admin-crisis-text", r.text_line.clone()),
        ("admin-crisis-url", r.url.clone()),
        ("admin-crisis-hours", r.hours.clone()),
        ("admin-crisis-region", r.region.clone()),
        ("admin-crisis-language", r.language.clone()),
    ]
}

const CRISIS_FIELDS: [(&str, &str); 8] = [
    ("name", "admin-crisis-name"),
    ("phone", "admin-crisis-phone"),
    ("text", "admin-crisis-text"),
    ("url", "admin-crisis-url"),
    ("hours", "admin-crisis-hours"),
    ("region", "admin-crisis-region"),
    ("language", "admin-crisis-language"),
    ("position", "admin-crisis-position"),
];

fn crisis_form(ctx: &Ctx, row: Option<&CrisisResourceRow>, typed: Option<&Fields>) -> Markup {
    let key = row.map_or("new".to_owned(), |r| r.id.to_string());
    let action = match row {
        Some(r) => format!("/admin/crisis/update?id={}", r.id),
        None => "/admin/crisis/create".to_owned(),
    };
    let stored = |name: &str| -> String {
        let Some(r) = row else { return String::new() };
        match name {
            "name" => r.name.clone(),
            "phone" => r.phone.clone().unwrap_or_default(),
            "text" => r.text_line.clone().unwrap_or_default(),
            "url" => r.url.clone().unwrap_or_default(),
            "hours" => r.hours.clone().unwrap_or_default(),
            "region" => r.region.clone().unwrap_or_default(),
            "language" => r.language.clone().unwrap_or_default(),
            "position" => r.position.to_string(),
            _ => String::new(),
        }
    };
    html! {
        form method="post" action=(action) class="card" {
            (csrf_field(&ctx.csrf_token))
            @match row {
                Some(r) => h2 { (r.name) },
                None => h2 { (ctx.t("admin-crisis-new")) },
            }
            @for (name, label) in CRISIS_FIELDS {
                @let id = format!("crisis-{name}-{key}");
                @let value = typed.map(|f| f.text(name)).unwrap_or_else(|| stored(name));
                label for=(id) { (ctx.t(label)) }
                @if name == "position" {
                    input type="number" id=(id) name=(name) value=(value);
                } @else if name == "url" {
                    input type="url" id=(id) name=(name) value=(value);
                } @else {
                    input type="text" id=(id) name=(name) value=(value) required[name == "name"];
                }
            }
            button type="submit" { (if row.is_some() { ctx.t("admin-save") } else { ctx.t("admin-crisis-add") }) }
        }
        @if let Some(r) = row {
            (button(ctx, &format!("/admin/crisis/delete?id={}", r.id), "admin-crisis-delete", "danger"))
        }
    }
}

fn crisis_input(f: &Fields) -> Result<CrisisResourceInput, ()> {
    let position = match f.text("position").as_str() {
        "" => None,
        s => Some(s.parse::<i32>().map_err(|_| ())?),
    };
    Ok(CrisisResourceInput {
        name: Some(f.text("name")),
        phone: Some(f.text("phone")),
        text: Some(f.text("text")),
        url: Some(f.text("url")),
        hours: Some(f.text("hours")),
        region: Some(f.text("region")),
        language: Some(f.text("language")),
        position,
    })
}

/// `POST /admin/crisis/{create,update,delete}` (admins only).
pub async fn crisis_act(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = admin(&ctx)?;
    let f = checked_form(&ctx, &body)?;
    let state = &ctx.state;
    let id = which_id(&ctx);
    let typed = (path.as_str() == "create").then_some(&f);
    let input = match path.as_str() {
        "create" | "update" => match crisis_input(&f) {
            Ok(i) => Some(i),
            Err(()) => {
                let msg = ctx.t("admin-crisis-bad-position");
                return render_crisis(&ctx, &me, &[msg], typed).await;
            }
        },
        _ => None,
    };
    let outcome: Result<(), ServiceError> = match (path.as_str(), id, input) {
        ("create", _, Some(input)) => crisis::create(state, input).await.map(|_| ()),
        ("update", Some(id), Some(input)) => crisis::update(state, id, input).await.map(|_| ()),
        ("delete", Some(id), _) => crisis::delete(state, id).await,
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match outcome {
        Ok(()) => Ok(ctx.redirect("/admin/crisis")),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            render_crisis(&ctx, &me, &[msg], typed).await
        }
    }
}
