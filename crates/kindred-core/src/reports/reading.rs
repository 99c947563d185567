//! Who reads which part of a report.

use kindred_db::models::groups;
use kindred_db::models::reports::{self as repo, ReportActionRow, ReportGroupRow, ReportRow};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::reports::{view_for, ReportView};

/// A report as one viewer may see it. For a facilitator, only their groups' parts:
/// the statuses posted there, their groups' marks and actions; the reporter is
/// left to the presenter to leave out (`view`).
#[derive(Debug, Clone)]
pub struct Seen {
    pub report: ReportRow,
    pub view: ReportView,
    pub status_ids: Vec<i64>,
    pub groups: Vec<ReportGroupRow>,
    pub actions: Vec<ReportActionRow>,
}

/// The report as `viewer` may see it; `None` if they may not see it at all. The
/// reported account never sees its report, even as a moderator.
pub fn view_of(
    c: &mut AnyConnection,
    viewer: &AccountRow,
    report_id: i64,
) -> Result<Option<Seen>, DbError> {
    let Some(report) = repo::find(c, report_id)? else {
        return Ok(None);
    };
    if report.target_account_id == Some(viewer.id) {
        return Ok(None);
    }
    let all_groups = repo::groups(c, report.id)?;
    let group_ids: Vec<i64> = all_groups.iter().map(|g| g.group_id).collect();
    let may_moderate = viewer.role.may_moderate();
    let facilitated = if may_moderate {
        Vec::new()
    } else {
        repo::facilitated_among(c, viewer.id, &group_ids)?
    };
    let Some(view) = view_for(may_moderate, !facilitated.is_empty()) else {
        return Ok(None);
    };
    let status_ids = repo::status_ids(c, report.id)?;
    let actions = repo::actions(c, report.id)?;
    Ok(Some(match view {
        ReportView::Full => Seen {
            report,
            view,
            status_ids,
            groups: all_groups,
            actions,
        },
        ReportView::Facilitator => {
            let placed = groups::posts_of(c, &status_ids)?;
            Seen {
                status_ids: status_ids
                    .into_iter()
                    .filter(|s| {
                        placed
                            .get(s)
                            .is_some_and(|p| facilitated.contains(&p.group_id))
                    })
                    .collect(),
                groups: all_groups
                    .into_iter()
                    .filter(|g| facilitated.contains(&g.group_id))
                    .collect(),
                actions: actions
                    .into_iter()
                    .filter(|a| a.group_id.is_some_and(|g| facilitated.contains(&g)))
                    .collect(),
                report,
                view,
            }
        }
    }))
}
