//! `/groups`: the groups directory, as the API's `GET /api/v1/groups` shows it —
//! listed (public and closed) groups to everyone, and a member's own groups, private
//! ones included, to that member only.

use actix_web::HttpResponse;
use kindred_api::entities::groups::Group;
use kindred_api::services::groups as service;
use maud::{html, Markup, PreEscaped};

use super::common::{fail, shown_name};
use crate::context::{Ctx, WebError};
use crate::form;

const LIMIT: i64 = 80;

pub async fn index(ctx: Ctx) -> Result<HttpResponse, WebError> {
    // Signed out, nobody's memberships count: no account has id 0 (ids are
    // time-ordered and positive), so only listed groups are found.
    let viewer = ctx.account().map_or(0, |a| a.id);
    let list = service::directory(&ctx.state, viewer, false, None, LIMIT)
        .await
        .map_err(|e| fail(&ctx, e))?;
    let groups = service::entities(&ctx.state, viewer, list)
        .await
        .map_err(|e| fail(&ctx, e))?;
    let (mine, others): (Vec<&Group>, Vec<&Group>) = groups
        .iter()
        .partition(|g| g.membership.as_ref().is_some_and(|m| m.state != "banned"));
    let left = form::pairs(ctx.req.query_string().as_bytes())
        .iter()
        .any(|(k, v)| k == "done" && v == "left");
    let title = ctx.t("groups-directory-title");
    let body = html! {
        h1 { (title) }
        @if left { p class="notice" role="status" { (ctx.t("groups-done-left")) } }
        p { (ctx.t("groups-directory-intro")) }
        @if ctx.account().is_some() {
            section aria-labelledby="my-groups" {
                h2 id="my-groups" { (ctx.t("groups-directory-mine")) }
                @if mine.is_empty() {
                    p class="muted" { (ctx.t("groups-directory-none-mine")) }
                } @else {
                    ul class="plain" { @for g in &mine { li { (card(&ctx, g)) } } }
                }
            }
        }
        section aria-labelledby="all-groups" {
            h2 id="all-groups" { (ctx.t("groups-directory-all")) }
            @if others.is_empty() {
                p class="muted" { (ctx.t("groups-directory-none")) }
            } @else {
                ul class="plain" { @for g in &others { li { (card(&ctx, g)) } } }
            }
        }
    };
    Ok(ctx.page(&title, body))
}

fn card(ctx: &Ctx, g: &Group) -> Markup {
    let name = shown_name(&g.display_name, &g.acct);
    let standing = g.membership.as_ref().map(|m| match m.state.as_str() {
        "member" if m.role != "member" => ctx.t("groups-standing-facilitator"),
        "member" => ctx.t("groups-standing-member"),
        "requested" => ctx.t("groups-standing-requested"),
        "invited" => ctx.t("groups-standing-invited"),
        _ => String::new(),
    });
    let visibility = match g.visibility.as_str() {
        "public" => "groups-visibility-public",
        "private" => "groups-visibility-private",
        _ => "groups-visibility-closed",
    };
    html! {
        div class="card" {
            h3 { a href=(format!("/@{}", g.acct)) { (name) } }
            p class="muted" {
                (ctx.t(visibility)) " · "
                (ctx.t_args("groups-members-count", &[("count", g.members_count.into())]))
                @if let Some(s) = standing.filter(|s| !s.is_empty()) { " · " strong { (s) } }
            }
            // `note` is the API's HTML of the group's plain-text description.
            div class="about" { (PreEscaped(&g.note)) }
        }
    }
}
