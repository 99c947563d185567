//! Reports as Mastodon shapes them: `Report` (for the member who filed it),
//! `Admin::Report` and `Admin::Account` (moderators), and the groups extension's
//! report (facilitators: never the reporter, never the comment).

use std::collections::HashMap;

use kindred_db::models::reports::{ReportActionRow, ReportGroupRow, ReportRow};
use kindred_db::AccountRow;
use kindred_domain::groups::GroupRole;
use kindred_domain::reports::RuleIds;
use serde_json::{json, Value};

use super::admin::AdminAccount;
use super::status::timestamp;
use super::{Account, Status};
use crate::services::moderation::{AdminView, ModerationState};

fn rule_ids(r: &ReportRow) -> Vec<String> {
    RuleIds::from_stored(&r.rule_ids)
        .ids()
        .iter()
        .map(u32::to_string)
        .collect()
}

/// What a report shows in place of an erased account (the reported member, or the
/// member who filed it): the shape of an `Account`, so apps render it, with no id,
/// name or anything else of the person.
pub fn erased_account() -> Value {
    json!({
        "id": "0",
        "username": "erased",
        "acct": "erased",
        "display_name": "Erased account",
        "locked": false,
        "bot": false,
        "discoverable": false,
        "indexable": false,
        "group": false,
        "suspended": true,
        "hide_collections": true,
        "created_at": "1970-01-01T00:00:00.000Z",
        "note": "",
        "url": "",
        "uri": "",
        "avatar": "",
        "avatar_static": "",
        "header": "",
        "header_static": "",
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": null,
        "noindex": true,
        "emojis": [],
        "roles": [],
        "fields": [],
        "kindred": {"erased": true},
    })
}

/// `Admin::Account`'s shape for an erased account (see [`erased_account`]).
pub fn erased_admin_account() -> Value {
    json!({
        "id": "0",
        "username": "erased",
        "domain": null,
        "created_at": "1970-01-01T00:00:00.000Z",
        "email": "",
        "ip": null,
        "ips": [],
        "locale": null,
        "invite_request": null,
        "role": null,
        "confirmed": false,
        "approved": false,
        "disabled": true,
        "silenced": false,
        "suspended": true,
        "sensitized": false,
        "account": erased_account(),
        "created_by_application_id": null,
        "invited_by_account_id": null,
        "kindred": {"erased": true},
    })
}

/// Mastodon's `Report`, as the member who filed it sees it (`target`: `None` once
/// the reported member was erased).
pub fn report(r: &ReportRow, status_ids: &[i64], target: Option<Account>) -> Value {
    let target = match target {
        Some(t) => json!(t),
        None => erased_account(),
    };
    json!({
        "id": r.id.to_string(),
        "action_taken": r.resolved(),
        "action_taken_at": r.action_taken_at.map(timestamp),
        "category": r.category.as_str(),
        "comment": r.comment,
        "forwarded": r.forwarded,
        "created_at": timestamp(r.created_at),
        "status_ids": status_ids.iter().map(i64::to_string).collect::<Vec<_>>(),
        "rule_ids": rule_ids(r),
        "target_account": target,
    })
}

/// Mastodon's `Admin::Account` of an account a report names: the one
/// [`AdminAccount`] the admin accounts API shows, built from the row alone (a
/// report shows no moderation state of its own).
pub fn admin_account(row: &AccountRow, account: Account) -> Value {
    let view = AdminView {
        account: row.clone(),
        user: None,
        state: ModerationState::default(),
    };
    json!(AdminAccount::new(&view, account))
}

fn action(a: &ReportActionRow) -> Value {
    json!({
        "kind": a.kind.as_str(),
        "account_id": a.account_id.map(|i| i.to_string()),
        "group_id": a.group_id.map(|i| i.to_string()),
        "status_id": a.status_id.map(|i| i.to_string()),
        "note": a.note,
        "created_at": timestamp(a.created_at),
    })
}

