//! Account moderation storage (migration `2026-12-07-000040_moderation_accounts`):
//! account warnings (Mastodon's AccountWarning, what the member acted on is told)
//! and the restrictions put on one account (`account_restrictions`). The effective
//! suspension stays `accounts.suspended`, which every listing already reads; the
//! restriction rows say why, so a lifted domain block never lifts a moderator's
//! suspension, nor the other way round.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::federation_policy::Severity;
use kindred_domain::NotificationKind;

use crate::connection::native;
use crate::models::NotificationRow;
use crate::schema::{
    account_restrictions, account_warnings, accounts, notifications, oauth_authorization_codes,
    oauth_tokens,
};
use crate::{AnyConnection, DbError};

/// Suspended by a moderator of this instance.
pub const SUSPENDED: &str = "suspended";
/// Suspended by its own (remote) server, which said so in its actor document.
pub const SUSPENDED_REMOTE: &str = "suspended_remote";
/// May not log in (Mastodon's `disable`).
pub const DISABLED: &str = "disabled";
/// Its media is marked sensitive (Mastodon's `sensitive`).
pub const SENSITIZED: &str = "sensitized";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_warnings)]
pub struct WarningRow {
    pub id: i64,
    pub target_account_id: i64,
    pub action: String,
    pub text: String,
    pub report_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Stores a warning and its `moderation_warning` notification (same id), from the
/// member's own account: the notification names neither moderator nor reporter.
/// Written directly, not through `notifications::insert`, which drops notices to
/// oneself.
pub fn warn(
    conn: &mut AnyConnection,
    row: &WarningRow,
    kind: NotificationKind,
) -> Result<NotificationRow, DbError> {
    diesel::insert_into(account_warnings::table)
        .values(row.clone())
        .execute(conn)?;
    let notice = NotificationRow::new(
        row.id,
        kindred_domain::AccountId::new(row.target_account_id),
        kindred_domain::AccountId::new(row.target_account_id),
        kind,
        None,
        row.created_at,
    );
    native!(conn, c => diesel::insert_into(notifications::table)
        .values(notice.clone())
        .execute(c))?;
    Ok(notice)
}

pub fn warnings_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<WarningRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(account_warnings::table
        .filter(account_warnings::id.eq_any(ids.to_vec()))
        .select(WarningRow::as_select())
        .load(conn)?)
}

pub fn warning(conn: &mut AnyConnection, id: i64) -> Result<Option<WarningRow>, DbError> {
    Ok(account_warnings::table
        .find(id)
        .select(WarningRow::as_select())
        .first(conn)
        .optional()?)
}

