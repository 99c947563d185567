//! A report filed: by a member here, or by another server's `Flag`.

use chrono::NaiveDateTime;
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::reports::{self as repo, ReportRow};
use kindred_db::models::{accounts, groups, statuses};
use kindred_db::AnyConnection;
use kindred_domain::id::IdGenerator;
use kindred_domain::reports::{Category, RuleIds};
use kindred_domain::NotificationKind;

use super::ReportRefusal;
use crate::CoreError;

/// Who files a report.
#[derive(Debug, Clone)]
pub enum Reporter {
    /// A member of this instance.
    Local(i64),
    /// Another server: the actor that sent the `Flag` (its row here) and its domain.
    Remote {
        actor_id: i64,
        domain: String,
        /// The `Flag`'s id: a replay of it files nothing new.
        uri: String,
    },
}

/// A report as an entrance parsed it. The caller has checked that a local reporter
/// may see each status; [`file`] checks the rest.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reporter: Reporter,
    pub target_account_id: i64,
    pub status_ids: Vec<i64>,
    pub comment: String,
    pub category: Category,
    pub rule_ids: RuleIds,
    /// Asked to be forwarded (the caller sends the `Flag` and marks it so).
    pub forward: bool,
}

/// What [`file`] committed.
#[derive(Debug)]
pub struct Filed {
    pub report: ReportRow,
    /// The groups the report reaches.
    pub groups: Vec<i64>,
    /// The `admin.report` notices stored, for the streaming API once committed.
    pub notices: Vec<NotificationRow>,
    /// False when a `Flag` was received again (nothing new stored).
    pub new: bool,
}

/// Files a report in the caller's transaction: checks the account and its
/// statuses, finds the groups it reaches, tells the moderators.
pub fn file(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    r: &NewReport,
    now: NaiveDateTime,
) -> Result<Filed, CoreError> {
    let refused = |why| Err(CoreError::ReportRefused(why));
    if let Reporter::Remote { uri, .. } = &r.reporter {
        if let Some(report) = repo::find_by_uri(c, uri)? {
            let groups = repo::groups(c, report.id)?
                .into_iter()
                .map(|g| g.group_id)
                .collect();
            return Ok(Filed {
                report,
                groups,
                notices: Vec::new(),
                new: false,
            });
        }
    }
    let Some(target) = accounts::find(c, r.target_account_id)? else {
        return refused(ReportRefusal::UnknownAccount);
    };
    if target.role.is_group() {
        // A group is reported through its posts' authors, not as an account.
        return refused(ReportRefusal::UnknownAccount);
    }
    let (reporter_account_id, reporter_domain, uri) = match &r.reporter {
        Reporter::Local(id) => (*id, None, None),
        Reporter::Remote {
            actor_id,
            domain,
            uri,
        } => (*actor_id, Some(domain.clone()), Some(uri.clone())),
    };
    if reporter_account_id == target.id {
        return refused(ReportRefusal::OwnAccount);
    }
    let mut status_ids = r.status_ids.clone();
    status_ids.sort_unstable();
    status_ids.dedup();
    for id in &status_ids {
        match statuses::find(c, *id)? {
            Some(s) if s.account_id == target.id && s.reblog_of_id.is_none() => {}
            _ => return refused(ReportRefusal::StatusNotOfAccount),
        }
    }
    let mut reached: Vec<i64> = groups::posts_of(c, &status_ids)?
        .into_values()
        .map(|p| p.group_id)
        .collect();
    reached.sort_unstable();
    reached.dedup();
    let report = ReportRow {
        id: ids.next(),
        reporter_account_id: Some(reporter_account_id),
        reporter_domain,
        target_account_id: Some(target.id),
        comment: r.comment.clone(),
        category: r.category,
        rule_ids: r.rule_ids.stored(),
        forwarded: false,
        assigned_account_id: None,
        action_taken_by_account_id: None,
        action_taken_at: None,
        uri,
        created_at: now,
        updated_at: now,
    };
    repo::insert(c, &report, &status_ids, &reached)?;
    // The reported account never hears of it, even as a moderator.
    let rows: Vec<NotificationRow> = repo::moderators(c)?
        .into_iter()
        .filter(|m| *m != target.id)
        .map(|m| {
            NotificationRow::new(
                ids.next(),
                kindred_domain::AccountId::new(m),
                kindred_domain::AccountId::new(reporter_account_id),
                NotificationKind::AdminReport,
                None,
                now,
            )
            .about_report(report.id)
        })
        .collect();
    let notices = notif::insert(c, &rows)?;
    tracing::info!(
        report_id = report.id,
        remote = report.reporter_domain.is_some(),
        statuses = status_ids.len(),
        groups = reached.len(),
        "report filed"
    );
    Ok(Filed {
        report,
        groups: reached,
        notices,
        new: true,
    })
}
