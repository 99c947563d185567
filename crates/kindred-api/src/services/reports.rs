//! Reports through the client API: a member files one (`POST /api/v1/reports`),
//! moderators handle them (Mastodon's admin reports API, the removal of a post),
//! facilitators handle their group's part (the groups extension). What a report
//! does and who sees which part is `kindred_core::reports`; this module authorizes,
//! checks what only the API knows (which statuses the reporter can see), forwards
//! through the outbox and loads what the entities show.

use std::collections::HashMap;

use chrono::Utc;
use kindred_core::reports::{self as core, NewReport, Reporter, Seen, Step};
/// The admin list's filters, named for the handlers.
pub use kindred_db::models::reports::Filter as ReportFilter;
use kindred_db::models::reports::{self as repo, ReportRow};
use kindred_db::models::statuses::{self as status_repo, Page};
use kindred_db::models::{accounts, erasure, groups as group_repo, social};
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError, StatusRow};
use kindred_domain::federation_policy::Traffic;
use kindred_domain::groups::GroupRole;
use kindred_domain::reports::{self as rules, ActionKind, Category, RuleIds};
use kindred_federation::outbox::flag::Flag;
use kindred_federation::outbox::Outbox;

use super::viewer::Viewer;
use super::{statuses, ServiceError};
use crate::AppState;

/// `POST /api/v1/reports` as parsed.
#[derive(Debug, Default)]
pub struct ReportInput {
    pub account_id: i64,
    pub status_ids: Vec<i64>,
    pub comment: String,
    pub category: Option<String>,
    pub rule_ids: Vec<String>,
    pub forward: bool,
    pub forward_to_domains: Vec<String>,
}

/// A member files a report. Every status must be the reported account's and
/// visible to the reporter (else 422, the same answer whether it exists or not).
/// With `forward` and a remote account, our instance actor sends a `Flag` to its
/// server when the federation policy allows reports with it.
pub async fn file(
    state: &AppState,
    me: &AccountRow,
    input: ReportInput,
) -> Result<(ReportRow, AccountRow), ServiceError> {
    let comment = rules::comment(&input.comment)?;
    let category = input
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Category::parse)
        .transpose()?;
    let rule_ids = RuleIds::parse(&input.rule_ids, state.instance.rules.len())?;
    let (category, rule_ids) = rules::settle_category(category, rule_ids)?;
    if input.status_ids.len() > rules::MAX_STATUSES {
        return Err(ServiceError::Refused(
            "report_too_many_statuses",
            "A report names at most 20 statuses",
        ));
    }
    let target_id = input.account_id;
    let target = state
        .db
        .run(move |c| accounts::find(c, target_id))
        .await?
        .ok_or(ServiceError::Refused(
            "report_unknown_account",
            "The reported account does not exist",
        ))?;
    // What the reporter can see, by the same rule every timeline uses.
    let viewer = Viewer::load(state, Some(me)).await?;
    let mut reported: Vec<StatusRow> = Vec::new();
    for id in &input.status_ids {
        match statuses::visible(state, &viewer, *id).await {
            Ok((s, _)) if s.account_id == target.id => reported.push(s),
            Ok(_) | Err(ServiceError::NotFound) => {
                let r = core::ReportRefusal::StatusNotOfAccount;
                return Err(ServiceError::Refused(r.code(), r.message()));
            }
            Err(e) => return Err(e),
        }
    }
    // Forwarded only to a remote account's server the policy allows reports with.
    let forward = input.forward
        && !target.is_local()
        && state
            .policy
            .decide(&target.domain)
            .await
            .permits(Traffic::Reports);
    let mut also_to_domains = Vec::new();
    if forward {
        for d in &input.forward_to_domains {
            let d = d.trim().to_ascii_lowercase();
            if !d.is_empty()
                && d != target.domain
                && state.policy.decide(&d).await.permits(Traffic::Reports)
            {
                also_to_domains.push(d);
            }
        }
    }
    let new = NewReport {
        reporter: Reporter::Local(me.id),
        target_account_id: target.id,
        status_ids: reported.iter().map(|s| s.id).collect(),
        comment,
        category,
        rule_ids,
        forward,
    };
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let ids = state.ids.clone();
    let target_row = target.clone();
    let filed = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // Every refusal comes before anything is written.
                let mut filed = match core::file(c, &ids, &new, now.naive_utc()) {
                    Ok(f) => f,
                    Err(kindred_core::CoreError::Db(e)) => return Err(e),
                    Err(refused) => return Ok(Err(refused)),
                };
                if forward {
                    // Mastodon's forward_to_domains: the servers of the accounts the
                    // reported statuses reply to, when asked for by name.
                    let replied: Vec<i64> = reported
                        .iter()
                        .filter_map(|s| s.in_reply_to_account_id)
                        .collect();
                    let also_to: Vec<i64> = social::find_accounts(c, &replied)?
                        .into_iter()
                        .filter(|a| !a.is_local() && also_to_domains.contains(&a.domain))
                        .map(|a| a.id)
                        .collect();
                    let uris: Vec<String> = reported.iter().map(|s| s.uri.clone()).collect();
                    let flag = Flag {
                        report_id: filed.report.id,
                        target_id: target_row.id,
                        status_uris: &uris,
                        comment: &filed.report.comment,
                        also_to: &also_to,
                    };
                    if outbox.flag(c, &flag)? > 0 {
                        let uri = outbox.flag_id(filed.report.id);
                        repo::set_forwarded(c, filed.report.id, &uri)?;
                        filed.report.forwarded = true;
                        filed.report.uri = Some(uri);
                    }
                }
                Ok(Ok(filed))
            })
        })
        .await??;
    if filed.report.forwarded {
        state.delivery.wake();
    }
    state
        .streaming
        .announce([kindred_core::Event::Notifications(filed.notices)]);
    Ok((filed.report, target))
}

