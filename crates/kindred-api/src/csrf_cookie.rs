//! The CSRF mechanism every server-rendered form shares (the OAuth page, the pages
//! behind emailed links, the web portal): a random nonce in an `HttpOnly` cookie of
//! the form's own name and path, and a `csrf_token` field that is the HMAC of it
//! under the instance's CSRF key (`crypto::CsrfSigner`). A form posted from another
//! site carries neither.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use crate::crypto::CsrfSigner;
use crate::AppState;

/// One form family's cookie: its own name, so families never read each other's.
pub struct CsrfCookie {
    pub name: &'static str,
    pub path: &'static str,
    pub same_site: SameSite,
}

/// `/oauth/authorize`.
pub const OAUTH: CsrfCookie = CsrfCookie {
    name: "kindred_csrf",
    path: "/oauth",
    same_site: SameSite::Strict,
};

/// `/auth/password/reset`, `/auth/email/confirm` (opened from emails).
pub const AUTH_PAGES: CsrfCookie = CsrfCookie {
    name: "kindred_auth_csrf",
    path: "/auth",
    same_site: SameSite::Strict,
};

/// The web portal's forms (Lax: a link from elsewhere opens a page with its forms
/// working; a post from elsewhere still carries no token).
pub const PORTAL: CsrfCookie = CsrfCookie {
    name: "kindred_portal_csrf",
    path: "/",
    same_site: SameSite::Lax,
};

impl CsrfCookie {
    /// The browser's nonce if it holds a well-formed one, else a fresh one (`true`:
    /// the response must set it).
    pub fn nonce(&self, req: &HttpRequest) -> (String, bool) {
        match req
            .cookie(self.name)
            .map(|c| c.value().to_owned())
            .filter(|v| (32..=64).contains(&v.len()))
        {
            Some(n) => (n, false),
            None => (CsrfSigner::new_nonce(), true),
        }
    }

    pub fn cookie(&self, state: &AppState, nonce: String) -> Cookie<'static> {
        Cookie::build(self.name, nonce)
            .path(self.path)
            .http_only(true)
            .secure(state.urls.is_https())
            .same_site(self.same_site)
            .finish()
    }

    /// Whether `token` belongs to this browser's nonce.
    pub fn verify(&self, state: &AppState, req: &HttpRequest, token: Option<&str>) -> bool {
        let nonce = req
            .cookie(self.name)
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        state.secrets.csrf.verify(&nonce, token.unwrap_or_default())
    }
}
