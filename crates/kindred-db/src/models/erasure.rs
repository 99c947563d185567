//! A member's erasure (issue 26), as storage sees it: the account made invisible and
//! its logins ended at once (`close`), its rows purged later (`purge`: the `accounts`
//! row goes, and every table that names it cascades), its name kept in
//! `erased_accounts` so no one takes it up. The rules around it are
//! `kindred_core::erasure`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::search_index;
use crate::schema::{
    accounts, blocks, bookmarks, deliveries, erased_accounts, favourites, follow_requests, follows,
    group_memberships, ics_feed_tokens, meeting_participations, oauth_authorization_codes,
    oauth_tokens, remote_meetings, statuses, users,
};
use crate::{AnyConnection, DbError};

/// How much of each kind an account held when it was erased (for the receipt).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    pub statuses: i64,
    pub favourites: i64,
    pub bookmarks: i64,
    pub follows: i64,
    pub follow_requests: i64,
    pub blocks: i64,
    pub group_memberships: i64,
    pub meeting_answers: i64,
}

/// Whether `username_lower` belonged to an erased account (such a name is never
/// given again).
pub fn name_reserved(conn: &mut AnyConnection, username_lower: &str) -> Result<bool, DbError> {
    Ok(erased_accounts::table
        .filter(erased_accounts::username_lower.eq(username_lower))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Whether the account was erased (its rows may still be waiting for the purge).
pub fn is_erased(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    Ok(erased_accounts::table
        .find(account_id)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The erased accounts among `ids` (their rows may still be waiting for the purge).
pub fn erased_among(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(erased_accounts::table
        .filter(erased_accounts::account_id.eq_any(ids.to_vec()))
        .select(erased_accounts::account_id)
        .load(conn)?)
}

/// What the account holds, counted before anything goes.
pub fn held(conn: &mut AnyConnection, id: i64) -> Result<Held, DbError> {
    Ok(Held {
        statuses: statuses::table
            .filter(statuses::account_id.eq(id))
            .count()
            .get_result(conn)?,
        favourites: favourites::table
            .filter(favourites::account_id.eq(id))
            .count()
            .get_result(conn)?,
        bookmarks: bookmarks::table
            .filter(bookmarks::account_id.eq(id))
            .count()
            .get_result(conn)?,
        follows: follows::table
            .filter(follows::account_id.eq(id))
            .count()
            .get_result(conn)?,
        follow_requests: follow_requests::table
            .filter(follow_requests::account_id.eq(id))
            .count()
            .get_result(conn)?,
        blocks: blocks::table
            .filter(blocks::account_id.eq(id))
            .count()
            .get_result(conn)?,
        group_memberships: group_memberships::table
            .filter(group_memberships::account_id.eq(id))
            .count()
            .get_result(conn)?,
        meeting_answers: meeting_participations::table
            .filter(meeting_participations::account_id.eq(id))
            .count()
            .get_result(conn)?,
    })
}

/// The meetings the account answered, each with whether another server hosts it.
pub fn answered_meetings(conn: &mut AnyConnection, id: i64) -> Result<Vec<(i64, bool)>, DbError> {
    let ids: Vec<i64> = meeting_participations::table
        .filter(meeting_participations::account_id.eq(id))
        .select(meeting_participations::meeting_id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let remote: Vec<i64> = remote_meetings::table
        .filter(remote_meetings::meeting_id.eq_any(ids.clone()))
        .select(remote_meetings::meeting_id)
        .load(conn)?;
    Ok(ids.into_iter().map(|m| (m, remote.contains(&m))).collect())
}

/// Makes the account invisible and unusable at once, in the caller's transaction:
/// the name reserved, the account suspended with an empty profile (every listing,
/// look-up and ActivityPub endpoint leaves suspended accounts out), every token and
/// authorization code and calendar feed gone, and the login's email, password and
/// sign-up reason cleared. The private key stays until `purge`: the account still
/// signs its `Delete` and `Leave`s.
pub fn close(
    conn: &mut AnyConnection,
    id: i64,
    username_lower: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(erased_accounts::table)
        .values((
            erased_accounts::account_id.eq(id),
            erased_accounts::username_lower.eq(username_lower),
            erased_accounts::erased_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(accounts::table.find(id))
        .set((
            accounts::suspended.eq(true),
            accounts::display_name.eq(""),
            accounts::note.eq(""),
            accounts::discoverable.eq(false),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    search_index::index_account(conn, id, "")?;
    diesel::update(users::table.find(id))
        .set((
            users::email_ciphertext.eq(None::<Vec<u8>>),
            users::email_lookup.eq(None::<String>),
            users::password_hash.eq(None::<String>),
            users::sign_up_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::delete(oauth_tokens::table.filter(oauth_tokens::account_id.eq(id))).execute(conn)?;
    diesel::delete(
        oauth_authorization_codes::table.filter(oauth_authorization_codes::account_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(ics_feed_tokens::table.filter(ics_feed_tokens::account_id.eq(id)))
        .execute(conn)?;
    Ok(())
}

/// Erased accounts whose rows are still here and may go now: nothing they sign is
/// waiting for delivery any more, or they were erased before `give_up_before`
/// (a server that stays down does not keep a person's data here for days).
pub fn due(
    conn: &mut AnyConnection,
    give_up_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let waiting = deliveries::table
        .filter(deliveries::signer_account_id.is_not_null())
        .select(deliveries::signer_account_id.assume_not_null());
    Ok(erased_accounts::table
        .filter(erased_accounts::purged_at.is_null())
        .filter(
            erased_accounts::account_id
                .ne_all(waiting)
                .or(erased_accounts::erased_at.lt(give_up_before)),
        )
        .order(erased_accounts::account_id)
        .select(erased_accounts::account_id)
        .limit(limit)
        .load(conn)?)
}

/// Deletes the account's row, and with it (foreign-key cascades) its login and key,
/// statuses and their search rows, favourites, bookmarks, follows, blocks, mutes,
/// memberships, meeting answers, notifications, lists, filters and markers, and any
/// delivery it still signs. Marks the erasure purged; the reserved name stays.
pub fn purge(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::delete(deliveries::table.filter(deliveries::signer_account_id.eq(id)))
            .execute(conn)?;
        diesel::delete(accounts::table.find(id)).execute(conn)?;
        diesel::update(erased_accounts::table.find(id))
            .set(erased_accounts::purged_at.eq(now))
            .execute(conn)?;
        Ok(())
    })
}

/// After a purge, on SQLite: rewrites the full-text index so no segment keeps the
/// deleted words (FTS5 records a deletion as a marker until segments merge), then
/// checkpoints and empties the write-ahead log, which holds old page images.
/// `secure_delete` has already zeroed the freed pages of the file. Nothing to do on
/// PostgreSQL, where deleted rows are out of every query's reach at once (and out of
/// the files only once VACUUM's reused space is overwritten: docs/privacy.md).
/// Runs outside any transaction.
pub fn scrub(conn: &mut AnyConnection) -> Result<(), DbError> {
    use diesel::connection::SimpleConnection;
    if let AnyConnection::Sqlite(c) = conn {
        c.batch_execute(
            "INSERT INTO statuses_search (statuses_search) VALUES ('optimize'); \
             PRAGMA wal_checkpoint(TRUNCATE);",
        )?;
    }
    Ok(())
}