/// A report as a moderator sees it, with what the entity shows.
pub struct FullReport {
    pub seen: Seen,
    /// Every account the entity names, by id; never an erased one (the entity
    /// shows a placeholder for an erased reporter or reported member).
    pub accounts: HashMap<i64, AccountRow>,
    pub statuses: Vec<StatusRow>,
    /// The reported member's groups (local members only), with their role.
    pub memberships: Vec<(i64, GroupRole)>,
}

async fn load_full(state: &AppState, seen: Seen) -> Result<FullReport, ServiceError> {
    let r = &seen.report;
    let mut ids: Vec<i64> = Vec::new();
    ids.extend(r.target_account_id);
    ids.extend(r.reporter_account_id);
    ids.extend(r.assigned_account_id);
    ids.extend(r.action_taken_by_account_id);
    ids.extend(seen.actions.iter().filter_map(|a| a.account_id));
    ids.extend(seen.groups.iter().map(|g| g.group_id));
    let status_ids = seen.status_ids.clone();
    let target = r.target_account_id;
    let (accounts, statuses, memberships) = state
        .db
        .run(move |c| {
            let erased = erasure::erased_among(c, &ids)?;
            let accounts: HashMap<i64, AccountRow> = social::find_accounts(c, &ids)?
                .into_iter()
                .filter(|a| !erased.contains(&a.id))
                .map(|a| (a.id, a))
                .collect();
            // An erased member's posts and groups are no longer the report's to show
            // (they are purged within the hour; the ids named stay).
            let Some(target) = target.filter(|t| accounts.contains_key(t)) else {
                return Ok((accounts, Vec::new(), Vec::new()));
            };
            let statuses = status_repo::find_many(c, &status_ids)?;
            let mut memberships: Vec<(i64, GroupRole)> =
                group_repo::member_of(c, target)?.into_iter().collect();
            memberships.sort_unstable_by_key(|(g, _)| *g);
            Ok((accounts, statuses, memberships))
        })
        .await?;
    Ok(FullReport {
        seen,
        accounts,
        statuses,
        memberships,
    })
}

