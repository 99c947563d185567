//! Changing the federation policy (issue 7), for the CLI and the admin API alike:
//! every change is parsed ("parse, don't validate"), written with its audit entry in
//! one transaction, and takes effect in this process at once
//! ([`PolicyHandle::invalidate`](kindred_federation::policy::PolicyHandle)) and in
//! other processes within `policy::RECHECK`. Suspending a domain also severs the
//! follows between us and suspends its known accounts, in the same transaction;
//! after every block change the silenced marks of known remote accounts are made to
//! match the blocks (`sync_silences`), in that transaction too.

use chrono::Utc;
use kindred_db::models::domain_policy::{self as repo, AuditRow};
pub use kindred_db::models::domain_policy::{DomainAllowRow, DomainBlockRow};
use kindred_db::models::silenced;
use kindred_db::{AnyConnection, DbError};
use kindred_domain::federation_policy::{
    BlockRule, Decision, Mode, Policy, PolicyDomain, Severity, TrafficScope,
};
use serde_json::json;

use super::ServiceError;
use crate::AppState;

/// A block as asked for (CLI flags or API parameters), before parsing.
#[derive(Debug, Clone, Default)]
pub struct BlockRequest {
    pub domain: String,
    pub severity: Option<String>,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

const MAX_COMMENT: usize = 1000;

fn comment(c: Option<String>) -> Result<Option<String>, ServiceError> {
    let c = c.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if c.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(ServiceError::Unprocessable(
            "Validation failed: comments are at most 1000 characters",
        ));
    }
    Ok(c)
}

fn audit(state: &AppState, actor: &str, action: &str, domain: Option<&str>) -> AuditRow {
    let now = Utc::now();
    AuditRow {
        id: state.ids.next_at(now),
        actor: actor.to_owned(),
        action: action.to_owned(),
        domain: domain.map(str::to_owned),
        old_value: None,
        new_value: None,
        created_at: now.naive_utc(),
    }
}

fn block_json(b: &DomainBlockRow) -> String {
    json!({
        "severity": b.severity,
        "reject_media": b.reject_media,
        "reject_reports": b.reject_reports,
        "private_comment": b.private_comment,
        "public_comment": b.public_comment,
        "obfuscate": b.obfuscate,
    })
    .to_string()
}

/// The known remote domains (`accounts.domain`) a single rule on `domain` covers.
/// Makes the silenced marks match the blocks now stored; call inside the change's
/// transaction. Each known remote domain whose most specific rule is `silence` has
/// its accounts marked; domain-block marks elsewhere are cleared (a lifted or
/// lowered block, or a more specific rule). State-based, so any change — one block,
/// an import, a lifted parent rule — ends in the same place. Returns (marked,
/// cleared) accounts.
fn sync_silences(
    c: &mut AnyConnection,
    now: chrono::NaiveDateTime,
) -> Result<(usize, usize), DbError> {
    // Mode does not matter here: allowlist mode refuses traffic, it silences no one.
    let policy = kindred_federation::policy::build(&repo::snapshot(c)?, Mode::Open);
    let domains: Vec<String> = repo::remote_domains(c)?
        .into_iter()
        .filter(|d| matches!(policy.decide_str(d), Decision::Allow { silenced: true, .. }))
        .collect();
    silenced::set_domain_silences(c, &domains, now)
}

/// Suspended remote accounts follow the policy in force: a known domain's accounts
/// are suspended exactly when the most specific rule covering it is a suspension
/// (`noop` on `a.example` under `suspend` on `example` leaves `a.example` alone;
/// lifting `example` leaves a suspended `b.example` suspended). Newly suspended
/// domains have their follows severed. `changed`: only the known domains a rule on
/// it covers can change (every known domain after an import).
fn sync_suspensions(c: &mut AnyConnection, changed: Option<&PolicyDomain>) -> Result<(), DbError> {
    // Mode does not matter: allowlist mode refuses traffic, it suspends no one.
    let policy = kindred_federation::policy::build(&repo::snapshot(c)?, Mode::Open);
    let (suspend, lift): (Vec<String>, Vec<String>) = repo::remote_domains(c)?
        .into_iter()
        .filter(|d| match changed {
            None => true,
            Some(rule) => PolicyDomain::parse(d).is_ok_and(|d| d.covering().contains(rule)),
        })
        .partition(|d| policy.decide_str(d).is_refused());
    repo::suspend_domains(c, &suspend)?;
    repo::unsuspend_domains(c, &lift)?;
    Ok(())
}

