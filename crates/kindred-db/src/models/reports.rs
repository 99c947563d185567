//! Reports (migration `2026-12-07-000030_reports`): the report, the statuses it
//! names, the groups it reaches and what was done on it. Who may read what is
//! decided in `kindred_core::reports`; this module stores and reads.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::groups::{GroupRole, MembershipState};
use kindred_domain::reports::{ActionKind, Category};
use kindred_domain::Role;

use crate::models::paging::{newest_first, page_by_id};
use crate::models::statuses::Page;
use crate::schema::{
    accounts, group_memberships as gm, report_actions, report_groups, report_statuses, reports,
};
use crate::{AnyConnection, DbError};

type Multi = <AnyConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: i64,
    /// The local account that filed it, or the remote actor that sent the `Flag`.
    pub reporter_account_id: Option<i64>,
    /// Set when the report came from another server (a `Flag`).
    pub reporter_domain: Option<String>,
    /// `None` once the reported account was erased and its rows purged: the
    /// report and its decision stay, without the member's words.
    pub target_account_id: Option<i64>,
    pub comment: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub category: Category,
    /// Comma-separated rule ids (`kindred_domain::reports::RuleIds`).
    pub rule_ids: String,
    pub forwarded: bool,
    pub assigned_account_id: Option<i64>,
    pub action_taken_by_account_id: Option<i64>,
    pub action_taken_at: Option<NaiveDateTime>,
    pub uri: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ReportRow {
    pub fn resolved(&self) -> bool {
        self.action_taken_at.is_some()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_groups)]
pub struct ReportGroupRow {
    pub report_id: i64,
    pub group_id: i64,
    pub done_at: Option<NaiveDateTime>,
    pub done_by_account_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_actions)]
pub struct ReportActionRow {
    pub id: i64,
    pub report_id: i64,
    pub account_id: Option<i64>,
    pub group_id: Option<i64>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: ActionKind,
    pub status_id: Option<i64>,
    pub note: String,
    pub created_at: NaiveDateTime,
}

