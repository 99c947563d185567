//! Direct-message conversations (`/api/v1/conversations`).

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Authenticated;
use crate::entities::conversations::Conversation;
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::Params;
use crate::services::conversations::{self as service, ConversationSummary};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};

async fn entities(
    state: &AppState,
    viewer: &Viewer,
    list: Vec<ConversationSummary>,
) -> Result<Vec<Conversation>, ApiError> {
    let me = viewer.id();
    let mut account_ids: Vec<i64> = list
        .iter()
        .flat_map(|c| c.participant_ids.clone())
        .collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let last_ids: Vec<i64> = list.iter().map(|c| c.last_status_id).collect();
    let (accounts, rows) = service::rows(state, account_ids, last_ids).await?;
    let accounts = present::accounts(state, me, accounts).await?;
    // Presenting drops anything the viewer may no longer see.
    let statuses = present::statuses(state, viewer, rows).await?;
    Ok(list
        .into_iter()
        .map(|c| Conversation {
            id: c.conversation_id.to_string(),
            unread: c.unread,
            accounts: accounts
                .iter()
                .filter(|a| {
                    a.id.parse::<i64>()
                        .is_ok_and(|id| c.participant_ids.contains(&id))
                })
                .cloned()
                .collect(),
            last_status: statuses
                .iter()
                .find(|s| s.id == c.last_status_id.to_string())
                .cloned(),
        })
        .collect())
}

pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read:statuses", "read:conversations"])?;
    let me = auth.user()?.clone();
    let w = page.window(20, 40)?;
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let hidden = viewer.hidden.clone();
    let list = service::page(&state, me.id, hidden, w.max_id, w.since_id, w.limit).await?;
    let ids: Vec<i64> = list.iter().map(|c| c.last_status_id).collect();
    let body = entities(&state, &viewer, list).await?;
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(body))
}

async fn find(state: &AppState, me: i64, raw: &str) -> Result<ConversationSummary, ApiError> {
    let id = parse_id(raw)?;
    service::find(state, me, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn read(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:conversations", "write"])?;
    let me = auth.user()?.clone();
    let mut conv = find(&state, me.id, &path).await?;
    let (id, last) = (conv.conversation_id, conv.last_status_id);
    service::mark_read(&state, me.id, id, last).await?;
    conv.unread = false;
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let mut out = entities(&state, &viewer, vec![conv]).await?;
    Ok(HttpResponse::Ok().json(out.pop().ok_or_else(ApiError::internal)?))
}

pub async fn remove(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write:conversations", "write"])?;
    let me = auth.user()?.id;
    let conv = find(&state, me, &path).await?;
    let (id, last) = (conv.conversation_id, conv.last_status_id);
    service::hide(&state, me, id, last).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
