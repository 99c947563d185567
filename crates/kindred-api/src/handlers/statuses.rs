//! `/api/v1/statuses`: posting, reading, editing and acting on statuses.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::entities::status::{timestamp, StatusEdit, StatusSource};
use crate::entities::Context;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::filtering::ActiveFilters;
use crate::services::statuses::{self as svc, EditPost, NewPost, PollInput};
use crate::services::{present, viewer::Viewer, Mark};
use crate::{ApiError, AppState};
use kindred_domain::filters::FilterContext;

pub(crate) fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// `media_ids[]` as ids; one that is not a number is no upload of the author's.
fn media_ids(raw: Option<&[String]>) -> Result<Vec<i64>, ApiError> {
    raw.unwrap_or_default()
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                ApiError::unprocessable(
                    "media_not_attachable",
                    "Validation failed: media is not an upload of yours that is free to attach",
                )
            })
        })
        .collect()
}

#[derive(Deserialize)]
pub struct CreateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    local_only: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    media_ids: Option<Vec<String>>,
    #[serde(default)]
    poll: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scheduled_at: Option<String>,
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<CreateParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let account = auth.user()?.clone();
    let media_ids = media_ids(p.media_ids.as_deref())?;
    let scheduled_at = match p.scheduled_at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => Some(super::scheduled_statuses::parse_at(raw)?),
        None => None,
    };
    let poll = poll_param(p.poll)?;
    let in_reply_to_id = match p.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| ApiError::not_found())?),
        None => None,
    };
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect());
    let post = NewPost {
        text: p.status.unwrap_or_default(),
        spoiler_text: p.spoiler_text.unwrap_or_default(),
        sensitive: p.sensitive.unwrap_or(false),
        visibility: p.visibility.filter(|v| !v.is_empty()),
        local_only: p.local_only.unwrap_or(false),
        in_reply_to_id,
        language: p.language,
        idempotency_key: key,
        poll,
        media_ids,
    };
    // A post for later: stored now, published by the job through `svc::create`.
    if let Some(at) = scheduled_at {
        if !post.media_ids.is_empty() {
            return Err(ApiError::unprocessable(
                "scheduled_media_unsupported",
                "Validation failed: scheduled posts cannot carry pictures yet",
            ));
        }
        let scheduled = crate::services::scheduled::schedule(&state, &account, post, at).await?;
        return Ok(HttpResponse::Ok().json(super::scheduled_statuses::entity(&scheduled)));
    }
    let row = svc::create(&state, &account, &viewer, post).await?;
    Ok(HttpResponse::Ok().json(present::status(&state, &viewer, row).await?))
}

/// `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`,
/// from a form (strings) or JSON (numbers, booleans); `null` or absent is no poll.
pub(crate) fn poll_param(v: Option<serde_json::Value>) -> Result<Option<PollInput>, ApiError> {
    use serde_json::Value;
    let invalid = |what: &str| {
        ApiError::unprocessable("invalid_poll", format!("Validation failed: poll {what}"))
    };
    let map = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(invalid("must be an object")),
    };
    if map.is_empty() {
        return Ok(None);
    }
    let options = match map.get("options") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(by_index)) => {
            let mut entries: Vec<(&String, &Value)> = by_index.iter().collect();
            entries.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
            entries.into_iter().map(|(_, v)| v.clone()).collect()
        }
        Some(_) => return Err(invalid("options must be a list")),
    };
    // A list far past any limit is refused before anything else is read.
    if options.len() > 64 {
        return Err(invalid("has too many options"));
    }
    let options = options
        .into_iter()
        .map(|o| match o {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(invalid("options must be strings")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let expires_in = match map.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .ok_or_else(|| invalid("expires_in must be whole seconds"))?,
        ),
        Some(Value::String(s)) => Some(
            s.trim()
                .parse::<i64>()
                .map_err(|_| invalid("expires_in must be whole seconds"))?,
        ),
        Some(_) => return Err(invalid("expires_in must be whole seconds")),
    };
    let flag = |name: &str| match map.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(v) => {
            crate::params::lenient::to_bool(v).ok_or_else(|| invalid("flags must be booleans"))
        }
    };
    Ok(Some(PollInput {
        options,
        expires_in,
        multiple: flag("multiple")?,
        hide_totals: flag("hide_totals")?,
    }))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let (row, _) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(present::status(&state, &viewer, row).await?))
}

pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let account = auth.user()?.clone();
    let viewer = Viewer::load(&state, Some(&account)).await?;
    // Present before deleting, so counts and mentions are still there.
    let (row, _) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    let mut entity = present::status(&state, &viewer, row.clone()).await?;
    let deleted = svc::delete(&state, &account, row.id).await?;
    entity.text = Some(deleted.text);
    tracing::info!(status_id = deleted.id, "status deleted");
    Ok(HttpResponse::Ok().json(entity))
}

#[derive(Deserialize)]
pub struct EditParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    media_ids: Option<Vec<String>>,
}

