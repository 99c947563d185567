//! The groups extension API (`/api/v1/groups...`, docs/api/groups.md): directory,
//! settings, joining, what facilitators do, the review queue and the group timeline.
//! Thin: the rules are in `services::groups`.

use actix_web::{web, HttpRequest, HttpResponse};
use kindred_domain::filters::FilterContext;
use kindred_domain::groups::MembershipState;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::entities::groups::{opt_timestamp, Membership};
use crate::entities::status::timestamp;
use crate::handlers::statuses::parse_id;
use crate::handlers::timelines::respond_filtered;
use crate::pagination::PageParams;
use crate::params::{lenient, Params};
use crate::services::groups::{self as service, Action, GroupChanges, NewGroup, PostAction};
use crate::services::relations::AccountList;
use crate::services::timelines::{GroupScope, HeldPosts};
use crate::services::{present, viewer::Viewer};
use crate::{ApiError, AppState};

const READ: &[&str] = &["read", "read:accounts"];
const WRITE: &[&str] = &["write", "write:accounts", "write:follows"];

#[derive(Deserialize, Default)]
pub struct DirectoryParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    member: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// Listed groups and the caller's own (`member=true`: only the caller's).
pub async fn index(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<DirectoryParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let me = auth.user()?.id;
    let max_id = p.max_id.as_deref().map(parse_id).transpose()?;
    let limit = parse_limit(p.limit.as_deref(), 40, 80)?;
    let member_only = p.member.unwrap_or(false);
    let list = service::directory(&state, me, member_only, max_id, limit).await?;
    Ok(HttpResponse::Ok().json(service::entities(&state, me, list).await?))
}

fn parse_limit(raw: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map(|n| n.clamp(1, max))
            .map_err(|_| ApiError::bad_request("limit must be a number")),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let id = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(service::show(&state, auth.user()?.id, id).await?))
}

#[derive(Deserialize, Default)]
pub struct GroupParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    note: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    rules: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    questions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    content_warning: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    review_first_posts: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    show_participant_count: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_per_remote_domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    retention_days: Option<String>,
}

/// A cap as sent: empty (or "none") for the default.
fn parse_remote_cap(raw: Option<&str>) -> Result<Option<Option<i64>>, ApiError> {
    parse_optional(raw, "max_per_remote_domain must be a number")
}

/// A number that may be reset: empty (or "none") for the instance's default.
fn parse_optional(
    raw: Option<&str>,
    message: &'static str,
) -> Result<Option<Option<i64>>, ApiError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some("" | "none" | "null") => Ok(Some(None)),
        Some(s) => s
            .parse::<i64>()
            .map(|n| Some(Some(n)))
            .map_err(|_| ApiError::unprocessable("invalid_group", message)),
    }
}

const RETENTION_NUMBER: &str = "retention_days must be a number of days";

fn parse_review(raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>().map_err(|_| {
                ApiError::unprocessable("invalid_group", "review_first_posts must be a number")
            })
        })
        .transpose()
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<GroupParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let me = auth.user()?.clone();
    let new = NewGroup {
        username: p.username.unwrap_or_default(),
        display_name: p.display_name.unwrap_or_default(),
        note: p.note.unwrap_or_default(),
        rules: p.rules.unwrap_or_default(),
        questions: p.questions.unwrap_or_default(),
        content_warning: p.content_warning.unwrap_or_default(),
        visibility: p.visibility.unwrap_or_else(|| "closed".into()),
        review_first_posts: parse_review(p.review_first_posts.as_deref())?.unwrap_or(0),
        show_participant_count: p.show_participant_count.unwrap_or(false),
        max_per_remote_domain: parse_remote_cap(p.max_per_remote_domain.as_deref())?.flatten(),
        retention_days: parse_optional(p.retention_days.as_deref(), RETENTION_NUMBER)?.flatten(),
    };
    Ok(HttpResponse::Ok().json(service::create(&state, &me, new).await?))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<GroupParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let changes = GroupChanges {
        display_name: p.display_name,
        note: p.note,
        rules: p.rules,
        questions: p.questions,
        content_warning: p.content_warning,
        visibility: p.visibility,
        review_first_posts: parse_review(p.review_first_posts.as_deref())?,
        show_participant_count: p.show_participant_count,
        max_per_remote_domain: parse_remote_cap(p.max_per_remote_domain.as_deref())?,
        retention_days: parse_optional(p.retention_days.as_deref(), RETENTION_NUMBER)?,
    };
    Ok(HttpResponse::Ok().json(service::update(&state, &me, id, changes).await?))
}

#[derive(Deserialize, Default)]
pub struct JoinParams {
    #[serde(default, deserialize_with = "lenient::opt_list")]
    answers: Option<Vec<String>>,
}