/// A report for a moderator (`None`: no such report, or the moderator is the
/// reported account).
pub async fn show(state: &AppState, me: &AccountRow, id: i64) -> Result<FullReport, ServiceError> {
    let viewer = me.clone();
    let seen = state
        .db
        .run(move |c| core::view_of(c, &viewer, id))
        .await?
        .filter(|s| s.view == rules::ReportView::Full)
        .ok_or(ServiceError::NotFound)?;
    load_full(state, seen).await
}

/// A page of reports for a moderator, newest first; reports about the moderator
/// themselves are left out (they never see their own).
pub async fn list(
    state: &AppState,
    me: &AccountRow,
    filter: ReportFilter,
    page: Page,
) -> Result<(Vec<FullReport>, Vec<i64>), ServiceError> {
    let rows = state.db.run(move |c| repo::page(c, filter, &page)).await?;
    let page_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if r.target_account_id == Some(me.id) {
            continue;
        }
        out.push(show(state, me, r.id).await?);
    }
    Ok((out, page_ids))
}

/// The moderators' steps on a report.
#[derive(Debug, Clone)]
pub enum ModeratorStep {
    AssignToSelf,
    Unassign,
    Resolve,
    Reopen,
    Update {
        category: Option<String>,
        rule_ids: Option<Vec<String>>,
    },
}

pub async fn act(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    step: ModeratorStep,
) -> Result<FullReport, ServiceError> {
    // Only a report the moderator may see is acted on (never one about themselves).
    show(state, me, id).await?;
    let update = match &step {
        ModeratorStep::Update { category, rule_ids } => {
            let current = show(state, me, id).await?.seen.report;
            let rules_now = match rule_ids {
                Some(r) => RuleIds::parse(r, state.instance.rules.len())?,
                None => RuleIds::from_stored(&current.rule_ids),
            };
            let category = match category.as_deref().map(str::trim) {
                Some(c) if !c.is_empty() => Category::parse(c)?,
                _ => current.category,
            };
            let rules_now = if category == Category::Violation {
                rules_now
            } else {
                RuleIds::default()
            };
            Some((category, rules_now))
        }
        _ => None,
    };
    let ids = state.ids.clone();
    let by = me.id;
    let now = Utc::now().naive_utc();
    state
        .db
        .run(move |c| {
            atomically(c, |c| match step {
                ModeratorStep::AssignToSelf => core::assign(c, &ids, id, by, Some(by), now),
                ModeratorStep::Unassign => core::assign(c, &ids, id, by, None, now),
                ModeratorStep::Resolve => core::resolve(c, &ids, id, by, now),
                ModeratorStep::Reopen => core::reopen(c, &ids, id, by, now),
                ModeratorStep::Update { .. } => {
                    let (category, rules_now) = update.clone().ok_or(DbError::NotFound)?;
                    core::update(c, &ids, id, by, category, &rules_now, now)
                }
            })
        })
        .await?
        .ok_or(ServiceError::NotFound)?;
    tracing::info!(report_id = id, "report handled");
    show(state, me, id).await
}