pub async fn edit(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<EditParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:statuses")?;
    let account = auth.user()?.clone();
    let row = svc::edit(
        &state,
        &account,
        parse_id(&path)?,
        EditPost {
            text: p.status.unwrap_or_default(),
            spoiler_text: p.spoiler_text.unwrap_or_default(),
            sensitive: p.sensitive.unwrap_or(false),
            language: p.language,
            media_ids: match &p.media_ids {
                Some(ids) => Some(media_ids(Some(ids))?),
                None => None,
            },
        },
    )
    .await?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    Ok(HttpResponse::Ok().json(present::status(&state, &viewer, row).await?))
}

pub async fn source(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let account = auth.user()?.clone();
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let (row, _) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    if row.account_id != account.id {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::Ok().json(StatusSource {
        id: row.id.to_string(),
        text: row.text,
        spoiler_text: row.spoiler_text,
    }))
}

pub async fn history(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let (row, author) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    let edits = svc::edits(&state, row.id).await?;
    let account = present::account(&state, viewer.id(), author).await?;
    let mut versions: Vec<StatusEdit> = edits
        .into_iter()
        .map(|e| StatusEdit {
            content: e.content,
            spoiler_text: e.spoiler_text,
            sensitive: e.sensitive,
            created_at: timestamp(e.created_at),
            account: account.clone(),
            poll: None,
            media_attachments: Vec::new(),
            emojis: Vec::new(),
        })
        .collect();
    versions.push(StatusEdit {
        content: row.content,
        spoiler_text: row.spoiler_text,
        sensitive: row.sensitive,
        created_at: timestamp(row.edited_at.unwrap_or(row.created_at)),
        account,
        poll: None,
        media_attachments: Vec::new(),
        emojis: Vec::new(),
    });
    Ok(HttpResponse::Ok().json(versions))
}

pub async fn context(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let (row, _) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    let (ancestors, descendants) = svc::context(&state, &row).await?;
    let filters = ActiveFilters::load(&state, &viewer, FilterContext::Thread).await?;
    Ok(HttpResponse::Ok().json(Context {
        ancestors: filters.apply(present::statuses(&state, &viewer, ancestors).await?),
        descendants: filters.apply(present::statuses(&state, &viewer, descendants).await?),
    }))
}

async fn act(
    state: &AppState,
    auth: &Authenticated,
    scope: &str,
    id: &str,
    what: Action,
) -> Result<HttpResponse, ApiError> {
    auth.require(scope)?;
    let account = auth.user()?.clone();
    let viewer = Viewer::load(state, Some(&account)).await?;
    let id = parse_id(id)?;
    let row = match what {
        Action::Mark(mark, on) => svc::mark(state, &viewer, &account, id, mark, on).await?,
        Action::Reblog(visibility) => {
            svc::reblog(state, &viewer, &account, id, visibility.as_deref()).await?
        }
        Action::Unreblog => svc::unreblog(state, &viewer, &account, id).await?,
    };
    Ok(HttpResponse::Ok().json(present::status(state, &viewer, row).await?))
}

enum Action {
    Mark(Mark, bool),
    Reblog(Option<String>),
    Unreblog,
}

#[derive(Deserialize, Default)]
pub struct ReblogParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    visibility: Option<String>,
}

pub async fn favourite(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(
        &s,
        &a,
        "write:favourites",
        &p,
        Action::Mark(Mark::Favourite, true),
    )
    .await
}
pub async fn unfavourite(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(
        &s,
        &a,
        "write:favourites",
        &p,
        Action::Mark(Mark::Favourite, false),
    )
    .await
}
pub async fn bookmark(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(
        &s,
        &a,
        "write:bookmarks",
        &p,
        Action::Mark(Mark::Bookmark, true),
    )
    .await
}
pub async fn unbookmark(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(
        &s,
        &a,
        "write:bookmarks",
        &p,
        Action::Mark(Mark::Bookmark, false),
    )
    .await
}
pub async fn pin(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&s, &a, "write:accounts", &p, Action::Mark(Mark::Pin, true)).await
}
pub async fn unpin(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&s, &a, "write:accounts", &p, Action::Mark(Mark::Pin, false)).await
}
pub async fn reblog(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
    Params(r): Params<ReblogParams>,
) -> Result<HttpResponse, ApiError> {
    act(&s, &a, "write:statuses", &p, Action::Reblog(r.visibility)).await
}
pub async fn unreblog(
    s: web::Data<AppState>,
    a: Authenticated,
    p: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&s, &a, "write:statuses", &p, Action::Unreblog).await
}

/// `favourited_by` and `reblogged_by`: accounts, paged by the favourite or boost id.
async fn who(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    page: PageParams,
    favourites: bool,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?.cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let (row, _) = svc::visible(&state, &viewer, parse_id(&path)?).await?;
    let w = page.window(40, 80)?;
    let rows = svc::reacted_by(&state, row.id, favourites, w.max_id, w.limit).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, a)| !viewer.blocked.contains(&a.id))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    let accounts = present::accounts(
        &state,
        viewer.id(),
        rows.into_iter().map(|(_, a)| a).collect(),
    )
    .await?;
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(accounts))
}

pub async fn favourited_by(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    who(req, state, auth, path, page, true).await
}

pub async fn reblogged_by(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    who(req, state, auth, path, page, false).await
}
