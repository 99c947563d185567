//! `Ctx`: what every page handler starts from — the state, the language, the
//! signed-in member (from the session cookie) and the form token — and how a page,
//! a redirect or an error page is answered.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use kindred_api::auth::Authenticated;
use kindred_api::AppState;
use kindred_db::AccountRow;
use maud::Markup;

use crate::i18n::{tr, Lang};
use crate::layout::{self, Frame};
use crate::{csrf, session};

pub struct Ctx {
    pub state: web::Data<AppState>,
    pub req: HttpRequest,
    pub lang: Lang,
    /// The live session, if the member is signed in and may act.
    pub auth: Option<Authenticated>,
    /// The token this page's forms carry.
    pub csrf_token: String,
    /// A fresh CSRF nonce the response must set.
    new_nonce: Option<String>,
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("no state"))?;
            let auth = session::current(&state, &req)
                .await
                .filter(|a| a.account.as_ref().is_some_and(|acc| acc.is_active()));
            let lang = match &auth {
                Some(a) => member_lang(&state, a).await,
                None => None,
            }
            .unwrap_or_else(|| request_lang(&req));
            let (nonce, fresh) = csrf::nonce(&req);
            let csrf_token = state.secrets.csrf.token_for(&nonce);
            Ok(Ctx {
                state,
                req,
                lang,
                auth,
                csrf_token,
                new_nonce: fresh.then_some(nonce),
            })
        })
    }
}

/// The portal language the signed-in member chose in settings, if any.
async fn member_lang(state: &AppState, auth: &Authenticated) -> Option<Lang> {
    let id = auth.account.as_ref()?.id;
    state
        .db
        .run(move |c| kindred_db::models::accounts::ui_language(c, id))
        .await
        .ok()
        .flatten()
        .and_then(|code| Lang::from_code(&code))
}

/// The language from `Accept-Language` (a member's own setting wins once loaded:
/// see `Ctx::set_lang`).
fn request_lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or(Lang::En)
}

impl Ctx {
    pub fn t(&self, id: &str) -> String {
        tr(self.lang, id)
    }

    pub fn t_args(&self, id: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]) -> String {
        crate::i18n::tr_args(self.lang, id, args)
    }

    /// Use the member's chosen language for this page.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The signed-in member, if any.
    pub fn account(&self) -> Option<&AccountRow> {
        self.auth.as_ref().and_then(|a| a.account.as_ref())
    }

    /// The signed-in member, or a redirect to the sign-in page that comes back here.
    pub fn member(&self) -> Result<&AccountRow, WebError> {
        self.account().ok_or_else(|| self.sign_in_needed())
    }

    /// The session as the API's authentication, for services that take one.
    pub fn member_auth(&self) -> Result<&Authenticated, WebError> {
        self.auth.as_ref().ok_or_else(|| self.sign_in_needed())
    }

    /// A moderator or admin, else 403 (404 for the signed-out: redirect to sign in).
    pub fn moderator(&self) -> Result<&AccountRow, WebError> {
        let me = self.member()?;
        if me.role.may_moderate() {
            Ok(me)
        } else {
            Err(self.error(WebErrorKind::Forbidden))
        }
    }

    /// Whether the submitted form carries this browser's token.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        csrf::verify(&self.state, &self.req, submitted)
    }

    /// Refuses a form without this browser's token (nothing changes).
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), WebError> {
        if self.csrf_ok(submitted) {
            Ok(())
        } else {
            tracing::warn!("web form rejected: csrf token mismatch");
            Err(self.error(WebErrorKind::CsrfExpired))
        }
    }

    pub fn frame(&self) -> Frame {
        let account = self.account();
        Frame {
            lang: self.lang,
            instance_name: self.state.instance.name.clone(),
            quick_exit_url: self.state.instance.quick_exit_url.clone(),
            viewer: account.map(|a| a.username.clone()),
            may_moderate: account.is_some_and(|a| a.role.may_moderate()),
            csrf_token: self.csrf_token.clone(),
        }
    }

    /// A page inside the frame.
    pub fn page(&self, title: &str, body: Markup) -> HttpResponse {
        self.page_with_status(StatusCode::OK, title, body)
    }

    pub fn page_with_status(&self, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
        let markup = layout::page(&self.frame(), title, body);
        let mut resp = html_response(status, markup.into_string());
        self.add_cookies(&mut resp);
        resp
    }

    /// `303 See Other` to a path on this site (after a form, so reloading does not
    /// post again).
    pub fn redirect(&self, to: &str) -> HttpResponse {
        let mut resp = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, safe_local_path(to)))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish();
        self.add_cookies(&mut resp);
        resp
    }

    fn add_cookies(&self, resp: &mut HttpResponse) {
        if let Some(nonce) = &self.new_nonce {
            let _ = resp.add_cookie(&csrf::cookie(&self.state, nonce.clone()));
        }
        if resp.headers().get(header::VARY).is_none() {
            resp.headers_mut().insert(
                header::VARY,
                HeaderValue::from_static("Cookie, Accept-Language"),
            );
        }
    }

    pub fn error(&self, kind: WebErrorKind) -> WebError {
        WebError {
            kind,
            frame: Box::new((self.frame(), self.req.path().to_owned())),
        }
    }

    fn sign_in_needed(&self) -> WebError {
        self.error(WebErrorKind::SignInNeeded)
    }

    /// A storage or service failure: logged with its code only, answered with the
    /// generic error page.
    pub fn internal(&self, code: &str) -> WebError {
        tracing::error!(error = code, "web page failed");
        self.error(WebErrorKind::Internal)
    }
}