/// `DELETE /api/v1/groups/:id`: the owner closes the group for good.
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    service::delete(&state, auth.user()?, id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

pub async fn join(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<JoinParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let group = service::join(&state, &me, id, p.answers.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok().json(group))
}

pub async fn leave(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    service::leave(&state, auth.user()?, id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
pub struct MembersParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

async fn list_memberships(
    state: &AppState,
    auth: &Authenticated,
    raw: &str,
    which: MembershipState,
    p: MembersParams,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let id = parse_id(raw)?;
    let me = auth.user()?.clone();
    let after = p.since_id.as_deref().map(parse_id).transpose()?;
    let limit = parse_limit(p.limit.as_deref(), 40, 80)?;
    let rows = service::memberships(state, &me, id, which, after, limit).await?;
    let accounts = present::accounts(
        state,
        Some(me.id),
        rows.iter().map(|(_, a)| a.clone()).collect(),
    )
    .await?;
    let out: Vec<Membership> = rows
        .iter()
        .filter_map(|(m, a)| {
            let account = accounts.iter().find(|e| e.id == a.id.to_string())?.clone();
            Some(Membership {
                id: m.id.to_string(),
                account,
                state: m.state.as_str().to_owned(),
                role: m.role.as_str().to_owned(),
                answers: serde_json::from_str(&m.answers).unwrap_or_default(),
                approved_posts: m.approved_posts,
                muted_until: opt_timestamp(m.muted_until),
                created_at: timestamp(m.created_at),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Members with roles: facilitators only (invariant 3).
pub async fn members(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<MembersParams>,
) -> Result<HttpResponse, ApiError> {
    list_memberships(&state, &auth, &path, MembershipState::Member, p).await
}

pub async fn requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<MembersParams>,
) -> Result<HttpResponse, ApiError> {
    list_memberships(&state, &auth, &path, MembershipState::Requested, p).await
}

pub async fn bans(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<MembersParams>,
) -> Result<HttpResponse, ApiError> {
    list_memberships(&state, &auth, &path, MembershipState::Banned, p).await
}

/// Remote accounts following the group's announcements (`requests`: those asking
/// to, in a closed group), for facilitators; Mastodon account lists with a `Link`
/// header. A group's follows are only ever remote: local people are members.
async fn remote_followers(
    req: &HttpRequest,
    state: &AppState,
    auth: &Authenticated,
    raw: &str,
    requested: bool,
    page: PageParams,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let id = parse_id(raw)?;
    let me = auth.user()?.clone();
    service::as_moderator(state, &me, id).await?;
    let which = if requested {
        AccountList::FollowRequests(id)
    } else {
        AccountList::Followers(id)
    };
    crate::handlers::relations::list(req, state, Some(me.id), which, page).await
}

pub async fn followers(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    remote_followers(&req, &state, &auth, &path, false, page).await
}

pub async fn follow_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    remote_followers(&req, &state, &auth, &path, true, page).await
}

#[derive(Deserialize, Default)]
pub struct ActParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    duration: Option<String>,
}

/// `POST /api/v1/groups/:id/{requests,members,bans}/:account_id/:action`.
pub async fn act(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
    Params(p): Params<ActParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let (raw_group, raw_account, verb) = path.into_inner();
    let id = parse_id(&raw_group)?;
    let target = parse_id(&raw_account)?;
    let action = match verb.as_str() {
        "authorize" | "approve" => Action::Approve,
        "reject" => Action::Reject,
        "invite" => Action::Invite,
        "remove" => Action::Remove,
        "ban" => Action::Ban,
        "unban" => Action::Unban,
        "mute" => Action::Mute(
            p.duration
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| {
                    d.parse::<i64>().map_err(|_| {
                        ApiError::unprocessable(
                            "invalid_duration",
                            "duration must be a number of seconds",
                        )
                    })
                })
                .transpose()?,
        ),
        "unmute" => Action::Unmute,
        "promote" => Action::Promote,
        "demote" => Action::Demote,
        "transfer_ownership" => Action::TransferOwnership,
        _ => return Err(ApiError::not_found()),
    };
    service::act(&state, auth.user()?, id, target, action).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `POST /api/v1/groups/:id/statuses/:status_id/{approve,remove,pin,unpin}`.
pub async fn act_on_post(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write", "write:statuses"])?;
    let (raw_group, raw_status, verb) = path.into_inner();
    let id = parse_id(&raw_group)?;
    let status_id = parse_id(&raw_status)?;
    let action = match verb.as_str() {
        "approve" => PostAction::Approve,
        "remove" => PostAction::Remove,
        "pin" => PostAction::Pin,
        "unpin" => PostAction::Unpin,
        _ => return Err(ApiError::not_found()),
    };
    service::act_on_post(&state, auth.user()?, id, status_id, action).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
pub struct PinnedParam {
    #[serde(default)]
    pinned: Option<String>,
}

/// The group's statuses as the caller sees them: announcements for anyone who can
/// see the group, discussions too for members.
pub async fn timeline(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
    pinned: web::Query<PinnedParam>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read", "read:statuses"])?;
    let id = parse_id(&path)?;
    let account = auth.user()?.clone();
    service::find_visible(&state, Some(account.id), id).await?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let scope = GroupScope {
        discussions: viewer.groups.contains_key(&id),
        held: HeldPosts::Exclude,
        pinned_only: matches!(pinned.pinned.as_deref(), Some("true" | "1")),
        viewer: Some(account.id),
    };
    group_page(&req, &state, &viewer, id, scope, &page).await
}

/// Held posts waiting for review: facilitators only.
pub async fn review_queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read", "read:statuses"])?;
    let id = parse_id(&path)?;
    let account = auth.user()?.clone();
    service::as_moderator(&state, &account, id).await?;
    let viewer = Viewer::load(&state, Some(&account)).await?;
    let scope = GroupScope {
        discussions: true,
        held: HeldPosts::Only,
        pinned_only: false,
        viewer: Some(account.id),
    };
    group_page(&req, &state, &viewer, id, scope, &page).await
}

async fn group_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    scope: GroupScope,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let w = page.window(20, 40)?;
    let hidden = viewer.hidden.clone();
    let rows = crate::services::timelines::group(state, id, scope, hidden, w.page()).await?;
    let ids = rows.iter().map(|s| s.id).collect();
    respond_filtered(req, state, viewer, rows, ids, FilterContext::Home).await
}
