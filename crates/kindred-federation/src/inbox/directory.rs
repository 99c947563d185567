//! The partner meeting directory, as the inbox sees it: a partner's instance actor
//! follows ours (it will receive our public listings), takes that back, or answers
//! our instance actor's `Follow` of it. The listings themselves arrive as any
//! listing does (`event`, `groups`); they are kept because the announcing instance
//! actor is one we subscribe to (`meeting_directory::subscribed_to`).
//!
//! The federation policy has already let the activity in as meeting traffic
//! (`policy::classify_at`), so a partner allowed meetings and nothing else can
//! subscribe.

use chrono::Utc;
use kindred_db::models::meeting_directory::{self, SubscriberRow};
use kindred_db::models::remote_accounts;
use kindred_db::transaction::atomically;
use url::Url;

use super::context::FedData;
use super::error::InboxError;
use super::refs::FollowRef;
use super::remote_actor::RemoteActor;
use crate::outbox::Outbox;

/// Whether `url` is our instance actor.
pub fn is_ours(data: &FedData, url: &Url) -> bool {
    url == &data.urls.instance_actor()
}

/// A partner's instance actor follows ours: accepted (and sent our upcoming public
/// listings) when it is a server's actor; a person or group is refused, the
/// directory is between servers.
pub async fn followed(
    data: &FedData,
    follow_id: &Url,
    follower: RemoteActor,
) -> Result<(), InboxError> {
    let now = Utc::now();
    let outbox = Outbox::new(&data.urls, &data.ids, now);
    let follow_id = follow_id.to_string();
    let id = follower.account.id;
    // Application and Service actors are servers' (Mastodon's and Mobilizon's
    // instance actors, ours); they are the accounts marked `bot`.
    let server = follower.account.bot;
    let new = data
        .db
        .run(move |c| {
            atomically(c, |c| {
                if !server {
                    outbox.directory_answer(c, id, &follow_id, false)?;
                    return Ok(false);
                }
                let row = SubscriberRow {
                    account_id: id,
                    follow_uri: follow_id.clone(),
                    created_at: now.naive_utc(),
                };
                let new = meeting_directory::add_subscriber(c, &row)?;
                outbox.directory_answer(c, id, &follow_id, true)?;
                Ok(new)
            })
        })
        .await?;
    tracing::info!(
        subscriber = %follower.account.domain,
        accepted = server,
        new,
        "meeting directory follow"
    );
    Ok(())
}

/// A partner's instance actor stops following ours.
pub async fn unfollowed(data: &FedData, actor_id: i64) -> Result<(), InboxError> {
    data.db
        .run(move |c| meeting_directory::remove_subscriber(c, actor_id))
        .await?;
    Ok(())
}

/// A partner's answer to our instance actor's `Follow`: `true` when `object` is
/// one of our directory Follows (applied when the partner we followed answers).
pub async fn answered(
    data: &FedData,
    object: &FollowRef,
    answerer: &Url,
    accepted: bool,
) -> Result<bool, InboxError> {
    let follow_id = match object {
        FollowRef::Embedded(f) if is_ours(data, &f.actor) => match &f.id {
            Some(id) => id.to_string(),
            None => return Ok(true),
        },
        FollowRef::Id(id) if id.as_str().starts_with(data.urls.instance_actor().as_str()) => {
            id.to_string()
        }
        _ => return Ok(false),
    };
    let uri = answerer.to_string();
    let now = Utc::now().naive_utc();
    let changed = data
        .db
        .run(move |c| {
            let Some((account, _)) = remote_accounts::find_by_uri(c, &uri)? else {
                return Ok(false);
            };
            meeting_directory::answered(c, &follow_id, account.id, accepted, now)
        })
        .await?;
    if changed {
        tracing::info!(accepted, "meeting directory subscription answered");
    }
    Ok(true)
}
