//! Mastodon's admin API for accounts (`/api/v1/admin/accounts`, `/api/v2/admin/accounts`:
//! list, show, `action`, approve/reject, enable/unsilence/unsuspend/unsensitive),
//! Kindred's role change (`PUT /api/v1/admin/kindred/accounts/:id/role`, admins only)
//! and the audit log (`GET /api/v1/admin/kindred/audit_log`). Moderators and admins
//! only; what each action does is `kindred_core::moderation`'s (docs/moderation.md).

use actix_web::{web, HttpRequest, HttpResponse};
use kindred_core::audit::{Actor, AuditQuery};
use kindred_core::moderation::Acting;
use kindred_domain::moderation::{AccountAction, AccountUndo};
use kindred_domain::Role;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::entities::admin::{AdminAccount, AuditEntry};
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::moderation::{self as service, AccountFilter, AdminView};
use crate::services::present;
use crate::{ApiError, AppState};

async fn entities(
    state: &AppState,
    viewer: i64,
    views: Vec<AdminView>,
) -> Result<Vec<AdminAccount>, ApiError> {
    let rows = views.iter().map(|v| v.account.clone()).collect();
    let accounts = present::accounts(state, Some(viewer), rows).await?;
    Ok(views
        .iter()
        .filter_map(|v| {
            let a = accounts.iter().find(|a| a.id == v.account.id.to_string())?;
            Some(AdminAccount::new(v, a.clone()))
        })
        .collect())
}

async fn one(state: &AppState, viewer: i64, id: i64) -> Result<AdminAccount, ApiError> {
    let view = service::view(state, id).await?;
    entities(state, viewer, vec![view])
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    // v1
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pending: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    silenced: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    suspended: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitized: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    staff: Option<bool>,
    // v2
    #[serde(default, deserialize_with = "lenient::opt_string")]
    origin: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    permissions: Option<String>,
    // both
    #[serde(default, deserialize_with = "lenient::opt_string")]
    by_domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    ip: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    invited_by: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

impl ListParams {
    /// The filter, or `None` when it asks for data Kindred never keeps (email,
    /// IP, invitations by someone): such a question has no match here.
    fn filter(&self) -> Result<Option<AccountFilter>, ApiError> {
        if filled(&self.email) || filled(&self.ip) || filled(&self.invited_by) {
            return Ok(None);
        }
        let w = PageParams {
            max_id: self.max_id.clone(),
            since_id: self.since_id.clone(),
            min_id: self.min_id.clone(),
            limit: self.limit.clone(),
        }
        .window(100, 200)?;
        let mut f = AccountFilter {
            max_id: w.max_id,
            since_id: w.since_id,
            min_id: w.min_id,
            limit: w.limit,
            username: self.username.clone().filter(|s| !s.is_empty()),
            display_name: self.display_name.clone().filter(|s| !s.is_empty()),
            by_domain: self.by_domain.clone().filter(|s| !s.is_empty()),
            ..Default::default()
        };
        match (self.local, self.remote, self.origin.as_deref()) {
            (Some(true), _, _) | (_, _, Some("local")) => f.local = Some(true),
            (_, Some(true), _) | (_, _, Some("remote")) => f.local = Some(false),
            _ => {}
        }
        f.pending = self.pending == Some(true);
        f.disabled = self.disabled == Some(true);
        f.silenced = self.silenced == Some(true);
        f.suspended = self.suspended == Some(true);
        f.sensitized = self.sensitized == Some(true);
        f.staff = self.staff == Some(true) || self.permissions.as_deref() == Some("staff");
        match self.status.as_deref() {
            Some("pending") => f.pending = true,
            Some("disabled") => f.disabled = true,
            Some("silenced") => f.silenced = true,
            Some("suspended") => f.suspended = true,
            _ => {}
        }
        if self.active == Some(true) || self.status.as_deref() == Some("active") {
            f.active = true;
        }
        Ok(Some(f))
    }
}

/// `GET /api/v1/admin/accounts` and `GET /api/v2/admin/accounts`.
pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:read:accounts")?.id;
    let Some(filter) = p.filter()? else {
        return Ok(HttpResponse::Ok().json(Vec::<AdminAccount>::new()));
    };
    let views = service::list(&state, filter).await?;
    let ids: Vec<i64> = views.iter().map(|v| v.account.id).collect();
    let out = entities(&state, me, views).await?;
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(out))
}

