//! The jobs of issue 26: every minute, purge the rows of erased accounts that are
//! due (`services::erasure::purge_due`), build data exports a restart left pending
//! and delete those whose time is over (`services::export`), delete the pictures
//! whose post or account is gone and trim the remote picture cache
//! (`services::media::sweep`, `remote_media::evict`); every day, remove
//! group discussion posts past their retention (`services::retention::apply`).
//! Each is idempotent or claims its work, so several processes may run them.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::{erasure, export, media, remote_media, retention};
use kindred_api::AppState;

/// How often erased accounts are looked at: "purged within minutes".
pub const PURGE_PERIOD: Duration = Duration::from_secs(60);

/// How often retention runs.
pub const RETENTION_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

/// Starts both jobs; they stop once the server's state is gone. Retention first
/// runs a minute after start (a server restarted daily still runs it).
pub fn start(state: &web::Data<AppState>) {
    let weak: Weak<AppState> = Arc::downgrade(&state.clone().into_inner());
    tokio::spawn(every(weak.clone(), PURGE_PERIOD, PURGE_PERIOD, |state| {
        Box::pin(async move {
            if let Err(e) = erasure::purge_due(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "erased accounts not purged");
            }
            if let Err(e) = export::build_pending(&state).await {
                tracing::warn!(error = e.code(), "data exports not built");
            }
            if let Err(e) = export::expire(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "expired data exports not deleted");
            }
            // Pictures of deleted posts and purged accounts, unattached uploads,
            // and the remote cache's expired or excess pictures: files first.
            if let Err(e) = media::sweep(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "pictures not swept");
            }
            if let Err(e) = remote_media::evict(&state).await {
                tracing::warn!(error = e.code(), "remote picture cache not trimmed");
            }
        })
    }));
    tokio::spawn(every(weak, PURGE_PERIOD, RETENTION_PERIOD, |state| {
        Box::pin(async move {
            if let Err(e) = retention::apply(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "retention not applied");
            }
        })
    }));
}

type Job = fn(Arc<AppState>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

async fn every(weak: Weak<AppState>, first: Duration, period: Duration, job: Job) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(state) = weak.upgrade() else {
            return;
        };
        job(state).await;
    }
}
