//! `kindred admin federation ...`: federation state for operators.

use chrono::NaiveDateTime;
use kindred_api::services::federation_policy::{self as policy, BlockRequest};
use kindred_api::AppState;
use kindred_db::models::delivery_worker::{self, InstanceQueue};
use kindred_db::models::domain_policy;

use crate::cli::{DirectoryCommand, FederationCommand};

pub async fn run(
    state: &actix_web::web::Data<AppState>,
    cmd: FederationCommand,
) -> Result<Vec<String>, String> {
    match cmd {
        FederationCommand::Queue { all } => {
            let rows = state
                .db
                .run(move |c| delivery_worker::queue_stats(c, all))
                .await
                .map_err(|e| e.to_string())?;
            Ok(render_queue(&rows, chrono::Utc::now().naive_utc()))
        }
        FederationCommand::Mode { mode: None } => {
            let mode = policy::mode(state).await.map_err(err)?;
            Ok(vec![format!("federation mode: {}", mode.as_str())])
        }
        FederationCommand::Mode { mode: Some(mode) } => {
            let mode = policy::set_mode(state, CLI, &mode).await.map_err(err)?;
            Ok(vec![format!("federation mode set to {}", mode.as_str())])
        }
        FederationCommand::Block {
            domain,
            severity,
            reject_media,
            reject_reports,
            public_comment,
            private_comment,
            obfuscate,
        } => {
            let b = policy::block(
                state,
                CLI,
                BlockRequest {
                    domain,
                    severity: Some(severity),
                    reject_media,
                    reject_reports,
                    private_comment,
                    public_comment,
                    obfuscate,
                },
            )
            .await
            .map_err(err)?;
            Ok(vec![format!("blocked {} ({})", b.domain, b.severity)])
        }
        FederationCommand::Unblock { domain } => {
            let b = policy::find_block(state, &domain).await.map_err(err)?;
            let b = policy::unblock(state, CLI, b.id).await.map_err(err)?;
            Ok(vec![format!("unblocked {}", b.domain)])
        }
        FederationCommand::Allow { domain, scope } => {
            let a = policy::allow(state, CLI, &domain, scope.as_deref())
                .await
                .map_err(err)?;
            Ok(vec![format!("allowed {} (scope: {})", a.domain, a.scopes)])
        }
        FederationCommand::Disallow { domain } => {
            let a = policy::find_allow(state, &domain).await.map_err(err)?;
            let a = policy::disallow(state, CLI, a.id).await.map_err(err)?;
            Ok(vec![format!("disallowed {}", a.domain)])
        }
        FederationCommand::List => {
            let mode = policy::mode(state).await.map_err(err)?;
            let snapshot = state
                .db
                .run(domain_policy::snapshot)
                .await
                .map_err(|e| e.to_string())?;
            let mut out = vec![format!("mode: {}", mode.as_str())];
            out.push(format!("blocked domains: {}", snapshot.blocks.len()));
            for b in &snapshot.blocks {
                let mut flags = vec![b.severity.clone()];
                if b.reject_media {
                    flags.push("reject-media".into());
                }
                if b.reject_reports {
                    flags.push("reject-reports".into());
                }
                if b.obfuscate {
                    flags.push("obfuscate".into());
                }
                out.push(format!("  {}  {}", b.domain, flags.join(", ")));
            }
            out.push(format!("allowed partners: {}", snapshot.allows.len()));
            for a in &snapshot.allows {
                out.push(format!("  {}  scope: {}", a.domain, a.scopes));
            }
            Ok(out)
        }
        FederationCommand::Import { file, dry_run } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let list = policy::parse_blocklist(&text)
                .map_err(|e| format!("{}: {e}; nothing was imported", file.display()))?;
            let lines = list.len();
            let r = policy::import(state, CLI, list, dry_run)
                .await
                .map_err(err)?;
            let verb = if dry_run { "would" } else { "did" };
            let mut out = vec![format!(
                "{lines} blocks read: {} new, {} changed, {} unchanged{}",
                r.added.len(),
                r.changed.len(),
                r.unchanged,
                if dry_run {
                    " (dry run: nothing changed)"
                } else {
                    ""
                }
            )];
            out.extend(listed("new", &r.added));
            out.extend(listed("changed", &r.changed));
            out.push(format!(
                "suspensions {verb} cut off {} known instance(s): {} follow(s), {} pending follow request(s), {} account(s), {} queued deliveries; group memberships: none (groups do not federate yet)",
                r.suspended_domains.len(),
                r.severed_follows,
                r.dropped_requests,
                r.suspended_accounts,
                r.pending_deliveries
            ));
            Ok(out)
        }
        FederationCommand::Export => {
            let csv = policy::export(state).await.map_err(err)?;
            Ok(csv.lines().map(str::to_owned).collect())
        }
        FederationCommand::Directory(cmd) => directory(state, cmd).await,
        FederationCommand::Instances => {
            let rows = state
                .db
                .run(|c| delivery_worker::queue_stats(c, true))
                .await
                .map_err(|e| e.to_string())?;
            let software = state
                .db
                .run(domain_policy::instance_software)
                .await
                .map_err(|e| e.to_string())?;
            let rules = state.policy.current().await.map_err(|e| e.to_string())?;
            Ok(render_instances(&rows, &software, &rules))
        }
    }
}

