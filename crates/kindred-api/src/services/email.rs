//! A member's email: the address (added or changed with the password, then
//! confirmed by an emailed link) and the opt-in messages
//! (`/api/v1/kindred/account/email`). The address itself is never shown back: the
//! answer says only whether there is one and whether it is confirmed.

use chrono::Utc;
use kindred_db::models::accounts;
use kindred_db::models::email::{self as store, EmailSettingsRow, NewEmailToken};
use kindred_db::transaction::atomically;
use kindred_domain::mail::{self, MailKind};
use kindred_domain::EmailAddress;

use super::ServiceError;
use crate::crypto::{random_token, sha256_hex, verify_password};
use crate::AppState;

/// `email_tokens.purpose` of a confirmation link.
pub const CONFIRM: &str = "confirm_address";

/// What the member sees of their email settings.
pub struct EmailView {
    pub has_address: bool,
    pub confirmed: bool,
    pub meeting_reminders: bool,
    pub place_confirmed: bool,
}

pub async fn view(state: &AppState, account_id: i64) -> Result<EmailView, ServiceError> {
    let (user, settings) = state
        .db
        .run(move |c| {
            Ok((
                accounts::find_user(c, account_id)?,
                store::settings(c, account_id)?,
            ))
        })
        .await?;
    let lookup = user.and_then(|u| u.email_lookup);
    Ok(EmailView {
        has_address: lookup.is_some(),
        confirmed: lookup.is_some() && settings.confirmed_lookup == lookup,
        meeting_reminders: settings.meeting_reminders,
        place_confirmed: settings.place_confirmed,
    })
}

/// Turns opt-in messages on or off (`None` leaves one as it is).
pub async fn choose(
    state: &AppState,
    account_id: i64,
    meeting_reminders: Option<bool>,
    place_confirmed: Option<bool>,
) -> Result<EmailView, ServiceError> {
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let mut row: EmailSettingsRow = store::settings(c, account_id)?;
                if let Some(v) = meeting_reminders {
                    row.meeting_reminders = v;
                }
                if let Some(v) = place_confirmed {
                    row.place_confirmed = v;
                }
                store::save_settings(c, &row)
            })
        })
        .await?;
    view(state, account_id).await
}

/// Queues the confirmation link for the account's (new) address.
pub async fn send_confirmation(
    state: &AppState,
    account_id: i64,
    address: &EmailAddress,
) -> Result<(), ServiceError> {
    if !state.instance.email_enabled {
        return Ok(());
    }
    let token = random_token();
    let sealed = state.secrets.email.seal(&token);
    let now = Utc::now();
    let new = NewEmailToken {
        id: state.ids.next_at(now),
        account_id,
        purpose: CONFIRM.to_owned(),
        token_hash: sha256_hex(&token),
        email_lookup: Some(state.secrets.email.lookup(address)),
        created_at: now.naive_utc(),
        expires_at: (now + mail::confirm_link_lifetime()).naive_utc(),
    };
    let ids = state.ids.clone();
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // A new address makes the older links worthless.
                store::delete_tokens(c, account_id, CONFIRM)?;
                store::insert_token(c, &new)?;
                kindred_core::mail::enqueue(
                    c,
                    &ids,
                    account_id,
                    MailKind::ConfirmAddress,
                    Some(sealed.clone()),
                    now,
                )
            })
        })
        .await?;
    Ok(())
}

/// The link a confirmation token opens.
pub fn confirm_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/auth/email/confirm/{token}",
        state.urls.base().as_str().trim_end_matches('/')
    )
}

/// Confirms the address a link was sent to, if it is still the account's. False
/// when the link does not work.
pub async fn confirm(state: &AppState, token: &str) -> Result<bool, ServiceError> {
    let (hash, now) = (sha256_hex(token), Utc::now().naive_utc());
    let confirmed = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let Some(row) = store::take_token(c, &hash, CONFIRM, now)? else {
                    return Ok(None);
                };
                let current = accounts::find_user(c, row.account_id)?.and_then(|u| u.email_lookup);
                if current.is_none() || current != row.email_lookup {
                    return Ok(None);
                }
                let mut settings = store::settings(c, row.account_id)?;
                settings.confirmed_lookup = current;
                store::save_settings(c, &settings)?;
                Ok(Some(row.account_id))
            })
        })
        .await?;
    if let Some(account_id) = confirmed {
        tracing::info!(account_id, "email address confirmed");
    }
    Ok(confirmed.is_some())
}

/// What setting an address came to.
pub enum SetAddress {
    Set,
    WrongPassword,
}

/// Adds or changes the member's address (the password is required: whoever holds
/// a token alone must not redirect the reset mail). The new address is unconfirmed
/// and gets its link.
pub async fn set_address(
    state: &AppState,
    account_id: i64,
    password: &str,
    email: &str,
) -> Result<SetAddress, ServiceError> {
    let address = EmailAddress::parse(email.trim())?;
    let stored = state
        .db
        .run(move |c| accounts::find_user(c, account_id))
        .await?
        .and_then(|u| u.password_hash)
        .ok_or(ServiceError::NotFound)?;
    let password = password.to_owned();
    let matches = {
        let _permit = state.limits.expensive_work().await;
        tokio::task::spawn_blocking(move || verify_password(&stored, &password))
            .await
            .map_err(|_| ServiceError::Internal("password_check_failed"))?
    };
    if !matches {
        return Ok(SetAddress::WrongPassword);
    }
    let (ciphertext, lookup) = (
        state.secrets.email.encrypt(&address),
        state.secrets.email.lookup(&address),
    );
    state
        .db
        .run(move |c| accounts::set_email(c, account_id, ciphertext, lookup))
        .await?;
    tracing::info!(account_id, "email address set");
    send_confirmation(state, account_id, &address).await?;
    Ok(SetAddress::Set)
}
