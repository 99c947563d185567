//! Changing the federation policy (issue 7), for the CLI and the admin API alike:
//! every change is parsed ("parse, don't validate"), written with its audit entry in
//! one transaction, and takes effect in this process at once
//! ([`PolicyHandle::invalidate`](kindred_federation::policy::PolicyHandle)) and in
//! other processes within `policy::RECHECK`. Suspending a domain also severs the
//! follows between us and suspends its known accounts, in the same transaction.

use chrono::Utc;
use kindred_db::models::domain_policy::{self as repo, AuditRow, DomainAllowRow, DomainBlockRow};
use kindred_db::DbError;
use kindred_domain::federation_policy::{
    BlockRule, Mode, Policy, PolicyDomain, Severity, TrafficScope,
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
fn covered(known: Vec<String>, domain: &PolicyDomain) -> Vec<String> {
    let rule = Policy::new(
        Mode::Open,
        [(
            domain.clone(),
            BlockRule {
                severity: Severity::Suspend,
                reject_media: false,
                reject_reports: false,
            },
        )],
        [],
    );
    known
        .into_iter()
        .filter(|d| rule.decide_str(d).is_refused())
        .collect()
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
            kindred_db::models::federated::atomically(c, |c| {
                let old = repo::block_by_domain(c, &row.domain)?;
                entry.old_value = old.as_ref().map(block_json);
                let was_suspended = old.as_ref().is_some_and(|o| o.severity == "suspend");
                let stored = repo::put_block(c, &row, &entry)?;
                let known = covered(repo::remote_domains(c)?, &domain);
                if severity == Severity::Suspend {
                    repo::suspend_domains(c, &known)?;
                } else if was_suspended {
                    repo::unsuspend_domains(c, &known)?;
                }
                Ok(stored)
            })
        })
        .await?;
    state.policy.invalidate();
    tracing::info!(severity = %stored.severity, "domain block set");
    Ok(stored)
}

/// Lifts a block (by id). Accounts a suspension suspended are restored; severed
/// follows stay severed, as in Mastodon.
pub async fn unblock(
    state: &AppState,
    actor: &str,
    id: i64,
) -> Result<DomainBlockRow, ServiceError> {
    let entry = audit(state, actor, "unblock", None);
    let removed = state
        .db
        .run(move |c| {
            kindred_db::models::federated::atomically(c, |c| {
                let Some(old) = repo::block_by_id(c, id)? else {
                    return Err(DbError::NotFound);
                };
                let mut entry = entry;
                entry.domain = Some(old.domain.clone());
                entry.old_value = Some(block_json(&old));
                let removed = repo::delete_block(c, id, &entry)?.ok_or(DbError::NotFound)?;
                if removed.severity == "suspend" {
                    if let Ok(domain) = PolicyDomain::parse(&removed.domain) {
                        let known = covered(repo::remote_domains(c)?, &domain);
                        repo::unsuspend_domains(c, &known)?;
                    }
                }
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
            kindred_db::models::federated::atomically(c, |c| {
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
            kindred_db::models::federated::atomically(c, |c| {
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