/// The restriction kinds on an account.
pub fn restrictions(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<String>, DbError> {
    Ok(account_restrictions::table
        .filter(account_restrictions::account_id.eq(account_id))
        .select(account_restrictions::kind)
        .load(conn)?)
}

pub fn has_restriction(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: &str,
) -> Result<bool, DbError> {
    Ok(account_restrictions::table
        .find((account_id, kind))
        .select(account_restrictions::account_id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Adds a restriction; false when it was already there.
pub fn restrict(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    if has_restriction(conn, account_id, kind)? {
        return Ok(false);
    }
    diesel::insert_into(account_restrictions::table)
        .values((
            account_restrictions::account_id.eq(account_id),
            account_restrictions::kind.eq(kind),
            account_restrictions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Lifts a restriction; false when there was none.
pub fn lift(conn: &mut AnyConnection, account_id: i64, kind: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(account_restrictions::table.find((account_id, kind))).execute(conn)? > 0)
}

/// The accounts among `ids` with a suspension of their own (a moderator's or their
/// server's), which a lifted domain block must leave suspended.
pub fn individually_suspended(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(account_restrictions::table
        .filter(account_restrictions::account_id.eq_any(ids.to_vec()))
        .filter(account_restrictions::kind.eq_any([SUSPENDED, SUSPENDED_REMOTE]))
        .select(account_restrictions::account_id)
        .distinct()
        .load(conn)?)
}

/// Sets the effective flag `accounts.suspended`.
pub fn set_suspended(
    conn: &mut AnyConnection,
    account_id: i64,
    suspended: bool,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::suspended.eq(suspended),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the stored domain blocks suspend `domain` (most specific rule decides).
pub fn domain_suspended(conn: &mut AnyConnection, domain: &str) -> Result<bool, DbError> {
    Ok(super::silenced::domain_block_severity(conn, domain)? == Some(Severity::Suspend))
}

/// Revokes every live token of an account and deletes its unused authorization
/// codes: a suspended or disabled member's token stops working at once. Returns
/// the tokens revoked.
pub fn revoke_all_tokens(
    conn: &mut AnyConnection,
    account_id: i64,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    diesel::delete(
        oauth_authorization_codes::table
            .filter(oauth_authorization_codes::account_id.eq(account_id)),
    )
    .execute(conn)?;
    Ok(diesel::update(
        oauth_tokens::table
            .filter(oauth_tokens::account_id.eq(account_id))
            .filter(oauth_tokens::revoked_at.is_null()),
    )
    .set(oauth_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Accounts for the admin API, newest first: local or remote, by state.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// `Some(true)`: local only; `Some(false)`: remote only.
    pub local: Option<bool>,
    pub pending: bool,
    /// Approved and not suspended.
    pub active: bool,
    pub suspended: bool,
    pub silenced: bool,
    pub disabled: bool,
    pub sensitized: bool,
    /// Staff only (moderators and admins).
    pub staff: bool,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub by_domain: Option<String>,
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

pub fn list_accounts(
    conn: &mut AnyConnection,
    f: &AccountFilter,
) -> Result<Vec<crate::AccountRow>, DbError> {
    use crate::schema::silenced_accounts;
    use kindred_domain::{AccountRole, Role};
    let mut q = accounts::table
        // A group's actor account is not a person to moderate here.
        .filter(accounts::role.ne(AccountRole::Group.as_str()))
        .into_boxed();
    match f.local {
        Some(true) => q = q.filter(accounts::domain.eq("")),
        Some(false) => q = q.filter(accounts::domain.ne("")),
        None => {}
    }
    if f.pending {
        q = q.filter(accounts::approved.eq(false));
    }
    if f.suspended {
        q = q.filter(accounts::suspended.eq(true));
    }
    if f.active {
        q = q
            .filter(accounts::approved.eq(true))
            .filter(accounts::suspended.eq(false));
    }
    if f.silenced {
        q = q.filter(
            accounts::id.eq_any(silenced_accounts::table.select(silenced_accounts::account_id)),
        );
    }
    for (wanted, kind) in [(f.disabled, DISABLED), (f.sensitized, SENSITIZED)] {
        if wanted {
            q = q.filter(
                accounts::id.eq_any(
                    account_restrictions::table
                        .filter(account_restrictions::kind.eq(kind))
                        .select(account_restrictions::account_id),
                ),
            );
        }
    }
    if f.staff {
        q = q.filter(accounts::role.eq_any([
            AccountRole::Person(Role::Moderator).as_str(),
            AccountRole::Person(Role::Admin).as_str(),
        ]));
    }
    if let Some(u) = &f.username {
        q = q.filter(
            accounts::username_lower
                .like(format!("{}%", like_escape(&u.to_lowercase())))
                .escape('\\'),
        );
    }
    if let Some(n) = &f.display_name {
        q = q.filter(
            accounts::display_name
                .like(format!("%{}%", like_escape(n)))
                .escape('\\'),
        );
    }
    if let Some(d) = &f.by_domain {
        q = q.filter(accounts::domain.eq(d.to_lowercase()));
    }
    let rows: Vec<crate::AccountRow> =
        crate::models::paging::page_by_id!(q, accounts::id, f.max_id, f.since_id, f.min_id)
            .limit(f.limit)
            .select(crate::AccountRow::as_select())
            .load(conn)?;
    Ok(crate::models::paging::newest_first(rows, f.min_id))
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Ends a (remote) account's follows of accounts here and its pending requests,
/// as Mastodon does when it suspends a remote account: a suspended remote follower
/// receives nothing more. Our members' follows of it stay (its posts are hidden
/// while it is suspended, and show again when it is not). Returns the rows removed.
pub fn sever_follows(conn: &mut AnyConnection, account_id: i64) -> Result<usize, DbError> {
    use crate::schema::{follow_requests, follows};
    let f =
        diesel::delete(follows::table.filter(follows::account_id.eq(account_id))).execute(conn)?;
    let r =
        diesel::delete(follow_requests::table.filter(follow_requests::account_id.eq(account_id)))
            .execute(conn)?;
    Ok(f + r)
}

/// Silences one account by a moderator's decision; false when already silenced.
pub fn silence(
    conn: &mut AnyConnection,
    account_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    use crate::schema::silenced_accounts;
    if super::silenced::is_silenced(conn, account_id)? {
        return Ok(false);
    }
    diesel::insert_into(silenced_accounts::table)
        .values((
            silenced_accounts::account_id.eq(account_id),
            silenced_accounts::origin.eq(super::silenced::ORIGIN_MODERATOR),
            silenced_accounts::silenced_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Lifts an account's silence, whatever its origin (a domain block still in force
/// marks it again at its next change); false when it was not silenced.
pub fn unsilence(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    use crate::schema::silenced_accounts;
    Ok(diesel::delete(silenced_accounts::table.find(account_id)).execute(conn)? > 0)
}
