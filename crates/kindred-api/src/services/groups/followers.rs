//! Remote followers of a group (FEP-1b12): accounts on other servers that follow a
//! public or closed group's announcements. They are never members — discussions
//! stay home — so they live in the follow tables, not in memberships (facilitators
//! list them through `handlers::relations::list`). Facilitators approve or reject a
//! closed group's requests, remove and ban them; each answer is an `Accept` or
//! `Reject` signed by the group, queued in the same transaction as the change.

use chrono::Utc;
use kindred_core::groups::membership;
use kindred_db::models::groups;
use kindred_db::models::social;
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError};
use kindred_domain::{AccountId, GroupId};
use kindred_federation::outbox::Outbox;

use super::{Action, Loaded};
use crate::services::ServiceError;
use crate::AppState;

/// A facilitator's action on a remote account: approve or reject its request,
/// remove it, ban (block: later follows are rejected) or unban it.
pub async fn act(
    state: &AppState,
    loaded: &Loaded,
    target: AccountRow,
    action: Action,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let group = loaded.account.clone();
    let (g, t) = (group.id, target.id);
    let row_id = state.ids.next_at(now);
    let n = now.naive_utc();
    let done = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let following = social::is_following(c, t, g)?;
                let requested = kindred_db::models::federated::follow_requested(c, t, g)?;
                match action {
                    Action::Approve if requested => {
                        social::authorize_request(c, row_id, t, g, n)?;
                        outbox.answer_follow(c, &group, &target, true)?;
                    }
                    Action::Reject if requested => {
                        outbox.answer_follow(c, &group, &target, false)?;
                        social::reject_request(c, t, g)?;
                    }
                    Action::Remove if following || requested => {
                        outbox.answer_follow(c, &group, &target, false)?;
                        social::unfollow(c, t, g)?;
                    }
                    Action::Ban => {
                        if following || requested {
                            outbox.answer_follow(c, &group, &target, false)?;
                        }
                        // Severs the follow and any request; later Follows are refused.
                        social::block(c, row_id, g, t, n)?;
                    }
                    Action::Unban if social::blocked_either_way(c, g, t)? => {
                        social::unblock(c, g, t)?;
                    }
                    _ => return Ok(false),
                }
                if requested {
                    // Answered either way: the facilitators' notice has done its work.
                    membership::withdrawn(
                        c,
                        GroupId::of_account(AccountId::new(g)),
                        AccountId::new(t),
                    )?;
                }
                Ok(true)
            })
        })
        .await?;
    if !done {
        return Err(ServiceError::Unprocessable(
            "this action does not apply to the account's current standing",
        ));
    }
    state.delivery.wake();
    tracing::info!(group_id = g, action = ?action, "group remote follower changed");
    Ok(())
}

/// When a group turns private, nothing about it federates any more: every remote
/// follower and request is rejected (signed by the group) and removed.
pub fn sever_all(
    c: &mut kindred_db::AnyConnection,
    outbox: &Outbox,
    group: &AccountRow,
) -> Result<usize, DbError> {
    let remote = groups::remote_followers(c, group.id)?;
    let ids: Vec<i64> = remote.iter().map(|(id, _)| *id).collect();
    let accounts = social::find_accounts(c, &ids)?;
    for follower in &accounts {
        outbox.answer_follow(c, group, follower, false)?;
        social::unfollow(c, follower.id, group.id)?;
        membership::withdrawn(
            c,
            GroupId::of_account(group.account_id()),
            follower.account_id(),
        )?;
    }
    Ok(accounts.len())
}