pub fn parse_block(
    r: BlockRequest,
) -> Result<(PolicyDomain, Severity, BlockRequest), ServiceError> {
    let domain = PolicyDomain::parse(&r.domain)?;
    let severity = match r.severity.as_deref() {
        None | Some("") => Severity::Silence,
        Some(s) => Severity::parse(s)?,
    };
    Ok((domain, severity, r))
}

/// Creates or replaces the block of a domain. Returns the stored block.
pub async fn block(
    state: &AppState,
    actor: &str,
    request: BlockRequest,
) -> Result<DomainBlockRow, ServiceError> {
    let (domain, severity, r) = parse_block(request)?;
    let now = Utc::now().naive_utc();
    let row = DomainBlockRow {
        id: state.ids.next_at(Utc::now()),
        domain: domain.to_string(),
        severity: severity.as_str().to_owned(),
        reject_media: r.reject_media,
        reject_reports: r.reject_reports,
        private_comment: comment(r.private_comment)?,
        public_comment: comment(r.public_comment)?,
        obfuscate: r.obfuscate,
        created_at: now,
        updated_at: now,
    };
    let mut entry = audit(state, actor, "block", Some(&row.domain));
    entry.new_value = Some(block_json(&row));
    let stored = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let old = repo::block_by_domain(c, &row.domain)?;
                entry.old_value = old.as_ref().map(block_json);
                let stored = repo::put_block(c, &row, &entry)?;
                sync_suspensions(c, Some(&domain))?;
                sync_silences(c, now)?;
                Ok(stored)
            })
        })
        .await?;
    state.policy.invalidate();
    tracing::info!(severity = %stored.severity, "domain block set");
    Ok(stored)
}

/// Lifts a block (by id). Accounts a suspension suspended are restored unless a
/// rule still suspends them; severed follows stay severed, as in Mastodon.
pub async fn unblock(
    state: &AppState,
    actor: &str,
    id: i64,
) -> Result<DomainBlockRow, ServiceError> {
    let entry = audit(state, actor, "unblock", None);
    let entry_time = entry.created_at;
    let removed = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let Some(old) = repo::block_by_id(c, id)? else {
                    return Err(DbError::NotFound);
                };
                let mut entry = entry;
                entry.domain = Some(old.domain.clone());
                entry.old_value = Some(block_json(&old));
                let removed = repo::delete_block(c, id, &entry)?.ok_or(DbError::NotFound)?;
                let lifted = PolicyDomain::parse(&removed.domain).ok();
                sync_suspensions(c, lifted.as_ref())?;
                sync_silences(c, entry_time)?;
                Ok(removed)
            })
        })
        .await
        .map_err(|e| match e {
            DbError::NotFound => ServiceError::NotFound,
            e => e.into(),
        })?;
    state.policy.invalidate();
    Ok(removed)
}

