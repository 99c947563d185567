//! One leased instance: deliver its queue in order until nothing is due, a failure
//! sets the next attempt in the future, the lease is lost, or the worker stops.

use std::sync::Arc;

use chrono::NaiveDateTime;
use kindred_db::models::delivery_worker::{self as queue, Claimed};
use kindred_db::DbError;
use kindred_domain::federation_policy::Traffic;

use super::clock::{after, now};
use super::context::Ctx;
use super::send::{self, Attempt};
use super::signers::SignerError;

/// How the work on an instance ended.
enum End {
    /// Nothing more to do now: give the lease back.
    Release,
    /// Another process holds the instance now: leave its lease alone.
    Lost,
    /// Left the active set and gave the lease back with its last delivery.
    Released,
}

/// Removes the instance from the active set if the task ends without doing so
/// (a panic), so the supervisor does not think it is still being served.
struct ActiveGuard<'a> {
    ctx: &'a Ctx,
    domain: &'a str,
    armed: bool,
}

impl Drop for ActiveGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.ctx.leave(self.domain);
        }
    }
}

pub async fn serve(ctx: Arc<Ctx>, claimed: Claimed, lease_until: NaiveDateTime) {
    let domain = claimed.domain.clone();
    let mut guard = ActiveGuard {
        ctx: &ctx,
        domain: &domain,
        armed: true,
    };
    let mut lease = lease_until;
    let known = claimed.software.is_some();
    let end = match work(
        &ctx,
        &domain,
        claimed.dead_since.is_some(),
        known,
        &mut lease,
    )
    .await
    {
        Ok(end) => end,
        Err(e) => {
            tracing::warn!(domain = %domain, error = e.code(), "delivery bookkeeping failed; will retry");
            End::Release
        }
    };
    // Leave the active set first, then give the lease back: a claim that sees the
    // instance free again then also sees it without a task.
    guard.armed = false;
    if let End::Released = end {
        return;
    }
    ctx.leave(&domain);
    if let End::Release = end {
        if let Err(e) = ctx.ledger.released(&domain).await {
            tracing::warn!(domain = %domain, error = e.code(), "could not release a delivery lease");
        }
    }
}

/// Renews the lease when too little of it is left for one more request; false when
/// another process has taken the instance.
async fn keep_lease(ctx: &Ctx, domain: &str, lease: &mut NaiveDateTime) -> Result<bool, DbError> {
    let now = now();
    let margin = chrono::Duration::from_std(ctx.config.renew_margin()).unwrap_or_default();
    if *lease - now > margin {
        return Ok(true);
    }
    let until = after(now, ctx.config.lease);
    let owner = ctx.config.process_id.clone();
    let d = domain.to_owned();
    let kept = ctx
        .db
        .run(move |c| queue::renew(c, &d, &owner, until))
        .await?;
    if kept {
        *lease = until;
    } else {
        tracing::info!(domain = %domain, "delivery lease taken over by another process");
    }
    Ok(kept)
}

/// Asks for SQLite's WAL to be emptied when dropped: after the delivery's row is
/// gone, whichever way the loop leaves the item.
struct ScrubAfter<'a>(Option<&'a kindred_db::Db>);

impl Drop for ScrubAfter<'_> {
    fn drop(&mut self) {
        if let Some(db) = self.0 {
            db.scrub_wal_soon();
        }
    }
}

/// The kind of traffic a queued delivery is: as recorded when it was queued, or
/// (rows queued before that was recorded) classified from its body.
fn traffic_of(item: &kindred_db::models::deliveries::DeliveryRow) -> Traffic {
    if let Some(t) = item.traffic.as_deref().and_then(|t| Traffic::parse(t).ok()) {
        return t;
    }
    let activity: serde_json::Value = serde_json::from_str(&item.body).unwrap_or_default();
    // Only our instance actor signs without an account (`None`); its follows are
    // the meeting directory's.
    let ours = match item.signer_account_id {
        None => activity["actor"].as_str().unwrap_or_default(),
        Some(_) => "",
    };
    crate::policy::classify_at(&activity, ours)
}

