//! What a moderator's action on one account does, for the admin API and the
//! command line alike (issue 24, "Acting"): Mastodon's `action` types and their
//! undos, role changes and sign-up decisions. Each runs in the caller's
//! transaction, records its audit entry there, and tells a local member what
//! happened and why (an account warning with its `moderation_warning`
//! notification, never naming the moderator or a reporter). The caller then sends
//! what federation needs ([`Outcome::federate`]).
//!
//! - `suspend`: `accounts.suspended` (which hides the account and its posts
//!   everywhere: timelines, groups, statuses by id, the actor, WebFinger) with a
//!   `suspended` restriction saying it was a moderator, so lifting a domain block
//!   never lifts it. A local account's tokens and authorization codes are revoked
//!   at once; other servers are told. A remote account's follows of our members
//!   end (it receives nothing more), as Mastodon does.
//! - `silence`: a `silenced_accounts` row of origin `moderator` (the same table
//!   domain blocks use, so one rule reads both).
//! - `disable` (local only): no login, tokens revoked. `sensitive`: recorded.
//! - `none`: the warning alone.

use chrono::{DateTime, Utc};
use kindred_db::models::moderation::{self as repo, WarningRow};
use kindred_db::models::notifications::NotificationRow;
use kindred_db::models::{accounts, silenced};
use kindred_db::{AccountRow, AnyConnection};
use kindred_domain::moderation::{AccountAction, AccountUndo, AuditKind, MAX_WARNING_TEXT};
use kindred_domain::{IdGenerator, NotificationKind, Role};

use crate::audit::{self, Actor, Record};
use crate::CoreError;

/// Why a moderation request is refused (stable codes in [`CoreError::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such account, or a group's actor account.
    NotFound,
    /// `disable` of a remote account.
    NotApplicable,
    /// Acting on oneself.
    OnSelf,
    /// A moderator acting on a moderator or an admin (admins may).
    OnStaff,
    /// Demoting the last admin.
    LastAdmin,
    /// Approving or rejecting an account that is not waiting.
    NotPending,
    /// A warning text over [`MAX_WARNING_TEXT`].
    TextTooLong,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "account_not_found",
            Self::NotApplicable => "action_not_applicable",
            Self::OnSelf => "action_on_self",
            Self::OnStaff => "action_on_staff",
            Self::LastAdmin => "last_admin",
            Self::NotPending => "not_pending",
            Self::TextTooLong => "text_too_long",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "Record not found",
            Self::NotApplicable => "This action does not apply to this account",
            Self::OnSelf => "You cannot act on your own account",
            Self::OnStaff => "Only an admin can act on a moderator or an admin",
            Self::LastAdmin => "The last admin cannot be given another role",
            Self::NotPending => "This account is not waiting for approval",
            Self::TextTooLong => "The text is too long",
        }
    }
}

/// Who acts, with their role (to check acting on staff), and why.
#[derive(Debug, Clone)]
pub struct Acting {
    pub actor: Actor,
    /// `None` for the command line, which the operator runs with every power.
    pub role: Option<Role>,
    pub report_id: Option<i64>,
    pub text: String,
}

/// What other servers must be told about a local account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Federate {
    Suspended,
    Unsuspended,
}

/// What an action did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The account as it is now.
    pub account: AccountRow,
    /// The member's `moderation_warning`, to stream once committed.
    pub notifications: Vec<NotificationRow>,
    /// A local account's suspension changed: send the actor's `Update`.
    pub federate: Option<Federate>,
}

fn load(c: &mut AnyConnection, id: i64) -> Result<AccountRow, CoreError> {
    match accounts::find(c, id)? {
        Some(a) if !a.role.is_group() => Ok(a),
        _ => Err(CoreError::Moderation(Refusal::NotFound)),
    }
}

fn may_act_on(acting: &Acting, target: &AccountRow) -> Result<(), CoreError> {
    if acting.actor == Actor::Account(target.id) {
        return Err(CoreError::Moderation(Refusal::OnSelf));
    }
    let target_staff = target.role.may_moderate();
    if target_staff && acting.role.is_some_and(|r| !r.is_admin()) {
        return Err(CoreError::Moderation(Refusal::OnStaff));
    }
    Ok(())
}