/// The queue table with the software and the policy decision per instance.
fn render_instances(
    rows: &[InstanceQueue],
    software: &std::collections::HashMap<String, Option<String>>,
    rules: &kindred_domain::federation_policy::Policy,
) -> Vec<String> {
    use kindred_domain::federation_policy::Decision;
    if rows.is_empty() {
        return vec!["no known instances".to_owned()];
    }
    let mut table: Vec<[String; 7]> = vec![[
        "DOMAIN",
        "SOFTWARE",
        "LAST SUCCESS",
        "FAILURES",
        "STATE",
        "QUEUED",
        "POLICY",
    ]
    .map(str::to_owned)];
    for r in rows {
        let state = match (r.dead_since, r.failures) {
            (Some(_), _) => "dead".to_owned(),
            (None, 0) => "alive".to_owned(),
            (None, _) => "failing".to_owned(),
        };
        let decision = match rules.decide_str(&r.domain) {
            Decision::Refuse => "refused".to_owned(),
            Decision::Allow { silenced: true, .. } => "silenced".to_owned(),
            Decision::Allow { .. } => "allowed".to_owned(),
        };
        table.push([
            r.domain.clone(),
            software
                .get(&r.domain)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "unknown".to_owned()),
            when(r.last_success_at),
            r.failures.to_string(),
            state,
            r.backlog.to_string(),
            decision,
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            table
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    table
        .iter()
        .map(|row| {
            row.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// At most 50 domains of a kind, then how many more.
fn listed(kind: &str, domains: &[String]) -> Vec<String> {
    const SHOWN: usize = 50;
    let mut out: Vec<String> = domains
        .iter()
        .take(SHOWN)
        .map(|d| format!("  {kind:<8} {d}"))
        .collect();
    if domains.len() > SHOWN {
        out.push(format!("  ... and {} more {kind}", domains.len() - SHOWN));
    }
    out
}

/// Who the audit log names for changes made from the command line.
const CLI: &str = "cli";

async fn directory(
    state: &actix_web::web::Data<AppState>,
    cmd: DirectoryCommand,
) -> Result<Vec<String>, String> {
    use kindred_api::services::meeting_directory as dir;
    match cmd {
        DirectoryCommand::List => {
            let d = dir::list(state).await.map_err(err)?;
            let mut out = vec![format!("subscribed to: {}", d.subscriptions.len())];
            for s in &d.subscriptions {
                out.push(format!(
                    "  {} ({}, since {})",
                    s.domain, s.state, s.created_at
                ));
            }
            out.push(format!("subscribers: {}", d.subscribers.len()));
            for (s, domain) in &d.subscribers {
                out.push(format!("  {domain} (since {})", s.created_at));
            }
            Ok(out)
        }
        DirectoryCommand::Subscribe { domain } => {
            let s = dir::subscribe(state, CLI, &domain).await.map_err(err)?;
            Ok(vec![format!(
                "subscribed to {} ({}; the partner's answer arrives once `kindred serve` delivers the request)",
                s.domain, s.state
            )])
        }
        DirectoryCommand::Unsubscribe { domain } => {
            let s = dir::unsubscribe(state, CLI, &domain)
                .await
                .map_err(|e| match e {
                    kindred_api::services::ServiceError::NotFound => {
                        "no subscription to this domain".to_owned()
                    }
                    e => e.to_string(),
                })?;
            Ok(vec![format!("unsubscribed from {}", s.domain)])
        }
    }
}

fn err(e: kindred_api::services::ServiceError) -> String {
    match e {
        kindred_api::services::ServiceError::NotFound => "no such rule".to_owned(),
        e => e.to_string(),
    }
}

/// "3d 4h", "5h 12m", "4m 10s", "12s".
fn age(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, mins, secs) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else if mins > 0 {
        format!("{mins}m {secs}s")
    } else {
        format!("{secs}s")
    }
}

fn when(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".to_owned())
}

/// One line per instance under a header, then a total.
pub fn render_queue(rows: &[InstanceQueue], now: NaiveDateTime) -> Vec<String> {
    let header = [
        "DOMAIN",
        "BACKLOG",
        "OLDEST",
        "LAST SUCCESS",
        "FAILURES",
        "STATE",
    ];
    let mut table: Vec<[String; 6]> = vec![header.map(str::to_owned)];
    for r in rows {
        let state = match (r.dead_since, r.failures) {
            (Some(since), _) => format!("dead since {}", when(Some(since))),
            (None, 0) => "alive".to_owned(),
            (None, _) => match r.next_attempt_at.filter(|t| *t > now) {
                Some(t) => format!("failing, retry in {}", age(t - now)),
                None => "failing".to_owned(),
            },
        };
        table.push([
            r.domain.clone(),
            r.backlog.to_string(),
            r.oldest
                .map(|t| age(now - t))
                .unwrap_or_else(|| "-".to_owned()),
            when(r.last_success_at),
            r.failures.to_string(),
            state,
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            table
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out: Vec<String> = table
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let w = widths[i];
                // Numbers right-aligned, text left-aligned; the last column unpadded.
                match i {
                    1 | 4 => line.push_str(&format!("{cell:>w$}  ")),
                    5 => line.push_str(cell),
                    _ => line.push_str(&format!("{cell:<w$}  ")),
                }
            }
            line
        })
        .collect();
    let waiting: i64 = rows.iter().map(|r| r.backlog).sum();
    let dead = rows.iter().filter(|r| r.dead_since.is_some()).count();
    if rows.is_empty() {
        out = vec!["no deliveries waiting, no failing instances".to_owned()];
    } else {
        out.push(format!(
            "{} instance(s), {waiting} delivery(ies) waiting, {dead} dead",
            rows.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn renders_a_table() {
        let now = t("2026-11-26 12:00:00");
        let row = |domain: &str| InstanceQueue {
            domain: domain.into(),
            backlog: 0,
            oldest: None,
            last_success_at: None,
            last_failure_at: None,
            failures: 0,
            failing_since: None,
            dead_since: None,
            next_attempt_at: None,
            leased_by: None,
            leased_until: None,
        };
        let rows = vec![
            InstanceQueue {
                backlog: 12,
                oldest: Some(t("2026-11-26 11:56:40")),
                last_success_at: Some(t("2026-11-26 11:59:00")),
                ..row("a.example")
            },
            InstanceQueue {
                backlog: 3,
                oldest: Some(t("2026-11-22 10:00:00")),
                failures: 40,
                dead_since: Some(t("2026-11-25 10:00:00")),
                ..row("dead.example")
            },
            InstanceQueue {
                backlog: 1,
                oldest: Some(t("2026-11-26 11:00:00")),
                failures: 2,
                next_attempt_at: Some(t("2026-11-26 12:01:30")),
                ..row("slow.example:8443")
            },
        ];
        let out = render_queue(&rows, now);
        assert!(out[0].starts_with("DOMAIN"), "{out:?}");
        assert!(
            out[1].contains("a.example") && out[1].contains("3m 20s"),
            "{}",
            out[1]
        );
        assert!(out[1].ends_with("alive"), "{}", out[1]);
        assert!(out[1].contains("2026-11-26 11:59 UTC"));
        assert!(out[2].contains("4d 2h") && out[2].contains("dead since 2026-11-25 10:00 UTC"));
        assert!(out[3].contains("never") && out[3].ends_with("failing, retry in 1m 30s"));
        assert_eq!(out[4], "3 instance(s), 16 delivery(ies) waiting, 1 dead");
        assert_eq!(render_queue(&[], now).len(), 1);
    }
}
