//! The effects of a follow, whichever entrance it comes through: the client API (a
//! member follows, unfollows, accepts or rejects a request) or the inbox (a remote
//! account's Follow, Undo, or the Accept/Reject of one of ours).
//!
//! The rule, once:
//! - Blocked either way: nothing happens (the caller says so in its own dialect).
//! - A follow of a remote account, a locked one, or from a limited (silenced)
//!   follower the target does not follow is a *request*; anything else is followed
//!   at once. An existing follow stays a follow when asked again (its options are
//!   updated), never turning back into a request.
//! - The local target is notified once, when the follow or request is new:
//!   `follow` or `follow_request`.
//! - Accepting turns the request into a follow and its `follow_request` notice into
//!   a `follow` notice; rejecting drops the request and its notice.
//! - Unfollowing (an Undo, or a Reject of an accepted follow) drops the follow or the
//!   request, the follower's list memberships and both notices.
//!
//! Each function runs in the caller's transaction and returns what it committed;
//! the caller sends what federation needs (Follow, Accept, Reject, Undo) after it.

use chrono::NaiveDateTime;
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::{accounts, silenced, social};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::{AccountId, NotificationKind};

/// A follow asked for by `follower` of `target`.
pub struct NewFollow<'a> {
    pub follower: &'a AccountRow,
    pub target: &'a AccountRow,
    /// The id of the follow (or request) row, if one is created.
    pub id: i64,
    /// The id of the notification, if one is sent.
    pub notice_id: i64,
    pub reblogs: bool,
    pub notify: bool,
    pub now: NaiveDateTime,
}

/// Where a follow stands once asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    /// A block stands between the two: nothing was stored.
    Refused,
    /// The follow holds.
    Following,
    /// A request waits for the target's answer.
    Requested,
}

/// What [`follow`] committed.
#[derive(Debug)]
pub struct Followed {
    pub state: FollowState,
    /// The follow or request was created now (not only its options updated).
    pub new: bool,
    /// The notices stored, for the streaming API once committed.
    pub notices: Vec<NotificationRow>,
}

/// Follows or asks to follow; see the module's rule.
pub fn follow(c: &mut AnyConnection, f: &NewFollow<'_>) -> Result<Followed, DbError> {
    let (a, b) = (f.follower.id, f.target.id);
    if social::blocked_either_way(c, a, b)? {
        return Ok(Followed {
            state: FollowState::Refused,
            new: false,
            notices: Vec::new(),
        });
    }
    let requested = !social::is_following(c, a, b)?
        && (f.target.locked || !f.target.is_local() || silenced::is_limited_for(c, a, b)?);
    let (new, state, kind) = if requested {
        let new = social::request_follow(c, f.id, a, b, f.reblogs, f.notify, f.now)?;
        (new, FollowState::Requested, NotificationKind::FollowRequest)
    } else {
        let new = social::follow(c, f.id, a, b, f.reblogs, f.notify, f.now)?;
        (new, FollowState::Following, NotificationKind::Follow)
    };
    let notices = if new && f.target.is_local() {
        notif::insert(
            c,
            &[NotificationRow::new(
                f.notice_id,
                f.target.account_id(),
                f.follower.account_id(),
                kind,
                None,
                f.now,
            )],
        )?
    } else {
        Vec::new()
    };
    Ok(Followed {
        state,
        new,
        notices,
    })
}

/// `follower` stops following `target` (or withdraws the request): the follow, the
/// request, the follower's list memberships of the target and both notices go.
pub fn unfollow(
    c: &mut AnyConnection,
    follower: AccountId,
    target: AccountId,
) -> Result<(), DbError> {
    let (follower, target) = (follower.get(), target.get());
    social::unfollow(c, follower, target)?;
    notif::retract(c, target, follower, NotificationKind::Follow, None)?;
    notif::retract(c, target, follower, NotificationKind::FollowRequest, None)
}

/// `target` accepts `requester`'s request. `None` when there was no request; else the
/// notices stored (a local target's `follow_request` notice becomes a `follow` one).
pub fn accept(
    c: &mut AnyConnection,
    follow_id: i64,
    notice_id: i64,
    requester: AccountId,
    target: AccountId,
    now: NaiveDateTime,
) -> Result<Option<Vec<NotificationRow>>, DbError> {
    let (r, t) = (requester.get(), target.get());
    if !social::authorize_request(c, follow_id, r, t, now)? {
        return Ok(None);
    }
    notif::retract(c, t, r, NotificationKind::FollowRequest, None)?;
    if !accounts::find(c, t)?.is_some_and(|t| t.is_local()) {
        return Ok(Some(Vec::new()));
    }
    let notice = NotificationRow::new(
        notice_id,
        target,
        requester,
        NotificationKind::Follow,
        None,
        now,
    );
    notif::insert(c, &[notice]).map(Some)
}

/// `target` declines `requester`'s request: the request and its notice go. False when
/// there was no request.
pub fn reject(
    c: &mut AnyConnection,
    requester: AccountId,
    target: AccountId,
) -> Result<bool, DbError> {
    let (requester, target) = (requester.get(), target.get());
    if !social::reject_request(c, requester, target)? {
        return Ok(false);
    }
    notif::retract(c, target, requester, NotificationKind::FollowRequest, None)?;
    Ok(true)
}
