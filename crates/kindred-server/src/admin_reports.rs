//! `kindred admin reports list|show ID|resolve ID`: reports for small charities
//! without a web admin, through the same services as the admin API (a moderator
//! named by `--as` acts, so what they may see and do is the API's rule).

use kindred_api::services::reports::{self as service, FullReport, ModeratorStep, ReportFilter};
use kindred_api::AppState;
use kindred_db::models::statuses::Page;
use kindred_db::AccountRow;

use crate::cli::ReportsCommand;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn handle(a: Option<&AccountRow>) -> String {
    match a {
        Some(a) if a.is_local() => format!("@{}", a.username),
        Some(a) => format!("@{}@{}", a.username, a.domain),
        None => "(gone)".to_owned(),
    }
}

/// The reporter or the reported member: an erased one (left out of `accounts`)
/// is named as such.
fn person(f: &FullReport, id: Option<i64>) -> String {
    match id.and_then(|i| f.accounts.get(&i)) {
        Some(a) => handle(Some(a)),
        None => "(erased account)".to_owned(),
    }
}

fn summary(f: &FullReport) -> String {
    let r = &f.seen.report;
    let reporter = match &r.reporter_domain {
        Some(d) => format!("server {d}"),
        None => person(f, r.reporter_account_id),
    };
    format!(
        "report {} [{}] {} about {} by {} — {} status(es), {} group(s), {}",
        r.id,
        if r.resolved() { "resolved" } else { "open" },
        r.category.as_str(),
        person(f, r.target_account_id),
        reporter,
        f.seen.status_ids.len(),
        f.seen.groups.len(),
        r.created_at.format("%Y-%m-%d %H:%M UTC"),
    )
}

fn details(f: &FullReport) -> Vec<String> {
    let r = &f.seen.report;
    let mut out = vec![summary(f)];
    if !r.comment.is_empty() {
        out.push(format!("  comment: {}", r.comment));
    }
    if let Some(a) = r.assigned_account_id {
        out.push(format!("  assigned to {}", handle(f.accounts.get(&a))));
    }
    for s in &f.statuses {
        out.push(format!("  status {}: {}", s.id, s.content));
    }
    for id in f
        .seen
        .status_ids
        .iter()
        .filter(|i| !f.statuses.iter().any(|s| s.id == **i))
    {
        out.push(format!("  status {id}: (removed)"));
    }
    for g in &f.seen.groups {
        out.push(format!(
            "  group {}: {}",
            handle(f.accounts.get(&g.group_id)),
            if g.done_at.is_some() { "done" } else { "open" }
        ));
    }
    for a in &f.seen.actions {
        out.push(format!(
            "  {} {} by {}{}",
            a.created_at.format("%Y-%m-%d %H:%M"),
            a.kind.as_str(),
            handle(a.account_id.and_then(|i| f.accounts.get(&i))),
            if a.note.is_empty() {
                String::new()
            } else {
                format!(": {}", a.note)
            }
        ));
    }
    out
}

pub async fn run(state: &AppState, cmd: ReportsCommand) -> Result<Vec<String>, String> {
    match cmd {
        ReportsCommand::List { actor, resolved } => {
            let me = service::moderator_named(state, &actor).await.map_err(err)?;
            let filter = ReportFilter {
                resolved: Some(resolved),
                ..Default::default()
            };
            let page = Page {
                max_id: None,
                since_id: None,
                min_id: None,
                limit: 200,
            };
            let (reports, _) = service::list(state, &me, filter, page).await.map_err(err)?;
            if reports.is_empty() {
                return Ok(vec!["no reports".to_owned()]);
            }
            Ok(reports.iter().map(summary).collect())
        }
        ReportsCommand::Show { id, actor } => {
            let me = service::moderator_named(state, &actor).await.map_err(err)?;
            let full = service::show(state, &me, id).await.map_err(err)?;
            Ok(details(&full))
        }
        ReportsCommand::Resolve { id, actor } => {
            let me = service::moderator_named(state, &actor).await.map_err(err)?;
            let full = service::act(state, &me, id, ModeratorStep::Resolve)
                .await
                .map_err(err)?;
            Ok(vec![format!("resolved: {}", summary(&full))])
        }
    }
}
