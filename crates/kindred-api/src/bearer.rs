//! The bearer token a request carries (`Authorization: Bearer ...`, RFC 6750). Read
//! by the rate limiter before any handler runs, and by authentication; on its own
//! so that the limiter does not reach up into `auth` (which tells the limiter when
//! a token was accepted).

use actix_web::http::header::AUTHORIZATION;
use actix_web::HttpRequest;

pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}
