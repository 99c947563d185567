//! Account moderation rules (issue 24): the actions a moderator takes on one
//! account, as Mastodon's admin API names them, what each does, and how it reads
//! in the audit log and in the member's account warning.

use crate::DomainError;

/// `POST /api/v1/admin/accounts/:id/action`'s `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountAction {
    /// A warning only.
    None,
    /// Its media is marked sensitive.
    Sensitive,
    /// May not log in (local accounts).
    Disable,
    /// Kept out of public timelines and group discovery for those who do not
    /// follow it (Mastodon's "limit").
    Silence,
    /// Hidden everywhere; a local account's tokens are revoked and other servers
    /// are told.
    Suspend,
}

impl AccountAction {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input {
            "none" => Ok(Self::None),
            "sensitive" => Ok(Self::Sensitive),
            "disable" => Ok(Self::Disable),
            "silence" => Ok(Self::Silence),
            "suspend" => Ok(Self::Suspend),
            other => Err(DomainError::InvalidAccountAction(other.to_owned())),
        }
    }

    /// Mastodon's name, also the account warning's `action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Sensitive => "sensitive",
            Self::Disable => "disable",
            Self::Silence => "silence",
            Self::Suspend => "suspend",
        }
    }

    /// Whether it applies to a remote account: disabling a login is for local
    /// accounts only (as in Mastodon); the rest act on our copy.
    pub fn applies_to(self, local: bool) -> bool {
        local || self != Self::Disable
    }

    /// Whether the member is told (a local account gets an account warning; a
    /// remote one has no inbox of ours to read it in).
    pub fn warns(self, local: bool) -> bool {
        local
    }
}

/// The undo of an action: `POST …/:id/enable|unsilence|unsuspend|unsensitive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountUndo {
    Enable,
    Unsilence,
    Unsuspend,
    Unsensitive,
}

impl AccountUndo {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enable => "enable",
            Self::Unsilence => "unsilence",
            Self::Unsuspend => "unsuspend",
            Self::Unsensitive => "unsensitive",
        }
    }
}

/// What an audit entry records, as stored in `audit_log.kind`. Federation-policy
/// entries are `federation.<action>` (written by the federation-policy storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    Action(AccountAction),
    Undo(AccountUndo),
    Role,
    SignUpApprove,
    SignUpReject,
    /// A suspended account's data purged (its id in the entry is already opaque).
    Purge,
    /// A step on a report, by a moderator or a facilitator (`report.<step>`).
    Report(crate::reports::ActionKind),
    /// An erased owner's group passed to its longest-serving facilitator.
    GroupOwnerPassed,
    /// An erased owner's group had no facilitator left: it waits for an admin.
    GroupOwnerless,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action(AccountAction::None) => "account.warn",
            Self::Action(AccountAction::Sensitive) => "account.sensitive",
            Self::Action(AccountAction::Disable) => "account.disable",
            Self::Action(AccountAction::Silence) => "account.silence",
            Self::Action(AccountAction::Suspend) => "account.suspend",
            Self::Undo(AccountUndo::Enable) => "account.enable",
            Self::Undo(AccountUndo::Unsilence) => "account.unsilence",
            Self::Undo(AccountUndo::Unsuspend) => "account.unsuspend",
            Self::Undo(AccountUndo::Unsensitive) => "account.unsensitive",
            Self::Role => "account.role",
            Self::SignUpApprove => "sign_up.approve",
            Self::SignUpReject => "sign_up.reject",
            Self::Purge => "account.purge",
            Self::GroupOwnerPassed => "group.owner_passed",
            Self::GroupOwnerless => "group.ownerless",
            Self::Report(step) => {
                use crate::reports::ActionKind as A;
                match step {
                    A::RemovePost => "report.remove_post",
                    A::HidePost => "report.hide_post",
                    A::Mute => "report.mute",
                    A::Ban => "report.ban",
                    A::Done => "report.done",
                    A::Assign => "report.assign",
                    A::Unassign => "report.unassign",
                    A::Resolve => "report.resolve",
                    A::Reopen => "report.reopen",
                    A::Update => "report.update",
                }
            }
        }
    }
}

/// The longest explanation a moderator may give (Mastodon has no limit; ours keeps
/// a notification readable and a row small).
pub const MAX_WARNING_TEXT: usize = 5000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_as_mastodon_names_them() {
        for a in ["none", "sensitive", "disable", "silence", "suspend"] {
            assert_eq!(AccountAction::parse(a).unwrap().as_str(), a);
        }
        assert!(AccountAction::parse("purge").is_err());
        assert!(AccountAction::parse("Suspend").is_err());
    }

    #[test]
    fn disable_is_for_local_accounts_only() {
        assert!(!AccountAction::Disable.applies_to(false));
        assert!(AccountAction::Suspend.applies_to(false));
        assert!(AccountAction::Disable.applies_to(true));
    }
}