/// A moderator removes a post stored here: a local one is deleted and the
/// deletion federated as its author's would be; a remote one is hidden here (our
/// copy goes). With `report_id`, the removal is recorded against that report.
pub async fn remove_status(
    state: &AppState,
    me: &AccountRow,
    status_id: i64,
    report_id: Option<i64>,
) -> Result<StatusRow, ServiceError> {
    if let Some(r) = report_id {
        show(state, me, r).await?;
    }
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    let ids = state.ids.clone();
    let by = me.id;
    let now = Utc::now().naive_utc();
    let (row, event) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let s = status_repo::find(c, status_id)?
                    .filter(|s| s.reblog_of_id.is_none())
                    .ok_or(DbError::NotFound)?;
                let author = accounts::find(c, s.account_id)?.ok_or(DbError::NotFound)?;
                let kind = if author.is_local() {
                    // Recipients come from the mentions, so the Delete is queued first.
                    outbox.deleted(c, &author, &s)?;
                    ActionKind::RemovePost
                } else {
                    ActionKind::HidePost
                };
                let event = kindred_core::statuses::deleted(c, &s)?;
                if let Some(report_id) = report_id {
                    core::record(
                        c,
                        &ids,
                        &Step {
                            report_id,
                            by,
                            group_id: None,
                            kind,
                            status_id: Some(s.id),
                            note: "",
                        },
                        now,
                    )?;
                }
                Ok((s, event))
            })
        })
        .await?;
    state.delivery.wake();
    state.streaming.announce([event]);
    tracing::info!(status_id, report_id, "status removed by a moderator");
    Ok(row)
}

/// A report as a group's facilitator sees it: the group's part only, never the
/// reporter (nor the comment, which is the reporter's own words and may name them).
pub struct GroupReport {
    pub seen: Seen,
    pub target: Option<AccountRow>,
    pub statuses: Vec<StatusRow>,
}

/// The reports that reach group `group_id`, for one of its facilitators.
pub async fn for_group(
    state: &AppState,
    me: &AccountRow,
    group_id: i64,
    page: Page,
) -> Result<(Vec<GroupReport>, Vec<i64>), ServiceError> {
    super::groups::as_moderator(state, me, group_id).await?;
    let viewer = me.clone();
    let loaded = state
        .db
        .run(move |c| {
            let rows = repo::for_group(c, group_id, &page)?;
            let page_ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
            let mut out = Vec::new();
            for (r, _) in rows {
                let Some(mut seen) = core::view_of(c, &viewer, r.id)? else {
                    continue;
                };
                // A facilitator who is also a moderator sees the group's part here.
                seen.groups.retain(|g| g.group_id == group_id);
                let placed = group_repo::posts_of(c, &seen.status_ids)?;
                seen.status_ids
                    .retain(|s| placed.get(s).is_some_and(|p| p.group_id == group_id));
                seen.actions.retain(|a| a.group_id == Some(group_id));
                let target = match seen.report.target_account_id {
                    Some(t) if !erasure::is_erased(c, t)? => accounts::find(c, t)?,
                    _ => None,
                };
                // An erased member's posts are no longer the report's to show.
                let statuses = match target {
                    Some(_) => status_repo::find_many(c, &seen.status_ids)?,
                    None => Vec::new(),
                };
                out.push(GroupReport {
                    seen,
                    target,
                    statuses,
                });
            }
            Ok((out, page_ids))
        })
        .await?;
    Ok(loaded)
}

/// A facilitator marks their group's part of a report done.
pub async fn mark_done(
    state: &AppState,
    me: &AccountRow,
    group_id: i64,
    report_id: i64,
    note: String,
) -> Result<(), ServiceError> {
    super::groups::as_moderator(state, me, group_id).await?;
    let note = rules::comment(&note)?;
    let ids = state.ids.clone();
    let by = me.id;
    let now = Utc::now().naive_utc();
    let reached = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if !repo::groups(c, report_id)?
                    .iter()
                    .any(|g| g.group_id == group_id)
                {
                    return Ok(false);
                }
                core::mark_done(c, &ids, report_id, group_id, by, &note, now)?;
                Ok(true)
            })
        })
        .await?;
    if !reached {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// The local moderator or admin named `username`, for the command line's `--as`.
pub async fn moderator_named(state: &AppState, username: &str) -> Result<AccountRow, ServiceError> {
    let name = username.trim().trim_start_matches('@').to_lowercase();
    state
        .db
        .run(move |c| accounts::find_local_by_username(c, &name))
        .await?
        .filter(|a| a.is_active() && a.role.may_moderate())
        .ok_or(ServiceError::Forbidden(
            "--as must name an active moderator or admin",
        ))
}
