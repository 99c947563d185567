//! The portal's stylesheet and script, compiled into the binary and served from our
//! own origin (no CDN: a member's browser talks to their own instance only).

use actix_web::HttpResponse;

pub const CSS_PATH: &str = "/static/kindred-2.css";
pub const JS_PATH: &str = "/static/kindred-1.js";

const CSS: &str = include_str!("../static/kindred.css");
const JS: &str = include_str!("../static/kindred.js");

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // The file name carries a version: bump it when the file changes.
        .insert_header(("Cache-Control", "public, max-age=604800, immutable"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

pub async fn css() -> HttpResponse {
    asset("text/css; charset=utf-8", CSS)
}

pub async fn js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", JS)
}
