//! The poll job: every minute, tells the author and the voters of each poll that
//! ended that it did (`kindred_api::services::polls::tell_ended`). Each poll is
//! claimed by an atomic update, so several processes on one database tell it once.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::polls;
use kindred_api::AppState;

/// How often the job looks for ended polls.
pub const PERIOD: Duration = Duration::from_secs(60);

/// Starts the job; its first run is one period after start. It stops once the
/// server's state is gone.
pub fn start(state: &web::Data<AppState>) {
    let weak: Weak<AppState> = Arc::downgrade(&state.clone().into_inner());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + PERIOD, PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                return;
            };
            if let Err(e) = polls::tell_ended(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "ended polls not told");
            }
        }
    });
}
