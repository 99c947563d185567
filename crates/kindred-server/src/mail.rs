//! The mail worker: the only code that talks to the SMTP server. It sends what
//! `kindred_core::mail` queued (`email_outbox`), one message at a time, with
//! retries and backoff, so a slow or failed SMTP server blocks no request and loses
//! no message. Each message is composed here from `kindred_domain::mail` with the
//! recipient's address decrypted at sending time, and deleted once sent, refused
//! for good, or too late to help.
//!
//! Logs name a message's id and kind, never an address (nor the SMTP server's
//! words, which may repeat the address).

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::{email as email_service, passwords};
use kindred_api::AppState;
use kindred_db::models::accounts;
use kindred_db::models::email::{self as outbox, OutboxRow};
use kindred_domain::mail::{self, MailKind};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::EmailSettings;

/// How long one attempt holds a message: a process that dies mid-send leaves it
/// to be tried again after this.
const CLAIM: Duration = Duration::from_secs(5 * 60);
/// Messages taken per pass.
const BATCH: i64 = 20;
/// How often expired reset and confirmation links are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// The longest wait between attempts at one message.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retry: Duration,
}

/// Starts the worker. Without `email.smtp_url` it only empties the queue now and
/// then: nothing is ever sent, and nothing waits to be sent later.
pub fn start(state: &web::Data<AppState>, settings: Option<EmailSettings>) -> Result<(), String> {
    let mailer = settings.map(|s| build(&s, state)).transpose()?;
    let weak: Weak<AppState> = Arc::downgrade(&state.clone().into_inner());
    let period = match &mailer {
        Some(m) => m
            .retry
            .clamp(Duration::from_secs(1), Duration::from_secs(5)),
        None => Duration::from_secs(60),
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pruned_at: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                return;
            };
            let result = match &mailer {
                Some(m) => send_due(&state, m).await,
                None => state.db.run(outbox::clear).await.map(|_| ()),
            };
            if let Err(e) = result {
                tracing::warn!(error = e.code(), "mail worker pass failed");
            }
            // Links past their time leave the database, hourly.
            if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                pruned_at = Some(tokio::time::Instant::now());
                let now = Utc::now().naive_utc();
                if let Err(e) = state.db.run(move |c| outbox::prune_tokens(c, now)).await {
                    tracing::warn!(error = e.code(), "expired email links not pruned");
                }
            }
        }
    });
    Ok(())
}

