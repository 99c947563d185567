//! `/api/v1/polls`: a poll as the viewer sees it, and voting.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::statuses::parse_id;
use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::params::Params;
use crate::services::{polls as svc, present, viewer::Viewer};
use crate::{ApiError, AppState};

pub async fn show(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let id = parse_id(&path)?;
    let (view, by_author) = svc::show(&state, &viewer, id).await?;
    Ok(HttpResponse::Ok().json(present::poll(&view, by_author, chrono::Utc::now())))
}

#[derive(Deserialize)]
pub struct VoteParams {
    #[serde(default)]
    choices: Option<Value>,
}

/// `choices[]` as apps send it: an array of indexes as numbers or strings (a form's
/// `choices[]=0`), or an object keyed by position (`choices[0]=1`).
fn choices(v: Option<Value>) -> Result<Vec<i64>, ApiError> {
    let items = match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(Value::Object(map)) => map.into_iter().map(|(_, v)| v).collect(),
        Some(one) => vec![one],
    };
    let invalid = || {
        ApiError::unprocessable(
            "poll_invalid_choice",
            "Validation failed: The chosen vote option does not exist",
        )
    };
    // More choices than any poll has options is refused before it is read.
    if items.len() > 64 {
        return Err(invalid());
    }
    items
        .into_iter()
        .map(|i| match i {
            Value::Number(n) => n.as_i64().ok_or_else(invalid),
            Value::String(s) => s.trim().parse().map_err(|_| invalid()),
            _ => Err(invalid()),
        })
        .collect()
}

pub async fn vote(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<VoteParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let account = auth.user()?.clone();
    let id = parse_id(&path)?;
    let choices = choices(p.choices)?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let (view, by_author) = svc::vote(&state, &account, &viewer, id, choices).await?;
    Ok(HttpResponse::Ok().json(present::poll(&view, by_author, chrono::Utc::now())))
}
