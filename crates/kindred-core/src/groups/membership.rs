//! Asking to join a group and taking the request back, whichever entrance it comes
//! through: a member of this instance joins through the client API (a membership), a
//! remote account follows the group's actor through the inbox (FEP-1b12; a follow or
//! follow request of the group's account).
//!
//! The rule, once:
//! - A block either way between the asker and the group refuses the request; a closed
//!   group also refuses a silenced account — local or remote, silenced one by one by
//!   a moderator or with its server — unless the group follows it (one rule:
//!   `silenced::is_limited_for`).
//! - A public group takes the asker at once; a closed one leaves a request.
//! - A new request tells the group's facilitators (`group_request`), nobody else.
//! - A request that goes (withdrawn, declined by leaving or blocking, a remote Undo
//!   of the Follow, or answered by a facilitator: approved, rejected, banned, or the
//!   group turned private) takes the facilitators' notice with it, as Mastodon's
//!   follow-request notices go with their request, except for a facilitator who
//!   still has another request from the same account to look at (`group_request`
//!   names the asker, not the group).
//!
//! Each function runs in the caller's transaction; the caller sends what federation
//! needs (Accept, Reject) after it.

use chrono::{DateTime, Utc};
use kindred_db::models::groups::{self, MembershipRow};
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::{silenced, social};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::groups::MembershipState;
use kindred_domain::{AccountId, GroupId, IdGenerator, NotificationKind};

/// Whether `asker`'s request to join `group` (the group's account id) is refused.
pub fn refused(
    c: &mut AnyConnection,
    asker: &AccountRow,
    group: GroupId,
    closed: bool,
) -> Result<bool, DbError> {
    let group = group.get();
    Ok(social::blocked_either_way(c, asker.id, group)?
        || (closed && silenced::is_limited_for(c, asker.id, group)?))
}

/// Tells `group`'s facilitators of `asker`'s new request to join; returns the notices
/// stored, for the streaming API once committed.
pub fn requested(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    group: GroupId,
    asker: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let notes: Vec<NotificationRow> = facilitators(c, group)?
        .into_iter()
        .map(|f| {
            NotificationRow::new(
                ids.next_at(now),
                f,
                asker,
                NotificationKind::GroupRequest,
                None,
                now.naive_utc(),
            )
        })
        .collect();
    notif::insert(c, &notes)
}

/// `asker`'s request to join `group` is gone (deleted or answered by the caller): the
/// facilitators' notices go, except where another request of the asker remains.
pub fn withdrawn(c: &mut AnyConnection, group: GroupId, asker: AccountId) -> Result<(), DbError> {
    let mut still_asked = Vec::new();
    let mut pending = groups::requested_groups(c, asker.get())?;
    // A remote asker's requests are follow requests of group accounts (an account
    // that is not a group has no facilitators).
    pending.extend(social::requested_targets(c, asker.get())?);
    for g in pending {
        still_asked.extend(facilitators(c, GroupId::new(g))?);
    }
    for f in facilitators(c, group)? {
        if !still_asked.contains(&f) {
            notif::retract(
                c,
                f.get(),
                asker.get(),
                NotificationKind::GroupRequest,
                None,
            )?;
        }
    }
    Ok(())
}

/// Ends a membership, request or invitation (leaving, or blocking the group).
pub fn leave(c: &mut AnyConnection, m: &MembershipRow) -> Result<(), DbError> {
    groups::delete_membership(c, m.id)?;
    if m.state == MembershipState::Requested {
        withdrawn(c, m.group(), m.member())?;
    }
    Ok(())
}

/// Where a remote account's follow of a group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupFollow {
    /// Refused (see [`refused`]): nothing was stored.
    Refused,
    /// The follow holds: the group answers with an Accept.
    Following,
    /// A request waits for the facilitators (`new`: asked for the first time).
    Requested { new: bool },
}

/// A remote account follows a group: it receives the group's public announcements,
/// never its discussions or members. Returns where it stands and the notices stored.
pub fn follow(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    follower: &AccountRow,
    group: GroupId,
    closed: bool,
    now: DateTime<Utc>,
) -> Result<(GroupFollow, Vec<NotificationRow>), DbError> {
    let (a, n) = (follower.id, now.naive_utc());
    if refused(c, follower, group, closed)? {
        return Ok((GroupFollow::Refused, Vec::new()));
    }
    let actor = group.get();
    if !closed {
        social::follow(c, ids.next_at(now), a, actor, true, false, n)?;
        return Ok((GroupFollow::Following, Vec::new()));
    }
    // Already approved: a repeated Follow stays a follow.
    if social::is_following(c, a, actor)? {
        return Ok((GroupFollow::Following, Vec::new()));
    }
    let new = social::request_follow(c, ids.next_at(now), a, actor, true, false, n)?;
    let notices = if new {
        requested(c, ids, group, follower.account_id(), now)?
    } else {
        Vec::new()
    };
    Ok((GroupFollow::Requested { new }, notices))
}

/// A remote account stops following a group (an Undo of its Follow): the follow or
/// request goes, and a request's notices with it, as a member's withdrawal does.
pub fn unfollow(c: &mut AnyConnection, follower: AccountId, group: GroupId) -> Result<(), DbError> {
    let was_requested = social::requested_targets(c, follower.get())?.contains(&group.get());
    crate::follows::unfollow(c, follower, group.account())?;
    if was_requested {
        withdrawn(c, group, follower)?;
    }
    Ok(())
}

/// The group's facilitators (and owner), typed.
pub fn facilitators(c: &mut AnyConnection, group: GroupId) -> Result<Vec<AccountId>, DbError> {
    Ok(groups::facilitators(c, group.get())?
        .into_iter()
        .map(AccountId::new)
        .collect())
}
