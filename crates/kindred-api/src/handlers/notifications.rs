//! Notifications, read markers and the preferences apps read on start.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use kindred_domain::NotificationKind;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::Authenticated;
use crate::entities::status::timestamp;
use crate::entities::Marker;
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::filtering::ActiveFilters;
use crate::services::notifications::{self as service, NotificationQuery};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};
use kindred_domain::filters::FilterContext;

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    exclude_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
}

/// The types asked for that Kindred knows (Mastodon ignores unknown ones).
fn known(types: Option<Vec<String>>) -> Vec<NotificationKind> {
    types
        .unwrap_or_default()
        .iter()
        .filter_map(|t| NotificationKind::parse(t).ok())
        .collect()
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<ListParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:notifications")?;
    let me = auth.user()?.clone();
    let w = p.page.window(40, 80)?;
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let requested_types = p.types.as_ref().is_some_and(|t| !t.is_empty());
    let types = known(p.types);
    if requested_types && types.is_empty() {
        return Ok(HttpResponse::Ok().json(Vec::<()>::new()));
    }
    let q = NotificationQuery {
        types,
        exclude_types: known(p.exclude_types),
        from_account_id: p.account_id.as_deref().and_then(|s| s.parse().ok()),
        hidden_from: viewer.hidden.clone(),
        max_id: w.max_id,
        since_id: w.since_id,
        min_id: w.min_id,
        limit: w.limit,
    };
    let rows = service::list(&state, me.id, q).await?;
    let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
    let filters = ActiveFilters::load(&state, &viewer, FilterContext::Notifications).await?;
    let entities =
        filters.apply_notifications(present::notifications(&state, &viewer, rows).await?);
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(entities))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:notifications")?;
    let me = auth.user()?.clone();
    let id = parse_id(&path)?;
    let row = service::find(&state, me.id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let mut list = present::notifications(&state, &viewer, vec![row]).await?;
    Ok(HttpResponse::Ok().json(list.pop().ok_or_else(ApiError::not_found)?))
}

pub async fn dismiss(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:notifications")?;
    let me = auth.user()?.id;
    let id = parse_id(&path)?;
    if !service::dismiss(&state, me, id).await? {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn clear(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:notifications")?;
    let me = auth.user()?.id;
    service::clear(&state, me).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

#[derive(Deserialize, Default)]
pub struct UnreadParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

pub async fn unread_count(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<UnreadParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:notifications")?;
    let me = auth.user()?.clone();
    let limit = p
        .limit
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let hidden = viewer.hidden.clone();
    let count = service::unread_count(&state, me.id, hidden, limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "count": count })))
}

const MARKER_TIMELINES: &[&str] = &["home", "notifications"];

#[derive(Deserialize, Default)]
pub struct MarkersQuery {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    timeline: Option<Vec<String>>,
}

pub async fn markers(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<MarkersQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let me = auth.user()?.id;
    let wanted: Vec<String> = p
        .timeline
        .unwrap_or_default()
        .into_iter()
        .filter(|t| MARKER_TIMELINES.contains(&t.as_str()))
        .collect();
    let rows = service::markers(&state, me, wanted).await?;
    let mut out = Map::new();
    for m in rows {
        out.insert(
            m.timeline.clone(),
            serde_json::to_value(Marker {
                last_read_id: m.last_read_id,
                version: m.version,
                updated_at: timestamp(m.updated_at),
            })
            .unwrap_or(Value::Null),
        );
    }
    Ok(HttpResponse::Ok().json(Value::Object(out)))
}

/// `POST /api/v1/markers` with `home[last_read_id]` and/or `notifications[last_read_id]`.
pub async fn set_markers(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let me = auth.user()?.id;
    let mut updates = Vec::new();
    for t in MARKER_TIMELINES {
        if let Some(id) = p
            .get(*t)
            .and_then(|v| v.get("last_read_id"))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        {
            if id.parse::<i64>().is_err() {
                return Err(ApiError::unprocessable(
                    "invalid_marker",
                    "Validation failed: last_read_id is invalid",
                ));
            }
            updates.push((t.to_string(), id));
        }
    }
    if updates.is_empty() {
        return Err(ApiError::bad_request(
            "home[last_read_id] or notifications[last_read_id] is required",
        ));
    }
    let now = Utc::now().naive_utc();
    let rows = service::set_markers(&state, me, updates, now).await?;
    let mut out = Map::new();
    for m in rows {
        out.insert(
            m.timeline.clone(),
            json!({ "last_read_id": m.last_read_id, "version": m.version, "updated_at": timestamp(m.updated_at) }),
        );
    }
    Ok(HttpResponse::Ok().json(Value::Object(out)))
}

pub async fn preferences(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.id;
    let user = service::user(&state, me)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({
        "posting:default:visibility": user.default_privacy,
        "posting:default:sensitive": user.default_sensitive,
        "posting:default:language": user.default_language,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
        "reading:autoplay:gifs": false
    })))
}

/// Trends are empty by design: a support community has no virality features.
pub async fn empty_list() -> HttpResponse {
    HttpResponse::Ok().json(Vec::<()>::new())
}