fn group_part(g: &ReportGroupRow) -> Value {
    json!({
        "group_id": g.group_id.to_string(),
        "done": g.done_at.is_some(),
        "done_at": g.done_at.map(timestamp),
        "done_by_account_id": g.done_by_account_id.map(|i| i.to_string()),
    })
}

/// What an `Admin::Report` is built from.
pub struct AdminReportParts<'a> {
    pub report: &'a ReportRow,
    pub rows: &'a HashMap<i64, AccountRow>,
    pub accounts: &'a HashMap<i64, Account>,
    pub statuses: Vec<Status>,
    pub status_ids: &'a [i64],
    /// The instance rules as `GET /api/v1/instance/rules` shows them.
    pub rules: &'a [Value],
    pub groups: &'a [ReportGroupRow],
    pub actions: &'a [ReportActionRow],
    pub memberships: &'a [(i64, GroupRole)],
}

/// Mastodon's `Admin::Report`, plus Kindred's `kindred` extension: the groups the
/// report reaches and what their facilitators did, every step recorded, the
/// reported member's groups, and the reporting server for a `Flag`.
pub fn admin_report(p: AdminReportParts<'_>) -> Value {
    let r = p.report;
    let admin = |id: Option<i64>| -> Option<Value> {
        id.and_then(|id| {
            Some(admin_account(
                p.rows.get(&id)?,
                p.accounts.get(&id)?.clone(),
            ))
        })
    };
    // The reporter and the reported member are always named; one no longer here
    // (erased, or a remote actor gone) shows as the placeholder.
    let person = |id: Option<i64>| admin(id).unwrap_or_else(erased_admin_account);
    let cited = rule_ids(r);
    let rules: Vec<&Value> = p
        .rules
        .iter()
        .filter(|rule| cited.iter().any(|c| rule["id"].as_str() == Some(c)))
        .collect();
    json!({
        "id": r.id.to_string(),
        "action_taken": r.resolved(),
        "action_taken_at": r.action_taken_at.map(timestamp),
        "category": r.category.as_str(),
        "comment": r.comment,
        "forwarded": r.forwarded,
        "created_at": timestamp(r.created_at),
        "updated_at": timestamp(r.updated_at),
        "account": person(r.reporter_account_id),
        "target_account": person(r.target_account_id),
        "assigned_account": admin(r.assigned_account_id),
        "action_taken_by_account": admin(r.action_taken_by_account_id),
        "statuses": p.statuses,
        "rules": rules,
        "kindred": {
            "reporter_domain": r.reporter_domain,
            // Every status named, also those removed since.
            "status_ids": p.status_ids.iter().map(i64::to_string).collect::<Vec<_>>(),
            "groups": p.groups.iter().map(group_part).collect::<Vec<_>>(),
            "actions": p.actions.iter().map(action).collect::<Vec<_>>(),
            "target_memberships": p.memberships.iter().map(|(g, role)| json!({
                "group_id": g.to_string(),
                "role": role.as_str(),
            })).collect::<Vec<_>>(),
        },
    })
}

/// A report as a group's facilitator sees it (the groups extension): the reported
/// member and posts in the group, the group's part. Never the reporter, the
/// reporting server or the comment (the reporter's own words may name them).
/// `target`: `None` once the reported member was erased (the placeholder shows).
pub fn group_report(
    r: &ReportRow,
    target: Option<Account>,
    statuses: Vec<Status>,
    part: Option<&ReportGroupRow>,
    actions: &[ReportActionRow],
) -> Value {
    json!({
        "id": r.id.to_string(),
        "category": r.category.as_str(),
        "rule_ids": rule_ids(r),
        "created_at": timestamp(r.created_at),
        "action_taken": r.resolved(),
        "target_account": target.map_or_else(erased_account, |t| json!(t)),
        "statuses": statuses,
        "done": part.is_some_and(|g| g.done_at.is_some()),
        "done_at": part.and_then(|g| g.done_at).map(timestamp),
        "actions": actions.iter().map(action).collect::<Vec<_>>(),
    })
}
