//! The follow re-send job: every minute, sends again the Follows of remote groups
//! still unanswered whose time has come
//! (`kindred_api::services::follow_resends::send_due`; the schedule, bounded, is
//! `kindred_domain::follow_resend`). The schedule is stored with each request, so
//! a restart or several processes neither lose nor double a re-send.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use kindred_api::services::follow_resends;
use kindred_api::AppState;

/// How often the job looks for due re-sends.
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
            if let Err(e) = follow_resends::send_due(&state, Utc::now()).await {
                tracing::warn!(error = e.code(), "follows not sent again");
            }
        }
    });
}
