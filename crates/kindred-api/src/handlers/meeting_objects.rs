//! A local meeting's public listing at its ActivityPub id (`/meetings/:id`): the
//! `Event` for ActivityPub clients, a small page otherwise. Only what the federated
//! document holds is shown (locality, region, country, time; never the address,
//! invariant 4). A members-only meeting, a private group's meeting and a remote
//! listing are 404.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use kindred_federation::outbox::event;
use maud::html;

use super::activitypub::wants_activity_json;
use crate::{html, ApiError, AppState};

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: i64 = path
        .into_inner()
        .parse()
        .map_err(|_| ApiError::not_found())?;
    let listing = crate::services::actors::meeting_listing(&state, id, Utc::now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut doc = listing.event;
    if wants_activity_json(&req) {
        doc["@context"] = event::context();
        return Ok(HttpResponse::Ok()
            .content_type(kindred_federation::FEDERATION_CONTENT_TYPE)
            .insert_header(("Vary", "Accept"))
            .json(doc));
    }
    let text = |k: &str| doc[k].as_str().unwrap_or_default().to_owned();
    let title = text("name");
    let place = doc["location"]["name"]
        .as_str()
        .unwrap_or("Online")
        .to_owned();
    let status = text("ical:status").to_lowercase();
    let markup = html::page(
        &title,
        html! {
            h1 { (title) }
            p { (text("startTime")) " – " (text("endTime")) " (UTC; local zone " (text("timezone")) ")" }
            p { (place) @if doc["isOnline"] == true { " · also online" } }
            p { "Status: " (status) }
            // Built by plain_text_to_html from the escaped description.
            (maud::PreEscaped(text("content")))
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "Accept"))
        .body(markup.into_string()))
}
