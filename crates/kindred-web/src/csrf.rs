//! Every form carries a `csrf_token` field: an HMAC (the instance's CSRF key) of a
//! random nonce the browser holds in an `HttpOnly`, `SameSite=Lax` cookie. A form
//! posted from another site has neither, so it changes nothing.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use kindred_api::crypto::CsrfSigner;
use kindred_api::AppState;

pub const COOKIE: &str = "kindred_csrf";

/// The browser's nonce, and whether it is new (then the response must set it).
pub fn nonce(req: &HttpRequest) -> (String, bool) {
    match req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| (32..=64).contains(&v.len()))
    {
        Some(n) => (n, false),
        None => (CsrfSigner::new_nonce(), true),
    }
}

pub fn cookie(state: &AppState, nonce: String) -> Cookie<'static> {
    Cookie::build(COOKIE, nonce)
        .path("/")
        .http_only(true)
        .secure(state.urls.is_https())
        .same_site(SameSite::Lax)
        .finish()
}

/// Whether a submitted token belongs to this browser's nonce.
pub fn verify(state: &AppState, req: &HttpRequest, token: Option<&str>) -> bool {
    let nonce = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    state.secrets.csrf.verify(&nonce, token.unwrap_or_default())
}
