//! What moderators and facilitators do on a report, each step recorded against it.
//! Every function runs in the caller's transaction and returns the report as it
//! now stands (`None`: no such report). Every step is also written to the audit log
//! (`report.<step>`, with who did it, on whom and which report), here, so no
//! entrance can act on a report without leaving its entry.

use chrono::NaiveDateTime;
use kindred_db::models::reports::{self as repo, ReportActionRow, ReportRow};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::reports::{ActionKind, Category, RuleIds};

/// One step done on a report.
pub struct Step<'a> {
    pub report_id: i64,
    /// Who did it (a moderator, or a facilitator within `group_id`).
    pub by: i64,
    pub group_id: Option<i64>,
    pub kind: ActionKind,
    pub status_id: Option<i64>,
    pub note: &'a str,
}

/// Records a step against its report (and in the audit log); returns the report as
/// it now stands, read once for both.
pub fn record(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    s: &Step<'_>,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    repo::record_action(
        c,
        &ReportActionRow {
            id: ids.next(),
            report_id: s.report_id,
            account_id: Some(s.by),
            group_id: s.group_id,
            kind: s.kind,
            status_id: s.status_id,
            note: s.note.to_owned(),
            created_at: now,
        },
    )?;
    let report = repo::find(c, s.report_id)?;
    let target = report.as_ref().and_then(|r| r.target_account_id);
    crate::audit::record(
        c,
        ids,
        now.and_utc(),
        crate::audit::Record {
            actor: crate::audit::Actor::Account(s.by),
            kind: kindred_domain::moderation::AuditKind::Report(s.kind),
            target_account_id: target,
            report_id: Some(s.report_id),
            old_value: None,
            new_value: match (s.group_id, s.status_id) {
                (Some(g), Some(st)) => Some(format!("group {g}, status {st}")),
                (Some(g), None) => Some(format!("group {g}")),
                (None, Some(st)) => Some(format!("status {st}")),
                (None, None) => None,
            },
        },
    )?;
    Ok(report)
}

fn step(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    by: i64,
    kind: ActionKind,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    record(
        c,
        ids,
        &Step {
            report_id,
            by,
            group_id: None,
            kind,
            status_id: None,
            note: "",
        },
        now,
    )
}

/// Assigns the report to `to` (a moderator), or to nobody.
pub fn assign(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    by: i64,
    to: Option<i64>,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    if !repo::set_assigned(c, report_id, to, now)? {
        return Ok(None);
    }
    let kind = if to.is_some() {
        ActionKind::Assign
    } else {
        ActionKind::Unassign
    };
    step(c, ids, report_id, by, kind, now)
}

pub fn resolve(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    by: i64,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    if !repo::set_resolved(c, report_id, Some(by), now)? {
        return Ok(None);
    }
    step(c, ids, report_id, by, ActionKind::Resolve, now)
}

pub fn reopen(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    by: i64,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    if !repo::set_resolved(c, report_id, None, now)? {
        return Ok(None);
    }
    step(c, ids, report_id, by, ActionKind::Reopen, now)
}

/// A moderator's change of category or rules (Mastodon's `PUT /admin/reports/:id`).
pub fn update(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    by: i64,
    category: Category,
    rules: &RuleIds,
    now: NaiveDateTime,
) -> Result<Option<ReportRow>, DbError> {
    if !repo::set_category(c, report_id, category, &rules.stored(), now)? {
        return Ok(None);
    }
    step(c, ids, report_id, by, ActionKind::Update, now)
}

/// A facilitator marks their group's part done, with what they did in their own
/// words (optional). False when it was not open for that group.
pub fn mark_done(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    report_id: i64,
    group_id: i64,
    by: i64,
    note: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    if !repo::mark_group_done(c, report_id, group_id, by, now)? {
        return Ok(false);
    }
    record(
        c,
        ids,
        &Step {
            report_id,
            by,
            group_id: Some(group_id),
            kind: ActionKind::Done,
            status_id: None,
            note,
        },
        now,
    )?;
    Ok(true)
}

/// A facilitator acted in their group (removed a post, muted or banned a member):
/// recorded against every open report that reaches the group and names that post
/// (or, for an action on the member, is about them), so moderators see it.
#[allow(clippy::too_many_arguments)]
pub fn record_group_action(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    group_id: i64,
    by: i64,
    target_account_id: i64,
    status_id: Option<i64>,
    kind: ActionKind,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    for report_id in repo::open_in_group(c, group_id, target_account_id, status_id)? {
        record(
            c,
            ids,
            &Step {
                report_id,
                by,
                group_id: Some(group_id),
                kind,
                status_id,
                note: "",
            },
            now,
        )?;
    }
    Ok(())
}
