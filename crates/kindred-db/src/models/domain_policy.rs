//! Federation policy storage: domain blocks, allowed partners, the instance mode,
//! the audit log, and the version number running servers watch to reload. Every
//! change runs in one transaction with its audit entry and the version bump.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{
    accounts, audit_log, domain_allows, domain_blocks, federation_settings, follow_requests,
    follows,
};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = domain_blocks)]
pub struct DomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = domain_allows)]
pub struct DomainAllowRow {
    pub id: i64,
    pub domain: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
}

/// A federation-policy or directory change as its writers describe it; stored in the
/// one audit log (`audit_log`) as kind `federation.ACTION`, target the domain.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub domain: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: NaiveDateTime,
}

const MODE: &str = "mode";
const VERSION: &str = "version";

/// Everything the policy is built from, with the version it was read at.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub version: i64,
    pub mode: Option<String>,
    pub blocks: Vec<DomainBlockRow>,
    pub allows: Vec<DomainAllowRow>,
}

pub fn version(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(federation_settings::table
        .find(VERSION)
        .select(federation_settings::value)
        .first::<String>(conn)
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

pub fn snapshot(conn: &mut AnyConnection) -> Result<Snapshot, DbError> {
    Ok(Snapshot {
        version: version(conn)?,
        mode: federation_settings::table
            .find(MODE)
            .select(federation_settings::value)
            .first(conn)
            .optional()?,
        blocks: blocks(conn)?,
        allows: allows(conn)?,
    })
}

pub fn blocks(conn: &mut AnyConnection) -> Result<Vec<DomainBlockRow>, DbError> {
    Ok(domain_blocks::table
        .order(domain_blocks::domain.asc())
        .select(DomainBlockRow::as_select())
        .load(conn)?)
}

pub fn allows(conn: &mut AnyConnection) -> Result<Vec<DomainAllowRow>, DbError> {
    Ok(domain_allows::table
        .order(domain_allows::domain.asc())
        .select(DomainAllowRow::as_select())
        .load(conn)?)
}

pub fn block_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<DomainBlockRow>, DbError> {
    Ok(domain_blocks::table
        .find(id)
        .select(DomainBlockRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn block_by_domain(
    conn: &mut AnyConnection,
    domain: &str,
) -> Result<Option<DomainBlockRow>, DbError> {
    Ok(domain_blocks::table
        .filter(domain_blocks::domain.eq(domain))
        .select(DomainBlockRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn allow_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<DomainAllowRow>, DbError> {
    Ok(domain_allows::table
        .find(id)
        .select(DomainAllowRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn allow_by_domain(
    conn: &mut AnyConnection,
    domain: &str,
) -> Result<Option<DomainAllowRow>, DbError> {
    Ok(domain_allows::table
        .filter(domain_allows::domain.eq(domain))
        .select(DomainAllowRow::as_select())
        .first(conn)
        .optional()?)
}

fn bump(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<(), DbError> {
    let next = (version(conn)? + 1).to_string();
    set_setting(conn, VERSION, &next, now)
}

fn set_setting(
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let updated = diesel::update(federation_settings::table.find(name))
        .set((
            federation_settings::value.eq(value),
            federation_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(federation_settings::table)
            .values((
                federation_settings::name.eq(name),
                federation_settings::value.eq(value),
                federation_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a change and bumps the version; call inside the change's transaction.
pub fn record(conn: &mut AnyConnection, audit: &AuditRow) -> Result<(), DbError> {
    super::audit_log::insert(conn, &entry(audit))?;
    bump(conn, audit.created_at)
}

/// A change as the one audit log stores it.
fn entry(a: &AuditRow) -> super::audit_log::AuditEntryRow {
    super::audit_log::AuditEntryRow {
        id: a.id,
        created_at: a.created_at,
        actor_id: None,
        actor: a.actor.clone(),
        kind: format!("{FEDERATION_KIND}{}", a.action),
        target_account_id: None,
        target: a.domain.clone(),
        report_id: None,
        old_value: a.old_value.clone(),
        new_value: a.new_value.clone(),
    }
}

/// The kind prefix of federation-policy entries in the audit log.
pub const FEDERATION_KIND: &str = "federation.";

pub fn set_mode(conn: &mut AnyConnection, mode: &str, audit: &AuditRow) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        set_setting(conn, MODE, mode, audit.created_at)?;
        record(conn, audit)
    })
}

/// Inserts or replaces the block of `row.domain` (keeping the existing id).
pub fn put_block(
    conn: &mut AnyConnection,
    row: &DomainBlockRow,
    audit: &AuditRow,
) -> Result<DomainBlockRow, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let stored = match block_by_domain(conn, &row.domain)? {
            Some(existing) => {
                let mut updated = row.clone();
                updated.id = existing.id;
                updated.created_at = existing.created_at;
                diesel::update(domain_blocks::table.find(existing.id))
                    .set((
                        domain_blocks::severity.eq(&updated.severity),
                        domain_blocks::reject_media.eq(updated.reject_media),
                        domain_blocks::reject_reports.eq(updated.reject_reports),
                        domain_blocks::private_comment.eq(&updated.private_comment),
                        domain_blocks::public_comment.eq(&updated.public_comment),
                        domain_blocks::obfuscate.eq(updated.obfuscate),
                        domain_blocks::updated_at.eq(updated.updated_at),
                    ))
                    .execute(conn)?;
                updated
            }
            None => {
                diesel::insert_into(domain_blocks::table)
                    .values(row.clone())
                    .execute(conn)?;
                row.clone()
            }
        };
        record(conn, audit)?;
        Ok(stored)
    })
}

pub fn delete_block(
    conn: &mut AnyConnection,
    id: i64,
    audit: &AuditRow,
) -> Result<Option<DomainBlockRow>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let Some(row) = block_by_id(conn, id)? else {
            return Ok(None);
        };
        diesel::delete(domain_blocks::table.find(id)).execute(conn)?;
        record(conn, audit)?;
        Ok(Some(row))
    })
}

pub fn put_allow(
    conn: &mut AnyConnection,
    row: &DomainAllowRow,
    audit: &AuditRow,
) -> Result<DomainAllowRow, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let stored = match allow_by_domain(conn, &row.domain)? {
            Some(existing) => {
                diesel::update(domain_allows::table.find(existing.id))
                    .set(domain_allows::scopes.eq(&row.scopes))
                    .execute(conn)?;
                DomainAllowRow {
                    scopes: row.scopes.clone(),
                    ..existing
                }
            }
            None => {
                diesel::insert_into(domain_allows::table)
                    .values(row.clone())
                    .execute(conn)?;
                row.clone()
            }
        };
        record(conn, audit)?;
        Ok(stored)
    })
}

pub fn delete_allow(
    conn: &mut AnyConnection,
    id: i64,
    audit: &AuditRow,
) -> Result<Option<DomainAllowRow>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let Some(row) = allow_by_id(conn, id)? else {
            return Ok(None);
        };
        diesel::delete(domain_allows::table.find(id)).execute(conn)?;
        record(conn, audit)?;
        Ok(Some(row))
    })
}

/// The latest federation-policy entries of the audit log, newest first.
pub fn audit_log(conn: &mut AnyConnection, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    let rows: Vec<super::audit_log::AuditEntryRow> = audit_log::table
        .filter(audit_log::kind.like(format!("{FEDERATION_KIND}%")))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(super::audit_log::AuditEntryRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|e| AuditRow {
            id: e.id,
            actor: e.actor,
            action: e
                .kind
                .strip_prefix(FEDERATION_KIND)
                .unwrap_or(&e.kind)
                .to_owned(),
            domain: e.target,
            old_value: e.old_value,
            new_value: e.new_value,
            created_at: e.created_at,
        })
        .collect())
}

/// Every distinct domain of a remote account we know.
pub fn remote_domains(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.ne(""))
        .select(accounts::domain)
        .distinct()
        .load(conn)?)
}

