//! A group's page (`/@name`): about, rules, joining (with the group's questions),
//! announcements, and for members the confidential discussion with its compose
//! form. What each viewer sees is what the groups API shows them: a private group is
//! "not found" outside it, the discussion is loaded only for members (and filtered
//! again per post by `present::statuses`).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use kindred_api::entities::groups::Group;
use kindred_api::services::viewer::Viewer;
use kindred_db::models::groups::MembershipRow;
use kindred_domain::groups::MembershipState;
use maud::{html, Markup, PreEscaped};

use super::common::{self, shown_name};
use super::posts::{self, Which};
use crate::context::{Ctx, WebError};
use crate::form;
use crate::layout::{csrf_field, form_errors};

/// What was typed into a refused form, shown again with the reasons.
#[derive(Default)]
pub struct Drafts {
    pub answers: Vec<String>,
    pub join_errors: Vec<String>,
    pub text: String,
    pub spoiler: String,
    pub announce: bool,
    pub post_errors: Vec<String>,
}

impl Drafts {
    fn refused(&self) -> bool {
        !self.join_errors.is_empty() || !self.post_errors.is_empty()
    }
}

/// `GET /@name` for a group.
pub async fn show(ctx: Ctx, group_id: i64) -> Result<HttpResponse, WebError> {
    render(&ctx, group_id, Drafts::default()).await
}

/// Notices after a form (`?done=...`), by a fixed list of words.
fn notice(ctx: &Ctx) -> Option<String> {
    let q = ctx.req.query_string();
    let done = form::pairs(q.as_bytes())
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v)?;
    let id = match done.as_str() {
        "joined" => "groups-done-joined",
        "requested" => "groups-done-requested",
        "left" => "groups-done-left",
        "posted" => "groups-done-posted",
        "held" => "groups-done-held",
        _ => return None,
    };
    Some(ctx.t(id))
}

