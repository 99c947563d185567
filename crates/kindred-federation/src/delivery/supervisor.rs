//! The supervisor: leases instances with due work and runs one task per instance;
//! purges deliveries past the retry window; on shutdown lets the tasks finish their
//! request in flight and gives the leases back.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use kindred_db::models::delivery_worker as queue;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::clock::{after, before, now};
use super::context::Ctx;

/// Deliveries removed per purge statement.
const PURGE_BATCH: i64 = 500;
/// Claims are at most this frequent when tasks end or wake-ups arrive in bursts.
const MIN_CLAIM_GAP: Duration = Duration::from_millis(20);

pub async fn run(
    ctx: Arc<Ctx>,
    notify: Arc<Notify>,
    alive: Weak<()>,
    mut stop: watch::Receiver<bool>,
) {
    let cfg = &ctx.config;
    tracing::info!(
        process = %cfg.process_id,
        concurrency = cfg.concurrency,
        "delivery worker started"
    );
    let mut tasks: JoinSet<()> = JoinSet::new();
    let mut stop_open = true;
    let mut last_claim = Instant::now();
    let mut next_claim = Instant::now();
    let mut next_purge = Instant::now();
    let gap = MIN_CLAIM_GAP.min(cfg.poll_interval);

    loop {
        if *stop.borrow() || alive.strong_count() == 0 {
            break;
        }
        let now_i = Instant::now();
        if now_i >= next_purge {
            purge(&ctx).await;
            next_purge = now_i + cfg.purge_interval;
        }
        if now_i >= next_claim {
            claim_more(&ctx, &mut tasks).await;
            last_claim = now_i;
            next_claim = now_i + cfg.poll_interval;
        }
        tokio::select! {
            _ = notify.notified() => {
                next_claim = next_claim.min(last_claim + gap);
            }
            _ = tokio::time::sleep_until(next_claim.min(next_purge)) => {}
            Some(done) = tasks.join_next() => {
                finished(done);
                while let Some(done) = tasks.try_join_next() {
                    finished(done);
                }
                next_claim = next_claim.min(last_claim + gap);
            }
            changed = stop.changed(), if stop_open => {
                // A dropped handle cannot ask for a stop any more: the worker then
                // runs until its Wakeup is gone.
                stop_open = changed.is_ok();
            }
        }
    }

    ctx.stopping.store(true, Ordering::Relaxed);
    let grace = cfg.request_timeout + Duration::from_secs(5);
    let drained =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    let owner = cfg.process_id.clone();
    match ctx.db.run(move |c| queue::release_all(c, &owner)).await {
        Ok(_) => tracing::info!(process = %cfg.process_id, "delivery worker stopped"),
        Err(e) => tracing::warn!(
            error = e.code(),
            "delivery worker could not release its leases"
        ),
    }
}

fn finished(done: Result<(), tokio::task::JoinError>) {
    if done.is_err_and(|e| e.is_panic()) {
        tracing::error!("a delivery task panicked");
    }
}

async fn claim_more(ctx: &Arc<Ctx>, tasks: &mut JoinSet<()>) {
    let cfg = &ctx.config;
    let free = cfg.max_instances.saturating_sub(ctx.active().len());
    if free == 0 {
        return;
    }
    let now = now();
    let until = after(now, cfg.lease);
    let probe_before = before(now, cfg.probe_interval);
    let owner = cfg.process_id.clone();
    let claimed = ctx
        .db
        .run(move |c| queue::claim(c, &owner, now, until, probe_before, free as i64))
        .await;
    match claimed {
        Ok(claimed) => {
            for c in claimed {
                // Already ours and still being worked on (its lease had run out while
                // the task waited): the task goes on with the renewed lease.
                if !ctx.active().insert(c.domain.clone()) {
                    continue;
                }
                tasks.spawn(super::instance::serve(ctx.clone(), c, until));
            }
        }
        Err(e) => tracing::warn!(error = e.code(), "delivery claim failed"),
    }
}

async fn purge(ctx: &Ctx) {
    let created_before = before(now(), ctx.config.max_age);
    loop {
        let expired = ctx
            .db
            .run(move |c| queue::purge_expired(c, created_before, PURGE_BATCH))
            .await;
        match expired {
            Ok(rows) => {
                for r in &rows {
                    tracing::warn!(
                        delivery_id = r.id,
                        domain = %r.domain,
                        "delivery given up: past the retry window"
                    );
                }
                if (rows.len() as i64) < PURGE_BATCH {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = e.code(), "delivery purge failed");
                return;
            }
        }
    }
}
