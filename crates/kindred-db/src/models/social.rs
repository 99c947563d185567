//! Relations between accounts: follows, follow requests, blocks and mutes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::native;
use crate::models::accounts::AccountRow;
use crate::schema::{accounts, blocks, follow_requests, follows, list_accounts, lists, mutes};
use crate::{AnyConnection, DbError};

/// How `a` relates to `b`, from `a`'s side, as the Relationship entity shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relation {
    pub following: Option<(bool, bool)>, // (show_reblogs, notify)
    pub requested: bool,
    pub followed_by: bool,
    pub requested_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: Option<bool>, // hide_notifications
}

pub fn relation(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
    now: NaiveDateTime,
) -> Result<Relation, DbError> {
    let following = follows::table
        .filter(follows::account_id.eq(a))
        .filter(follows::target_account_id.eq(b))
        .select((follows::show_reblogs, follows::notify))
        .first::<(bool, bool)>(conn)
        .optional()?;
    let exists_req = |conn: &mut AnyConnection, x: i64, y: i64| -> Result<bool, DbError> {
        let n: i64 = follow_requests::table
            .filter(follow_requests::account_id.eq(x))
            .filter(follow_requests::target_account_id.eq(y))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    let exists_block = |conn: &mut AnyConnection, x: i64, y: i64| -> Result<bool, DbError> {
        let n: i64 = blocks::table
            .filter(blocks::account_id.eq(x))
            .filter(blocks::target_account_id.eq(y))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    let followed_by: i64 = follows::table
        .filter(follows::account_id.eq(b))
        .filter(follows::target_account_id.eq(a))
        .count()
        .get_result(conn)?;
    let muting = mutes::table
        .filter(mutes::account_id.eq(a))
        .filter(mutes::target_account_id.eq(b))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select(mutes::hide_notifications)
        .first::<bool>(conn)
        .optional()?;
    Ok(Relation {
        following,
        requested: exists_req(conn, a, b)?,
        followed_by: followed_by > 0,
        requested_by: exists_req(conn, b, a)?,
        blocking: exists_block(conn, a, b)?,
        blocked_by: exists_block(conn, b, a)?,
        muting,
    })
}

pub fn is_following(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, DbError> {
    let n: i64 = follows::table
        .filter(follows::account_id.eq(a))
        .filter(follows::target_account_id.eq(b))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Creates or updates a follow. Returns true when it is new.
pub fn follow(
    conn: &mut AnyConnection,
    id: i64,
    a: i64,
    b: i64,
    show_reblogs: bool,
    notify: bool,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        // A request that becomes a follow keeps the id of its Follow activity.
        let uri: Option<String> = follow_requests::table
            .filter(follow_requests::account_id.eq(a))
            .filter(follow_requests::target_account_id.eq(b))
            .select(follow_requests::uri)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
        diesel::delete(
            follow_requests::table
                .filter(follow_requests::account_id.eq(a))
                .filter(follow_requests::target_account_id.eq(b)),
        )
        .execute(conn)?;
        let updated = diesel::update(
            follows::table
                .filter(follows::account_id.eq(a))
                .filter(follows::target_account_id.eq(b)),
        )
        .set((
            follows::show_reblogs.eq(show_reblogs),
            follows::notify.eq(notify),
        ))
        .execute(conn)?;
        if updated > 0 {
            return Ok(false);
        }
        diesel::insert_into(follows::table)
            .values((
                follows::id.eq(id),
                follows::account_id.eq(a),
                follows::target_account_id.eq(b),
                follows::show_reblogs.eq(show_reblogs),
                follows::notify.eq(notify),
                follows::created_at.eq(now),
                follows::uri.eq(uri),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Creates or updates a pending follow request. Returns true when it is new.
pub fn request_follow(
    conn: &mut AnyConnection,
    id: i64,
    a: i64,
    b: i64,
    show_reblogs: bool,
    notify: bool,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        follow_requests::table
            .filter(follow_requests::account_id.eq(a))
            .filter(follow_requests::target_account_id.eq(b)),
    )
    .set((
        follow_requests::show_reblogs.eq(show_reblogs),
        follow_requests::notify.eq(notify),
    ))
    .execute(conn)?;
    if updated > 0 {
        return Ok(false);
    }
    diesel::insert_into(follow_requests::table)
        .values((
            follow_requests::id.eq(id),
            follow_requests::account_id.eq(a),
            follow_requests::target_account_id.eq(b),
            follow_requests::show_reblogs.eq(show_reblogs),
            follow_requests::notify.eq(notify),
            follow_requests::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Leaves `target` out of all of `owner`'s lists: called when the follow ends.
fn remove_from_lists(conn: &mut AnyConnection, owner: i64, target: i64) -> Result<(), DbError> {
    diesel::delete(
        list_accounts::table
            .filter(list_accounts::account_id.eq(target))
            .filter(
                list_accounts::list_id.eq_any(
                    lists::table
                        .filter(lists::account_id.eq(owner))
                        .select(lists::id),
                ),
            ),
    )
    .execute(conn)?;
    Ok(())
}

/// Removes a follow and any pending request from `a` to `b`, and `b` from `a`'s lists
/// (a list holds only followed accounts).
pub fn unfollow(conn: &mut AnyConnection, a: i64, b: i64) -> Result<(), DbError> {
    remove_from_lists(conn, a, b)?;
    diesel::delete(
        follows::table
            .filter(follows::account_id.eq(a))
            .filter(follows::target_account_id.eq(b)),
    )
    .execute(conn)?;
    diesel::delete(
        follow_requests::table
            .filter(follow_requests::account_id.eq(a))
            .filter(follow_requests::target_account_id.eq(b)),
    )
    .execute(conn)?;
    Ok(())
}

/// The accounts `a` has a pending follow request to.
pub fn requested_targets(conn: &mut AnyConnection, a: i64) -> Result<Vec<i64>, DbError> {
    Ok(follow_requests::table
        .filter(follow_requests::account_id.eq(a))
        .select(follow_requests::target_account_id)
        .load(conn)?)
}

/// Turns `requester`'s pending request to `target` into a follow. False if none.
pub fn authorize_request(
    conn: &mut AnyConnection,
    follow_id: i64,
    requester: i64,
    target: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let req = follow_requests::table
            .filter(follow_requests::account_id.eq(requester))
            .filter(follow_requests::target_account_id.eq(target))
            .select((follow_requests::show_reblogs, follow_requests::notify))
            .first::<(bool, bool)>(conn)
            .optional()?;
        let Some((show_reblogs, notify)) = req else {
            return Ok(false);
        };
        follow(
            conn,
            follow_id,
            requester,
            target,
            show_reblogs,
            notify,
            now,
        )?;
        Ok(true)
    })
}

pub fn reject_request(
    conn: &mut AnyConnection,
    requester: i64,
    target: i64,
) -> Result<bool, DbError> {
    Ok(diesel::delete(
        follow_requests::table
            .filter(follow_requests::account_id.eq(requester))
            .filter(follow_requests::target_account_id.eq(target)),
    )
    .execute(conn)?
        > 0)
}

/// Blocking severs follows both ways and pending requests, as Mastodon does.
pub fn block(
    conn: &mut AnyConnection,
    id: i64,
    a: i64,
    b: i64,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        unfollow(conn, a, b)?;
        unfollow(conn, b, a)?;
        let exists: i64 = blocks::table
            .filter(blocks::account_id.eq(a))
            .filter(blocks::target_account_id.eq(b))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(blocks::table)
                .values((
                    blocks::id.eq(id),
                    blocks::account_id.eq(a),
                    blocks::target_account_id.eq(b),
                    blocks::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn unblock(conn: &mut AnyConnection, a: i64, b: i64) -> Result<(), DbError> {
    diesel::delete(
        blocks::table
            .filter(blocks::account_id.eq(a))
            .filter(blocks::target_account_id.eq(b)),
    )
    .execute(conn)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn mute(
    conn: &mut AnyConnection,
    id: i64,
    a: i64,
    b: i64,
    hide_notifications: bool,
    expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::delete(
            mutes::table
                .filter(mutes::account_id.eq(a))
                .filter(mutes::target_account_id.eq(b)),
        )
        .execute(conn)?;
        diesel::insert_into(mutes::table)
            .values((
                mutes::id.eq(id),
                mutes::account_id.eq(a),
                mutes::target_account_id.eq(b),
                mutes::hide_notifications.eq(hide_notifications),
                mutes::expires_at.eq(expires_at),
                mutes::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn unmute(conn: &mut AnyConnection, a: i64, b: i64) -> Result<(), DbError> {
    diesel::delete(
        mutes::table
            .filter(mutes::account_id.eq(a))
            .filter(mutes::target_account_id.eq(b)),
    )
    .execute(conn)?;
    Ok(())
}

/// Which list of accounts to page through. Pages go by the relation row's id, as
/// Mastodon's do, so the `Link` header carries those ids.
#[derive(Debug, Clone, Copy)]
pub enum AccountList {
    Followers(i64),
    Following(i64),
    FollowRequests(i64),
    Blocks(i64),
    Mutes(i64),
}

/// One page of accounts with the relation id each was found by, newest first.
pub fn account_list(
    conn: &mut AnyConnection,
    list: AccountList,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<(i64, AccountRow)>, DbError> {
    macro_rules! page {
        ($table:ident, $owner:ident, $other:ident, $who:expr) => {{
            let mut q = $table::table
                .inner_join(accounts::table.on(accounts::id.eq($table::$other)))
                .filter($table::$owner.eq($who))
                .filter(accounts::suspended.eq(false))
                .into_boxed();
            if let Some(m) = max_id {
                q = q.filter($table::id.lt(m));
            }
            if let Some(s) = since_id {
                q = q.filter($table::id.gt(s));
            }
            q.order($table::id.desc())
                .limit(limit)
                .select(($table::id, AccountRow::as_select()))
                .load::<(i64, AccountRow)>(conn)?
        }};
    }
    Ok(match list {
        AccountList::Followers(a) => page!(follows, target_account_id, account_id, a),
        AccountList::Following(a) => page!(follows, account_id, target_account_id, a),
        AccountList::FollowRequests(a) => {
            page!(follow_requests, target_account_id, account_id, a)
        }
        AccountList::Blocks(a) => page!(blocks, account_id, target_account_id, a),
        AccountList::Mutes(a) => {
            let mut rows = page!(mutes, account_id, target_account_id, a);
            // Expired mutes are not listed; they are cleaned up on the next mute.
            let live: Vec<i64> = mutes::table
                .filter(mutes::account_id.eq(a))
                .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
                .select(mutes::target_account_id)
                .load(conn)?;
            rows.retain(|(_, acc)| live.contains(&acc.id));
            rows
        }
    })
}

pub fn follow_request_count(conn: &mut AnyConnection, target: i64) -> Result<i64, DbError> {
    Ok(follow_requests::table
        .filter(follow_requests::target_account_id.eq(target))
        .count()
        .get_result(conn)?)
}

/// Local followers of `a` (for notifications of new statuses with `notify`).
pub fn notifying_followers(conn: &mut AnyConnection, a: i64) -> Result<Vec<i64>, DbError> {
    Ok(native!(conn, c => follows::table
        .filter(follows::target_account_id.eq(a))
        .filter(follows::notify.eq(true))
        .select(follows::account_id)
        .load(c))?)
}

pub fn find_accounts(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<AccountRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::table
        .filter(accounts::id.eq_any(ids.to_vec()))
        .select(AccountRow::as_select())
        .load(conn)?)
}

/// Ids of the accounts `viewer` follows.
pub fn following_ids(conn: &mut AnyConnection, viewer: i64) -> Result<Vec<i64>, DbError> {
    Ok(follows::table
        .filter(follows::account_id.eq(viewer))
        .select(follows::target_account_id)
        .load(conn)?)
}

/// Accounts on the other side of a block from `viewer`, either direction, and accounts
/// `viewer` mutes (mutes past their expiry do not count).
pub struct Shunned {
    pub blocked_either_way: Vec<i64>,
    pub muted: Vec<i64>,
}

pub fn shunned(
    conn: &mut AnyConnection,
    viewer: i64,
    now: NaiveDateTime,
) -> Result<Shunned, DbError> {
    let mut blocked: Vec<i64> = blocks::table
        .filter(blocks::account_id.eq(viewer))
        .select(blocks::target_account_id)
        .load(conn)?;
    blocked.extend(
        blocks::table
            .filter(blocks::target_account_id.eq(viewer))
            .select(blocks::account_id)
            .load::<i64>(conn)?,
    );
    blocked.sort_unstable();
    blocked.dedup();
    let muted = mutes::table
        .filter(mutes::account_id.eq(viewer))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select(mutes::target_account_id)
        .load(conn)?;
    Ok(Shunned {
        blocked_either_way: blocked,
        muted,
    })
}

/// Whether either of the two blocked the other (mutes do not count).
pub fn blocked_either_way(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, DbError> {
    let n: i64 = native!(conn, c => blocks::table
        .filter(
            blocks::account_id
                .eq(a)
                .and(blocks::target_account_id.eq(b))
                .or(blocks::account_id
                    .eq(b)
                    .and(blocks::target_account_id.eq(a))),
        )
        .count()
        .get_result(c))?;
    Ok(n > 0)
}
