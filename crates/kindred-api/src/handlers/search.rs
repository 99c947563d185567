//! `GET /api/v2/search` and `GET /api/v1/accounts/search`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::entities::search::{Search, SearchTag};
use crate::pagination::PageParams;
use crate::params::{lenient, Params};
use crate::services::search::{self as svc, Kind, Request, MAX_QUERY_CHARS};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    q: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    following: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    /// Accepted and ignored: there is no tag review here.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_unreviewed: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
}

/// `q` as Mastodon requires it: present and not blank (400), and not huge (422).
fn query(q: Option<String>) -> Result<String, ApiError> {
    let q = q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: q"))?;
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::unprocessable(
            "query_too_long",
            format!("Validation failed: q is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(q)
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn offset(v: &Option<String>) -> Result<i64, ApiError> {
    match given(v) {
        None => Ok(0),
        Some(s) => s
            .parse::<u32>()
            .map(i64::from)
            .map_err(|_| ApiError::bad_request("Invalid offset")),
    }
}

fn anonymous_refusal(message: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "authentication_required", message)
}

/// `GET /api/v2/search`: public for accounts and hashtags; `resolve`, `offset` and
/// statuses need a user token with `read:search`, as in Mastodon.
pub async fn v2(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    Params(p): Params<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:search")?.cloned();
    let q = query(p.q)?;
    let resolve = p.resolve.unwrap_or(false);
    if user.is_none() {
        if given(&p.offset).is_some() {
            return Err(anonymous_refusal(
                "Search queries pagination is not supported without authentication",
            ));
        }
        if resolve {
            return Err(anonymous_refusal(
                "Search queries that resolve remote resources are not supported without authentication",
            ));
        }
    }
    let kind = match given(&p.kind) {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_parameters",
                "Validation failed: type must be accounts, hashtags or statuses",
            )
        })?),
    };
    let w = p.page.window(20, 40)?;
    let account_id = given(&p.account_id)
        .map(|s| s.parse::<i64>())
        .transpose()
        .map_err(|_| ApiError::bad_request("Invalid account_id"))?;
    let _ = p.exclude_unreviewed;
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let found = svc::search(
        &state,
        &viewer,
        Request {
            q,
            kind,
            resolve,
            following: p.following.unwrap_or(false),
            account_id,
            max_id: w.max_id,
            min_id: w.min_id,
            limit: w.limit,
            offset: offset(&p.offset)?,
        },
    )
    .await?;
    let accounts = present::accounts(&state, viewer.id(), found.accounts).await?;
    let statuses = present::statuses(&state, &viewer, found.statuses).await?;
    let hashtags = found
        .hashtags
        .into_iter()
        .map(|name| SearchTag {
            url: format!("{}{}", state.urls.tags_base(), name),
            name,
            history: Vec::new(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Search {
        accounts,
        statuses,
        hashtags,
    }))
}

#[derive(Deserialize, Default)]
pub struct AccountSearchParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    q: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
    /// Accepted: an exact local address is always looked up; remote ones need
    /// federation, which is not built yet.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    following: Option<bool>,
}

/// `GET /api/v1/accounts/search` (user token, `read:accounts`): limit 40, max 80.
pub async fn accounts(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AccountSearchParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let account = auth.user()?.clone();
    let q = query(p.q)?;
    let limit = PageParams {
        limit: p.limit,
        ..PageParams::default()
    }
    .window(40, 80)?
    .limit;
    let offset = offset(&p.offset)?;
    let _ = p.resolve;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let rows = svc::accounts(
        &state,
        &viewer,
        &q,
        p.following.unwrap_or(false),
        limit,
        offset,
    )
    .await?;
    Ok(HttpResponse::Ok().json(present::accounts(&state, viewer.id(), rows).await?))
}
