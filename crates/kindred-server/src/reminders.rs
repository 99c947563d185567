//! The meeting-reminder job: every few minutes, sends the reminders that are due
//! (`kindred_api::services::meetings::notify::send_reminders`, which records each
//! one so restarts and several processes never send it twice).

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::meetings::notify;
use kindred_api::AppState;

/// How often the job looks for due reminders.
pub const PERIOD: Duration = Duration::from_secs(5 * 60);

/// Starts the job. Its first run is one period after start (a restart loses at
/// most a period); it stops once the server's state is gone.
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
            if let Err(e) = notify::send_reminders(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "meeting reminders not sent");
            }
        }
    });
}
