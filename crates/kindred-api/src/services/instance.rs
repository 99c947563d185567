use chrono::Utc;
use kindred_db::models::{accounts, instance_actor};
pub use kindred_db::InstanceActorRow;

use super::ServiceError;
use crate::AppState;

/// Makes sure the instance actor has a key pair (generated on first start).
pub async fn ensure_instance_actor(state: &AppState) -> Result<InstanceActorRow, ServiceError> {
    if let Some(row) = state.db.run(instance_actor::get).await? {
        return Ok(row);
    }
    let keys = tokio::task::spawn_blocking(kindred_federation::keys::generate_keypair)
        .await
        .map_err(|_| ServiceError::Internal("key_generation_failed"))?
        .map_err(|_| ServiceError::Internal("key_generation_failed"))?;
    let now = Utc::now().naive_utc();
    Ok(state
        .db
        .run(move |c| {
            instance_actor::get_or_insert(c, keys.private_key_pem, keys.public_key_pem, now)
        })
        .await?)
}

/// Figures for the instance entity and NodeInfo: totals only.
pub struct InstanceStats {
    pub user_count: i64,
    pub status_count: i64,
    pub domain_count: i64,
}

pub async fn stats(state: &AppState) -> Result<InstanceStats, ServiceError> {
    let (users, statuses) = state
        .db
        .run(|c| {
            Ok((
                accounts::count_active_local(c)?,
                kindred_db::models::statuses::count_local(c)?,
            ))
        })
        .await?;
    Ok(InstanceStats {
        user_count: users,
        status_count: statuses,
        domain_count: 0,
    })
}
