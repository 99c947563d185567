//! Mastodon's admin entities for account moderation: `Admin::Account`, the
//! `AccountWarning` a member is shown, and Kindred's audit-log entry. Data Kindred
//! never keeps answers empty: no email (never serialized, invariant 2), no IP.

use serde::Serialize;

use super::account::Role;
use super::time::timestamp;
use super::Account;
use crate::services::moderation::{AdminView, WarningRow};

#[derive(Debug, Serialize)]
pub struct AdminAccount {
    pub id: String,
    pub username: String,
    pub domain: Option<String>,
    pub created_at: String,
    /// Never the address (invariant 2); Mastodon apps read an empty value.
    pub email: String,
    /// Client IPs are never stored.
    pub ip: Option<String>,
    pub ips: Vec<serde_json::Value>,
    pub locale: Option<String>,
    pub invite_request: Option<String>,
    pub role: Role,
    pub confirmed: bool,
    pub approved: bool,
    pub disabled: bool,
    pub silenced: bool,
    pub suspended: bool,
    pub sensitized: bool,
    pub account: Account,
    pub created_by_application_id: Option<String>,
    pub invited_by_account_id: Option<String>,
}

impl AdminAccount {
    pub fn new(view: &AdminView, account: Account) -> Self {
        let a = &view.account;
        Self {
            id: a.id.to_string(),
            username: a.username.clone(),
            domain: (!a.is_local()).then(|| a.domain.clone()),
            created_at: format!("{}T00:00:00.000Z", a.created_at.date().format("%Y-%m-%d")),
            email: String::new(),
            ip: None,
            ips: Vec::new(),
            locale: None,
            invite_request: view.user.as_ref().and_then(|u| u.sign_up_reason.clone()),
            role: Role::of(a),
            confirmed: a.is_local(),
            approved: a.approved,
            disabled: view.state.disabled,
            silenced: view.state.silenced,
            suspended: a.suspended,
            sensitized: view.state.sensitized,
            account,
            created_by_application_id: None,
            invited_by_account_id: None,
        }
    }
}

/// Mastodon 4.3's `AccountWarning`, as the member acted on reads it: what was done
/// and the moderator's explanation, never who reported or who acted.
#[derive(Debug, Serialize)]
pub struct AccountWarning {
    pub id: String,
    pub action: String,
    pub text: String,
    pub status_ids: Vec<String>,
    pub target_account: Account,
    pub appeal: Option<serde_json::Value>,
    pub created_at: String,
}

impl AccountWarning {
    pub fn new(w: &WarningRow, target_account: Account) -> Self {
        Self {
            id: w.id.to_string(),
            action: w.action.clone(),
            text: w.text.clone(),
            status_ids: Vec::new(),
            target_account,
            appeal: None,
            created_at: timestamp(w.created_at),
        }
    }
}

/// One audit-log entry (`GET /api/v1/admin/kindred/audit_log`).
#[derive(Debug, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub created_at: String,
    /// The acting account's id; `null` for the command line.
    pub actor_id: Option<String>,
    /// `account`, `cli`, `admin:NAME` (federation-policy entries) or `erased`.
    pub actor: String,
    pub kind: String,
    pub target_account_id: Option<String>,
    /// A domain, for federation-policy and directory entries.
    pub target: Option<String>,
    pub report_id: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl From<&kindred_core::audit::Entry> for AuditEntry {
    fn from(e: &kindred_core::audit::Entry) -> Self {
        Self {
            id: e.id.to_string(),
            created_at: timestamp(e.created_at),
            actor_id: e.actor_id.map(|i| i.to_string()),
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            target_account_id: e.target_account_id.map(|i| i.to_string()),
            target: e.target.clone(),
            report_id: e.report_id.map(|i| i.to_string()),
            old_value: e.old_value.clone(),
            new_value: e.new_value.clone(),
        }
    }
}