/// Only a path on this site (`/...`, not `//host`), for redirects and `next=`.
pub fn safe_local_path(to: &str) -> String {
    let ok = to.starts_with('/')
        && !to.starts_with("//")
        && !to.starts_with("/\\")
        && !to.chars().any(|c| c.is_control());
    if ok {
        to.to_owned()
    } else {
        "/".to_owned()
    }
}

pub fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebErrorKind {
    NotFound,
    Forbidden,
    SignInNeeded,
    CsrfExpired,
    TooMany,
    Internal,
}

/// An error page, in the request's language and frame.
pub struct WebError {
    pub kind: WebErrorKind,
    // Boxed: results carrying it stay small.
    frame: Box<(Frame, String)>,
}

impl std::fmt::Debug for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebError({:?})", self.kind)
    }
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.kind)
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self.kind {
            WebErrorKind::NotFound => StatusCode::NOT_FOUND,
            WebErrorKind::Forbidden | WebErrorKind::CsrfExpired => StatusCode::FORBIDDEN,
            WebErrorKind::SignInNeeded => StatusCode::SEE_OTHER,
            WebErrorKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
            WebErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (frame, back_to) = &*self.frame;
        let l = frame.lang;
        let (title, text) = match self.kind {
            WebErrorKind::NotFound => ("error-not-found-title", "error-not-found-text"),
            WebErrorKind::Forbidden => ("error-forbidden-title", "error-forbidden-text"),
            WebErrorKind::CsrfExpired => ("error-forbidden-title", "form-csrf-expired"),
            WebErrorKind::TooMany => ("error-forbidden-title", "error-too-many"),
            WebErrorKind::Internal => ("error-internal-title", "error-internal-text"),
            WebErrorKind::SignInNeeded => {
                let next = crate::form::encode_component(back_to);
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/auth/sign_in?next={next}")))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
        };
        let title = tr(l, title);
        let body = maud::html! { h1 { (title) } p { (tr(l, text)) } };
        html_response(
            self.status_code(),
            layout::page(frame, &title, body).into_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::safe_local_path;

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(safe_local_path("/groups"), "/groups");
        assert_eq!(safe_local_path("/@river?x=1"), "/@river?x=1");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "",
            "x",
            "/a\nb",
        ] {
            assert_eq!(safe_local_path(bad), "/", "{bad:?}");
        }
    }
}
