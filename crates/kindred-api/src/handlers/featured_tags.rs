//! `/api/v1/featured_tags` (and `/api/v1/accounts/:id/featured_tags`): hashtags a
//! member features on their profile, with counts of their public posts only.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::statuses::parse_id;
use super::tags::tag_name;
use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::params::{lenient, Params};
use crate::services::accounts;
use crate::services::featured_tags as svc;
use crate::{ApiError, AppState};

fn entity(state: &AppState, username: &str, t: &svc::FeaturedTag) -> Value {
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "url": format!("{}/tagged/{}", state.urls.profile_page(username), t.name),
        "statuses_count": t.statuses_count,
        // The day only, as Mastodon shows it.
        "last_status_at": t.last_status_at.map(|d| d.date().to_string()),
    })
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.clone();
    let tags = svc::list(&state, me.id).await?;
    Ok(HttpResponse::Ok().json(
        tags.iter()
            .map(|t| entity(&state, &me.username, t))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
pub struct AddParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
}

pub async fn add(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AddParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?.clone();
    let name = tag_name(p.name.as_deref().unwrap_or("")).map_err(|_| {
        ApiError::unprocessable(
            "invalid_tag",
            "Validation failed: Name is not a valid hashtag",
        )
    })?;
    let t = svc::add(&state, me.id, name).await?;
    Ok(HttpResponse::Ok().json(entity(&state, &me.username, &t)))
}

pub async fn remove(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?.id;
    svc::remove(&state, me, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn suggestions(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?.id;
    let names = svc::suggestions(&state, me).await?;
    Ok(HttpResponse::Ok().json(
        names
            .into_iter()
            .map(|n| {
                json!({
                    "name": n,
                    "url": format!("{}{}", state.urls.tags_base(), n),
                    "history": [],
                })
            })
            .collect::<Vec<_>>(),
    ))
}

/// Another account's featured hashtags, for whoever may see that account.
pub async fn of_account(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.user("read:accounts")?;
    // As the account itself answers: a pending sign-up does not exist.
    let account = accounts::find(&state, parse_id(&path)?)
        .await?
        .filter(|a| a.approved)
        .ok_or_else(ApiError::not_found)?;
    // A suspended account shows nothing; a group features nothing of a member's.
    if !account.is_local() || !account.is_active() || account.role.is_group() {
        return Ok(HttpResponse::Ok().json(Vec::<Value>::new()));
    }
    let tags = svc::list(&state, account.id).await?;
    Ok(HttpResponse::Ok().json(
        tags.iter()
            .map(|t| entity(&state, &account.username, t))
            .collect::<Vec<_>>(),
    ))
}
