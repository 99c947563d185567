//! The partner meeting directory (issue 6): an admin subscribes this instance to a
//! partner instance's public meeting listings, so members see one regional calendar
//! (`GET /api/v1/pleroma/events`, the public scope, lists them beside ours).
//!
//! Instance actor to instance actor: the partner's instance actor is found by
//! WebFinger (`domain@domain`, Mastodon's and our convention; then Mobilizon's
//! `relay@domain`) and must be a server's actor, never a person or group; ours sends
//! it a `Follow`. The federation policy decides first, as at every edge (invariant
//! 5): a partner must be allowed meeting traffic. Every change is written to the
//! federation policy's audit log with who made it.

use actix_web::web::Data;
use chrono::{NaiveDateTime, Utc};
use kindred_db::models::domain_policy::{self, AuditRow};
pub use kindred_db::models::meeting_directory::SubscriptionRow;
use kindred_db::models::meeting_directory::{self, SubscriberRow, REQUESTED};
use kindred_db::{AccountRow, DbError};
use kindred_domain::federation_policy::{PolicyDomain, Traffic};
use kindred_federation::outbox::Outbox;

use super::ServiceError;
use crate::AppState;

/// The directory as admins see it.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Partners whose listings we asked for.
    pub subscriptions: Vec<SubscriptionRow>,
    /// Partners that receive ours, with their domain.
    pub subscribers: Vec<(SubscriberRow, String)>,
}

pub async fn list(state: &AppState) -> Result<Directory, ServiceError> {
    Ok(state
        .db
        .run(|c| {
            Ok::<_, DbError>(Directory {
                subscriptions: meeting_directory::subscriptions(c)?,
                subscribers: meeting_directory::subscribers(c)?,
            })
        })
        .await?)
}

fn parse_domain(state: &AppState, domain: &str) -> Result<PolicyDomain, ServiceError> {
    let parsed = PolicyDomain::parse(domain)
        .map_err(|_| ServiceError::Unprocessable("Validation failed: domain is not valid"))?;
    let ours = PolicyDomain::parse(&state.urls.domain().to_string()).ok();
    if ours.as_ref() == Some(&parsed) {
        return Err(ServiceError::Unprocessable(
            "Validation failed: this is our own domain",
        ));
    }
    Ok(parsed)
}

fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    domain: &str,
    now: NaiveDateTime,
) -> AuditRow {
    AuditRow {
        id: state.ids.next_at(now.and_utc()),
        actor: actor.to_owned(),
        action: action.to_owned(),
        domain: Some(domain.to_owned()),
        old_value: None,
        new_value: None,
        created_at: now,
    }
}

/// The partner's instance actor: a server's actor (`bot`: Application or Service)
/// on the partner's own domain.
async fn partner_actor(
    state: &Data<AppState>,
    domain: &PolicyDomain,
) -> Result<AccountRow, ServiceError> {
    let not_found = ServiceError::Unprocessable(
        "The partner's instance actor could not be found (WebFinger domain@domain or relay@domain)",
    );
    let config = state
        .federation
        .config(state)
        .await
        .map_err(|_| ServiceError::Internal("federation unavailable"))?;
    let name = domain.to_string();
    for user in [name.as_str(), "relay"] {
        match kindred_federation::resolve::account(config, user, &name).await {
            Ok(a)
                if a.bot
                    && !a.is_local()
                    && PolicyDomain::parse(&a.domain).ok().as_ref() == Some(domain) =>
            {
                return Ok(a);
            }
            Ok(_) => tracing::info!("directory look-up found an account that is no server"),
            Err(e) => tracing::info!(refusal = e.code(), "directory look-up found nothing"),
        }
    }
    Err(not_found)
}

/// Subscribes to `domain`'s public listings; an existing subscription is returned as
/// it is. `actor` names the admin for the audit log.
pub async fn subscribe(
    state: &Data<AppState>,
    actor: &str,
    domain: &str,
) -> Result<SubscriptionRow, ServiceError> {
    let domain = parse_domain(state, domain)?;
    let decision = state.policy.decide(&domain.to_string()).await;
    if !decision.permits(Traffic::Meetings) {
        return Err(ServiceError::Unprocessable(
            "The federation policy does not allow meeting traffic with this domain",
        ));
    }
    let key = domain.to_string();
    let known = {
        let key = key.clone();
        state
            .db
            .run(move |c| meeting_directory::subscription(c, &key))
            .await?
    };
    if let Some(row) = known {
        return Ok(row);
    }
    let partner = partner_actor(state, &domain).await?;
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let row = SubscriptionRow {
        id,
        domain: key.clone(),
        actor_id: partner.id,
        follow_uri: outbox.directory_follow_id(id),
        state: REQUESTED.to_owned(),
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    let entry = audit(state, actor, "directory_subscribe", &key, now.naive_utc());
    let stored = {
        let row = row.clone();
        state
            .db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    if !meeting_directory::subscribe(c, &row)? {
                        // Subscribed meanwhile by another request.
                        return meeting_directory::subscription(c, &row.domain);
                    }
                    outbox.directory_follow(c, row.actor_id, &row.follow_uri)?;
                    domain_policy::record(c, &entry)?;
                    Ok(Some(row))
                })
            })
            .await?
    };
    state.delivery.wake();
    tracing::info!(domain = %key, "meeting directory subscription requested");
    stored.ok_or(ServiceError::Internal("subscription vanished"))
}

/// Ends the subscription to `domain`: our `Undo(Follow)` goes to the partner and the
/// listings its instance actor sent us are removed.
pub async fn unsubscribe(
    state: &AppState,
    actor: &str,
    domain: &str,
) -> Result<SubscriptionRow, ServiceError> {
    let key = parse_domain(state, domain)?.to_string();
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let entry = audit(state, actor, "directory_unsubscribe", &key, now.naive_utc());
    let removed = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let Some(row) = meeting_directory::unsubscribe(c, &key)? else {
                    return Ok(None);
                };
                outbox.directory_unfollow(c, row.actor_id, &row.follow_uri)?;
                // What the partner's instance actor sent goes; listings its groups
                // announced to a follower here stay.
                kindred_db::models::remote_meetings::delete_of_account(c, row.actor_id)?;
                domain_policy::record(c, &entry)?;
                Ok(Some(row))
            })
        })
        .await?
        .ok_or(ServiceError::NotFound)?;
    state.delivery.wake();
    tracing::info!(domain = %removed.domain, "meeting directory subscription ended");
    Ok(removed)
}
