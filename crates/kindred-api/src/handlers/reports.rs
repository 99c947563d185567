//! Reports: Mastodon's `POST /api/v1/reports` and admin reports API
//! (`/api/v1/admin/reports...`), the moderators' removal of a post
//! (`DELETE /api/v1/admin/kindred/statuses/:id`) and the groups extension's part for
//! facilitators (`/api/v1/groups/:id/reports...`). Thin: the rules are in
//! `services::reports` and `kindred_core::reports` (docs/moderation.md).

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Authenticated;
use crate::entities::reports::{self as entity, AdminReportParts};
use crate::entities::Account;
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::reports::{
    self as service, FullReport, ModeratorStep, ReportFilter, ReportInput,
};
use crate::services::{present, viewer::Viewer, AccountRow};
use crate::{ApiError, AppState};

const FILE: &[&str] = &["write", "write:reports"];
const ADMIN_READ: &str = "admin:read:reports";
const ADMIN_WRITE: &str = "admin:write:reports";

#[derive(Deserialize, Default)]
pub struct FileParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "id_list")]
    status_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    category: Option<String>,
    #[serde(default, deserialize_with = "id_list")]
    rule_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    forward: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    forward_to_domains: Option<Vec<String>>,
}

/// A list of ids as apps send them: strings or numbers, in an array (`a[]=` in a
/// form) or one string.
fn id_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split_whitespace().map(str::to_owned).collect())),
        Some(Value::Number(n)) => Ok(Some(vec![n.to_string()])),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|i| match i {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(D::Error::custom("expected a list of ids")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(D::Error::custom("expected a list of ids")),
    }
}

fn ids(raw: &[String], field: &'static str) -> Result<Vec<i64>, ApiError> {
    raw.iter()
        .map(|s| {
            s.trim().parse::<i64>().map_err(|_| {
                ApiError::unprocessable("invalid_report", format!("{field} must be ids"))
            })
        })
        .collect()
}

/// `POST /api/v1/reports`.
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<FileParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(FILE)?;
    let me = auth.user()?.clone();
    let account_id = p
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::unprocessable("invalid_report", "account_id is required"))?
        .parse::<i64>()
        .map_err(|_| {
            ApiError::unprocessable(
                "report_unknown_account",
                "The reported account does not exist",
            )
        })?;
    let input = ReportInput {
        account_id,
        status_ids: ids(&p.status_ids.unwrap_or_default(), "status_ids")?,
        comment: p.comment.unwrap_or_default(),
        category: p.category,
        rule_ids: p.rule_ids.unwrap_or_default(),
        forward: p.forward.unwrap_or(false),
        forward_to_domains: p.forward_to_domains.unwrap_or_default(),
    };
    let status_ids = input.status_ids.clone();
    let (report, target) = service::file(&state, &me, input).await?;
    let target = present::account(&state, Some(me.id), target).await?;
    let mut named: Vec<i64> = status_ids;
    named.sort_unstable();
    named.dedup();
    Ok(HttpResponse::Ok().json(entity::report(&report, &named, Some(target))))
}

/// An `Admin::Report` for moderator `me`.
async fn admin_entity(
    state: &AppState,
    me: &AccountRow,
    full: FullReport,
) -> Result<Value, ApiError> {
    let rows: Vec<AccountRow> = full.accounts.values().cloned().collect();
    let accounts: HashMap<i64, Account> = present::accounts(state, Some(me.id), rows)
        .await?
        .into_iter()
        .filter_map(|a| a.id.parse().ok().map(|id: i64| (id, a)))
        .collect();
    let viewer = Viewer::load(state, Some(me)).await?;
    let statuses = present::reported_statuses(state, &viewer, full.statuses).await?;
    let rules = crate::entities::instance::rules_entity(state, &[]); // the crisis rule is no report reason
    let rules = rules.as_array().cloned().unwrap_or_default();
    Ok(entity::admin_report(AdminReportParts {
        report: &full.seen.report,
        rows: &full.accounts,
        accounts: &accounts,
        statuses,
        status_ids: &full.seen.status_ids,
        rules: &rules,
        groups: &full.seen.groups,
        actions: &full.seen.actions,
        memberships: &full.memberships,
    }))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    resolved: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    target_account_id: Option<String>,
}

fn opt_id(raw: Option<String>) -> Result<Option<i64>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request("Invalid account id")),
    }
}

