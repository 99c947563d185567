//! A group's facilitator page (`/groups/:id/manage`): join requests with their
//! answers, the review queue, announcements to pin, members with roles, bans. Every
//! action is the API's (`services::groups::act`, `act_on_post`), so the API's
//! refusals hold: 404 for a private group outside it, 403 for a non-facilitator.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use kindred_api::entities::groups::Group;
use kindred_api::services::groups::{self as service, Action, PostAction};
use kindred_api::services::viewer::Viewer;
use kindred_db::models::groups::MembershipRow;
use kindred_db::AccountRow;
use kindred_domain::groups::{GroupRole, MembershipState};
use maud::{html, Markup};
use serde::Deserialize;

use super::common::{fail, load, parse_id, refusal, shown_name};
use super::posts::{self, Which};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::form;
use crate::layout::{csrf_field, form_errors};

const LIMIT: i64 = 80;

/// `GET /groups/:id/manage`.
pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let id = parse_id(&ctx, &path)?;
    render(&ctx, id, Vec::new()).await
}

fn notice(ctx: &Ctx) -> Option<String> {
    let done = form::pairs(ctx.req.query_string().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v)?;
    matches!(
        done.as_str(),
        "approve"
            | "reject"
            | "remove"
            | "ban"
            | "unban"
            | "mute"
            | "unmute"
            | "promote"
            | "demote"
            | "post-approve"
            | "post-remove"
            | "pin"
            | "unpin"
            | "settings"
    )
    .then(|| ctx.t(&format!("groups-manage-done-{done}")))
}

async fn render(ctx: &Ctx, id: i64, errors: Vec<String>) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    // 404 / 403 exactly as the API's facilitator endpoints answer.
    let (_, my_role) = service::as_moderator(&ctx.state, &me, id)
        .await
        .map_err(|e| fail(ctx, e))?;
    let (group, _, _) = load(ctx, id).await?;
    let list = |which| {
        let me = me.clone();
        async move {
            service::memberships(&ctx.state, &me, id, which, None, LIMIT)
                .await
                .map_err(|e| fail(ctx, e))
        }
    };
    let requests = list(MembershipState::Requested).await?;
    let members = list(MembershipState::Member).await?;
    let bans = list(MembershipState::Banned).await?;
    let viewer = Viewer::load(&ctx.state, Some(&me))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let held = posts::load(ctx, &viewer, id, Which::Held).await?;
    let announcements = posts::load(ctx, &viewer, id, Which::Announcements).await?;
    let pinned = posts::load(ctx, &viewer, id, Which::Pinned).await?;
    let name = shown_name(&group.display_name, &group.acct);
    let title = ctx.t_args("groups-manage-title", &[("name", name.clone().into())]);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let post_action = |sid: &str, verb: &str, label: &str, class: &str| {
        html! {
            form method="post" class="inline" action=(format!("/groups/{id}/manage/posts/{sid}/{verb}")) {
                (csrf_field(&ctx.csrf_token))
                button type="submit" class=(class) { (label) }
            }
        }
    };
    let body = html! {
        h1 { (title) }
        p {
            a href=(format!("/@{}", group.acct)) { (ctx.t_args("groups-manage-back", &[("name", name.clone().into())])) }
            " · "
            a href=(format!("/groups/{id}/manage/settings")) { (ctx.t("groups-settings-link")) }
        }
        @if let Some(n) = notice(ctx) { p class="notice" role="status" { (n) } }
        (form_errors(ctx.lang, &errors))
        section aria-labelledby="requests" {
            h2 id="requests" { (ctx.t("groups-manage-requests")) }
            @if requests.is_empty() { p class="muted" { (ctx.t("groups-manage-no-requests")) } }
            @for (m, a) in &requests {
                (request_card(ctx, &group, m, a))
            }
        }
        section aria-labelledby="review" {
            h2 id="review" { (ctx.t("groups-manage-review")) }
            p class="hint" { (ctx.t("groups-manage-review-hint")) }
            @if held.is_empty() { p class="muted" { (ctx.t("groups-manage-no-held")) } }
            @for s in &held {
                (posts::article(ctx, s, html! {
                    (post_action(&s.id, "approve", &ctx.t("groups-manage-post-approve"), ""))
                    " "
                    (post_action(&s.id, "remove", &ctx.t("groups-manage-post-remove"), "danger"))
                }))
            }
        }
        section aria-labelledby="pins" {
            h2 id="pins" { (ctx.t("groups-manage-announcements")) }
            @if announcements.is_empty() { p class="muted" { (ctx.t("groups-no-announcements")) } }
            @for s in &announcements {
                @let is_pinned = pinned.iter().any(|p| p.id == s.id);
                (posts::article(ctx, s, html! {
                    @if is_pinned {
                        p class="hint" { (ctx.t("groups-pinned")) }
                        (post_action(&s.id, "unpin", &ctx.t("groups-manage-unpin"), "secondary"))
                    } @else {
                        (post_action(&s.id, "pin", &ctx.t("groups-manage-pin"), "secondary"))
                    }
                }))
            }
        }
        section aria-labelledby="members" {
            h2 id="members" { (ctx.t("groups-manage-members")) }
            table {
                caption class="muted" { (ctx.t_args("groups-members-count", &[("count", (members.len() as i64).into())])) }
                thead { tr {
                    th scope="col" { (ctx.t("groups-manage-col-name")) }
                    th scope="col" { (ctx.t("groups-manage-col-role")) }
                    th scope="col" { (ctx.t("groups-manage-col-actions")) }
                } }
                tbody {
                    @for (m, a) in &members {
                        (member_row(ctx, id, my_role, &me, m, a))
                    }
                }
            }
        }
        section aria-labelledby="bans" {
            h2 id="bans" { (ctx.t("groups-manage-bans")) }
            @if bans.is_empty() { p class="muted" { (ctx.t("groups-manage-no-bans")) } }
            ul class="plain" {
                @for (_, a) in &bans {
                    li {
                        (shown_name(&a.display_name, &a.username)) " (@" (a.username) ") "
                        (account_action(ctx, id, a.id, "unban", &ctx.t("groups-manage-unban"), "secondary", &a.username))
                    }
                }
            }
        }
    };
    Ok(ctx.page_with_status(status, &title, body))
}

