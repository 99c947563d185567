//! Blocking and muting a group, as Mastodon users expect of blocking an account
//! (docs/groups.md). A block leaves the group (or withdraws a request, or declines an
//! invitation) and hides its posts and notifications; a mute hides them from home and
//! notifications and leaves membership alone. Neither is ever shown to the group's
//! facilitators. The rule is `kindred_domain::groups::on_block`.

use chrono::Utc;
use kindred_core::groups::membership;
use kindred_db::models::groups;
use kindred_db::models::social;
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::groups::{on_block, OnBlock};

use super::find_visible;
use crate::services::ServiceError;
use crate::AppState;

/// Blocks group `id` for `me`: leaves it as `on_block` says and records the block, in
/// one transaction. The owner is refused, as leaving is.
pub async fn block(state: &AppState, me: &AccountRow, id: i64) -> Result<(), ServiceError> {
    // A private group the caller cannot see answers as a missing account.
    find_visible(state, Some(me.id), id).await?;
    let now = Utc::now();
    let block_id = state.ids.next_at(now);
    let (me_id, now) = (me.id, now.naive_utc());
    let refused = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let current = groups::membership(c, id, me_id)?;
                let standing = current.as_ref().map(|m| (m.state, m.role));
                match on_block(standing) {
                    Err(refusal) => return Ok(Some(refusal)),
                    Ok(OnBlock::Leave) => {
                        if let Some(m) = &current {
                            membership::leave(c, m)?;
                        }
                    }
                    Ok(OnBlock::Keep) => {}
                }
                social::block(c, block_id, me_id, id, now)?;
                Ok(None)
            })
        })
        .await?;
    if let Some(refusal) = refused {
        return Err(ServiceError::Unprocessable(refusal.message()));
    }
    tracing::info!(group_id = id, "group blocked");
    Ok(())
}

/// Whether `me` may mute, unmute or unblock group `id`: it must exist for them — or
/// they already block or mute it (a private group they left by blocking it no longer
/// exists for them, but the block stays theirs to lift).
pub async fn may_shun(state: &AppState, me: &AccountRow, id: i64) -> Result<(), ServiceError> {
    match find_visible(state, Some(me.id), id).await {
        Err(ServiceError::NotFound) => {
            let me_id = me.id;
            let now = Utc::now().naive_utc();
            let r = state
                .db
                .run(move |c| social::relation(c, me_id, id, now))
                .await?;
            if r.blocking || r.muting.is_some() {
                Ok(())
            } else {
                Err(ServiceError::NotFound)
            }
        }
        other => other.map(|_| ()),
    }
}

/// Whether `account` blocks group `id`; a facilitator's invitation to them is answered
/// as sent and never stored (`kindred_domain::groups::invitation_reaches`).
pub fn blocks_group(c: &mut AnyConnection, account: i64, id: i64) -> Result<bool, DbError> {
    social::blocked_either_way(c, account, id)
}
