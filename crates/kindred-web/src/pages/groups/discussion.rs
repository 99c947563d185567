//! Posting in a group (`POST /groups/:id/posts`): a status that mentions the group,
//! through the same posting service as the API (`services::statuses::create`), so
//! the group's rules apply as they do for an app — members only, muted members
//! refused, a new member's first posts held for review, the group's content warning.

use actix_web::{web, HttpResponse};
use kindred_api::services::statuses::{self, NewPost};
use kindred_api::services::viewer::Viewer;
use serde::Deserialize;

use super::common::{fail, load, parse_id, refusal};
use super::page::{self, Drafts};
use crate::context::{Ctx, WebError};
use crate::form;

#[derive(Deserialize, Default)]
struct PostForm {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    announce: Option<String>,
}

pub async fn create(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: PostForm = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let id = parse_id(&ctx, &path)?;
    let me = ctx.member()?.clone();
    let (group, _, own) = load(&ctx, id).await?;
    let text = f.status.unwrap_or_default();
    let spoiler = f.spoiler_text.unwrap_or_default();
    let announce = f.announce.is_some_and(|v| !v.is_empty());
    let facilitates = own
        .as_ref()
        .is_some_and(|m| m.is_member() && m.role.moderates());
    let redraft = |errors: Vec<String>| Drafts {
        text: text.clone(),
        spoiler: spoiler.clone(),
        announce,
        post_errors: errors,
        ..Drafts::default()
    };
    if text.trim().is_empty() {
        return page::render(&ctx, id, redraft(vec![ctx.t("groups-refused-empty")])).await;
    }
    // Mentioning the group is what posts into it (docs/groups.md); a facilitator's
    // public post is an announcement, anything else a discussion post.
    let visibility = if announce && facilitates {
        "public"
    } else {
        "private"
    };
    let viewer = Viewer::load(&ctx.state, Some(&me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let post = NewPost {
        text: format!("@{} {}", group.acct, text.trim()),
        spoiler_text: spoiler.clone(),
        sensitive: false,
        visibility: Some(visibility.to_owned()),
        local_only: false,
        in_reply_to_id: None,
        language: Some(ctx.lang.tag().to_owned()),
        idempotency_key: None,
        poll: None,
        media_ids: Vec::new(),
    };
    let row = match statuses::create(&ctx.state, &me, &viewer, post).await {
        Ok(row) => row,
        Err(e) => {
            return match refusal(&ctx, &e) {
                Some(msg) => page::render(&ctx, id, redraft(vec![msg])).await,
                None => Err(fail(&ctx, e)),
            }
        }
    };
    let status_id = row.id;
    let held = ctx
        .state
        .db
        .run(move |c| kindred_db::models::groups::posts_of(c, &[status_id]))
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .get(&status_id)
        .is_some_and(|p| p.held);
    let done = if held { "held" } else { "posted" };
    Ok(ctx.redirect(&format!("/@{}?done={done}#discussion", group.acct)))
}
