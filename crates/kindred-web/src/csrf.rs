//! Every portal form carries a `csrf_token` field: the shared mechanism of
//! `kindred_api::csrf_cookie`, with the portal's own cookie (`PORTAL`).

use actix_web::cookie::Cookie;
use actix_web::HttpRequest;
use kindred_api::csrf_cookie::PORTAL;
use kindred_api::AppState;

/// The browser's nonce, and whether it is new (then the response must set it).
pub fn nonce(req: &HttpRequest) -> (String, bool) {
    PORTAL.nonce(req)
}

pub fn cookie(state: &AppState, nonce: String) -> Cookie<'static> {
    PORTAL.cookie(state, nonce)
}

/// Whether a submitted token belongs to this browser's nonce.
pub fn verify(state: &AppState, req: &HttpRequest, token: Option<&str>) -> bool {
    PORTAL.verify(state, req, token)
}
