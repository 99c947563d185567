//! Email (migration `000060_email`): the outbox the mail worker sends from, the
//! single-use links sent by email, and each member's email choices. Nothing here
//! holds an address: the outbox names an account, whose encrypted address is read
//! when the message is sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{email_outbox, email_settings, email_tokens, users};
use crate::{AnyConnection, DbError};

/// A message waiting to be sent.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub kind: String,
    pub sealed: Option<Vec<u8>>,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = email_outbox)]
pub struct NewOutboxRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub kind: String,
    pub sealed: Option<Vec<u8>>,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn enqueue(conn: &mut AnyConnection, row: &NewOutboxRow) -> Result<(), DbError> {
    diesel::insert_into(email_outbox::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Messages due at `now`, oldest first.
pub fn due(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, DbError> {
    Ok(email_outbox::table
        .filter(email_outbox::next_attempt_at.le(now))
        .order((email_outbox::next_attempt_at, email_outbox::id))
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Takes a due message for one attempt: moves its next attempt to `until`, if no
/// other process took it first (its time is still the one read). A process that
/// dies while sending leaves it to be tried again at `until`.
pub fn claim(
    conn: &mut AnyConnection,
    row: &OutboxRow,
    until: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        email_outbox::table
            .find(row.id)
            .filter(email_outbox::next_attempt_at.eq(row.next_attempt_at)),
    )
    .set(email_outbox::next_attempt_at.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// Sent or given up: the message, and what it sealed, leave the database.
pub fn remove(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(email_outbox::table.find(id)).execute(conn)?;
    Ok(())
}

/// A failed attempt: counted, and tried again at `next`.
pub fn retry_at(
    conn: &mut AnyConnection,
    id: i64,
    attempts: i32,
    next: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::attempts.eq(attempts),
            email_outbox::next_attempt_at.eq(next),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages still queued (tests and the worker's log).
pub fn queued(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(email_outbox::table.count().get_result(conn)?)
}

/// Removes every queued message: an instance without email sends nothing, later
/// either.
pub fn clear(conn: &mut AnyConnection) -> Result<usize, DbError> {
    Ok(diesel::delete(email_outbox::table).execute(conn)?)
}

/// A single-use link sent by email.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = email_tokens)]
pub struct EmailTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub purpose: String,
    pub token_hash: String,
    pub email_lookup: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = email_tokens)]
pub struct NewEmailToken {
    pub id: i64,
    pub account_id: i64,
    pub purpose: String,
    pub token_hash: String,
    pub email_lookup: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_token(conn: &mut AnyConnection, new: &NewEmailToken) -> Result<(), DbError> {
    diesel::insert_into(email_tokens::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Whether a link for `purpose` was made for the account since `since` (one
/// message per few minutes, whoever keeps asking).
pub fn issued_since(
    conn: &mut AnyConnection,
    account_id: i64,
    purpose: &str,
    since: NaiveDateTime,
) -> Result<bool, DbError> {
    let n: i64 = email_tokens::table
        .filter(email_tokens::account_id.eq(account_id))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::created_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// An unused, unexpired link (shown as a form; not used up by looking at it, since
/// mail scanners open links).
pub fn find_live_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: &str,
    now: NaiveDateTime,
) -> Result<Option<EmailTokenRow>, DbError> {
    Ok(email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now))
        .select(EmailTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Uses a link up: works once, also when two requests race (conditional update).
pub fn take_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: &str,
    now: NaiveDateTime,
) -> Result<Option<EmailTokenRow>, DbError> {
    let Some(row) = find_live_token(conn, token_hash, purpose, now)? else {
        return Ok(None);
    };
    let n = diesel::update(
        email_tokens::table
            .find(row.id)
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok((n == 1).then_some(row))
}

/// Ends every link of `purpose` of the account (after a reset, the others).
pub fn delete_tokens(
    conn: &mut AnyConnection,
    account_id: i64,
    purpose: &str,
) -> Result<(), DbError> {
    diesel::delete(
        email_tokens::table
            .filter(email_tokens::account_id.eq(account_id))
            .filter(email_tokens::purpose.eq(purpose)),
    )
    .execute(conn)?;
    Ok(())
}

/// Links past their time, used or not, go.
pub fn prune_tokens(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, DbError> {
    Ok(
        diesel::delete(email_tokens::table.filter(email_tokens::expires_at.le(now)))
            .execute(conn)?,
    )
}

/// A member's email choices (all off, nothing confirmed, without a row).
#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = email_settings)]
pub struct EmailSettingsRow {
    pub account_id: i64,
    pub confirmed_lookup: Option<String>,
    pub meeting_reminders: bool,
    pub place_confirmed: bool,
}

pub fn settings(conn: &mut AnyConnection, account_id: i64) -> Result<EmailSettingsRow, DbError> {
    Ok(email_settings::table
        .find(account_id)
        .select(EmailSettingsRow::as_select())
        .first(conn)
        .optional()?
        .unwrap_or(EmailSettingsRow {
            account_id,
            ..Default::default()
        }))
}

/// Stores a member's choices whole (read, changed, written in one transaction by
/// the caller).
pub fn save_settings(conn: &mut AnyConnection, row: &EmailSettingsRow) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |c| {
        let n = diesel::update(email_settings::table.find(row.account_id))
            .set(row)
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(email_settings::table)
                .values(row)
                .execute(c)?;
        }
        Ok(())
    })
}

/// Which opt-in message a member chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptIn {
    MeetingReminders,
    PlaceConfirmed,
}

/// Of `accounts`, those who chose the message and whose address is confirmed (the
/// confirmed look-up hash is still the address's).
pub fn opted_in(
    conn: &mut AnyConnection,
    accounts: &[i64],
    which: OptIn,
) -> Result<Vec<i64>, DbError> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, Option<String>, bool, bool)> = email_settings::table
        .filter(email_settings::account_id.eq_any(accounts))
        .select((
            email_settings::account_id,
            email_settings::confirmed_lookup,
            email_settings::meeting_reminders,
            email_settings::place_confirmed,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (account, confirmed, reminders, place) in rows {
        let chose = match which {
            OptIn::MeetingReminders => reminders,
            OptIn::PlaceConfirmed => place,
        };
        let Some(confirmed) = confirmed.filter(|_| chose) else {
            continue;
        };
        let current: Option<Option<String>> = users::table
            .find(account)
            .select(users::email_lookup)
            .first(conn)
            .optional()?;
        if current.flatten().as_deref() == Some(confirmed.as_str()) {
            out.push(account);
        }
    }
    Ok(out)
}