/// Stores a new report with the statuses it names and the groups it reaches.
pub fn insert(
    conn: &mut AnyConnection,
    row: &ReportRow,
    status_ids: &[i64],
    group_ids: &[i64],
) -> Result<(), DbError> {
    diesel::insert_into(reports::table)
        .values(row.clone())
        .execute(conn)?;
    for s in status_ids {
        diesel::insert_into(report_statuses::table)
            .values((
                report_statuses::report_id.eq(row.id),
                report_statuses::status_id.eq(*s),
            ))
            .execute(conn)?;
    }
    for g in group_ids {
        diesel::insert_into(report_groups::table)
            .values(ReportGroupRow {
                report_id: row.id,
                group_id: *g,
                done_at: None,
                done_by_account_id: None,
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<ReportRow>, DbError> {
    Ok(reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?)
}

/// These reports (those that exist), each with the statuses it names in id order:
/// one query each, however many reports (a page of notifications).
pub fn find_many_with_statuses(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(ReportRow, Vec<i64>)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ReportRow> = reports::table
        .filter(reports::id.eq_any(ids.to_vec()))
        .select(ReportRow::as_select())
        .load(conn)?;
    let named: Vec<(i64, i64)> = report_statuses::table
        .filter(report_statuses::report_id.eq_any(ids.to_vec()))
        .order((report_statuses::report_id, report_statuses::status_id.asc()))
        .select((report_statuses::report_id, report_statuses::status_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let statuses = named
                .iter()
                .filter(|(report, _)| *report == r.id)
                .map(|(_, s)| *s)
                .collect();
            (r, statuses)
        })
        .collect())
}

/// A report already received under this `Flag` id (a replay is a no-op).
pub fn find_by_uri(conn: &mut AnyConnection, uri: &str) -> Result<Option<ReportRow>, DbError> {
    Ok(reports::table
        .filter(reports::uri.eq(uri))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?)
}

/// The statuses a report names, in id order.
pub fn status_ids(conn: &mut AnyConnection, report_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(report_statuses::table
        .filter(report_statuses::report_id.eq(report_id))
        .order(report_statuses::status_id.asc())
        .select(report_statuses::status_id)
        .load(conn)?)
}

pub fn groups(conn: &mut AnyConnection, report_id: i64) -> Result<Vec<ReportGroupRow>, DbError> {
    Ok(report_groups::table
        .filter(report_groups::report_id.eq(report_id))
        .order(report_groups::group_id.asc())
        .select(ReportGroupRow::as_select())
        .load(conn)?)
}

pub fn actions(conn: &mut AnyConnection, report_id: i64) -> Result<Vec<ReportActionRow>, DbError> {
    Ok(report_actions::table
        .filter(report_actions::report_id.eq(report_id))
        .order(report_actions::id.asc())
        .select(ReportActionRow::as_select())
        .load(conn)?)
}

pub fn record_action(conn: &mut AnyConnection, row: &ReportActionRow) -> Result<(), DbError> {
    diesel::insert_into(report_actions::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The admin list's filters (Mastodon's `resolved`, `account_id`,
/// `target_account_id`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub resolved: Option<bool>,
    pub reporter_account_id: Option<i64>,
    pub target_account_id: Option<i64>,
}

/// A page of reports, newest first.
pub fn page(conn: &mut AnyConnection, f: Filter, page: &Page) -> Result<Vec<ReportRow>, DbError> {
    let mut q = reports::table
        .select(ReportRow::as_select())
        .into_boxed::<Multi>();
    match f.resolved {
        Some(true) => q = q.filter(reports::action_taken_at.is_not_null()),
        Some(false) => q = q.filter(reports::action_taken_at.is_null()),
        None => {}
    }
    if let Some(a) = f.reporter_account_id {
        q = q.filter(reports::reporter_account_id.eq(a));
    }
    if let Some(t) = f.target_account_id {
        q = q.filter(reports::target_account_id.eq(t));
    }
    let rows = page_by_id!(q, reports::id, page)
        .limit(page.limit)
        .load(conn)?;
    Ok(newest_first(rows, page.min_id))
}

/// A page of the reports that reach a group, with the group's part, newest first.
pub fn for_group(
    conn: &mut AnyConnection,
    group_id: i64,
    page: &Page,
) -> Result<Vec<(ReportRow, ReportGroupRow)>, DbError> {
    let q = reports::table
        .inner_join(report_groups::table)
        .filter(report_groups::group_id.eq(group_id))
        .select((ReportRow::as_select(), ReportGroupRow::as_select()))
        .into_boxed::<Multi>();
    let rows = page_by_id!(q, reports::id, page)
        .limit(page.limit)
        .load(conn)?;
    Ok(newest_first(rows, page.min_id))
}

pub fn set_assigned(
    conn: &mut AnyConnection,
    id: i64,
    assigned: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(reports::table.find(id))
        .set((
            reports::assigned_account_id.eq(assigned),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

/// Resolves (`by` given) or reopens (`None`) a report.
pub fn set_resolved(
    conn: &mut AnyConnection,
    id: i64,
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(reports::table.find(id))
        .set((
            reports::action_taken_by_account_id.eq(by),
            reports::action_taken_at.eq(by.map(|_| now)),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

pub fn set_category(
    conn: &mut AnyConnection,
    id: i64,
    category: Category,
    rule_ids: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(reports::table.find(id))
        .set((
            reports::category.eq(category.as_str()),
            reports::rule_ids.eq(rule_ids),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

/// On a member's erasure: the reports they filed lose their words (the comment),
/// and so do the reports about them (a reporter's comment quotes what the member
/// wrote). What was decided (category, rules, actions, moderator, dates) stays; the
/// report's `target_account_id` goes to NULL when the account's row is purged.
/// Returns how many reports were cleared.
pub fn forget_words_of(
    conn: &mut AnyConnection,
    account_id: i64,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        reports::table.filter(
            reports::reporter_account_id
                .eq(account_id)
                .or(reports::target_account_id.eq(account_id)),
        ),
    )
    .set((reports::comment.eq(""), reports::updated_at.eq(now)))
    .execute(conn)?)
}

pub fn set_forwarded(conn: &mut AnyConnection, id: i64, uri: &str) -> Result<(), DbError> {
    diesel::update(reports::table.find(id))
        .set((reports::forwarded.eq(true), reports::uri.eq(uri)))
        .execute(conn)?;
    Ok(())
}

/// Marks a group's part done (once; later marks change nothing).
pub fn mark_group_done(
    conn: &mut AnyConnection,
    report_id: i64,
    group_id: i64,
    by: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        report_groups::table
            .filter(report_groups::report_id.eq(report_id))
            .filter(report_groups::group_id.eq(group_id))
            .filter(report_groups::done_at.is_null()),
    )
    .set((
        report_groups::done_at.eq(now),
        report_groups::done_by_account_id.eq(by),
    ))
    .execute(conn)?
        == 1)
}

/// Unresolved reports that reach `group_id` and name `status_id` (if given) or are
/// about `target_account_id`: where a facilitator's action in the group is recorded.
pub fn open_in_group(
    conn: &mut AnyConnection,
    group_id: i64,
    target_account_id: i64,
    status_id: Option<i64>,
) -> Result<Vec<i64>, DbError> {
    let mut q = reports::table
        .inner_join(report_groups::table)
        .filter(report_groups::group_id.eq(group_id))
        .filter(reports::action_taken_at.is_null())
        .select(reports::id)
        .into_boxed::<Multi>();
    match status_id {
        Some(s) => {
            let naming: Vec<i64> = report_statuses::table
                .filter(report_statuses::status_id.eq(s))
                .select(report_statuses::report_id)
                .load(conn)?;
            q = q.filter(reports::id.eq_any(naming));
        }
        None => q = q.filter(reports::target_account_id.eq(Some(target_account_id))),
    }
    Ok(q.load(conn)?)
}

/// The groups among these that `account_id` facilitates (owner or facilitator in
/// good standing).
pub fn facilitated_among(
    conn: &mut AnyConnection,
    account_id: i64,
    group_ids: &[i64],
) -> Result<Vec<i64>, DbError> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::group_id.eq_any(group_ids.to_vec()))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::role.eq_any([GroupRole::Owner, GroupRole::Facilitator].map(GroupRole::as_str)))
        .select(gm::group_id)
        .load(conn)?)
}

/// Local moderators and admins who may act (approved, not suspended): who hears of
/// a new report.
pub fn moderators(conn: &mut AnyConnection) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(""))
        .filter(accounts::role.eq_any([Role::Moderator.as_str(), Role::Admin.as_str()]))
        .filter(accounts::approved.eq(true))
        .filter(accounts::suspended.eq(false))
        .order(accounts::id.asc())
        .select(accounts::id)
        .load(conn)?)
}