/// The block of a domain as written anywhere (normalized first).
pub async fn find_block(state: &AppState, domain: &str) -> Result<DomainBlockRow, ServiceError> {
    let d = PolicyDomain::parse(domain)?.to_string();
    state
        .db
        .run(move |c| repo::block_by_domain(c, &d))
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn allow(
    state: &AppState,
    actor: &str,
    domain: &str,
    scope: Option<&str>,
) -> Result<DomainAllowRow, ServiceError> {
    let domain = PolicyDomain::parse(domain)?;
    let scope = TrafficScope::parse(scope.unwrap_or(""))?;
    let now = Utc::now();
    let row = DomainAllowRow {
        id: state.ids.next_at(now),
        domain: domain.to_string(),
        scopes: scope.to_string(),
        created_at: now.naive_utc(),
    };
    let mut entry = audit(state, actor, "allow", Some(&row.domain));
    entry.new_value = Some(json!({ "scopes": row.scopes }).to_string());
    let stored = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                entry.old_value = repo::allow_by_domain(c, &row.domain)?
                    .map(|o| json!({ "scopes": o.scopes }).to_string());
                repo::put_allow(c, &row, &entry)
            })
        })
        .await?;
    state.policy.invalidate();
    Ok(stored)
}

pub async fn disallow(
    state: &AppState,
    actor: &str,
    id: i64,
) -> Result<DomainAllowRow, ServiceError> {
    let entry = audit(state, actor, "disallow", None);
    let removed = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let Some(old) = repo::allow_by_id(c, id)? else {
                    return Ok(None);
                };
                let mut entry = entry;
                entry.domain = Some(old.domain.clone());
                entry.old_value = Some(json!({ "scopes": old.scopes }).to_string());
                repo::delete_allow(c, id, &entry)
            })
        })
        .await?
        .ok_or(ServiceError::NotFound)?;
    state.policy.invalidate();
    Ok(removed)
}

pub async fn find_allow(state: &AppState, domain: &str) -> Result<DomainAllowRow, ServiceError> {
    let d = PolicyDomain::parse(domain)?.to_string();
    state
        .db
        .run(move |c| repo::allow_by_domain(c, &d))
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The mode now in force (the configured default until an admin sets one).
pub async fn mode(state: &AppState) -> Result<Mode, ServiceError> {
    Ok(state.policy.current().await?.mode())
}

pub async fn set_mode(state: &AppState, actor: &str, mode: &str) -> Result<Mode, ServiceError> {
    let new = Mode::parse(mode)?;
    let old = self::mode(state).await?;
    let mut entry = audit(state, actor, "mode", None);
    entry.old_value = Some(json!(old.as_str()).to_string());
    entry.new_value = Some(json!(new.as_str()).to_string());
    state
        .db
        .run(move |c| repo::set_mode(c, new.as_str(), &entry))
        .await?;
    state.policy.invalidate();
    tracing::info!(mode = new.as_str(), "federation mode set");
    Ok(new)
}

/// A blocklist line that cannot be used, with its line number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Most lines a blocklist may have.
pub const MAX_IMPORT_LINES: usize = 100_000;

fn flag(v: Option<&str>, line: u64, column: &str) -> Result<bool, ImportError> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(ImportError {
            line,
            message: format!(
                "{column} must be true or false, not {}",
                other.chars().take(20).collect::<String>()
            ),
        }),
    }
}

