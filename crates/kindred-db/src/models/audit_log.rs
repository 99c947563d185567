//! The audit log (migration `2026-12-07-000040_moderation_accounts`): one table for
//! moderation actions, role changes, sign-up decisions, federation-policy and
//! partner-directory changes. Rows are inserted and read, never updated — except
//! when an erased member's ids are replaced by an opaque one ([`forget_account`])
//! and when retention prunes old rows ([`prune_before`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_log;
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntryRow {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub kind: String,
    pub target_account_id: Option<i64>,
    pub target: Option<String>,
    pub report_id: Option<i64>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, entry: &AuditEntryRow) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table)
        .values(entry.clone())
        .execute(conn)?;
    Ok(())
}

/// What a reader asks for: filters and a newest-first window of ids.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    pub target_account_id: Option<i64>,
    /// A whole kind (`account.suspend`) or a family ending in `.` (`federation.`).
    pub kind: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

/// Entries newest first (oldest first after `min_id`, then reversed, as Mastodon's
/// pages are).
pub fn list(conn: &mut AnyConnection, q: &AuditQuery) -> Result<Vec<AuditEntryRow>, DbError> {
    let mut query = audit_log::table.into_boxed();
    if let Some(a) = q.actor_id {
        query = query.filter(audit_log::actor_id.eq(a));
    }
    if let Some(t) = q.target_account_id {
        query = query.filter(audit_log::target_account_id.eq(t));
    }
    if let Some(k) = &q.kind {
        if k.ends_with('.') {
            query = query.filter(audit_log::kind.like(format!("{}%", k.replace('%', ""))));
        } else {
            query = query.filter(audit_log::kind.eq(k.clone()));
        }
    }
    if let Some(s) = q.since {
        query = query.filter(audit_log::created_at.ge(s));
    }
    let rows: Vec<AuditEntryRow> =
        crate::models::paging::page_by_id!(query, audit_log::id, q.max_id, q.since_id, q.min_id)
            .limit(q.limit)
            .select(AuditEntryRow::as_select())
            .load(conn)?;
    Ok(crate::models::paging::newest_first(rows, q.min_id))
}

/// Replaces an erased account's id, wherever it acted or was acted on, by
/// `opaque` (an id no account has), and the `admin:NAME` label of its
/// federation-policy entries by `erased`. Entries stay, one person's entries stay
/// linked to each other, and nothing names them. Returns the entries changed.
pub fn forget_account(
    conn: &mut AnyConnection,
    account_id: i64,
    username: &str,
    opaque: i64,
) -> Result<usize, DbError> {
    let a = diesel::update(audit_log::table.filter(audit_log::actor_id.eq(account_id)))
        .set((audit_log::actor_id.eq(opaque), audit_log::actor.eq(ERASED)))
        .execute(conn)?;
    let t = diesel::update(audit_log::table.filter(audit_log::target_account_id.eq(account_id)))
        .set(audit_log::target_account_id.eq(opaque))
        .execute(conn)?;
    let l =
        diesel::update(audit_log::table.filter(audit_log::actor.eq(format!("admin:{username}"))))
            .set(audit_log::actor.eq(ERASED))
            .execute(conn)?;
    Ok(a + t + l)
}

/// The actor label of an erased account's entries.
pub const ERASED: &str = "erased";

/// Deletes the entries written before `cutoff` (retention). Returns how many.
pub fn prune_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(audit_log::table.filter(audit_log::created_at.lt(cutoff))).execute(conn)?)
}
