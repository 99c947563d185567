//! Lists: a member's named groups of followed accounts, each with its own timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::Visibility;

use crate::models::statuses::{Page, StatusRow};
use crate::schema::{accounts, follows, list_accounts, lists, statuses};
use crate::{AccountRow, AnyConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lists)]
pub struct ListRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
    pub created_at: NaiveDateTime,
}

/// Most lists one account may have (Mastodon allows 50).
pub const MAX_LISTS: i64 = 50;

pub fn insert(conn: &mut AnyConnection, row: &ListRow) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n: i64 = lists::table
            .filter(lists::account_id.eq(row.account_id))
            .count()
            .get_result(conn)?;
        if n >= MAX_LISTS {
            return Ok(false);
        }
        diesel::insert_into(lists::table)
            .values(row.clone())
            .execute(conn)?;
        Ok(true)
    })
}

pub fn of_account(conn: &mut AnyConnection, owner: i64) -> Result<Vec<ListRow>, DbError> {
    Ok(lists::table
        .filter(lists::account_id.eq(owner))
        .order(lists::id.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

/// A list, only if `owner` owns it: anyone else gets "not found".
pub fn find_owned(
    conn: &mut AnyConnection,
    owner: i64,
    id: i64,
) -> Result<Option<ListRow>, DbError> {
    Ok(lists::table
        .filter(lists::id.eq(id))
        .filter(lists::account_id.eq(owner))
        .select(ListRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    replies_policy: &str,
    exclusive: bool,
) -> Result<(), DbError> {
    diesel::update(lists::table.find(id))
        .set((
            lists::title.eq(title),
            lists::replies_policy.eq(replies_policy),
            lists::exclusive.eq(exclusive),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(lists::table.find(id)).execute(conn)?;
    Ok(())
}

/// Adds accounts the owner follows; returns false (adding nothing) if any of them is
/// not followed, as Mastodon refuses the whole request then.
pub fn add_accounts(
    conn: &mut AnyConnection,
    list: &ListRow,
    ids: &[i64],
) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let followed: Vec<i64> = follows::table
            .filter(follows::account_id.eq(list.account_id))
            .filter(follows::target_account_id.eq_any(ids.to_vec()))
            .select(follows::target_account_id)
            .load(conn)?;
        if ids.iter().any(|id| !followed.contains(id)) {
            return Ok(false);
        }
        let present: Vec<i64> = list_accounts::table
            .filter(list_accounts::list_id.eq(list.id))
            .filter(list_accounts::account_id.eq_any(ids.to_vec()))
            .select(list_accounts::account_id)
            .load(conn)?;
        for id in ids.iter().filter(|id| !present.contains(id)) {
            diesel::insert_into(list_accounts::table)
                .values((
                    list_accounts::list_id.eq(list.id),
                    list_accounts::account_id.eq(id),
                ))
                .execute(conn)?;
        }
        Ok(true)
    })
}

pub fn remove_accounts(conn: &mut AnyConnection, list_id: i64, ids: &[i64]) -> Result<(), DbError> {
    diesel::delete(
        list_accounts::table
            .filter(list_accounts::list_id.eq(list_id))
            .filter(list_accounts::account_id.eq_any(ids.to_vec())),
    )
    .execute(conn)?;
    Ok(())
}

/// A page of a list's members (by account id, newest account first) — Mastodon pages
/// list members by its own row ids; ours are the account ids.
pub fn members(
    conn: &mut AnyConnection,
    list_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<AccountRow>, DbError> {
    let mut q = list_accounts::table
        .inner_join(accounts::table.on(accounts::id.eq(list_accounts::account_id)))
        .filter(list_accounts::list_id.eq(list_id))
        .filter(accounts::suspended.eq(false))
        .into_boxed();
    if let Some(m) = max_id {
        q = q.filter(accounts::id.lt(m));
    }
    if let Some(s) = since_id {
        q = q.filter(accounts::id.gt(s));
    }
    let mut q = q.order(accounts::id.desc()).select(AccountRow::as_select());
    if let Some(l) = limit {
        q = q.limit(l);
    }
    Ok(q.load(conn)?)
}

pub fn member_ids(conn: &mut AnyConnection, list_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(list_accounts::table
        .filter(list_accounts::list_id.eq(list_id))
        .select(list_accounts::account_id)
        .load(conn)?)
}

/// The owner's lists that contain `target`.
pub fn containing(
    conn: &mut AnyConnection,
    owner: i64,
    target: i64,
) -> Result<Vec<ListRow>, DbError> {
    Ok(lists::table
        .inner_join(list_accounts::table)
        .filter(lists::account_id.eq(owner))
        .filter(list_accounts::account_id.eq(target))
        .order(lists::id.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

/// Members of the owner's exclusive lists: left out of the home timeline.
pub fn exclusive_member_ids(conn: &mut AnyConnection, owner: i64) -> Result<Vec<i64>, DbError> {
    Ok(list_accounts::table
        .inner_join(lists::table)
        .filter(lists::account_id.eq(owner))
        .filter(lists::exclusive.eq(true))
        .select(list_accounts::account_id)
        .distinct()
        .load(conn)?)
}

/// Which replies the list timeline shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepliesPolicy {
    /// Replies to anyone the owner follows (and to the owner).
    Followed,
    /// Replies to other members of the list (and to the owner).
    List,
    None,
}

/// The list timeline: members' public, unlisted and followers-only statuses (the
/// owner follows every member) and boosts, never of hidden accounts.
pub fn timeline(
    conn: &mut AnyConnection,
    owner: i64,
    list_id: i64,
    policy: RepliesPolicy,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let members = list_accounts::table
        .filter(list_accounts::list_id.eq(list_id))
        .select(list_accounts::account_id);
    let mut q = statuses::table
        .into_boxed()
        .filter(statuses::account_id.eq_any(members))
        .filter(
            statuses::visibility.eq_any(
                [
                    Visibility::Public,
                    Visibility::Unlisted,
                    Visibility::Private,
                ]
                .map(Visibility::as_str),
            ),
        )
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(hidden.to_vec()),
        ));
    q = match policy {
        RepliesPolicy::None => q.filter(
            statuses::in_reply_to_account_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq(statuses::account_id.nullable())),
        ),
        RepliesPolicy::List => q.filter(
            statuses::in_reply_to_account_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq(owner))
                .or(statuses::in_reply_to_account_id.eq_any(
                    list_accounts::table
                        .filter(list_accounts::list_id.eq(list_id))
                        .select(list_accounts::account_id.nullable()),
                )),
        ),
        RepliesPolicy::Followed => q.filter(
            statuses::in_reply_to_account_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq(owner))
                .or(statuses::in_reply_to_account_id.eq_any(
                    follows::table
                        .filter(follows::account_id.eq(owner))
                        .select(follows::target_account_id.nullable()),
                )),
        ),
    };
    page.load(conn, q)
}