fn account_action(
    ctx: &Ctx,
    group_id: i64,
    account_id: i64,
    verb: &str,
    label: &str,
    class: &str,
    who: &str,
) -> Markup {
    html! {
        form method="post" class="inline" action=(format!("/groups/{group_id}/manage/accounts/{account_id}/{verb}")) {
            (csrf_field(&ctx.csrf_token))
            button type="submit" class=(class) aria-label=(format!("{label}: @{who}")) { (label) }
        }
    }
}

fn request_card(ctx: &Ctx, group: &Group, m: &MembershipRow, a: &AccountRow) -> Markup {
    let answers: Vec<String> = serde_json::from_str(&m.answers).unwrap_or_default();
    let gid: i64 = group.id.parse().unwrap_or_default();
    html! {
        article class="card request" {
            h3 { (shown_name(&a.display_name, &a.username)) " (@" (a.username) ")" }
            @if group.questions.is_empty() && answers.is_empty() {
                p class="muted" { (ctx.t("groups-manage-no-questions")) }
            }
            dl {
                @for (i, q) in group.questions.iter().enumerate() {
                    dt { (q) }
                    dd { @match answers.get(i).filter(|s| !s.is_empty()) {
                        Some(ans) => (ans),
                        None => span class="muted" { (ctx.t("groups-manage-no-answer")) },
                    } }
                }
            }
            (account_action(ctx, gid, a.id, "approve", &ctx.t("groups-manage-approve"), "", &a.username))
            " "
            (account_action(ctx, gid, a.id, "reject", &ctx.t("groups-manage-reject"), "secondary", &a.username))
            " "
            (account_action(ctx, gid, a.id, "ban", &ctx.t("groups-manage-ban"), "danger", &a.username))
        }
    }
}

