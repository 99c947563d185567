//! A member's deletion of their own account and an admin's purge of a suspended
//! one: both run `kindred_core::erasure::erase` and queue its federation side in
//! the same transaction (a `Leave` for each meeting another server hosts, then
//! `Delete(Person)` to every server we know), and answer with the deletion receipt.
//! The rows themselves go within the hour (the server's erasure job calls
//! `kindred_core::erasure::purge_due` every minute). Logs carry ids only.

use chrono::{DateTime, Utc};
use kindred_core::erasure::{self, Erased};
use kindred_core::CoreError;
use kindred_db::models::{accounts, remote_meetings};
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_federation::outbox::Outbox;
use serde::Serialize;

use super::meetings::tell_remote_attendees;
use super::ServiceError;
use crate::crypto::{burn_password_check, verify_password};
use crate::AppState;

/// What was deleted, when, and which servers were told: a short record the
/// member keeps, because people ask for proof.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// What this is, for whoever finds the file later.
    pub kind: &'static str,
    pub instance: String,
    pub account: String,
    pub account_id: String,
    pub erased_at: String,
    /// Counts of what the account held, all deleted.
    pub deleted: Deleted,
    /// Deleted too, without a count.
    pub also_deleted: Vec<&'static str>,
    /// The servers sent the account's `Delete` (each removes its copies).
    pub servers_told: Vec<String>,
    /// Meetings at other servers whose host was told the place is free.
    pub meeting_places_freed_elsewhere: usize,
    /// What stays here.
    pub kept: Vec<&'static str>,
    pub note: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    pub posts: i64,
    pub favourites: i64,
    pub bookmarks: i64,
    pub follows: i64,
    pub follow_requests: i64,
    pub blocks: i64,
    pub group_memberships: i64,
    pub meeting_answers: i64,
}

/// Who asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    /// The member, for their own account.
    Member,
    /// A moderator or an admin, for a suspended account.
    Moderator { id: i64 },
}

/// The member's own deletion: refused (changing nothing) unless `password` is
/// the account's.
pub async fn delete_own(
    state: &AppState,
    me: &AccountRow,
    password: &str,
) -> Result<Receipt, ServiceError> {
    let id = me.id;
    let hash = state
        .db
        .run(move |c| Ok(accounts::find_user(c, id)?.and_then(|u| u.password_hash)))
        .await?;
    let password = password.to_owned();
    let _permit = state.limits.expensive_work().await;
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&h, &password),
        None => {
            burn_password_check(&password);
            false
        }
    })
    .await
    .map_err(|_| ServiceError::Internal("password_check_failed"))?;
    if !ok {
        tracing::info!(account_id = id, "account deletion refused: wrong password");
        return Err(ServiceError::Forbidden("The password is not correct"));
    }
    erase(state, id, Requester::Member).await
}

/// An admin's purge: only of a local account that is suspended already (a
/// decision taken and recorded first; this is its irreversible last step).
pub async fn purge_suspended(
    state: &AppState,
    by: &AccountRow,
    id: i64,
) -> Result<Receipt, ServiceError> {
    let target = state
        .db
        .run(move |c| accounts::find(c, id))
        .await?
        .filter(AccountRow::is_local)
        .ok_or(ServiceError::NotFound)?;
    if !target.suspended {
        return Err(ServiceError::Unprocessable(
            "Only a suspended account can be purged",
        ));
    }
    erase(state, id, Requester::Moderator { id: by.id }).await
}

