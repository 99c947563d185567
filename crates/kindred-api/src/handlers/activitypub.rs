//! The actor documents at each actor id, with content negotiation: ActivityPub JSON
//! for `application/activity+json` or `application/ld+json`, an HTML profile otherwise.

use actix_web::http::header::ACCEPT;
use actix_web::{web, HttpRequest, HttpResponse};
use kindred_domain::Visibility;
use kindred_federation::{local_actors, FEDERATION_CONTENT_TYPE};

use super::well_known::instance_actor_row;
use crate::services::actors::{self as service, GroupRow};
use crate::services::relations::is_group;
use crate::services::AccountRow;
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

/// An active local account, or 404 (pending accounts and private groups are
/// invisible), or 410 for a suspended one (so remote servers drop their copy). A
/// group comes with its group row.
async fn visible_account(
    state: &AppState,
    name: String,
) -> Result<(AccountRow, Option<GroupRow>), ApiError> {
    let found = service::federated_or_suspended(state, name)
        .await?
        .filter(|(a, _)| a.approved)
        .ok_or_else(ApiError::not_found)?;
    if found.0.suspended {
        if is_group(&found.0) {
            return Err(ApiError::not_found());
        }
        return Err(ApiError::new(
            actix_web::http::StatusCode::GONE,
            "gone",
            "This account is gone",
        ));
    }
    Ok(found)
}

pub async fn actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (account, group) = visible_account(&state, path.into_inner()).await?;
    if !wants_activity_json(&req) {
        return Ok(profile_page(&state, &account));
    }
    match group {
        Some(g) => local_actors::group(&account, &g, &state.urls)
            .map(activity_json)
            .ok_or_else(ApiError::not_found),
        None => Ok(activity_json(local_actors::person(&account, &state.urls))),
    }
}

pub async fn profile(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (account, _) = visible_account(&state, path.into_inner()).await?;
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

/// Outbox, followers and following: totals only. Members' lists stay private
/// (invariant 3). A group also has `members`, `facilitators` (totals only) and
/// `featured` (its pinned public announcements).
pub async fn collection(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, which) = path.into_inner();
    let (account, group) = visible_account(&state, name).await?;
    let urls = &state.urls;
    let name = &account.username;
    let Some(_group) = group else {
        let id = match which.as_str() {
            "outbox" => urls.outbox(name),
            "followers" => urls.followers(name),
            "following" => urls.following(name),
            _ => return Err(ApiError::not_found()),
        };
        return Ok(activity_json(local_actors::ordered_collection(id, 0)));
    };
    let id = match which.as_str() {
        "outbox" => urls.outbox(name),
        "followers" => urls.followers(name),
        "following" => urls.following(name),
        "members" => urls.members(name),
        "facilitators" => urls.facilitators(name),
        "featured" => return featured(&state, &account).await,
        _ => return Err(ApiError::not_found()),
    };
    let figures = service::public_figures(&state, account.id).await?;
    let total =
        local_actors::group_collection_total(&which, &figures).ok_or_else(ApiError::not_found)?;
    Ok(activity_json(local_actors::ordered_collection(
        id,
        u64::try_from(total).unwrap_or(0),
    )))
}