fn build(s: &EmailSettings, state: &AppState) -> Result<Mailer, String> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.smtp_url)
        // Not the error's text: it may quote the URL.
        .map_err(|_| "email.smtp_url cannot be used (check its scheme, host and ?tls=)")?
        .timeout(Some(Duration::from_secs(20)))
        .hello_name(ClientId::Domain(state.urls.domain().host().to_owned()));
    if let Some(password) = &s.smtp_password {
        let user = url::Url::parse(&s.smtp_url)
            .ok()
            .map(|u| {
                percent_encoding::percent_decode_str(u.username())
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        builder = builder.credentials(Credentials::new(user, password.clone()));
    }
    let from: Mailbox = s
        .from
        .parse()
        .map_err(|_| "email.from is not an address".to_owned())?;
    Ok(Mailer {
        transport: builder.build(),
        from,
        retry: s.retry,
    })
}

/// One pass: every due message, each claimed first (another process may run a
/// worker on the same database).
async fn send_due(state: &AppState, mailer: &Mailer) -> Result<(), kindred_db::DbError> {
    let now = Utc::now();
    let due = state
        .db
        .run(move |c| outbox::due(c, now.naive_utc(), BATCH))
        .await?;
    for row in due {
        let until = (now + chrono::Duration::from_std(CLAIM).unwrap_or_default()).naive_utc();
        let claimed = {
            let row = row.clone();
            state.db.run(move |c| outbox::claim(c, &row, until)).await?
        };
        if claimed {
            send_one(state, mailer, row).await?;
        }
    }
    Ok(())
}

async fn send_one(
    state: &AppState,
    mailer: &Mailer,
    row: OutboxRow,
) -> Result<(), kindred_db::DbError> {
    let (id, now) = (row.id, Utc::now());
    let Some(kind) = MailKind::parse(&row.kind) else {
        tracing::warn!(id, "queued email of an unknown kind dropped");
        return state.db.run(move |c| outbox::remove(c, id)).await;
    };
    if row.created_at + kind.useful_for() < now.naive_utc() {
        tracing::warn!(
            id,
            kind = kind.as_str(),
            attempts = row.attempts,
            "queued email too late to help: dropped"
        );
        return state.db.run(move |c| outbox::remove(c, id)).await;
    }
    let Some(message) = compose(state, mailer, &row, kind).await? else {
        // No address any more (changed to none, account gone), or nothing to say.
        tracing::info!(
            id,
            kind = kind.as_str(),
            "queued email has no recipient: dropped"
        );
        return state.db.run(move |c| outbox::remove(c, id)).await;
    };
    match mailer.transport.send(message).await {
        Ok(_) => {
            tracing::info!(id, kind = kind.as_str(), "email sent");
            state.db.run(move |c| outbox::remove(c, id)).await
        }
        Err(e) if e.is_permanent() => {
            tracing::warn!(id, kind = kind.as_str(), status = ?e.status().map(|c| c.to_string()), "email refused by the SMTP server: dropped");
            state.db.run(move |c| outbox::remove(c, id)).await
        }
        Err(e) => {
            let attempts = row.attempts.saturating_add(1);
            let wait = backoff(mailer.retry, attempts);
            tracing::warn!(
                id,
                kind = kind.as_str(),
                attempts,
                retry_in_s = wait.as_secs(),
                cause = failure(&e),
                "email not sent: will retry"
            );
            let next = (now + chrono::Duration::from_std(wait).unwrap_or_default()).naive_utc();
            state
                .db
                .run(move |c| outbox::retry_at(c, id, attempts, next))
                .await
        }
    }
}

/// A short, address-free word for a failure.
fn failure(e: &lettre::transport::smtp::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_tls() {
        "tls"
    } else if e.is_transient() {
        "transient"
    } else if e.is_response() {
        "response"
    } else if e.is_client() {
        "client"
    } else {
        "connection"
    }
}

/// `retry` doubled per failure, at most an hour.
fn backoff(retry: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    retry.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

async fn compose(
    state: &AppState,
    mailer: &Mailer,
    row: &OutboxRow,
    kind: MailKind,
) -> Result<Option<Message>, kindred_db::DbError> {
    let cipher = &state.secrets.email;
    // The address: the account's now, or (a rejected sign-up) the one kept sealed.
    let (address, link) = match row.account_id {
        Some(account) => {
            let user = state
                .db
                .run(move |c| accounts::find_user(c, account))
                .await?;
            let address = user
                .and_then(|u| u.email_ciphertext)
                .and_then(|sealed| cipher.decrypt(&sealed));
            let link = match (kind, row.sealed.as_deref().and_then(|s| cipher.decrypt(s))) {
                (MailKind::PasswordReset, Some(token)) => {
                    Some(passwords::reset_link(state, &token))
                }
                (MailKind::ConfirmAddress, Some(token)) => {
                    Some(email_service::confirm_link(state, &token))
                }
                _ => None,
            };
            (address, link)
        }
        None => (row.sealed.as_deref().and_then(|s| cipher.decrypt(s)), None),
    };
    let Some(to) = address.and_then(|a| a.parse::<lettre::Address>().ok()) else {
        return Ok(None);
    };
    let sender = mail::Sender {
        instance: &state.instance.name,
        base_url: state.urls.base().as_str().trim_end_matches('/'),
    };
    let Some(composed) = mail::compose(kind, &sender, link.as_deref()) else {
        return Ok(None);
    };
    Ok(Message::builder()
        .from(mailer.from.clone())
        .to(Mailbox::new(None, to))
        .subject(composed.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(composed.body)
        .ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 4), Duration::from_secs(240));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}
