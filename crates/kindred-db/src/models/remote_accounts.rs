//! Remote actors: an `accounts` row (the public profile, `domain` = their host) plus a
//! `remote_accounts` row with the addresses federation needs. Written only from a
//! document fetched from the actor's own origin; never touches a local account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::native;
use crate::models::accounts::AccountRow;
use crate::models::{search_index, silenced};
use crate::schema::{accounts, remote_accounts};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = remote_accounts)]
pub struct RemoteAccountRow {
    pub account_id: i64,
    pub uri: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub url: Option<String>,
    pub actor_type: String,
    pub fetched_at: NaiveDateTime,
    pub key_refetched_at: Option<NaiveDateTime>,
}

/// What an actor document says, already checked and cleaned by the caller.
#[derive(Debug, Clone)]
pub struct RemoteProfile {
    pub uri: String,
    pub username: String,
    /// Normalised host[:port] of `uri`.
    pub domain: String,
    pub display_name: String,
    /// Plain text.
    pub note: String,
    pub public_key_pem: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub url: Option<String>,
    pub actor_type: String,
}

pub fn find_by_uri(
    conn: &mut AnyConnection,
    uri: &str,
) -> Result<Option<(AccountRow, RemoteAccountRow)>, DbError> {
    Ok(native!(conn, c => remote_accounts::table
        .inner_join(accounts::table)
        .filter(remote_accounts::uri.eq(uri))
        .filter(accounts::domain.ne(""))
        .select((AccountRow::as_select(), RemoteAccountRow::as_select()))
        .first(c)
        .optional())?)
}

pub fn find(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Option<RemoteAccountRow>, DbError> {
    Ok(remote_accounts::table
        .find(account_id)
        .select(RemoteAccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts or refreshes a remote actor by its `uri`. `new_id` is used when it is new.
/// A username already held on that host by another actor is a `Conflict`.
pub fn upsert(
    conn: &mut AnyConnection,
    new_id: i64,
    p: &RemoteProfile,
    now: NaiveDateTime,
) -> Result<(AccountRow, RemoteAccountRow), DbError> {
    if p.domain.is_empty() {
        // An empty domain would make it a local account.
        return Err(DbError::Conflict);
    }
    match upsert_once(conn, new_id, p, now) {
        // On PostgreSQL two first deliveries from one new actor can both find no
        // row and both insert; the second meets the first's row, committed
        // meanwhile, and refreshes it instead. A true clash (another actor with
        // that username) conflicts again.
        Err(DbError::Conflict) => upsert_once(conn, new_id, p, now),
        other => other,
    }
}

fn upsert_once(
    conn: &mut AnyConnection,
    new_id: i64,
    p: &RemoteProfile,
    now: NaiveDateTime,
) -> Result<(AccountRow, RemoteAccountRow), DbError> {
    crate::transaction::atomically(conn, |conn| {
        let existing = find_by_uri(conn, &p.uri)?;
        let id = match &existing {
            Some((account, _)) => {
                diesel::update(
                    accounts::table
                        .find(account.id)
                        .filter(accounts::domain.ne("")),
                )
                .set((
                    accounts::username.eq(&p.username),
                    accounts::username_lower.eq(p.username.to_lowercase()),
                    accounts::display_name.eq(&p.display_name),
                    accounts::note.eq(&p.note),
                    accounts::public_key_pem.eq(&p.public_key_pem),
                    accounts::locked.eq(p.locked),
                    accounts::bot.eq(p.bot),
                    accounts::discoverable.eq(p.discoverable),
                    accounts::updated_at.eq(now),
                ))
                .execute(conn)?;
                diesel::update(remote_accounts::table.find(account.id))
                    .set((
                        remote_accounts::inbox_url.eq(&p.inbox_url),
                        remote_accounts::shared_inbox_url.eq(&p.shared_inbox_url),
                        remote_accounts::followers_url.eq(&p.followers_url),
                        remote_accounts::url.eq(&p.url),
                        remote_accounts::actor_type.eq(&p.actor_type),
                        remote_accounts::fetched_at.eq(now),
                    ))
                    .execute(conn)?;
                account.id
            }
            None => {
                diesel::insert_into(accounts::table)
                    .values((
                        accounts::id.eq(new_id),
                        accounts::username.eq(&p.username),
                        accounts::username_lower.eq(p.username.to_lowercase()),
                        accounts::domain.eq(&p.domain),
                        accounts::display_name.eq(&p.display_name),
                        accounts::note.eq(&p.note),
                        accounts::role.eq(kindred_domain::Role::Member.as_str()),
                        accounts::public_key_pem.eq(&p.public_key_pem),
                        accounts::locked.eq(p.locked),
                        accounts::bot.eq(p.bot),
                        accounts::discoverable.eq(p.discoverable),
                        accounts::hide_collections.eq(false),
                        // Remote accounts are live as soon as known; suspension is ours.
                        accounts::approved.eq(true),
                        accounts::created_at.eq(now),
                        accounts::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                diesel::insert_into(remote_accounts::table)
                    .values(RemoteAccountRow {
                        account_id: new_id,
                        uri: p.uri.clone(),
                        inbox_url: p.inbox_url.clone(),
                        shared_inbox_url: p.shared_inbox_url.clone(),
                        followers_url: p.followers_url.clone(),
                        url: p.url.clone(),
                        actor_type: p.actor_type.clone(),
                        fetched_at: now,
                        key_refetched_at: None,
                    })
                    .execute(conn)?;
                new_id
            }
        };
        // An account of a silenced domain is silenced from the moment it is known.
        silenced::mark_if_domain_silenced(conn, id, &p.domain, now)?;
        search_index::index_account(conn, id, &p.display_name)?;
        find_by_uri(conn, &p.uri)?.ok_or(DbError::NotFound)
    })
}

/// Claims the right to re-fetch an actor's key after a failed signature: true at most
/// once per `interval`, across processes (a conditional update).
pub fn claim_key_refetch(
    conn: &mut AnyConnection,
    account_id: i64,
    now: NaiveDateTime,
    not_since: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        remote_accounts::table.find(account_id).filter(
            remote_accounts::key_refetched_at
                .is_null()
                .or(remote_accounts::key_refetched_at.lt(not_since)),
        ),
    )
    .set(remote_accounts::key_refetched_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Removes a remote actor and, by cascade, everything of theirs. Never a local one.
pub fn delete(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        // Its meeting listings are plain meetings rows: removed explicitly, or they
        // would stay listed without an origin.
        let remote = accounts::table
            .find(account_id)
            .filter(accounts::domain.ne(""))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if remote {
            super::remote_meetings::delete_of_account(conn, account_id)?;
        }
        Ok(diesel::delete(
            accounts::table
                .find(account_id)
                .filter(accounts::domain.ne("")),
        )
        .execute(conn)?
            > 0)
    })
}

/// Actor id and profile URL of the remote accounts among `ids` (for presenting
/// them: their links point home, not here).
pub fn addresses(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (String, Option<String>)>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(remote_accounts::table
        .filter(remote_accounts::account_id.eq_any(ids.to_vec()))
        .select((
            remote_accounts::account_id,
            remote_accounts::uri,
            remote_accounts::url,
        ))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, uri, url)| (id, (uri, url)))
        .collect())
}

/// The remote accounts among `ids` that are `Group` actors (shown with `group: true`).
pub fn groups_among(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(remote_accounts::table
        .filter(remote_accounts::account_id.eq_any(ids.to_vec()))
        .filter(remote_accounts::actor_type.eq("Group"))
        .select(remote_accounts::account_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}
