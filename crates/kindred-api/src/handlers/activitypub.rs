//! The actor documents at each actor id, with content negotiation: ActivityPub JSON
//! for `application/activity+json` or `application/ld+json`, an HTML profile otherwise.

use actix_web::http::header::ACCEPT;
use actix_web::{web, HttpRequest, HttpResponse};
use kindred_db::models::accounts;
use kindred_db::AccountRow;
use kindred_federation::{actors, FEDERATION_CONTENT_TYPE};

use super::well_known::instance_actor_key;
use crate::{html, ApiError, AppState};

pub fn wants_activity_json(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/activity+json") || v.contains("application/ld+json"))
}

fn activity_json(body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(FEDERATION_CONTENT_TYPE)
        .insert_header(("Vary", "Accept"))
        .json(body)
}

/// An active local account, or 404 (pending accounts are invisible), or 410 for a
/// suspended one (so remote servers drop their copy).
async fn visible_account(state: &AppState, name: String) -> Result<AccountRow, ApiError> {
    let account = state
        .db
        .run(move |c| accounts::find_local_by_username(c, &name))
        .await?
        .filter(|a| a.approved)
        .ok_or_else(ApiError::not_found)?;
    if account.suspended {
        return Err(ApiError::new(
            actix_web::http::StatusCode::GONE,
            "gone",
            "This account is gone",
        ));
    }
    Ok(account)
}

pub async fn actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account = visible_account(&state, path.into_inner()).await?;
    if wants_activity_json(&req) {
        Ok(activity_json(actors::person(&account, &state.urls)))
    } else {
        Ok(profile_page(&state, &account))
    }
}

pub async fn profile(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account = visible_account(&state, path.into_inner()).await?;
    Ok(profile_page(&state, &account))
}

fn profile_page(state: &AppState, account: &AccountRow) -> HttpResponse {
    let note = kindred_domain::text::plain_text_to_html(&account.note);
    let markup = html::profile(
        &account.display_name,
        &account.username,
        &state.urls.domain().to_string(),
        &note,
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "Accept"))
        .body(markup.into_string())
}

/// Outbox, followers and following: totals only. Until posts and follows exist these
/// are empty; members' lists will stay private (invariant 3).
pub async fn collection(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, which) = path.into_inner();
    let account = visible_account(&state, name).await?;
    let id = match which.as_str() {
        "outbox" => state.urls.outbox(&account.username),
        "followers" => state.urls.followers(&account.username),
        "following" => state.urls.following(&account.username),
        _ => return Err(ApiError::not_found()),
    };
    let _ = req;
    Ok(activity_json(actors::ordered_collection(id, 0)))
}

pub async fn instance_actor(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = instance_actor_key(&state).await?;
    if wants_activity_json(&req) {
        Ok(activity_json(actors::instance_actor(&key, &state.urls)))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                html::message(
                    "Instance actor",
                    "This is the server's own ActivityPub actor.",
                )
                .into_string(),
            ))
    }
}

pub async fn instance_outbox(state: web::Data<AppState>) -> HttpResponse {
    activity_json(actors::ordered_collection(
        state.urls.instance_actor_outbox(),
        0,
    ))
}