/// The one erasure (see the module).
pub async fn erase(state: &AppState, id: i64, by: Requester) -> Result<Receipt, ServiceError> {
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let ids = state.ids.clone();
    let done = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let erased = match erasure::erase(c, &ids, id, now) {
                    Ok(e) => e,
                    Err(CoreError::Db(d)) => return Err(d),
                    Err(refused) => return Ok(Err(refused)),
                };
                if let Requester::Moderator { id: by } = by {
                    kindred_core::audit::record(
                        c,
                        &ids,
                        now,
                        kindred_core::audit::Record {
                            actor: kindred_core::audit::Actor::Account(by),
                            kind: kindred_domain::moderation::AuditKind::Purge,
                            target_account_id: Some(erased.opaque_id),
                            report_id: None,
                            old_value: None,
                            new_value: None,
                        },
                    )?;
                }
                // Each host is told the place is free, signed by the member (their
                // key stays until the purge), before the account's Delete.
                for &meeting in &erased.remote_meetings {
                    match remote_meetings::rsvp_token(c, meeting, id)? {
                        Some(token) => outbox.rsvp_sent_anonymously(c, meeting, &token, false)?,
                        None => outbox.rsvp_sent(c, &erased.account, meeting, false)?,
                    };
                }
                for answered in &erased.withdrawn {
                    tell_remote_attendees(c, &outbox, &answered.applied)?;
                }
                // Reports about this member go with the account at the purge (their
                // target cascades); keeping their decision is not built yet.
                let servers = outbox.account_deleted(c, &erased.account)?;
                Ok(Ok((erased, servers)))
            })
        })
        .await??;
    let (erased, servers) = done;
    for answered in &erased.withdrawn {
        state.streaming.notifications(&answered.notifications);
    }
    state.delivery.wake();
    // Its export archives go from the file store now (their rows with the purge).
    if let Err(e) = super::export::delete_all(state, id).await {
        tracing::warn!(
            account_id = id,
            error = e.code(),
            "export files of an erased account not deleted"
        );
    }
    // Its pictures go now too, files and rows (the sweep would take them with the
    // purge; a member's photos should not wait an hour).
    if let Err(e) = super::media::delete_all(state, id).await {
        tracing::warn!(
            account_id = id,
            error = e.code(),
            "pictures of an erased account not deleted"
        );
    }
    let requester = match by {
        Requester::Member => "member",
        Requester::Moderator { .. } => "moderator",
    };
    tracing::info!(
        account_id = id,
        by = requester,
        servers = servers.len(),
        "account erased"
    );
    Ok(receipt(state, &erased, servers))
}

fn receipt(state: &AppState, e: &Erased, servers: Vec<String>) -> Receipt {
    let h = e.held;
    Receipt {
        kind: "kindred-deletion-receipt",
        instance: state.urls.domain().to_string(),
        account: format!("@{}@{}", e.account.username, state.urls.domain()),
        account_id: e.account.id.to_string(),
        erased_at: rfc3339(e.erased_at),
        deleted: Deleted {
            posts: h.statuses,
            favourites: h.favourites,
            bookmarks: h.bookmarks,
            follows: h.follows,
            follow_requests: h.follow_requests,
            blocks: h.blocks,
            group_memberships: h.group_memberships,
            meeting_answers: h.meeting_answers,
        },
        also_deleted: vec![
            "profile (display name and note)",
            "email address",
            "password",
            "sessions, app tokens and authorizations",
            "calendar feed",
            "mutes, lists, filters, notifications and markers",
            "data exports",
        ],
        servers_told: servers,
        meeting_places_freed_elsewhere: e.remote_meetings.len(),
        kept: vec!["the name, reserved so that no one else can take it"],
        note: "The server keeps no copy of this receipt: keep it yourself. Posts, \
               favourites, memberships and answers are removed from the database \
               within the hour, once the servers above have been sent the deletion.",
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The erasure job's work (every minute): purges the rows of erased accounts that
/// are due. Returns how many accounts were purged.
pub async fn purge_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let purged = state
        .db
        .run(move |c| match erasure::purge_due(c, now, 20) {
            Ok(ids) => Ok(Ok(ids)),
            Err(CoreError::Db(d)) => Err(d),
            Err(other) => Ok(Err(other)),
        })
        .await??;
    for id in &purged {
        tracing::info!(account_id = id, "erased account purged");
    }
    Ok(purged.len())
}
