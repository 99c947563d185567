//! The partner meeting directory: our instance actor's subscriptions to partners'
//! public meeting listings, and the partners' instance actors subscribed to ours.
//! Rows only; who may subscribe and what is sent is decided above (the federation
//! policy in the service, the listings in `kindred_federation::outbox`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::outbound::RemoteInbox;
use crate::schema::{accounts, directory_subscribers, directory_subscriptions, remote_accounts};
use crate::{AnyConnection, DbError};

/// Sent our Follow; no answer yet.
pub const REQUESTED: &str = "requested";
/// The partner accepted: its listings are stored here.
pub const ACCEPTED: &str = "accepted";
/// The partner refused.
pub const REJECTED: &str = "rejected";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = directory_subscriptions)]
pub struct SubscriptionRow {
    pub id: i64,
    /// The partner's domain as the admin named it, normalized.
    pub domain: String,
    /// The partner's instance actor (a remote account).
    pub actor_id: i64,
    /// Our Follow's id.
    pub follow_uri: String,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SubscriptionRow {
    pub fn is_accepted(&self) -> bool {
        self.state == ACCEPTED
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = directory_subscribers)]
pub struct SubscriberRow {
    /// The partner's instance actor.
    pub account_id: i64,
    /// Its Follow's id, named by our Accept.
    pub follow_uri: String,
    pub created_at: NaiveDateTime,
}

/// Every subscription, by domain.
pub fn subscriptions(conn: &mut AnyConnection) -> Result<Vec<SubscriptionRow>, DbError> {
    Ok(directory_subscriptions::table
        .order(directory_subscriptions::domain.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)?)
}

pub fn subscription(
    conn: &mut AnyConnection,
    domain: &str,
) -> Result<Option<SubscriptionRow>, DbError> {
    Ok(directory_subscriptions::table
        .filter(directory_subscriptions::domain.eq(domain))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a new subscription. `false` (nothing written) when the domain already has
/// one.
pub fn subscribe(conn: &mut AnyConnection, row: &SubscriptionRow) -> Result<bool, DbError> {
    if subscription(conn, &row.domain)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(directory_subscriptions::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(true)
}

/// Removes the subscription of `domain`, returning it.
pub fn unsubscribe(
    conn: &mut AnyConnection,
    domain: &str,
) -> Result<Option<SubscriptionRow>, DbError> {
    let Some(row) = subscription(conn, domain)? else {
        return Ok(None);
    };
    diesel::delete(directory_subscriptions::table.find(row.id)).execute(conn)?;
    Ok(Some(row))
}

/// The partner's answer to our Follow `follow_uri`, applied when `actor_id` (who
/// answers) is the actor we followed. Whether a subscription changed.
pub fn answered(
    conn: &mut AnyConnection,
    follow_uri: &str,
    actor_id: i64,
    accepted: bool,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let state = if accepted { ACCEPTED } else { REJECTED };
    Ok(diesel::update(
        directory_subscriptions::table
            .filter(directory_subscriptions::follow_uri.eq(follow_uri))
            .filter(directory_subscriptions::actor_id.eq(actor_id)),
    )
    .set((
        directory_subscriptions::state.eq(state),
        directory_subscriptions::updated_at.eq(now),
    ))
    .execute(conn)?
        > 0)
}

/// Whether listings announced by this remote actor are wanted here: it is the
/// instance actor of a partner whose directory we subscribe to (and it accepted).
pub fn subscribed_to(conn: &mut AnyConnection, actor_id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        directory_subscriptions::table
            .filter(directory_subscriptions::actor_id.eq(actor_id))
            .filter(directory_subscriptions::state.eq(ACCEPTED)),
    ))
    .get_result(conn)?)
}

/// Records a partner's subscription to our listings. `false` when it was already
/// subscribed (its Follow id is refreshed).
pub fn add_subscriber(conn: &mut AnyConnection, row: &SubscriberRow) -> Result<bool, DbError> {
    let known = diesel::update(directory_subscribers::table.find(row.account_id))
        .set(directory_subscribers::follow_uri.eq(&row.follow_uri))
        .execute(conn)?;
    if known > 0 {
        return Ok(false);
    }
    diesel::insert_into(directory_subscribers::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(true)
}

/// Ends a partner's subscription to our listings. Whether there was one.
pub fn remove_subscriber(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(directory_subscribers::table.find(account_id)).execute(conn)? > 0)
}

/// Partners subscribed to our listings, with their domain, by domain.
pub fn subscribers(conn: &mut AnyConnection) -> Result<Vec<(SubscriberRow, String)>, DbError> {
    Ok(directory_subscribers::table
        .inner_join(accounts::table)
        .order(accounts::domain.asc())
        .select((SubscriberRow::as_select(), accounts::domain))
        .load(conn)?)
}

/// Where our listings go: the inboxes of subscribed partners that are not
/// suspended.
pub fn subscriber_inboxes(conn: &mut AnyConnection) -> Result<Vec<RemoteInbox>, DbError> {
    Ok(remote_accounts::table
        .inner_join(accounts::table)
        .filter(
            remote_accounts::account_id
                .eq_any(directory_subscribers::table.select(directory_subscribers::account_id)),
        )
        .filter(accounts::domain.ne(""))
        .filter(accounts::suspended.eq(false))
        .select((
            remote_accounts::account_id,
            remote_accounts::uri,
            remote_accounts::inbox_url,
            remote_accounts::shared_inbox_url,
        ))
        .load(conn)?)
}

/// Cuts the directory both ways with these remote accounts (a suspended domain).
pub fn sever(conn: &mut AnyConnection, remote_ids: &[i64]) -> Result<usize, DbError> {
    if remote_ids.is_empty() {
        return Ok(0);
    }
    let a = diesel::delete(
        directory_subscribers::table
            .filter(directory_subscribers::account_id.eq_any(remote_ids.to_vec())),
    )
    .execute(conn)?;
    let b = diesel::delete(
        directory_subscriptions::table
            .filter(directory_subscriptions::actor_id.eq_any(remote_ids.to_vec())),
    )
    .execute(conn)?;
    Ok(a + b)
}
