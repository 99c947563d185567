//! Paths shared by a page and an ActivityPub document answer by `Accept`: a
//! browser asks for `text/html`; a server asks for `application/activity+json` or
//! `application/ld+json`.

use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header;

/// Passes when the request prefers HTML: it names `text/html` and no ActivityPub
/// type. Put it on the page's resource (`web::resource(..).guard(negotiate::html())`)
/// so other requests fall through to the API's resource for the same path.
pub fn html() -> impl Guard {
    HtmlGuard
}

struct HtmlGuard;

impl Guard for HtmlGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let accept = ctx
            .head()
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        prefers_html(accept)
    }
}

pub fn prefers_html(accept: &str) -> bool {
    let a = accept.to_ascii_lowercase();
    a.contains("text/html") && !a.contains("activity+json") && !a.contains("ld+json")
}

#[cfg(test)]
mod tests {
    use super::prefers_html;

    #[test]
    fn browsers_get_pages_servers_get_documents() {
        assert!(prefers_html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!prefers_html("application/activity+json"));
        assert!(!prefers_html(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!prefers_html("*/*"));
        assert!(!prefers_html(""));
    }
}
