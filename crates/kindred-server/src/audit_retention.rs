//! The audit-log retention job: once a day (and once at start), deletes the
//! entries older than `moderation.audit_retention_days` (0: never). Several
//! processes may run it; a delete of old rows is the same whoever runs it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use kindred_api::services::moderation;
use kindred_api::AppState;

pub const PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

pub fn start(state: &web::Data<AppState>, retention_days: u32) {
    if retention_days == 0 {
        return;
    }
    let weak: Weak<AppState> = Arc::downgrade(&state.clone().into_inner());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                return;
            };
            match moderation::prune_audit_log(&state, retention_days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old audit-log entries deleted"),
                Err(e) => tracing::warn!(error = e.code(), "audit-log retention not applied"),
            }
        }
    });
}
