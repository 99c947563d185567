//! The scheduled-post job: every 30 seconds publishes the posts whose time has come
//! (`kindred_api::services::scheduled::publish_due`). Each is claimed by one atomic
//! update, so several processes on one database publish it once.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::scheduled;
use kindred_api::AppState;

/// How often the job looks for due posts.
pub const PERIOD: Duration = Duration::from_secs(30);

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
            let state = web::Data::from(state);
            if let Err(e) = scheduled::publish_due(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "scheduled posts not published");
            }
        }
    });
}
