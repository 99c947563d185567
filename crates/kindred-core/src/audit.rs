//! The audit log, for every entrance: who did what, when, to whom, for which
//! report. Moderation actions, role changes, sign-up decisions (here, through
//! [`record`]) and federation-policy and partner-directory changes (written by
//! `kindred_db::models::domain_policy::record` in their own transactions, kind
//! `federation.*`) all land in one table and are read through [`list`]. Entries are
//! never edited: the only changes are [`forget_account`] (erasure) and [`prune`]
//! (retention).

use chrono::{DateTime, Utc};
use kindred_db::models::audit_log::{self as repo, AuditEntryRow};
pub use kindred_db::models::audit_log::{AuditEntryRow as Entry, AuditQuery, ERASED};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::moderation::AuditKind;
use kindred_domain::IdGenerator;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A local account through the API.
    Account(i64),
    /// The operator, through `kindred admin`.
    Cli,
}

impl Actor {
    fn id(self) -> Option<i64> {
        match self {
            Self::Account(id) => Some(id),
            Self::Cli => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::Cli => "cli",
        }
    }
}

/// One thing that happened, before it is stored.
#[derive(Debug, Clone)]
pub struct Record {
    pub actor: Actor,
    pub kind: AuditKind,
    pub target_account_id: Option<i64>,
    pub report_id: Option<i64>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Stores an entry; call inside the change's transaction, so the entry exists
/// exactly when the change does.
pub fn record(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    r: Record,
) -> Result<Entry, DbError> {
    let row = AuditEntryRow {
        id: ids.next_at(now),
        created_at: now.naive_utc(),
        actor_id: r.actor.id(),
        actor: r.actor.label().to_owned(),
        kind: r.kind.as_str().to_owned(),
        target_account_id: r.target_account_id,
        target: None,
        report_id: r.report_id,
        old_value: r.old_value,
        new_value: r.new_value,
    };
    repo::insert(c, &row)?;
    Ok(row)
}

/// Entries newest first, filtered and paged.
pub fn list(c: &mut AnyConnection, q: &AuditQuery) -> Result<Vec<Entry>, DbError> {
    repo::list(c, q)
}

/// For the erasure of a member's account: their id in every entry (as actor or
/// target) becomes one opaque id that no account has (a negative number, so it can
/// never meet a real id), and the `admin:NAME` label of their federation-policy
/// entries becomes `erased`. Call in the erasure's transaction, with the
/// account's id and username. Returns the opaque id.
pub fn forget_account(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    account_id: i64,
    username: &str,
) -> Result<i64, DbError> {
    let opaque = -ids.next_at(Utc::now());
    repo::forget_account(c, account_id, username, opaque)?;
    Ok(opaque)
}

/// Deletes the entries older than `retention_days` (0 keeps them for ever).
/// Returns how many went.
pub fn prune(
    c: &mut AnyConnection,
    now: DateTime<Utc>,
    retention_days: u32,
) -> Result<usize, DbError> {
    if retention_days == 0 {
        return Ok(0);
    }
    let cutoff = now - chrono::Duration::days(i64::from(retention_days));
    repo::prune_before(c, cutoff.naive_utc())
}
