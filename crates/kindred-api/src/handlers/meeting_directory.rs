//! The partner meeting directory for admins, a Kindred extension beside the mode and
//! partner scopes (`/api/v1/admin/kindred/federation/directory`, docs/api/meetings.md).
//! Rules live in `services::meeting_directory`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::entities::status::timestamp;
use crate::params::{lenient, Params};
use crate::services::meeting_directory::{self as service, SubscriptionRow};
use crate::{ApiError, AppState};

fn admin(auth: &Authenticated, scope: &str) -> Result<String, ApiError> {
    Ok(format!("admin:{}", auth.admin(scope)?.username))
}

fn subscription(s: &SubscriptionRow) -> Value {
    json!({
        "id": s.id.to_string(),
        "domain": s.domain,
        "state": s.state,
        "created_at": timestamp(s.created_at),
        "updated_at": timestamp(s.updated_at),
    })
}

/// `GET /api/v1/admin/kindred/federation/directory`: the partners whose listings we
/// receive (and whether they accepted) and the partners receiving ours.
pub async fn index(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read")?;
    let d = service::list(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "subscriptions": d.subscriptions.iter().map(subscription).collect::<Vec<_>>(),
        "subscribers": d.subscribers.iter().map(|(s, domain)| json!({
            "domain": domain,
            "created_at": timestamp(s.created_at),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
pub struct SubscribeParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    domain: Option<String>,
}

/// `POST /api/v1/admin/kindred/federation/directory`: subscribe to `domain`'s public
/// meeting listings.
pub async fn subscribe(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<SubscribeParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write")?;
    let domain = p
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: domain"))?;
    let row = service::subscribe(&state, &actor, &domain).await?;
    Ok(HttpResponse::Ok().json(subscription(&row)))
}

/// `DELETE /api/v1/admin/kindred/federation/directory/:domain`
pub async fn unsubscribe(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write")?;
    let row = service::unsubscribe(&state, &actor, &path).await?;
    Ok(HttpResponse::Ok().json(subscription(&row)))
}