/// `POST /api/v1/admin/accounts/:id/action` and `kindred admin accounts
/// suspend|silence NAME`.
pub fn act(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    target_id: i64,
    action: AccountAction,
    acting: &Acting,
) -> Result<Outcome, CoreError> {
    let target = load(c, target_id)?;
    may_act_on(acting, &target)?;
    if !action.applies_to(target.is_local()) {
        return Err(CoreError::Moderation(Refusal::NotApplicable));
    }
    if acting.text.chars().count() > MAX_WARNING_TEXT {
        return Err(CoreError::Moderation(Refusal::TextTooLong));
    }
    let t = now.naive_utc();
    let mut federate = None;
    match action {
        AccountAction::None => {}
        AccountAction::Sensitive => {
            repo::restrict(c, target.id, repo::SENSITIZED, t)?;
        }
        AccountAction::Disable => {
            repo::restrict(c, target.id, repo::DISABLED, t)?;
            repo::revoke_all_tokens(c, target.id, t)?;
        }
        AccountAction::Silence => {
            repo::silence(c, target.id, t)?;
        }
        AccountAction::Suspend => {
            repo::restrict(c, target.id, repo::SUSPENDED, t)?;
            if !target.suspended {
                repo::set_suspended(c, target.id, true, t)?;
            }
            if target.is_local() {
                repo::revoke_all_tokens(c, target.id, t)?;
                federate = Some(Federate::Suspended);
            } else {
                repo::sever_follows(c, target.id)?;
            }
        }
    }
    audit::record(
        c,
        ids,
        now,
        Record {
            actor: acting.actor,
            kind: AuditKind::Action(action),
            target_account_id: Some(target.id),
            report_id: acting.report_id,
            old_value: None,
            new_value: (!acting.text.is_empty()).then(|| acting.text.clone()),
        },
    )?;
    let mut notifications = Vec::new();
    if action.warns(target.is_local()) {
        let warning = WarningRow {
            id: ids.next_at(now),
            target_account_id: target.id,
            action: action.as_str().to_owned(),
            text: acting.text.clone(),
            report_id: acting.report_id,
            created_at: t,
        };
        notifications.push(repo::warn(
            c,
            &warning,
            NotificationKind::ModerationWarning,
        )?);
    }
    Ok(Outcome {
        account: load(c, target.id)?,
        notifications,
        federate,
    })
}

/// `POST …/:id/enable|unsilence|unsuspend|unsensitive` and the CLI's
/// `unsuspend|unsilence`. Unsuspending lifts the moderator's suspension; the
/// account stays suspended while its domain is (or its own server says so).
pub fn undo(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    target_id: i64,
    undo: AccountUndo,
    acting: &Acting,
) -> Result<Outcome, CoreError> {
    let target = load(c, target_id)?;
    may_act_on(acting, &target)?;
    let t = now.naive_utc();
    let mut federate = None;
    match undo {
        AccountUndo::Enable => {
            repo::lift(c, target.id, repo::DISABLED)?;
        }
        AccountUndo::Unsensitive => {
            repo::lift(c, target.id, repo::SENSITIZED)?;
        }
        AccountUndo::Unsilence => {
            repo::unsilence(c, target.id)?;
        }
        AccountUndo::Unsuspend => {
            repo::lift(c, target.id, repo::SUSPENDED)?;
            let still = repo::has_restriction(c, target.id, repo::SUSPENDED_REMOTE)?
                || (!target.is_local() && repo::domain_suspended(c, &target.domain)?);
            if target.suspended && !still {
                repo::set_suspended(c, target.id, false, t)?;
                if target.is_local() {
                    federate = Some(Federate::Unsuspended);
                }
            }
        }
    }
    audit::record(
        c,
        ids,
        now,
        Record {
            actor: acting.actor,
            kind: AuditKind::Undo(undo),
            target_account_id: Some(target.id),
            report_id: acting.report_id,
            old_value: None,
            new_value: None,
        },
    )?;
    Ok(Outcome {
        account: load(c, target.id)?,
        notifications: Vec::new(),
        federate,
    })
}

