//! The retention job's work (daily): `kindred_core::retention::apply` with the
//! instance's limits.

use chrono::{DateTime, Utc};
use kindred_core::CoreError;

use super::ServiceError;
use crate::AppState;

/// Removes every group's discussion posts past its limit at `now`; returns how
/// many statuses went.
pub async fn apply(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let limits = state.instance.retention;
    let removed = state
        .db
        .run(
            move |c| match kindred_core::retention::apply(c, limits, now) {
                Ok(n) => Ok(Ok(n)),
                Err(CoreError::Db(d)) => Err(d),
                Err(other) => Ok(Err(other)),
            },
        )
        .await??;
    if removed > 0 {
        tracing::info!(removed, "retention: old discussion posts removed");
    }
    Ok(removed)
}
