//! What queues an email, for every entrance: each function runs in the caller's
//! transaction and writes outbox rows only (`kindred_db::models::email`); the mail
//! worker in `kindred serve` sends them later, so no request waits for, or fails
//! with, the SMTP server. The messages themselves are `kindred_domain::mail`.

use chrono::{DateTime, Utc};
use kindred_db::models::accounts;
use kindred_db::models::email::{self as store, NewOutboxRow, OptIn};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::mail::MailKind;
use kindred_domain::NotificationKind;

/// Queues one message of `kind` to the account's address. `sealed` is the
/// encrypted token of a link message. Nothing is queued for an account without an
/// address.
pub fn enqueue(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    account_id: i64,
    kind: MailKind,
    sealed: Option<Vec<u8>>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let has_address =
        accounts::find_user(c, account_id)?.is_some_and(|u| u.email_ciphertext.is_some());
    if !has_address {
        return Ok(false);
    }
    store::enqueue(
        c,
        &NewOutboxRow {
            id: ids.next_at(now),
            account_id: Some(account_id),
            kind: kind.as_str().to_owned(),
            sealed,
            next_attempt_at: now.naive_utc(),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(true)
}

/// An admin (or moderator) decided a pending sign-up: the applicant hears of it if
/// they gave an address. Call it in the transaction that approves, or, for a
/// rejection, before the account is deleted: the message then keeps the encrypted
/// address until it is sent, since the account's row goes.
pub fn sign_up_decided(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    account_id: i64,
    approved: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if approved {
        return enqueue(c, ids, account_id, MailKind::SignUpApproved, None, now);
    }
    let Some(address) = accounts::find_user(c, account_id)?.and_then(|u| u.email_ciphertext) else {
        return Ok(false);
    };
    store::enqueue(
        c,
        &NewOutboxRow {
            id: ids.next_at(now),
            account_id: None,
            kind: MailKind::SignUpRejected.as_str().to_owned(),
            sealed: Some(address),
            next_attempt_at: now.naive_utc(),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(true)
}

/// The opt-in messages that go with a meeting notification: a reminder, a place
/// confirmed. Only to members who chose them and whose address is confirmed; the
/// message names no meeting (`kindred_domain::mail`).
pub fn with_notification(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    kind: NotificationKind,
    recipients: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (opt_in, mail) = match kind {
        NotificationKind::EventReminder => (OptIn::MeetingReminders, MailKind::MeetingReminder),
        NotificationKind::ParticipationAccepted => {
            (OptIn::PlaceConfirmed, MailKind::PlaceConfirmed)
        }
        _ => return Ok(()),
    };
    for account in store::opted_in(c, recipients, opt_in)? {
        enqueue(c, ids, account, mail, None, now)?;
    }
    Ok(())
}
