//! A group's posts as the viewer may see them, and how one is shown. Statuses come
//! from `present::statuses`, which leaves out whatever the viewer may not see, so a
//! page cannot show a confidential post by forgetting a check.

use kindred_api::entities::status::Status;
use kindred_api::services::present;
use kindred_api::services::timelines::{self, GroupScope, HeldPosts};
use kindred_api::services::viewer::Viewer;
use kindred_db::models::statuses::Page;
use maud::{html, Markup, PreEscaped};

use super::common::shown_name;
use crate::context::{Ctx, WebError};
use crate::i18n;

/// Which of the group's posts.
#[derive(Clone, Copy)]
pub enum Which {
    /// Announcements only (what anyone who sees the group sees).
    Announcements,
    /// Pinned announcements.
    Pinned,
    /// Everything members read: discussion posts and announcements (with the
    /// viewer's own held posts).
    Members,
    /// Held posts waiting for review (facilitators).
    Held,
}

pub const PAGE_SIZE: i64 = 40;

pub async fn load(
    ctx: &Ctx,
    viewer: &Viewer,
    group_id: i64,
    which: Which,
) -> Result<Vec<Status>, WebError> {
    let scope = GroupScope {
        discussions: matches!(which, Which::Members | Which::Held),
        held: if matches!(which, Which::Held) {
            HeldPosts::Only
        } else {
            HeldPosts::Exclude
        },
        pinned_only: matches!(which, Which::Pinned),
        viewer: viewer.id(),
    };
    let page = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: PAGE_SIZE,
    };
    let rows = timelines::group(&ctx.state, group_id, scope, viewer.hidden.clone(), page)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    present::statuses(&ctx.state, viewer, rows)
        .await
        .map_err(|e| ctx.internal(e.code()))
}

/// One post: author, time, content warning (collapsed, without script) and text.
/// `content` is HTML made by our own renderer (local posts) or our sanitizer (remote
/// ones) when stored; everything else is escaped by maud.
pub fn article(ctx: &Ctx, s: &Status, extra: Markup) -> Markup {
    let author = shown_name(&s.account.display_name, &s.account.acct);
    let when = chrono::DateTime::parse_from_rfc3339(&s.created_at)
        .map(|t| i18n::datetime(ctx.lang, t.with_timezone(&chrono::Utc), chrono_tz::UTC))
        .unwrap_or_default();
    html! {
        article class="card post" id=(format!("post-{}", s.id)) {
            p class="muted" {
                strong { (author) } " · @" (s.account.acct) " · "
                time datetime=(s.created_at) { (when) " UTC" }
            }
            @if s.spoiler_text.is_empty() {
                div class="content" { (PreEscaped(&s.content)) }
            } @else {
                details {
                    summary { (ctx.t("groups-cw")) ": " (s.spoiler_text) }
                    div class="content" { (PreEscaped(&s.content)) }
                }
            }
            (extra)
        }
    }
}
