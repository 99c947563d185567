use actix_web::{web, HttpResponse};

use crate::{html, ApiError, AppState};

const MISSING_PNG: &[u8] = include_bytes!("../../assets/missing.png");

pub async fn landing(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            html::landing(
                &state.instance.name,
                &state.instance.description,
                &state.urls.domain().to_string(),
            )
            .into_string(),
        )
}

/// The placeholder picture every account has (profile pictures would identify people
/// more than a pseudonym does; uploads come later, if at all).
pub async fn missing_png() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(MISSING_PNG)
}

/// Unknown routes: JSON under the API prefixes, a plain page elsewhere.
pub async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path.starts_with("/api/")
        || path.starts_with("/oauth/")
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo")
    {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(html::message("Not found", "There is nothing here.").into_string()))
}
