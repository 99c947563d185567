//! `/api/v1/scheduled_statuses`: a member's own posts waiting for their time.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Authenticated;
use crate::entities::scheduled::ScheduledStatus;
use crate::entities::status::timestamp;
use crate::pagination::PageParams;
use crate::params::{lenient, Params};
use crate::services::scheduled::{self as svc, Scheduled};
use crate::{ApiError, AppState};

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// `scheduled_at` as apps send it: an ISO 8601 / RFC 3339 time.
pub(crate) fn parse_at(raw: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::unprocessable(
                "invalid_scheduled_at",
                "Validation failed: scheduled_at must be an ISO 8601 time",
            )
        })
}

pub(crate) fn entity(s: &Scheduled) -> ScheduledStatus {
    let p = &s.params;
    ScheduledStatus {
        id: s.row.id.to_string(),
        scheduled_at: timestamp(s.row.scheduled_at),
        params: json!({
            "text": p.text,
            "spoiler_text": p.spoiler_text,
            "sensitive": p.sensitive,
            "visibility": p.visibility,
            "local_only": p.local_only,
            "in_reply_to_id": p.in_reply_to_id,
            "language": p.language,
            "poll": p.poll.as_ref().map(|poll| json!({
                "options": poll.options,
                "expires_in": poll.expires_in.map(|e| e.to_string()),
                "multiple": poll.multiple,
                "hide_totals": poll.hide_totals,
            })),
            "media_ids": null,
            "scheduled_at": null,
            "application_id": null,
            "idempotency": null,
            "with_rate_limit": false,
        }),
        media_attachments: Vec::new(),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    web::Query(page): web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let me = auth.user()?.id;
    let w = page.window(20, 40)?;
    let rows = svc::list(&state, me, w.max_id, w.since_id.or(w.min_id), w.limit).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(entity).collect::<Vec<_>>()))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let me = auth.user()?.id;
    let s = svc::show(&state, me, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(entity(&s)))
}

#[derive(Deserialize)]
pub struct UpdateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scheduled_at: Option<String>,
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<UpdateParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let me = auth.user()?.id;
    let id = parse_id(&path)?;
    let at = parse_at(p.scheduled_at.as_deref().unwrap_or(""))?;
    let s = svc::reschedule(&state, me, id, at).await?;
    Ok(HttpResponse::Ok().json(entity(&s)))
}

pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let me = auth.user()?.id;
    svc::delete(&state, me, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
