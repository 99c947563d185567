//! The meeting pages: the directory (`/meetings`), a meeting (`/meetings/:id`,
//! shared with the ActivityPub `Event`: the page answers browsers only), the
//! answer, the personal calendar feed, and the facilitators' pages (create, edit,
//! cancel, participants and decisions).

mod calendar;
mod directory;
mod manage;
mod people;
mod show;
mod view;

use actix_web::web;

use crate::negotiate;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings", web::get().to(directory::index))
        .route(show::SCRIPT_PATH, web::get().to(show::script))
        .route("/meetings/calendar", web::get().to(calendar::page))
        .route("/meetings/calendar", web::post().to(calendar::make))
        .route("/meetings/new", web::get().to(manage::new_form))
        .route("/meetings/new", web::post().to(manage::create))
        .service(
            web::resource("/meetings/{id}")
                .guard(negotiate::html())
                .route(web::get().to(show::page)),
        )
        .route("/meetings/{id}/answer", web::post().to(show::answer))
        .route("/meetings/{id}/edit", web::get().to(manage::edit_form))
        .route("/meetings/{id}/edit", web::post().to(manage::update))
        .route("/meetings/{id}/cancel", web::post().to(manage::cancel))
        .route("/meetings/{id}/participants", web::get().to(people::list))
        .route(
            "/meetings/{id}/participants/{who}/{action}",
            web::post().to(people::decide),
        );
}
