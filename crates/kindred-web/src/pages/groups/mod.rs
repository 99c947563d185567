//! The group pages: the directory (`/groups`), a group's page (`/@name`, reached
//! through `pages::actor`), joining and posting, and the facilitators' pages under
//! `/groups/:id/manage` (by id, as the groups API: a name can be reused after a
//! group is closed, an id never).

pub mod common;
pub mod directory;
pub mod discussion;
pub mod manage;
pub mod membership;
pub mod page;
pub mod posts;
pub mod settings;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/groups", web::get().to(directory::index))
        .route("/groups/{id}/join", web::post().to(membership::join))
        .route("/groups/{id}/leave", web::post().to(membership::leave))
        .route("/groups/{id}/posts", web::post().to(discussion::create))
        .route("/groups/{id}/manage", web::get().to(manage::show))
        .route(
            "/groups/{id}/manage/settings",
            web::get().to(settings::show),
        )
        .route(
            "/groups/{id}/manage/settings",
            web::post().to(settings::save),
        )
        .route(
            "/groups/{id}/manage/accounts/{account_id}/{action}",
            web::post().to(manage::act),
        )
        .route(
            "/groups/{id}/manage/posts/{status_id}/{action}",
            web::post().to(manage::act_on_post),
        );
}