fn remote_ids(conn: &mut AnyConnection, domains: &[String]) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq_any(domains.to_vec()))
        .filter(accounts::domain.ne(""))
        .select(accounts::id)
        .load(conn)?)
}

/// What cutting off `domains` would sever: (follows between us, pending follow
/// requests, remote accounts).
pub fn reach(conn: &mut AnyConnection, domains: &[String]) -> Result<(i64, i64, i64), DbError> {
    if domains.is_empty() {
        return Ok((0, 0, 0));
    }
    let remote = remote_ids(conn, domains)?;
    let n_accounts: i64 = accounts::table
        .filter(accounts::domain.eq_any(domains.to_vec()))
        .count()
        .get_result(conn)?;
    let n_follows: i64 = follows::table
        .filter(
            follows::account_id
                .eq_any(&remote)
                .or(follows::target_account_id.eq_any(&remote)),
        )
        .count()
        .get_result(conn)?;
    let n_requests: i64 = follow_requests::table
        .filter(
            follow_requests::account_id
                .eq_any(&remote)
                .or(follow_requests::target_account_id.eq_any(&remote)),
        )
        .count()
        .get_result(conn)?;
    Ok((n_follows, n_requests, n_accounts))
}

/// Suspension of whole domains: follows both ways (and meeting-directory
/// subscriptions) are severed, pending requests dropped, and their accounts suspended (so their cached content is hidden
/// everywhere suspended authors are). Returns the number of accounts suspended.
pub fn suspend_domains(conn: &mut AnyConnection, domains: &[String]) -> Result<usize, DbError> {
    if domains.is_empty() {
        return Ok(0);
    }
    let remote = remote_ids(conn, domains)?;
    super::meeting_directory::sever(conn, &remote)?;
    diesel::delete(
        follows::table.filter(
            follows::account_id
                .eq_any(&remote)
                .or(follows::target_account_id.eq_any(&remote)),
        ),
    )
    .execute(conn)?;
    diesel::delete(
        follow_requests::table.filter(
            follow_requests::account_id
                .eq_any(&remote)
                .or(follow_requests::target_account_id.eq_any(&remote)),
        ),
    )
    .execute(conn)?;
    Ok(diesel::update(
        accounts::table
            .filter(accounts::domain.eq_any(domains.to_vec()))
            .filter(accounts::suspended.eq(false)),
    )
    .set(accounts::suspended.eq(true))
    .execute(conn)?)
}

