//! Passwords: reset by an emailed link, change by the member, and a reset by an
//! admin for instances without email. A reset ends every token of the account; a
//! change ends all but the one that made it.

use chrono::Utc;
use kindred_db::models::email::{self as email_store, NewEmailToken};
use kindred_db::models::{accounts, oauth};
use kindred_db::transaction::atomically;
use kindred_domain::mail::{self, MailKind};
use kindred_domain::{EmailAddress, Password};

use super::ServiceError;
use crate::crypto::{hash_password, random_token, sha256_hex, verify_password};
use crate::AppState;

/// `email_tokens.purpose` of a reset link.
pub const RESET: &str = "password_reset";

/// One reset message per account in this time, however often someone asks.
const RESET_QUIET_MINUTES: i64 = 2;

/// The link a reset token opens.
pub fn reset_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/auth/password/reset/{token}",
        state.urls.base().as_str().trim_end_matches('/')
    )
}

/// Someone asked for a reset link for `email`. Answers nothing: the caller shows
/// the same page whether or not the address is known, and runs this after
/// answering, so the answer's timing says nothing either. Each active local
/// account with the address gets its own link (one address may hold several
/// pseudonyms; the message names none of them).
pub async fn request_reset(state: &AppState, email: &str) -> Result<usize, ServiceError> {
    let Ok(address) = EmailAddress::parse(email.trim()) else {
        return Ok(0);
    };
    if !state.instance.email_enabled {
        return Ok(0);
    }
    let lookup = state.secrets.email.lookup(&address);
    let now = Utc::now();
    let found = state
        .db
        .run(move |c| accounts::find_local_by_email_lookup(c, &lookup))
        .await?;
    let mut queued = 0;
    for (account, _) in found {
        if account.suspended || account.role.is_group() {
            continue;
        }
        let token = random_token();
        let sealed = state.secrets.email.seal(&token);
        let new = NewEmailToken {
            id: state.ids.next_at(now),
            account_id: account.id,
            purpose: RESET.to_owned(),
            token_hash: sha256_hex(&token),
            email_lookup: None,
            created_at: now.naive_utc(),
            expires_at: (now + mail::reset_link_lifetime()).naive_utc(),
        };
        let ids = state.ids.clone();
        let quiet_since = (now - chrono::Duration::minutes(RESET_QUIET_MINUTES)).naive_utc();
        let sent = state
            .db
            .run(move |c| {
                atomically(c, |c| {
                    if email_store::issued_since(c, new.account_id, RESET, quiet_since)? {
                        return Ok(false);
                    }
                    email_store::insert_token(c, &new)?;
                    kindred_core::mail::enqueue(
                        c,
                        &ids,
                        new.account_id,
                        MailKind::PasswordReset,
                        Some(sealed.clone()),
                        now,
                    )
                })
            })
            .await?;
        if sent {
            queued += 1;
            tracing::info!(account_id = account.id, "password reset link queued");
        }
    }
    Ok(queued)
}

/// Whether a reset link still works (the form is shown; looking does not use it).
pub async fn reset_link_works(state: &AppState, token: &str) -> Result<bool, ServiceError> {
    let (hash, now) = (sha256_hex(token), Utc::now().naive_utc());
    Ok(state
        .db
        .run(move |c| email_store::find_live_token(c, &hash, RESET, now))
        .await?
        .is_some())
}

/// Sets a new password through a reset link: the link is used up, every other
/// reset link of the account and every token end. False when the link does not
/// work (unknown, used or expired).
pub async fn reset(state: &AppState, token: &str, password: &str) -> Result<bool, ServiceError> {
    let password = Password::parse(password)?;
    let hash = new_hash(state, password).await?;
    let (token_hash, now) = (sha256_hex(token), Utc::now().naive_utc());
    let done = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let Some(row) = email_store::take_token(c, &token_hash, RESET, now)? else {
                    return Ok(None);
                };
                accounts::set_password_hash(c, row.account_id, &hash)?;
                email_store::delete_tokens(c, row.account_id, RESET)?;
                let ended = oauth::revoke_account_tokens(c, row.account_id, None, now)?;
                Ok(Some((row.account_id, ended)))
            })
        })
        .await?;
    match done {
        Some((account_id, ended)) => {
            tracing::info!(account_id, tokens_ended = ended, "password reset");
            Ok(true)
        }
        None => Ok(false),
    }
}

