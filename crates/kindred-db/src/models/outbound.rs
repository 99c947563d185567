//! What outbound federation reads and records: the inboxes of remote followers and
//! of named remote accounts, and the ids of the Follow and Like activities behind
//! rows, so that an Undo, Accept or Reject names the activity it answers.

use diesel::prelude::*;

use crate::schema::{accounts, favourites, follow_requests, follows, remote_accounts};
use crate::{AnyConnection, DbError};

/// Where a remote actor receives activities.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct RemoteInbox {
    pub account_id: i64,
    /// The actor id.
    pub uri: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
}

impl RemoteInbox {
    /// The shared inbox where one is offered (one request per instance), else the
    /// actor's own.
    pub fn preferred(&self) -> &str {
        self.shared_inbox_url.as_deref().unwrap_or(&self.inbox_url)
    }
}

type InboxColumns = (
    remote_accounts::account_id,
    remote_accounts::uri,
    remote_accounts::inbox_url,
    remote_accounts::shared_inbox_url,
);

const INBOX_COLUMNS: InboxColumns = (
    remote_accounts::account_id,
    remote_accounts::uri,
    remote_accounts::inbox_url,
    remote_accounts::shared_inbox_url,
);

/// Remote accounts (not suspended) that follow `account_id`.
pub fn follower_inboxes(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<RemoteInbox>, DbError> {
    let followers = follows::table
        .filter(follows::target_account_id.eq(account_id))
        .select(follows::account_id);
    Ok(remote_accounts::table
        .inner_join(accounts::table)
        .filter(remote_accounts::account_id.eq_any(followers))
        .filter(accounts::domain.ne(""))
        .filter(accounts::suspended.eq(false))
        .select(INBOX_COLUMNS)
        .load(conn)?)
}

/// The remote accounts (not suspended) among `ids`; local ids are left out.
pub fn inboxes_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<RemoteInbox>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(remote_accounts::table
        .inner_join(accounts::table)
        .filter(remote_accounts::account_id.eq_any(ids.to_vec()))
        .filter(accounts::domain.ne(""))
        .filter(accounts::suspended.eq(false))
        .select(INBOX_COLUMNS)
        .load(conn)?)
}

/// Records the Follow activity id behind `a` → `b` (a follow or a pending request).
pub fn set_follow_uri(conn: &mut AnyConnection, a: i64, b: i64, uri: &str) -> Result<(), DbError> {
    diesel::update(
        follows::table
            .filter(follows::account_id.eq(a))
            .filter(follows::target_account_id.eq(b)),
    )
    .set(follows::uri.eq(uri))
    .execute(conn)?;
    diesel::update(
        follow_requests::table
            .filter(follow_requests::account_id.eq(a))
            .filter(follow_requests::target_account_id.eq(b)),
    )
    .set(follow_requests::uri.eq(uri))
    .execute(conn)?;
    Ok(())
}

/// The row id and Follow activity id of `a` → `b`: the follow if there is one, else
/// the pending request.
pub fn follow_of(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
) -> Result<Option<(i64, Option<String>)>, DbError> {
    let follow = follows::table
        .filter(follows::account_id.eq(a))
        .filter(follows::target_account_id.eq(b))
        .select((follows::id, follows::uri))
        .first::<(i64, Option<String>)>(conn)
        .optional()?;
    if follow.is_some() {
        return Ok(follow);
    }
    Ok(follow_requests::table
        .filter(follow_requests::account_id.eq(a))
        .filter(follow_requests::target_account_id.eq(b))
        .select((follow_requests::id, follow_requests::uri))
        .first::<(i64, Option<String>)>(conn)
        .optional()?)
}

/// The id of `account_id`'s favourite of `status_id`, if any.
pub fn favourite_id(
    conn: &mut AnyConnection,
    account_id: i64,
    status_id: i64,
) -> Result<Option<i64>, DbError> {
    Ok(favourites::table
        .filter(favourites::account_id.eq(account_id))
        .filter(favourites::status_id.eq(status_id))
        .select(favourites::id)
        .first(conn)
        .optional()?)
}

/// The instances (domains) a non-public local status was sent to: those of its
/// remote mentioned accounts and, unless direct, of its author's remote followers.
/// A signed fetch from one of them may read it, as delivery to its shared inbox did.
pub fn audience_domains(
    conn: &mut AnyConnection,
    author_id: i64,
    status_id: i64,
    with_followers: bool,
) -> Result<Vec<String>, DbError> {
    let mentioned = crate::schema::mentions::table
        .filter(crate::schema::mentions::status_id.eq(status_id))
        .select(crate::schema::mentions::account_id);
    let mut domains: Vec<String> = accounts::table
        .filter(accounts::id.eq_any(mentioned))
        .filter(accounts::domain.ne(""))
        .select(accounts::domain)
        .distinct()
        .load(conn)?;
    if with_followers {
        let followers = follows::table
            .filter(follows::target_account_id.eq(author_id))
            .select(follows::account_id);
        domains.extend(
            accounts::table
                .filter(accounts::id.eq_any(followers))
                .filter(accounts::domain.ne(""))
                .select(accounts::domain)
                .distinct()
                .load::<String>(conn)?,
        );
    }
    Ok(domains)
}

/// A known remote account by `username@domain` (case-insensitive), with its profile
/// URL (or actor id when it has none), for linking a mention.
pub fn remote_by_handle(
    conn: &mut AnyConnection,
    username: &str,
    domain: &str,
) -> Result<Option<(crate::AccountRow, String)>, DbError> {
    Ok(accounts::table
        .inner_join(remote_accounts::table)
        .filter(accounts::username_lower.eq(username.to_lowercase()))
        .filter(accounts::domain.eq(domain.to_lowercase()))
        .select((
            crate::AccountRow::as_select(),
            remote_accounts::uri,
            remote_accounts::url,
        ))
        .first::<(crate::AccountRow, String, Option<String>)>(conn)
        .optional()?
        .map(|(a, uri, url)| (a, url.unwrap_or(uri))))
}

/// The software recorded (from NodeInfo) for each of these instance domains that
/// has one; outbound activities take the form that software reads.
pub fn software_of(
    conn: &mut AnyConnection,
    domains: &[String],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    use crate::schema::instances;
    if domains.is_empty() {
        return Ok(Default::default());
    }
    Ok(instances::table
        .filter(instances::domain.eq_any(domains.to_vec()))
        .filter(instances::software.is_not_null())
        .select((instances::domain, instances::software.assume_not_null()))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// One inbox on every server we know an actor of (its shared inbox where one is
/// offered), by domain: where an erased account's `Delete` goes, since any of them
/// may hold a copy of it (Mastodon sends an account's deletion to all it knows).
pub fn every_server(conn: &mut AnyConnection) -> Result<Vec<(String, RemoteInbox)>, DbError> {
    let rows: Vec<(String, RemoteInbox)> = remote_accounts::table
        .inner_join(accounts::table)
        .filter(accounts::domain.ne(""))
        .filter(accounts::suspended.eq(false))
        .order((accounts::domain, remote_accounts::account_id))
        .select((accounts::domain, INBOX_COLUMNS))
        .load(conn)?;
    let mut out: Vec<(String, RemoteInbox)> = Vec::new();
    for (domain, inbox) in rows {
        match out.last_mut() {
            Some((d, kept)) if *d == domain => {
                if kept.shared_inbox_url.is_none() && inbox.shared_inbox_url.is_some() {
                    *kept = inbox;
                }
            }
            _ => out.push((domain, inbox)),
        }
    }
    Ok(out)
}