async fn work(
    ctx: &Ctx,
    domain: &str,
    dead: bool,
    software_known: bool,
    lease: &mut NaiveDateTime,
) -> Result<End, DbError> {
    let mut software_asked = software_known;
    let cfg = &ctx.config;
    if dead {
        let d = domain.to_owned();
        let head = ctx.db.run(move |c| queue::next_batch(c, &d, 1)).await?;
        let Some(head) = head.into_iter().next() else {
            return Ok(End::Release);
        };
        let answered = {
            let _permit = ctx.permits.acquire().await;
            send::probe(&ctx.client, cfg.request_timeout, &head.inbox_url).await
        };
        let d = domain.to_owned();
        let now = now();
        let Some((well_known, body)) = answered else {
            ctx.db.run(move |c| queue::probe_failed(c, &d, now)).await?;
            tracing::debug!(domain = %domain, "dead instance still does not answer");
            return Ok(End::Release);
        };
        ctx.discovery.probed(domain, well_known, body);
        ctx.db.run(move |c| queue::revive(c, &d, now)).await?;
        tracing::info!(domain = %domain, "instance answers again; deliveries resume");
    }

    loop {
        if ctx.stopping() {
            return Ok(End::Release);
        }
        let d = domain.to_owned();
        let batch = cfg.batch;
        let items = ctx.db.run(move |c| queue::next_batch(c, &d, batch)).await?;
        // A short batch is the whole queue as it was read: after its last item
        // there is nothing left to read (a delivery queued meanwhile wakes the
        // supervisor, whose next claim takes the instance again once released).
        let whole_queue = (items.len() as i64) < batch;
        let last_id = items.last().map(|i| i.id);
        match items.first() {
            None => return Ok(End::Release),
            Some(head) if head.next_attempt_at > now() => return Ok(End::Release),
            Some(head) if !software_asked => {
                ctx.discovery.unknown(domain, &head.inbox_url);
                software_asked = true;
            }
            Some(_) => {}
        }
        for item in items {
            if ctx.stopping() {
                return Ok(End::Release);
            }
            // The federation policy, read again before each delivery: an activity
            // queued before its domain was blocked (or its partner scope narrowed)
            // is dropped, never sent. An unreadable policy waits, never drops.
            if let Some(rules) = &ctx.config.policy {
                let Ok(policy) = rules.current().await else {
                    return Ok(End::Release);
                };
                if !policy.decide_str(domain).permits(traffic_of(&item)) {
                    let id = item.id;
                    ctx.db.run(move |c| queue::discard(c, id)).await?;
                    tracing::info!(
                        delivery_id = item.id,
                        domain = %domain,
                        "delivery dropped by the federation policy"
                    );
                    continue;
                }
            }
            let signer = match ctx.signers.get(item.signer_account_id).await {
                Ok(s) => Some(s),
                Err(SignerError::Missing) => None,
                Err(SignerError::Unavailable) => return Ok(End::Release),
            };
            // The permit bounds requests in flight and the bookkeeping after them
            // (a success's bookkeeping is bounded by the ledger's one writer).
            let permit = ctx.permits.acquire().await;
            if !keep_lease(ctx, domain, lease).await? {
                return Ok(End::Lost);
            }
            let attempt = match &signer {
                Some(signer) => {
                    send::post(&ctx.client, cfg.http, cfg.request_timeout, signer, &item).await
                }
                None => Attempt::Unsendable("no signing key"),
            };
            let (id, d, now) = (item.id, domain.to_owned(), now());
            // An RSVP's Accept carries the exact place: once its row is gone, no
            // old copy may stay in SQLite's WAL (docs/privacy.md).
            let scrub =
                traffic_of(&item) == Traffic::Rsvps && !matches!(attempt, Attempt::Retry { .. });
            let _scrub = ScrubAfter(scrub.then_some(&ctx.db));
            match attempt {
                Attempt::Delivered if whole_queue && last_id == Some(id) => {
                    drop(permit);
                    // As `serve` does: out of the active set before the lease goes.
                    ctx.leave(domain);
                    let marked = ctx.ledger.delivered_last(id, &d).await;
                    tracing::debug!(delivery_id = item.id, domain = %domain, "delivered");
                    return marked.map(|()| End::Released);
                }
                Attempt::Delivered => {
                    drop(permit);
                    ctx.ledger.delivered(id, &d).await?;
                    tracing::debug!(delivery_id = item.id, domain = %domain, "delivered");
                }
                Attempt::Refused(status) => {
                    ctx.db.run(move |c| queue::refused(c, id, &d)).await?;
                    tracing::warn!(
                        delivery_id = item.id,
                        domain = %domain,
                        status,
                        "delivery refused by the receiver; dropped"
                    );
                }
                Attempt::Unsendable(why) => {
                    ctx.db.run(move |c| queue::discard(c, id)).await?;
                    tracing::warn!(
                        delivery_id = item.id,
                        domain = %domain,
                        reason = why,
                        "delivery cannot be sent; dropped"
                    );
                }
                Attempt::Retry { error, retry_after } => {
                    let age = (now - item.created_at).to_std().unwrap_or_default();
                    let give_up = age >= cfg.max_age;
                    let retry_at = (!give_up).then(|| {
                        let wait =
                            cfg.backoff
                                .delay(item.attempts, retry_after, rand::random::<f64>());
                        after(now, wait)
                    });
                    let dead_after =
                        chrono::Duration::from_std(cfg.dead_after).unwrap_or(chrono::Duration::MAX);
                    let e = error.clone();
                    let recorded = ctx
                        .db
                        .run(move |c| queue::failed(c, id, &d, now, retry_at, &e, dead_after))
                        .await?;
                    if give_up {
                        tracing::warn!(
                            delivery_id = item.id,
                            domain = %domain,
                            error = %error,
                            "delivery given up: past the retry window"
                        );
                    } else {
                        tracing::debug!(
                            delivery_id = item.id,
                            domain = %domain,
                            error = %error,
                            attempts = item.attempts + 1,
                            "delivery failed; will retry"
                        );
                    }
                    if recorded.now_dead {
                        tracing::warn!(
                            domain = %domain,
                            "instance marked dead: no successful delivery for the dead-after period; paused until a probe answers"
                        );
                        return Ok(End::Release);
                    }
                    if !give_up {
                        return Ok(End::Release);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindred_db::models::deliveries::DeliveryRow;

    fn row(signer: Option<i64>, body: serde_json::Value, traffic: Option<&str>) -> DeliveryRow {
        let now = chrono::Utc::now().naive_utc();
        DeliveryRow {
            id: 1,
            domain: "b.example".into(),
            inbox_url: "https://b.example/inbox".into(),
            signer_account_id: signer,
            activity_id: "https://a.example/1".into(),
            body: body.to_string(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            traffic: traffic.map(str::to_owned),
        }
    }

    #[test]
    fn recorded_kind_wins_and_old_rows_are_classified_from_their_body() {
        let join = serde_json::json!({"type": "Join", "actor": "https://a.example/users/x"});
        assert_eq!(
            traffic_of(&row(Some(1), join.clone(), Some("meetings"))),
            Traffic::Meetings
        );
        assert_eq!(traffic_of(&row(Some(1), join, None)), Traffic::Rsvps);
        // An old row of our instance actor's directory follow: meeting traffic.
        let follow = serde_json::json!({
            "type": "Follow",
            "actor": "https://a.example/actor",
            "object": "https://b.example/actor",
        });
        assert_eq!(
            traffic_of(&row(None, follow.clone(), None)),
            Traffic::Meetings
        );
        assert_eq!(traffic_of(&row(Some(1), follow, None)), Traffic::Follows);
        // An unreadable recorded kind falls back to the body too.
        let dm = serde_json::json!({"type": "Create", "object": {"type": "Note", "to": []}});
        assert_eq!(
            traffic_of(&row(Some(1), dm, Some("??"))),
            Traffic::DirectMessages
        );
    }
}
