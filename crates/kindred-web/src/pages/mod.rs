//! The page sets, one module each. Handlers are thin: they read the form, call the
//! same services the API calls, and render.

pub mod actor;
pub mod admin;
pub mod auth;
pub mod compose;
pub mod group;
pub mod groups;
pub mod help;
pub mod home;
pub mod landing;
pub mod meetings;
pub mod notifications;
pub mod profile;
pub mod settings;
pub mod signup;

/// The member pages' routes (sign-up, home, compose, settings, help).
pub fn member_routes(cfg: &mut actix_web::web::ServiceConfig) {
    signup::routes(cfg);
    home::routes(cfg);
    compose::routes(cfg);
    profile::routes(cfg);
    settings::routes(cfg);
    help::routes(cfg);
    notifications::routes(cfg);
}
