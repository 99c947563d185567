//! Pictures: `POST /api/v1/media` and `/api/v2/media` (multipart `file`,
//! `description`, `focus`), `GET`/`PUT /api/v1/media/:id`, and the files at
//! `/media/:token/:version.ext` on our own origin.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::params::{lenient, Params};
use crate::services::media::{self as service, Details};
use crate::services::viewer::Viewer;
use crate::{ApiError, AppState};

/// Longest text field of an upload (alt text is at most 1,500 characters).
const MAX_TEXT_FIELD: usize = 8 * 1024;

fn refusal(code: &'static str, message: &'static str) -> ApiError {
    ApiError::unprocessable(code, message)
}

/// Reads the upload's parts: the file (bounded by `media.max_upload_bytes`, read no
/// further than one byte past it) and the text fields.
async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: u64,
) -> Result<(Vec<u8>, Details), ApiError> {
    let is_multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(refusal(
            "media_missing",
            "Validation failed: file is missing",
        ));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut file: Option<Vec<u8>> = None;
    let mut details = Details::default();
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| ApiError::bad_request("Malformed multipart body"))?;
        parts += 1;
        if parts > 20 {
            return Err(ApiError::bad_request("Too many parameters"));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            usize::try_from(max_bytes).unwrap_or(usize::MAX)
        } else {
            MAX_TEXT_FIELD
        };
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ApiError::bad_request("Malformed multipart body"))?;
            if value.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    refusal("media_too_large", "Validation failed: file is too large")
                } else {
                    ApiError::bad_request("A parameter is too long")
                });
            }
            value.extend_from_slice(&chunk);
        }
        let text = || {
            String::from_utf8(value.clone())
                .map_err(|_| ApiError::bad_request("Multipart field is not UTF-8"))
        };
        match name.as_str() {
            "file" => file = Some(value),
            "description" => details.description = Some(text()?),
            "focus" => details.focus = Some(text()?),
            _ => {}
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| refusal("media_missing", "Validation failed: file is missing"))?;
    Ok((file, details))
}

/// `POST /api/v1/media` and `/api/v2/media`: processed before answering, so the
/// answer is 200 with the URLs (Mastodon's 202 means "still processing").
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:media")?;
    let me = auth.user()?.clone();
    let (bytes, details) = read_upload(&req, payload, state.media.limits.max_bytes).await?;
    let row = service::upload(&state, &me, bytes, details).await?;
    Ok(HttpResponse::Ok().json(service::entity(&state, &row, false)))
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:statuses")?;
    let me = auth.user()?.clone();
    let id = path.parse().map_err(|_| ApiError::not_found())?;
    let row = service::own(&state, &me, id).await?;
    Ok(HttpResponse::Ok().json(service::entity(&state, &row, false)))
}

#[derive(Deserialize)]
pub struct UpdateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    focus: Option<String>,
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<UpdateParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:media")?;
    let me = auth.user()?.clone();
    let id = path.parse().map_err(|_| ApiError::not_found())?;
    let row = service::update(
        &state,
        &me,
        id,
        Details {
            description: p.description,
            focus: p.focus,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(service::entity(&state, &row, false)))
}

#[derive(Deserialize)]
pub struct Signature {
    e: Option<i64>,
    s: Option<String>,
}

/// A picture's file. Not found unless the URL is signed and unexpired or the
/// viewer may see its post; served with its own type, never sniffed, and a policy
/// that lets the file do nothing but be shown.
pub async fn file(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<(String, String)>,
    query: web::Query<Signature>,
) -> Result<HttpResponse, ApiError> {
    let (token, name) = path.into_inner();
    let user = auth.user("read:statuses").ok().flatten().cloned();
    let viewer = Viewer::load(&state, user.as_ref()).await?;
    let signature = match (&query.e, &query.s) {
        (Some(e), Some(s)) => Some((*e, s.as_str())),
        _ => None,
    };
    let signed = signature.is_some();
    let (bytes, content_type) = service::file(&state, &viewer, &token, &name, signature).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", content_type))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .insert_header(("Content-Disposition", "inline"))
        .insert_header((
            "Cache-Control",
            if signed || user.is_some() {
                "private, max-age=3600"
            } else {
                "public, max-age=3600"
            },
        ))
        .body(bytes))
}