/// What a password change came to.
pub enum Change {
    Changed,
    WrongPassword,
}

/// A member changes their password: the current one is required; every other
/// token of the account ends, the one presented (`keep`) stays.
pub async fn change(
    state: &AppState,
    account_id: i64,
    keep: i64,
    current: &str,
    new: &str,
) -> Result<Change, ServiceError> {
    let new = Password::parse(new)?;
    let stored = state
        .db
        .run(move |c| accounts::find_user(c, account_id))
        .await?
        .and_then(|u| u.password_hash)
        .ok_or(ServiceError::NotFound)?;
    let current = current.to_owned();
    let matches = {
        let _permit = state.limits.expensive_work().await;
        tokio::task::spawn_blocking(move || verify_password(&stored, &current))
            .await
            .map_err(|_| ServiceError::Internal("password_check_failed"))?
    };
    if !matches {
        tracing::info!(
            account_id,
            "password change refused: wrong current password"
        );
        return Ok(Change::WrongPassword);
    }
    let hash = new_hash(state, new).await?;
    let now = Utc::now().naive_utc();
    let ended = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                accounts::set_password_hash(c, account_id, &hash)?;
                email_store::delete_tokens(c, account_id, RESET)?;
                oauth::revoke_account_tokens(c, account_id, Some(keep), now)
            })
        })
        .await?;
    tracing::info!(account_id, tokens_ended = ended, "password changed");
    Ok(Change::Changed)
}

/// `kindred admin accounts reset-password NAME`: a one-time reset link (as the
/// email would carry, valid for the same hour; the tokens end when it is used) or,
/// with `new_password`, a new password set at once (the tokens end now).
pub enum AdminReset {
    Link(String),
    Password(String),
}

pub async fn admin_reset(
    state: &AppState,
    username: &str,
    new_password: bool,
) -> Result<AdminReset, ServiceError> {
    let lower = username.to_ascii_lowercase();
    let account = state
        .db
        .run(move |c| accounts::find_local_by_username(c, &lower))
        .await?
        .filter(|a| !a.role.is_group())
        .ok_or(ServiceError::NotFound)?;
    let now = Utc::now();
    if new_password {
        let generated = crate::crypto::generate_password();
        let hash = new_hash(state, Password::parse(&generated)?).await?;
        let (id, at) = (account.id, now.naive_utc());
        state
            .db
            .run(move |c| {
                atomically(c, |c| {
                    accounts::set_password_hash(c, id, &hash)?;
                    email_store::delete_tokens(c, id, RESET)?;
                    oauth::revoke_account_tokens(c, id, None, at)?;
                    Ok(())
                })
            })
            .await?;
        tracing::info!(account_id = id, "password reset by an admin");
        return Ok(AdminReset::Password(generated));
    }
    let token = random_token();
    let new = NewEmailToken {
        id: state.ids.next_at(now),
        account_id: account.id,
        purpose: RESET.to_owned(),
        token_hash: sha256_hex(&token),
        email_lookup: None,
        created_at: now.naive_utc(),
        expires_at: (now + mail::reset_link_lifetime()).naive_utc(),
    };
    state
        .db
        .run(move |c| email_store::insert_token(c, &new))
        .await?;
    tracing::info!(
        account_id = account.id,
        "password reset link made by an admin"
    );
    Ok(AdminReset::Link(reset_link(state, &token)))
}

async fn new_hash(state: &AppState, password: Password) -> Result<String, ServiceError> {
    let _permit = state.limits.expensive_work().await;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| ServiceError::Internal("password_hash_failed"))?
        .map_err(|_| ServiceError::Internal("password_hash_failed"))
}
