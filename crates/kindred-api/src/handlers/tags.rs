//! Hashtags: look one up, follow and unfollow it, list followed ones.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::entities::conversations::Hashtag;
use crate::pagination::{link_header, PageParams};
use crate::params::Params;
use crate::services::tags as service;
use crate::{ApiError, AppState};

/// A hashtag name as statuses use it: letters, digits and underscores, lower-cased.
pub(crate) fn tag_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim().trim_start_matches('#').to_lowercase();
    if name.is_empty()
        || name.chars().count() > 100
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        return Err(ApiError::not_found());
    }
    Ok(name)
}

fn entity(state: &AppState, id: i64, name: String, following: Option<bool>) -> Hashtag {
    Hashtag {
        id: id.to_string(),
        url: format!("{}{}", state.urls.tags_base(), name),
        name,
        history: Vec::new(),
        following,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.user("read:statuses")?.map(|a| a.id);
    let name = tag_name(&path)?;
    let (id, following) = service::find(&state, me, name.clone())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(entity(&state, id, name, following)))
}

pub async fn follow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:follows", "follow"])?;
    let me = auth.user()?.id;
    let name = tag_name(&path)?;
    let now = Utc::now();
    let (new_tag, follow_id) = (state.ids.next_at(now), state.ids.next_at(now));
    let (tag_id, ok) = service::follow(
        &state,
        me,
        name.clone(),
        new_tag,
        follow_id,
        now.naive_utc(),
    )
    .await?;
    if !ok {
        return Err(ApiError::unprocessable(
            "too_many_followed_tags",
            format!(
                "Validation failed: at most {} followed hashtags",
                service::MAX_FOLLOWED_TAGS
            ),
        ));
    }
    Ok(HttpResponse::Ok().json(entity(&state, tag_id, name, Some(true))))
}

pub async fn unfollow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:follows", "follow"])?;
    let me = auth.user()?.id;
    let name = tag_name(&path)?;
    let id = service::unfollow(&state, me, name.clone())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(entity(&state, id, name, Some(false))))
}

pub async fn followed(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:follows", "follow"])?;
    let me = auth.user()?.id;
    let w = page.window(100, 200)?;
    let rows = service::followed(&state, me, w.max_id, w.since_id, w.limit).await?;
    let ids: Vec<i64> = rows.iter().map(|(i, _, _)| *i).collect();
    let body: Vec<Hashtag> = rows
        .into_iter()
        .map(|(_, id, n)| entity(&state, id, n, Some(true)))
        .collect();
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(body))
}