/// Reads a blocklist: Mastodon's CSV (`#domain,#severity,#reject_media,
/// #reject_reports,#public_comment,#obfuscate`, columns in any order, only
/// `#domain` required; severity `suspend` when not given, as Mastodon imports) or
/// one domain per line (each suspended). Every line is checked first; one bad
/// line refuses the whole list.
pub fn parse_blocklist(
    text: &str,
) -> Result<Vec<(PolicyDomain, Severity, BlockRequest)>, ImportError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out = Vec::new();
    let mut check = |line: u64, r: BlockRequest| -> Result<(), ImportError> {
        if out.len() >= MAX_IMPORT_LINES {
            return Err(ImportError {
                line,
                message: format!("more than {MAX_IMPORT_LINES} lines"),
            });
        }
        let parsed = parse_block(r).map_err(|e| ImportError {
            line,
            message: match e {
                ServiceError::Invalid(d) => d.to_string(),
                other => other.to_string(),
            },
        })?;
        out.push(parsed);
        Ok(())
    };
    if !first.trim_start().starts_with("#domain") {
        for (i, l) in text.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() {
                continue;
            }
            check(
                i as u64 + 1,
                BlockRequest {
                    domain: l.to_owned(),
                    severity: Some("suspend".into()),
                    ..Default::default()
                },
            )?;
        }
        return Ok(out);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError {
            line: 1,
            message: format!("unreadable header: {e}"),
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('#').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(domain_col) = col("domain") else {
        return Err(ImportError {
            line: 1,
            message: "no #domain column".into(),
        });
    };
    for record in reader.records() {
        let record = record.map_err(|e| ImportError {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: format!("unreadable line: {e}"),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(domain) = get(Some(domain_col)) else {
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Err(ImportError {
                line,
                message: "no domain".into(),
            });
        };
        check(
            line,
            BlockRequest {
                domain: domain.to_owned(),
                severity: Some(get(col("severity")).unwrap_or("suspend").to_owned()),
                reject_media: flag(get(col("reject_media")), line, "reject_media")?,
                reject_reports: flag(get(col("reject_reports")), line, "reject_reports")?,
                private_comment: None,
                public_comment: get(col("public_comment")).map(str::to_owned),
                obfuscate: flag(get(col("obfuscate")), line, "obfuscate")?,
            },
        )?;
    }
    Ok(out)
}

/// What an import did, or would do with `--dry-run`.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: usize,
    /// Known remote domains the import's suspensions cover.
    pub suspended_domains: Vec<String>,
    pub severed_follows: i64,
    pub dropped_requests: i64,
    pub suspended_accounts: i64,
    pub pending_deliveries: i64,
}

/// Imports a parsed blocklist in one transaction; with `dry_run`, only reports.
pub async fn import(
    state: &AppState,
    actor: &str,
    list: Vec<(PolicyDomain, Severity, BlockRequest)>,
    dry_run: bool,
) -> Result<ImportReport, ServiceError> {
    let now = Utc::now();
    let mut rows: Vec<DomainBlockRow> = Vec::with_capacity(list.len());
    let mut seen = std::collections::HashSet::new();
    // A domain listed twice: the last line wins.
    for (domain, severity, r) in list.into_iter().rev() {
        if !seen.insert(domain.to_string()) {
            continue;
        }
        rows.push(DomainBlockRow {
            id: state.ids.next_at(now),
            domain: domain.to_string(),
            severity: severity.as_str().to_owned(),
            reject_media: r.reject_media,
            reject_reports: r.reject_reports,
            private_comment: None,
            public_comment: comment(r.public_comment)?,
            obfuscate: r.obfuscate,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
        });
    }
    rows.reverse();
    let actor = actor.to_owned();
    let ids = state.ids.clone();
    let report = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let existing: std::collections::HashMap<String, DomainBlockRow> = repo::blocks(c)?
                    .into_iter()
                    .map(|b| (b.domain.clone(), b))
                    .collect();
                let mut report = ImportReport::default();
                let mut apply = Vec::new();
                let mut audits = Vec::new();
                for row in rows {
                    let same = existing.get(&row.domain).is_some_and(|old| {
                        old.severity == row.severity
                            && old.reject_media == row.reject_media
                            && old.reject_reports == row.reject_reports
                            && old.public_comment == row.public_comment
                            && old.obfuscate == row.obfuscate
                    });
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    let old = existing.get(&row.domain);
                    if old.is_some() {
                        report.changed.push(row.domain.clone());
                    } else {
                        report.added.push(row.domain.clone());
                    }
                    audits.push(AuditRow {
                        id: ids.next_at(now),
                        actor: actor.clone(),
                        action: "import".into(),
                        domain: Some(row.domain.clone()),
                        old_value: old.map(block_json),
                        new_value: Some(block_json(&row)),
                        created_at: now.naive_utc(),
                    });
                    apply.push(row);
                }
                // Whom the new suspensions cut off.
                let suspends = Policy::new(
                    Mode::Open,
                    apply
                        .iter()
                        .filter(|r| r.severity == "suspend")
                        .filter_map(|r| {
                            Some((
                                PolicyDomain::parse(&r.domain).ok()?,
                                BlockRule {
                                    severity: Severity::Suspend,
                                    reject_media: false,
                                    reject_reports: false,
                                },
                            ))
                        }),
                    [],
                );
                report.suspended_domains = repo::remote_domains(c)?
                    .into_iter()
                    .filter(|d| suspends.decide_str(d).is_refused())
                    .collect();
                let (follows, requests, accounts) = repo::reach(c, &report.suspended_domains)?;
                report.severed_follows = follows;
                report.dropped_requests = requests;
                report.suspended_accounts = accounts;
                report.pending_deliveries = repo::pending_by_domain(c)?
                    .into_iter()
                    .filter(|(d, _)| suspends.decide_str(d).is_refused())
                    .map(|(_, n)| n)
                    .sum();
                if !dry_run && !apply.is_empty() {
                    repo::put_blocks_bulk(c, &apply, &audits)?;
                    sync_suspensions(c, None)?;
                    sync_silences(c, now.naive_utc())?;
                }
                Ok(report)
            })
        })
        .await?;
    if !dry_run {
        state.policy.invalidate();
        tracing::info!(
            added = report.added.len(),
            changed = report.changed.len(),
            "blocklist imported"
        );
    }
    Ok(report)
}

