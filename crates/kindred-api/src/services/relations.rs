//! Follows, blocks, mutes and follow requests between accounts: what the handlers in
//! `handlers::relations` ask for. The effects of a follow are `kindred_core::follows`
//! (shared with the inbox); this adds what only a local member's action sends.

use chrono::{DateTime, NaiveDateTime, Utc};
use kindred_core::follows::{self, FollowState, NewFollow};
use kindred_db::models::{accounts, outbound, social};
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError};
use kindred_federation::outbox::Outbox;

pub use kindred_db::models::social::AccountList;

use super::{follow_resends, ServiceError};
use crate::AppState;

/// An active account by id (the caller's own included).
pub async fn active_account(state: &AppState, id: i64) -> Result<AccountRow, ServiceError> {
    state
        .db
        .run(move |c| accounts::find(c, id))
        .await?
        .filter(|a| a.is_active())
        .ok_or(ServiceError::NotFound)
}

/// Whether the account is a group's (following it asks to join, and so on).
pub fn is_group(account: &AccountRow) -> bool {
    account.role.is_group()
}

/// `me` follows (or asks to follow) `other`, a person's account; options of an
/// existing follow are updated. A remote account is sent a Follow.
pub async fn follow(
    state: &AppState,
    me: &AccountRow,
    other: &AccountRow,
    reblogs: bool,
    notify: bool,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let notice_id = state.ids.next_at(now);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, other_row) = (me.clone(), other.clone());
    let now = now.naive_utc();
    let followed = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let followed = follows::follow(
                    c,
                    &NewFollow {
                        follower: &me_row,
                        target: &other_row,
                        id,
                        notice_id,
                        reblogs,
                        notify,
                        now,
                    },
                )?;
                send_follow(c, &outbox, &me_row, &other_row, &followed, id, now)?;
                Ok(followed)
            })
        })
        .await?;
    if followed.state == FollowState::Refused {
        return Err(ServiceError::Forbidden("This action is not allowed"));
    }
    state.delivery.wake();
    state.streaming.notifications(&followed.notices);
    Ok(())
}

/// What a member's follow sends: a remote account's new request goes out as a
/// Follow; a remote group's request is sent again until answered.
fn send_follow(
    c: &mut kindred_db::AnyConnection,
    outbox: &Outbox,
    me: &AccountRow,
    other: &AccountRow,
    followed: &follows::Followed,
    row_id: i64,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let requested = followed.state == FollowState::Requested;
    if !followed.new {
        if requested {
            // Asked again while still requested: a remote group's Follow goes out
            // again (its Accept may have been lost).
            follow_resends::requested(c, outbox, me, other, false, now)?;
        }
        return Ok(());
    }
    if !other.is_local() {
        outbox.follow(c, me, other, row_id)?;
        follow_resends::requested(c, outbox, me, other, true, now)?;
    }
    Ok(())
}

/// `me` stops following `other` (or withdraws the request); a remote account is sent
/// the Undo.
pub async fn unfollow(
    state: &AppState,
    me: &AccountRow,
    other: &AccountRow,
) -> Result<(), ServiceError> {
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    let (me_row, other_row) = (me.clone(), other.clone());
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // The Undo names the Follow, so it is queued before the follow goes.
                outbox.unfollow(c, &me_row, &other_row)?;
                follows::unfollow(c, me_row.account_id(), other_row.account_id())
            })
        })
        .await?;
    state.delivery.wake();
    Ok(())
}

/// `me` blocks `other`, a person's account.
pub async fn block(
    state: &AppState,
    me: &AccountRow,
    other: &AccountRow,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let (a, b) = (me.id, other.id);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, other_row) = (me.clone(), other.clone());
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // The block ends follows both ways; a remote server hears only that
                // (Reject of their follow, Undo of ours), never a `Block`, which would
                // tell them who blocked them.
                if outbound::follow_of(c, b, a)?.is_some() {
                    outbox.answer_follow(c, &me_row, &other_row, false)?;
                }
                outbox.unfollow(c, &me_row, &other_row)?;
                social::block(c, id, a, b, now.naive_utc())
            })
        })
        .await?;
    state.delivery.wake();
    Ok(())
}

pub async fn unblock(state: &AppState, me: i64, other: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| social::unblock(c, me, other)).await?)
}

/// `me` mutes `other` until `expires` (`None`: indefinitely), hiding its
/// notifications too when `hide_notifications`.
pub async fn mute(
    state: &AppState,
    me: i64,
    other: i64,
    hide_notifications: bool,
    expires: Option<NaiveDateTime>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let id = state.ids.next_at(now);
    state
        .db
        .run(move |c| {
            social::mute(
                c,
                id,
                me,
                other,
                hide_notifications,
                expires,
                now.naive_utc(),
            )
        })
        .await?;
    Ok(())
}

pub async fn unmute(state: &AppState, me: i64, other: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| social::unmute(c, me, other)).await?)
}

/// Of `ids`, those `viewer` may ask relationships about (`viewer::existing_for`).
pub async fn existing(
    state: &AppState,
    viewer: i64,
    ids: Vec<i64>,
) -> Result<Vec<i64>, ServiceError> {
    Ok(state
        .db
        .run(move |c| super::viewer::existing_for(c, viewer, &ids))
        .await?)
}

/// A page of accounts (followers, following, requests, blocks, mutes), each with the
/// id it is paged by.
pub async fn account_list(
    state: &AppState,
    which: AccountList,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, AccountRow)>, ServiceError> {
    let now = Utc::now().naive_utc();
    Ok(state
        .db
        .run(move |c| social::account_list(c, which, max_id, since_id, limit, now))
        .await?)
}

/// `me` answers `requester`'s follow request; a remote requester hears the Accept or
/// Reject. `NotFound` when there was no request.
pub async fn decide(
    state: &AppState,
    me: &AccountRow,
    requester: &AccountRow,
    accept: bool,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let fid = state.ids.next_at(now);
    let nid = state.ids.next_at(now);
    let (me_id, req_id) = (me.id, requester.id);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (me_row, requester_row) = (me.clone(), requester.clone());
    let answered = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if accept {
                    let (requester, target) = (requester_row.account_id(), me_row.account_id());
                    let stored = follows::accept(c, fid, nid, requester, target, now.naive_utc())?;
                    if stored.is_some() {
                        outbox.answer_follow(c, &me_row, &requester_row, true)?;
                    }
                    return Ok(stored);
                }
                // Answered while the request still holds the Follow's id.
                if kindred_db::models::federated::follow_requested(c, req_id, me_id)? {
                    outbox.answer_follow(c, &me_row, &requester_row, false)?;
                }
                let (requester, target) = (requester_row.account_id(), me_row.account_id());
                Ok(follows::reject(c, requester, target)?.then(Vec::new))
            })
        })
        .await?;
    state.delivery.wake();
    let stored = answered.ok_or(ServiceError::NotFound)?;
    state.streaming.notifications(&stored);
    Ok(())
}
