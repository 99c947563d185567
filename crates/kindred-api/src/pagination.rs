//! Mastodon's pagination: `max_id`, `since_id`, `min_id`, `limit`, and a `Link` header
//! whose `next` goes older and `prev` goes newer, keeping the other query parameters.

use actix_web::HttpRequest;
use serde::Deserialize;

use crate::params::lenient;
use crate::ApiError;

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub limit: Option<String>,
}

/// A parsed window; ids that are not numbers are refused rather than ignored.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

fn id(v: &Option<String>) -> Result<Option<i64>, ApiError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request("Invalid pagination id")),
    }
}

impl PageParams {
    /// `default`/`max` as Mastodon's per endpoint (20/40 for statuses, 40/80 accounts).
    pub fn window(&self, default: i64, max: i64) -> Result<Window, ApiError> {
        let limit = match self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => default,
            Some(s) => s
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Invalid limit"))?
                .clamp(1, max),
        };
        Ok(Window {
            max_id: id(&self.max_id)?,
            since_id: id(&self.since_id)?,
            min_id: id(&self.min_id)?,
            limit,
        })
    }
}

impl Window {
    pub fn page(&self) -> kindred_db::models::statuses::Page {
        kindred_db::models::statuses::Page {
            max_id: self.max_id,
            since_id: self.since_id,
            min_id: self.min_id,
            limit: self.limit,
        }
    }
}

/// The `Link` header for a page whose items span `newest`..`oldest` (pagination ids).
pub fn link_header(req: &HttpRequest, base: &url::Url, ids: &[i64]) -> Option<String> {
    let (Some(newest), Some(oldest)) = (ids.iter().max(), ids.iter().min()) else {
        return None;
    };
    let mut url = base.clone();
    url.set_path(req.path());
    let keep: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .filter(|(k, _)| !matches!(k.as_str(), "max_id" | "since_id" | "min_id"))
        .collect();
    let with = |key: &str, value: i64| {
        let mut u = url.clone();
        {
            let mut q = u.query_pairs_mut();
            q.clear();
            for (k, v) in &keep {
                q.append_pair(k, v);
            }
            q.append_pair(key, &value.to_string());
        }
        u.to_string()
    };
    Some(format!(
        "<{}>; rel=\"next\", <{}>; rel=\"prev\"",
        with("max_id", *oldest),
        with("min_id", *newest)
    ))
}