/// Every block as Mastodon's blocklist CSV (private comments are not exported).
pub async fn export(state: &AppState) -> Result<String, ServiceError> {
    let rows = state.db.run(repo::blocks).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |_| ServiceError::Internal("csv");
    w.write_record([
        "#domain",
        "#severity",
        "#reject_media",
        "#reject_reports",
        "#public_comment",
        "#obfuscate",
    ])
    .map_err(csv_err)?;
    for b in rows {
        w.write_record([
            b.domain.as_str(),
            b.severity.as_str(),
            if b.reject_media { "true" } else { "false" },
            if b.reject_reports { "true" } else { "false" },
            b.public_comment.as_deref().unwrap_or(""),
            if b.obfuscate { "true" } else { "false" },
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|_| ServiceError::Internal("csv"))?;
    String::from_utf8(bytes).map_err(|_| ServiceError::Internal("csv"))
}

/// Every domain block, for the admin pages and the public list.
pub async fn blocks(state: &AppState) -> Result<Vec<DomainBlockRow>, ServiceError> {
    Ok(state.db.run(repo::blocks).await?)
}

pub async fn block_by_id(
    state: &AppState,
    id: i64,
) -> Result<Option<DomainBlockRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::block_by_id(c, id)).await?)
}

/// Every allowed (partner) domain.
pub async fn allows(state: &AppState) -> Result<Vec<DomainAllowRow>, ServiceError> {
    Ok(state.db.run(repo::allows).await?)
}

pub async fn allow_by_id(
    state: &AppState,
    id: i64,
) -> Result<Option<DomainAllowRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::allow_by_id(c, id)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_csv_and_plain_lists_parse() {
        let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                   Spam.Example,suspend,false,false,\"spam, lots\",false\n\
                   loud.example,silence,true,false,,true\n";
        let rows = parse_blocklist(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0.to_string(), "spam.example");
        assert_eq!(rows[0].2.public_comment.as_deref(), Some("spam, lots"));
        assert_eq!(rows[1].1, Severity::Silence);
        assert!(rows[1].2.reject_media && rows[1].2.obfuscate);
        let plain = parse_blocklist("a.example\n\nB.example.\n").unwrap();
        assert_eq!(plain.len(), 2);
        assert!(plain.iter().all(|r| r.1 == Severity::Suspend));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = parse_blocklist("#domain,#severity\nok.example,suspend\nnot a domain,suspend\n")
            .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse_blocklist("#domain,#severity\nok.example,ban\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_blocklist("#domain,#reject_media\nok.example,maybe\n").unwrap_err();
        assert!(e.message.contains("reject_media"), "{e}");
        let e = parse_blocklist("fine.example\nbad..example\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