/// `GET /api/v1/admin/accounts/:id`.
pub async fn show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:read:accounts")?.id;
    let id = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(one(&state, me, id).await?))
}

#[derive(Deserialize, Default)]
pub struct ActionParams {
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    report_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    text: Option<String>,
}

fn acting(me: &crate::services::AccountRow, report_id: Option<i64>, text: String) -> Acting {
    Acting {
        actor: Actor::Account(me.id),
        role: me.role.person(),
        report_id,
        text,
    }
}

/// `POST /api/v1/admin/accounts/:id/action`: answers `{}` as Mastodon does.
pub async fn action(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<ActionParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:write:accounts")?;
    let id = parse_id(&path)?;
    let action = AccountAction::parse(p.kind.as_deref().unwrap_or("none"))
        .map_err(|e| ApiError::unprocessable(e.code(), "Validation failed: unknown type"))?;
    let report_id = match p.report_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(r) => Some(
            r.parse::<i64>()
                .map_err(|_| ApiError::unprocessable("invalid_report_id", "Invalid report_id"))?,
        ),
    };
    let text = p.text.unwrap_or_default();
    service::act(&state, acting(me, report_id, text), id, action).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

async fn undo(
    state: &AppState,
    auth: &Authenticated,
    raw: &str,
    undo: AccountUndo,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:write:accounts")?;
    let id = parse_id(raw)?;
    service::undo(state, acting(me, None, String::new()), id, undo).await?;
    Ok(HttpResponse::Ok().json(one(state, me.id, id).await?))
}

pub async fn enable(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &path, AccountUndo::Enable).await
}

pub async fn unsilence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &path, AccountUndo::Unsilence).await
}

pub async fn unsuspend(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &path, AccountUndo::Unsuspend).await
}

pub async fn unsensitive(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &path, AccountUndo::Unsensitive).await
}

/// `POST /api/v1/admin/accounts/:id/approve`.
pub async fn approve(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:write:accounts")?.id;
    let id = parse_id(&path)?;
    service::decide_sign_up(&state, Actor::Account(me), id, true).await?;
    Ok(HttpResponse::Ok().json(one(&state, me, id).await?))
}

/// `POST /api/v1/admin/accounts/:id/reject`: the pending account is deleted; the
/// answer is the account as it was.
pub async fn reject(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator("admin:write:accounts")?.id;
    let id = parse_id(&path)?;
    let before = one(&state, me, id).await?;
    service::decide_sign_up(&state, Actor::Account(me), id, false).await?;
    Ok(HttpResponse::Ok().json(before))
}

#[derive(Deserialize, Default)]
pub struct RoleParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    role: Option<String>,
}

/// `PUT /api/v1/admin/kindred/accounts/:id/role` (admins only).
pub async fn set_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<RoleParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.admin("admin:write:accounts")?.id;
    let id = parse_id(&path)?;
    let role = Role::parse(p.role.as_deref().unwrap_or_default().trim())
        .map_err(|e| ApiError::unprocessable(e.code(), "Validation failed: unknown role"))?;
    service::set_role(&state, Actor::Account(me), id, role).await?;
    Ok(HttpResponse::Ok().json(one(&state, me, id).await?))
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    actor_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    target_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

fn opt_id(v: &Option<String>) -> Result<Option<i64>, ApiError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request("Invalid id")),
    }
}

/// `GET /api/v1/admin/kindred/audit_log` (moderators and admins), newest first.
pub async fn audit_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    auth.moderator("admin:read")?;
    let w = PageParams {
        max_id: p.max_id.clone(),
        since_id: p.since_id.clone(),
        min_id: p.min_id.clone(),
        limit: p.limit.clone(),
    }
    .window(40, 200)?;
    let query = AuditQuery {
        actor_id: opt_id(&p.actor_id)?,
        target_account_id: opt_id(&p.target_id)?,
        kind: p.kind.clone().filter(|k| !k.trim().is_empty()),
        since: None,
        max_id: w.max_id,
        since_id: w.since_id,
        min_id: w.min_id,
        limit: w.limit,
    };
    let rows = service::audit_log(&state, query).await?;
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(rows.iter().map(AuditEntry::from).collect::<Vec<_>>()))
}