fn member_row(
    ctx: &Ctx,
    gid: i64,
    my_role: GroupRole,
    me: &AccountRow,
    m: &MembershipRow,
    a: &AccountRow,
) -> Markup {
    let role = match m.role {
        GroupRole::Owner => ctx.t("groups-role-owner"),
        GroupRole::Facilitator => ctx.t("groups-role-facilitator"),
        GroupRole::Member => ctx.t("groups-role-member"),
    };
    let muted = m
        .muted_until
        .is_some_and(|t| t > chrono::Utc::now().naive_utc());
    let may_act = a.id != me.id && (my_role == GroupRole::Owner || !m.role.moderates());
    html! {
        tr {
            td { (shown_name(&a.display_name, &a.username)) " (@" (a.username) ")" }
            td { (role) @if muted { " · " (ctx.t("groups-manage-muted")) } }
            td {
                @if may_act {
                    @if muted {
                        (account_action(ctx, gid, a.id, "unmute", &ctx.t("groups-manage-unmute"), "secondary", &a.username))
                    } @else {
                        (account_action(ctx, gid, a.id, "mute", &ctx.t("groups-manage-mute"), "secondary", &a.username))
                    }
                    " "
                    @if my_role == GroupRole::Owner {
                        @if m.role == GroupRole::Member {
                            (account_action(ctx, gid, a.id, "promote", &ctx.t("groups-manage-promote"), "secondary", &a.username))
                        } @else if m.role == GroupRole::Facilitator {
                            (account_action(ctx, gid, a.id, "demote", &ctx.t("groups-manage-demote"), "secondary", &a.username))
                        }
                        " "
                    }
                    (account_action(ctx, gid, a.id, "remove", &ctx.t("groups-manage-remove"), "secondary", &a.username))
                    " "
                    (account_action(ctx, gid, a.id, "ban", &ctx.t("groups-manage-ban"), "danger", &a.username))
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: Option<String>,
}

/// `POST /groups/:id/manage/accounts/:account_id/:action`.
pub async fn act(
    ctx: Ctx,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: CsrfOnly = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let (raw_group, raw_account, verb) = path.into_inner();
    let id = parse_id(&ctx, &raw_group)?;
    let target = parse_id(&ctx, &raw_account)?;
    let me = ctx.member()?.clone();
    let action = match verb.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "remove" => Action::Remove,
        "ban" => Action::Ban,
        "unban" => Action::Unban,
        // Until a facilitator lifts it, as the API without a duration.
        "mute" => Action::Mute(None),
        "unmute" => Action::Unmute,
        "promote" => Action::Promote,
        "demote" => Action::Demote,
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match service::act(&ctx.state, &me, id, target, action).await {
        Ok(()) => Ok(ctx.redirect(&format!("/groups/{id}/manage?done={verb}"))),
        Err(e) => match refusal(&ctx, &e) {
            Some(msg) => render(&ctx, id, vec![msg]).await,
            None => Err(fail(&ctx, e)),
        },
    }
}

/// `POST /groups/:id/manage/posts/:status_id/:action` (approve, remove, pin, unpin).
pub async fn act_on_post(
    ctx: Ctx,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let f: CsrfOnly = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let (raw_group, raw_status, verb) = path.into_inner();
    let id = parse_id(&ctx, &raw_group)?;
    let status_id = parse_id(&ctx, &raw_status)?;
    let me = ctx.member()?.clone();
    let (action, done) = match verb.as_str() {
        "approve" => (PostAction::Approve, "post-approve"),
        "remove" => (PostAction::Remove, "post-remove"),
        "pin" => (PostAction::Pin, "pin"),
        "unpin" => (PostAction::Unpin, "unpin"),
        _ => return Err(ctx.error(WebErrorKind::NotFound)),
    };
    match service::act_on_post(&ctx.state, &me, id, status_id, action).await {
        Ok(_) => Ok(ctx.redirect(&format!("/groups/{id}/manage?done={done}"))),
        Err(e) => match refusal(&ctx, &e) {
            Some(msg) => render(&ctx, id, vec![msg]).await,
            None => Err(fail(&ctx, e)),
        },
    }
}
