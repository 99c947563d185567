//! Kindred's web portal: server-rendered pages for members, facilitators and
//! moderators, working without JavaScript, in English and Norwegian Bokmål.
//!
//! Pages call the same services as the Mastodon API (`kindred_api::services`) and
//! the rules in `kindred_core`: no rule is written here. A browser session is an
//! OAuth token of the built-in web application ([`session`]), so every check the API
//! makes on a token holds for a page too.

pub mod assets;
pub mod context;
pub mod csrf;
pub mod form;
pub mod i18n;
pub mod layout;
pub mod negotiate;
pub mod pages;
pub mod security;
pub mod session;

pub use context::{Ctx, WebError, WebErrorKind};
pub use security::security_headers;

use actix_web::web;

use pages::{actor, auth, landing};

/// The portal's routes. Registered before the API's: where a path is shared with
/// an ActivityPub document (`/@name`, `/meetings/:id`), the page's resource carries
/// [`negotiate::html`] and the API answers everything else.
pub fn configure(cfg: &mut web::ServiceConfig) {
    pages::member_routes(cfg);
    pages::meetings::routes(cfg);
    pages::groups::routes(cfg);
    pages::admin::routes(cfg);
    cfg.service(
        web::resource("/")
            .guard(negotiate::html())
            .route(web::get().to(landing::landing)),
    )
    .service(
        web::resource("/@{name}")
            .guard(negotiate::html())
            .route(web::get().to(actor::show)),
    )
    .route("/about", web::get().to(landing::about))
    .route(assets::CSS_PATH, web::get().to(assets::css))
    .route(assets::JS_PATH, web::get().to(assets::js))
    .service(
        web::resource("/auth/sign_in")
            .wrap(actix_web::middleware::from_fn(
                kindred_api::ratelimit::rate_limit,
            ))
            .route(web::get().to(auth::sign_in_form))
            .route(web::post().to(auth::sign_in)),
    )
    .route("/auth/sign_out", web::post().to(auth::sign_out));
}