/// `GET /api/v1/admin/reports`: Mastodon lists unresolved reports unless asked
/// for resolved ones.
pub async fn admin_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    p: web::Query<ListParams>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator(ADMIN_READ)?.clone();
    let p = p.into_inner();
    let filter = ReportFilter {
        resolved: Some(p.resolved.unwrap_or(false)),
        reporter_account_id: opt_id(p.account_id)?,
        target_account_id: opt_id(p.target_account_id)?,
    };
    let w = page.window(100, 200)?;
    let (reports, page_ids) = service::list(&state, &me, filter, w.page()).await?;
    let mut out = Vec::with_capacity(reports.len());
    for full in reports {
        out.push(admin_entity(&state, &me, full).await?);
    }
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &page_ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(out))
}

/// `GET /api/v1/admin/reports/:id`.
pub async fn admin_show(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator(ADMIN_READ)?.clone();
    let id = parse_id(&path)?;
    let full = service::show(&state, &me, id).await?;
    Ok(HttpResponse::Ok().json(admin_entity(&state, &me, full).await?))
}

#[derive(Deserialize, Default)]
pub struct UpdateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    category: Option<String>,
    #[serde(default, deserialize_with = "id_list")]
    rule_ids: Option<Vec<String>>,
}

/// `PUT /api/v1/admin/reports/:id` (category, rule_ids).
pub async fn admin_update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<UpdateParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator(ADMIN_WRITE)?.clone();
    let id = parse_id(&path)?;
    let step = ModeratorStep::Update {
        category: p.category,
        rule_ids: p.rule_ids,
    };
    let full = service::act(&state, &me, id, step).await?;
    Ok(HttpResponse::Ok().json(admin_entity(&state, &me, full).await?))
}

/// `POST /api/v1/admin/reports/:id/{assign_to_self,unassign,resolve,reopen}`.
pub async fn admin_act(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator(ADMIN_WRITE)?.clone();
    let (raw, verb) = path.into_inner();
    let id = parse_id(&raw)?;
    let step = match verb.as_str() {
        "assign_to_self" => ModeratorStep::AssignToSelf,
        "unassign" => ModeratorStep::Unassign,
        "resolve" => ModeratorStep::Resolve,
        "reopen" => ModeratorStep::Reopen,
        _ => return Err(ApiError::not_found()),
    };
    let full = service::act(&state, &me, id, step).await?;
    Ok(HttpResponse::Ok().json(admin_entity(&state, &me, full).await?))
}

#[derive(Deserialize, Default)]
pub struct RemoveParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    report_id: Option<String>,
}

/// `DELETE /api/v1/admin/kindred/statuses/:id?report_id=`: a moderator removes a
/// post (a local one deleted and federated, a remote one hidden here).
pub async fn remove_status(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<RemoveParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.moderator(ADMIN_WRITE)?.clone();
    let id = parse_id(&path)?;
    let report_id = match p
        .report_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(r) => Some(parse_id(r)?),
    };
    let row = service::remove_status(&state, &me, id, report_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "id": row.id.to_string() })))
}

/// `GET /api/v1/groups/:id/reports`: the reports that reach the group, for its
/// facilitators (never the reporter).
pub async fn group_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(page): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["read", "read:statuses"])?;
    let me = auth.user()?.clone();
    let id = parse_id(&path)?;
    let w = page.window(20, 40)?;
    let (reports, page_ids) = service::for_group(&state, &me, id, w.page()).await?;
    let viewer = Viewer::load(&state, Some(&me)).await?;
    let mut out = Vec::with_capacity(reports.len());
    for gr in reports {
        let target = match gr.target {
            Some(t) => Some(present::account(&state, Some(me.id), t).await?),
            None => None,
        };
        let statuses = present::reported_statuses(&state, &viewer, gr.statuses).await?;
        out.push(entity::group_report(
            &gr.seen.report,
            target,
            statuses,
            gr.seen.groups.first(),
            &gr.seen.actions,
        ));
    }
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(&req, state.urls.base(), &page_ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(out))
}

#[derive(Deserialize, Default)]
pub struct DoneParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    note: Option<String>,
}

/// `POST /api/v1/groups/:id/reports/:report_id/done`: a facilitator marks the
/// group's part done, optionally saying what they did.
pub async fn group_done(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    Params(p): Params<DoneParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&["write", "write:statuses"])?;
    let me = auth.user()?.clone();
    let (raw_group, raw_report) = path.into_inner();
    let group_id = parse_id(&raw_group)?;
    let report_id = parse_id(&raw_report)?;
    service::mark_done(&state, &me, group_id, report_id, p.note.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