/// A group's pinned public announcements, as notes (Mastodon's `featured`).
async fn featured(state: &AppState, group: &AccountRow) -> Result<HttpResponse, ApiError> {
    use kindred_federation::outbox::note;
    let id = state.urls.featured(&group.username);
    let items = service::featured_notes(state, group.id).await?;
    Ok(activity_json(serde_json::json!({
        "@context": note::context(),
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}

pub async fn instance_actor(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if wants_activity_json(&req) {
        instance_actor_document(&state).await
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

async fn instance_actor_document(state: &AppState) -> Result<HttpResponse, ApiError> {
    let row = instance_actor_row(state).await?;
    Ok(activity_json(local_actors::instance_actor(
        &row.public_key_pem,
        row.created_at,
        &state.urls,
    )))
}

/// `GET /`: with an ActivityPub `Accept`, the instance actor's document — Lemmy
/// fetches a server's actor at its root on first contact and otherwise records no
/// software for it. Its `id` stays `/actor`, the id partners and directory
/// subscriptions know (a fetcher re-reads it there, as `activitypub_federation`
/// does when an id differs from the URL on the same host). Anything else gets
/// the landing page.
pub async fn root(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if wants_activity_json(&req) {
        return instance_actor_document(&state).await;
    }
    let mut page = super::pages::landing(state).await;
    page.headers_mut().insert(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("Accept"),
    );
    Ok(page)
}

pub async fn instance_outbox(state: web::Data<AppState>) -> HttpResponse {
    activity_json(local_actors::ordered_collection(
        state.urls.instance_actor_outbox(),
        0,
    ))
}

/// A local status at its ActivityPub id (`/users/NAME/statuses/ID`), or the activity
/// that created it (`.../activity`: `Create` for a post, `Announce` for a boost).
///
/// Public and unlisted statuses are served to anyone. Followers-only and direct
/// ones answer an unsigned request with 401, and a signed one with the status only
/// when the signer's instance was in its audience (it received the status when it
/// was posted), else 404 — as if it did not exist. Local-only statuses never leave:
/// 404 whoever asks.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, raw_id) = path.into_inner();
    serve_status(req, state, name, raw_id, false).await
}

pub async fn status_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, raw_id) = path.into_inner();
    serve_status(req, state, name, raw_id, true).await
}

async fn serve_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: String,
    raw_id: String,
    activity: bool,
) -> Result<HttpResponse, ApiError> {
    use kindred_federation::outbox::federates;

    let (author, _) = visible_account(&state, name).await?;
    let id: i64 = raw_id.parse().map_err(|_| ApiError::not_found())?;
    let found = service::authored_status(&state, author.id, id).await?;
    let Some((status, original)) = found else {
        return Err(ApiError::not_found());
    };
    if !federates(&status) {
        return Err(ApiError::not_found());
    }
    if let Some(original) = &original {
        // A boost is only an activity; its original must be servable to all.
        let public = matches!(
            original.visibility,
            Visibility::Public | Visibility::Unlisted
        );
        if !activity || !public || original.local_only {
            return Err(ApiError::not_found());
        }
    }
    if !matches!(status.visibility, Visibility::Public | Visibility::Unlisted) {
        may_fetch(&req, &state, &status).await?;
    } else if !wants_activity_json(&req) && original.is_none() && !activity {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Vary", "Accept"))
            .body(html::message(&author.display_name, &status.text).into_string()));
    }
    let document = service::status_document(&state, author, status, original, activity).await?;
    Ok(HttpResponse::Ok()
        .content_type(FEDERATION_CONTENT_TYPE)
        .insert_header(("Vary", "Accept, Signature"))
        .insert_header(("Cache-Control", "private, no-store"))
        .json(document))
}

/// The access rule for a followers-only or direct status: a signed fetch from an
/// instance that was in its audience.
async fn may_fetch(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    status: &crate::services::timelines::StatusRow,
) -> Result<(), ApiError> {
    use actix_web::http::StatusCode;
    use kindred_federation::http_signatures::signed_fetch::{signed_fetcher, FetchRefusal};

    let config = state.federation.config(state).await?;
    let signer = match signed_fetcher(config, req).await {
        Ok(actor) => actor,
        Err(FetchRefusal::Unsigned(r)) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                r.code(),
                "This object needs a signed request",
            ))
        }
        Err(FetchRefusal::Invalid(e)) => {
            tracing::warn!(refusal = e.code(), "signed fetch refused");
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "signature_invalid",
                "The request signature could not be verified",
            ));
        }
    };
    let (author, status_id) = (status.account_id, status.id);
    let with_followers = status.visibility == Visibility::Private;
    let domains = service::audience_domains(state, author, status_id, with_followers).await?;
    if domains.contains(&signer.account.domain) {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}