/// Changes a local person's role (admins only: the caller checks). Refuses to
/// leave the instance without an admin.
pub fn set_role(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    target_id: i64,
    role: Role,
    actor: Actor,
) -> Result<AccountRow, CoreError> {
    let target = load(c, target_id)?;
    let Some(old) = target.role.person().filter(|_| target.is_local()) else {
        return Err(CoreError::Moderation(Refusal::NotFound));
    };
    if old.is_admin() && !role.is_admin() && accounts::local_admin_ids(c)?.len() <= 1 {
        return Err(CoreError::Moderation(Refusal::LastAdmin));
    }
    if old != role {
        accounts::set_role(c, target.id, role, now.naive_utc())?;
        audit::record(
            c,
            ids,
            now,
            Record {
                actor,
                kind: AuditKind::Role,
                target_account_id: Some(target.id),
                report_id: None,
                old_value: Some(old.as_str().to_owned()),
                new_value: Some(role.as_str().to_owned()),
            },
        )?;
    }
    load(c, target.id)
}

/// Approves a sign-up waiting for approval (`approve`, `kindred admin approve-user`).
pub fn approve(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    target_id: i64,
    actor: Actor,
) -> Result<AccountRow, CoreError> {
    let target = load(c, target_id)?;
    if !target.is_local() || target.approved {
        return Err(CoreError::Moderation(Refusal::NotPending));
    }
    accounts::approve(c, &target.username, now.naive_utc())?;
    // The applicant hears of it by email when they gave an address.
    crate::mail::sign_up_decided(c, ids, target.id, true, now)?;
    audit::record(
        c,
        ids,
        now,
        Record {
            actor,
            kind: AuditKind::SignUpApprove,
            target_account_id: Some(target.id),
            report_id: None,
            old_value: None,
            new_value: None,
        },
    )?;
    load(c, target.id)
}

/// Rejects a sign-up waiting for approval: the pending account is deleted (it has
/// posted nothing), as Mastodon does. Returns the account as it was.
pub fn reject(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    now: DateTime<Utc>,
    target_id: i64,
    actor: Actor,
) -> Result<AccountRow, CoreError> {
    let target = load(c, target_id)?;
    if !target.is_local() || target.approved {
        return Err(CoreError::Moderation(Refusal::NotPending));
    }
    // Queued (with the address sealed) before the row and its address go.
    crate::mail::sign_up_decided(c, ids, target.id, false, now)?;
    if !accounts::delete_pending(c, target.id)? {
        return Err(CoreError::Moderation(Refusal::NotPending));
    }
    audit::record(
        c,
        ids,
        now,
        Record {
            actor,
            kind: AuditKind::SignUpReject,
            target_account_id: Some(target.id),
            report_id: None,
            old_value: None,
            new_value: None,
        },
    )?;
    Ok(target)
}

/// What an account's state reads as in the admin API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State {
    pub silenced: bool,
    pub disabled: bool,
    pub sensitized: bool,
}

pub fn state(c: &mut AnyConnection, account_id: i64) -> Result<State, kindred_db::DbError> {
    let kinds = repo::restrictions(c, account_id)?;
    Ok(State {
        silenced: silenced::is_silenced(c, account_id)?,
        disabled: kinds.iter().any(|k| k == repo::DISABLED),
        sensitized: kinds.iter().any(|k| k == repo::SENSITIZED),
    })
}

/// Whether an account may log in (not disabled); suspension and approval are
/// checked on the row.
pub fn may_log_in(c: &mut AnyConnection, account_id: i64) -> Result<bool, kindred_db::DbError> {
    Ok(!repo::has_restriction(c, account_id, repo::DISABLED)?)
}

/// Its own server says a remote account is (or is no longer) suspended, in the
/// actor document it serves or sends (`suspended`, Mastodon's `toot:suspended`).
/// A suspension of ours (a moderator's, a domain block's) is not lifted by it.
pub fn remote_says_suspended(
    c: &mut AnyConnection,
    account: &AccountRow,
    suspended: bool,
    now: DateTime<Utc>,
) -> Result<(), kindred_db::DbError> {
    if account.is_local() {
        return Ok(());
    }
    let t = now.naive_utc();
    if suspended {
        repo::restrict(c, account.id, repo::SUSPENDED_REMOTE, t)?;
        if !account.suspended {
            repo::set_suspended(c, account.id, true, t)?;
        }
    } else if repo::lift(c, account.id, repo::SUSPENDED_REMOTE)?
        && !repo::has_restriction(c, account.id, repo::SUSPENDED)?
        && !repo::domain_suspended(c, &account.domain)?
    {
        repo::set_suspended(c, account.id, false, t)?;
    }
    Ok(())
}
