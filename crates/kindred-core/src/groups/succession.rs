//! Who owns a group once its owner's account is erased (issue 26). The owner's
//! role passes to the group's longest-serving facilitator (the earliest to have
//! joined among its facilitators in good standing). A plain member is never made
//! owner: moderating a peer-support group is a trained facilitator's work, so a
//! group with no facilitator left stays without an owner and is marked for the
//! admins instead (an audit entry `group.ownerless`, which the admin API and
//! `kindred admin` read), as Lemmy leaves a community without moderators to its
//! admins. Either way an audit entry records it.

use chrono::{DateTime, Utc};
use kindred_db::models::groups as repo;
use kindred_db::{AnyConnection, DbError};
use kindred_domain::groups::{GroupRole, MembershipState};
use kindred_domain::moderation::AuditKind;
use kindred_domain::IdGenerator;

use crate::audit::{self, Actor, Record};

/// What became of one group the erased account owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Succession {
    /// The owner's role passed to this account.
    PassedTo { group_id: i64, account_id: i64 },
    /// No facilitator was left: the group waits for an admin.
    Ownerless { group_id: i64 },
}

/// Passes on every group `account_id` owns; call in the erasure's transaction,
/// before the audit log forgets the account (the entries name it as the actor,
/// and so end up under its opaque id).
pub fn pass_on(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Succession>, DbError> {
    let mut out = Vec::new();
    for group_id in repo::owned_by(c, account_id)? {
        let (kind, new_value, done) =
            match repo::longest_serving_facilitator(c, group_id, account_id)? {
                Some(heir) => {
                    repo::set_membership(
                        c,
                        heir.id,
                        MembershipState::Member,
                        GroupRole::Owner,
                        now.naive_utc(),
                    )?;
                    (
                        AuditKind::GroupOwnerPassed,
                        Some(format!("owner {}", heir.account_id)),
                        Succession::PassedTo {
                            group_id,
                            account_id: heir.account_id,
                        },
                    )
                }
                None => (
                    AuditKind::GroupOwnerless,
                    None,
                    Succession::Ownerless { group_id },
                ),
            };
        // The erased owner no longer owns it, even before their rows are purged.
        if let Some(m) = repo::membership(c, group_id, account_id)? {
            repo::set_membership(
                c,
                m.id,
                MembershipState::Member,
                GroupRole::Member,
                now.naive_utc(),
            )?;
        }
        audit::record(
            c,
            ids,
            now,
            Record {
                actor: Actor::Account(account_id),
                kind,
                target_account_id: Some(group_id),
                report_id: None,
                old_value: None,
                new_value,
            },
        )?;
        out.push(done);
    }
    Ok(out)
}