/// Lifts the suspension of the accounts of `domains` (a lifted domain block),
/// except of those suspended one by one (by a moderator here or by their own
/// server, `moderation::individually_suspended`). Severed follows stay severed, as
/// in Mastodon.
pub fn unsuspend_domains(conn: &mut AnyConnection, domains: &[String]) -> Result<usize, DbError> {
    if domains.is_empty() {
        return Ok(0);
    }
    let suspended: Vec<i64> = accounts::table
        .filter(accounts::domain.eq_any(domains.to_vec()))
        .filter(accounts::suspended.eq(true))
        .select(accounts::id)
        .load(conn)?;
    let keep = super::moderation::individually_suspended(conn, &suspended)?;
    let lift: Vec<i64> = suspended
        .into_iter()
        .filter(|id| !keep.contains(id))
        .collect();
    let mut n = 0;
    for chunk in lift.chunks(500) {
        n += diesel::update(accounts::table.filter(accounts::id.eq_any(chunk.to_vec())))
            .set(accounts::suspended.eq(false))
            .execute(conn)?;
    }
    Ok(n)
}

/// Applies many blocks at once (an imported blocklist): existing blocks of the same
/// domains are replaced, new ones inserted in batches, one audit entry each, one
/// version bump. Returns (added, changed).
pub fn put_blocks_bulk(
    conn: &mut AnyConnection,
    rows: &[DomainBlockRow],
    audits: &[AuditRow],
) -> Result<(usize, usize), DbError> {
    crate::transaction::atomically(conn, |conn| {
        let existing: std::collections::HashMap<String, DomainBlockRow> = blocks(conn)?
            .into_iter()
            .map(|b| (b.domain.clone(), b))
            .collect();
        let mut fresh = Vec::new();
        let mut changed = 0;
        for row in rows {
            match existing.get(&row.domain) {
                Some(old) => {
                    diesel::update(domain_blocks::table.find(old.id))
                        .set((
                            domain_blocks::severity.eq(&row.severity),
                            domain_blocks::reject_media.eq(row.reject_media),
                            domain_blocks::reject_reports.eq(row.reject_reports),
                            domain_blocks::private_comment.eq(&row.private_comment),
                            domain_blocks::public_comment.eq(&row.public_comment),
                            domain_blocks::obfuscate.eq(row.obfuscate),
                            domain_blocks::updated_at.eq(row.updated_at),
                        ))
                        .execute(conn)?;
                    changed += 1;
                }
                None => fresh.push(row.clone()),
            }
        }
        // Multi-row inserts (one statement per 500 rows): the shared DSL has no
        // batch insert, so per backend.
        for chunk in fresh.chunks(500) {
            let q = diesel::insert_into(domain_blocks::table).values(chunk);
            match conn {
                AnyConnection::Sqlite(c) => q.execute(c)?,
                AnyConnection::Postgresql(c) => q.execute(c)?,
            };
        }
        let entries: Vec<super::audit_log::AuditEntryRow> = audits.iter().map(entry).collect();
        for chunk in entries.chunks(500) {
            let q = diesel::insert_into(audit_log::table).values(chunk);
            match conn {
                AnyConnection::Sqlite(c) => q.execute(c)?,
                AnyConnection::Postgresql(c) => q.execute(c)?,
            };
        }
        if let Some(last) = audits.last() {
            bump(conn, last.created_at)?;
        }
        Ok((fresh.len(), changed))
    })
}

/// Deliveries waiting per instance domain.
pub fn pending_by_domain(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, DbError> {
    crate::models::deliveries::backlog(conn)
}

/// Software recorded per known instance (from NodeInfo), where any.
pub fn instance_software(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashMap<String, Option<String>>, DbError> {
    use crate::schema::instances;
    Ok(instances::table
        .select((instances::domain, instances::software))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect())
}