pub async fn render(ctx: &Ctx, group_id: i64, drafts: Drafts) -> Result<HttpResponse, WebError> {
    let (group, _loaded, own) = common::load(ctx, group_id).await?;
    let is_member = own.as_ref().is_some_and(MembershipRow::is_member);
    let facilitates = is_member && own.as_ref().is_some_and(|m| m.role.moderates());
    let viewer = Viewer::load(&ctx.state, ctx.account())
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let pinned = posts::load(ctx, &viewer, group_id, Which::Pinned).await?;
    let announcements = posts::load(ctx, &viewer, group_id, Which::Announcements).await?;
    // Discussion posts are read for members only; a non-member's page never
    // queries them.
    let discussion = if is_member {
        let announced: std::collections::HashSet<&str> =
            announcements.iter().map(|s| s.id.as_str()).collect();
        posts::load(ctx, &viewer, group_id, Which::Members)
            .await?
            .into_iter()
            .filter(|s| !announced.contains(s.id.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    let pinned_ids: std::collections::HashSet<&str> =
        pinned.iter().map(|s| s.id.as_str()).collect();
    let title = shown_name(&group.display_name, &group.acct);
    let status = if drafts.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { (title) }
        p class="muted" {
            "@" (group.acct) " · " (ctx.t(visibility_id(&group.visibility)))
            " · " (ctx.t_args("groups-members-count", &[("count", group.members_count.into())]))
        }
        @if let Some(n) = notice(ctx) { p class="notice" role="status" { (n) } }
        @if facilitates {
            p { a class="button secondary" href=(format!("/groups/{}/manage", group.id)) {
                (ctx.t("groups-manage-link"))
            } }
        }
        section aria-labelledby="about" {
            h2 id="about" { (ctx.t("groups-about")) }
            div class="about" { (PreEscaped(&group.note)) }
            @if !group.content_warning.is_empty() {
                p class="hint" { (ctx.t_args("groups-group-cw", &[("cw", group.content_warning.clone().into())])) }
            }
        }
        @if !group.rules.trim().is_empty() {
            section aria-labelledby="group-rules" {
                h2 id="group-rules" { (ctx.t("groups-rules")) }
                // plain_text_to_html escapes everything it is given.
                div class="rules" { (PreEscaped(kindred_domain::text::plain_text_to_html(&group.rules))) }
            }
        }
        (membership_section(ctx, &group, own.as_ref(), &drafts))
        section aria-labelledby="announcements" {
            h2 id="announcements" { (ctx.t("groups-announcements")) }
            @if announcements.is_empty() {
                p class="muted" { (ctx.t("groups-no-announcements")) }
            }
            @for s in pinned.iter().chain(announcements.iter().filter(|s| !pinned_ids.contains(s.id.as_str()))) {
                (posts::article(ctx, s, html! {
                    @if pinned_ids.contains(s.id.as_str()) { p class="hint" { (ctx.t("groups-pinned")) } }
                }))
            }
        }
        @if is_member {
            section aria-labelledby="discussion" id="discussion-section" {
                h2 id="discussion" { (ctx.t("groups-discussion")) }
                p class="hint" { (ctx.t("groups-discussion-hint")) }
                (compose(ctx, &group, facilitates, &drafts))
                @if discussion.is_empty() {
                    p class="muted" { (ctx.t("groups-no-discussion")) }
                }
                @for s in &discussion { (posts::article(ctx, s, html! {})) }
            }
        }
    };
    Ok(ctx.page_with_status(status, &title, body))
}

fn visibility_id(v: &str) -> &'static str {
    match v {
        "public" => "groups-visibility-public",
        "private" => "groups-visibility-private",
        _ => "groups-visibility-closed",
    }
}

fn membership_section(
    ctx: &Ctx,
    group: &Group,
    own: Option<&MembershipRow>,
    drafts: &Drafts,
) -> Markup {
    let join_action = format!("/groups/{}/join", group.id);
    let leave_action = format!("/groups/{}/leave", group.id);
    let state = own.map(|m| m.state);
    html! {
        section aria-labelledby="membership" {
            h2 id="membership" { (ctx.t("groups-membership")) }
            (form_errors(ctx.lang, &drafts.join_errors))
            @if ctx.account().is_none() {
                p {
                    a href=(format!("/auth/sign_in?next={}", form::encode_component(&format!("/@{}", group.acct)))) {
                        (ctx.t("groups-sign-in-to-join"))
                    }
                }
            } @else {
                @match state {
                    Some(MembershipState::Member) => {
                        p { (ctx.t("groups-you-are-member")) }
                        @if own.is_some_and(|m| m.role != kindred_domain::groups::GroupRole::Owner) {
                            form method="post" action=(leave_action) class="inline" {
                                (csrf_field(&ctx.csrf_token))
                                button type="submit" class="secondary" { (ctx.t("groups-leave")) }
                            }
                        }
                    }
                    Some(MembershipState::Requested) => {
                        p { (ctx.t("groups-request-waiting")) }
                        form method="post" action=(leave_action) class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            button type="submit" class="secondary" { (ctx.t("groups-withdraw")) }
                        }
                    }
                    Some(MembershipState::Banned) => {
                        p { (ctx.t("groups-banned")) }
                    }
                    Some(MembershipState::Invited) => {
                        p { (ctx.t("groups-invited")) }
                        form method="post" action=(join_action) class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            button type="submit" { (ctx.t("groups-accept-invitation")) }
                        }
                        " "
                        form method="post" action=(leave_action) class="inline" {
                            (csrf_field(&ctx.csrf_token))
                            button type="submit" class="secondary" { (ctx.t("groups-decline-invitation")) }
                        }
                    }
                    None => {
                        @if group.visibility == "public" {
                            form method="post" action=(join_action) {
                                (csrf_field(&ctx.csrf_token))
                                button type="submit" { (ctx.t("groups-join")) }
                            }
                        } @else {
                            p { (ctx.t("groups-ask-hint")) }
                            form method="post" action=(join_action) id="join-form" {
                                (csrf_field(&ctx.csrf_token))
                                @for (i, q) in group.questions.iter().enumerate() {
                                    label for=(format!("answer-{i}")) { (q) }
                                    textarea id=(format!("answer-{i}")) name="answers" rows="3" maxlength="1000" {
                                        (drafts.answers.get(i).map(String::as_str).unwrap_or(""))
                                    }
                                }
                                button type="submit" { (ctx.t("groups-ask")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn compose(ctx: &Ctx, group: &Group, facilitates: bool, drafts: &Drafts) -> Markup {
    html! {
        form method="post" action=(format!("/groups/{}/posts", group.id)) id="compose" {
            h3 { (ctx.t("groups-compose")) }
            (form_errors(ctx.lang, &drafts.post_errors))
            (csrf_field(&ctx.csrf_token))
            label for="spoiler_text" { (ctx.t("groups-compose-cw")) }
            input type="text" id="spoiler_text" name="spoiler_text" value=(drafts.spoiler) maxlength="500"
                aria-describedby="cw-hint";
            p class="hint" id="cw-hint" { (ctx.t("groups-compose-cw-hint")) }
            label for="status" { (ctx.t("groups-compose-text")) }
            textarea id="status" name="status" rows="5" required { (drafts.text) }
            @if facilitates {
                div class="check" {
                    input type="checkbox" id="announce" name="announce" value="1" checked[drafts.announce];
                    label for="announce" { (ctx.t("groups-compose-announce")) }
                }
            }
            button type="submit" { (ctx.t("groups-compose-submit")) }
        }
    }
}
