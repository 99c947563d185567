//! Follow, Accept, Reject and Undo: relations between remote and local accounts.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AcceptType, FollowType, RejectType, UndoType};
use activitypub_federation::traits::ActivityHandler;
use chrono::Utc;
use kindred_core::follows::{self, FollowState, NewFollow};
use kindred_core::groups::membership::{self, GroupFollow};
use kindred_core::Event;
use kindred_db::models::{federated, outbound};
use kindred_domain::groups::GroupVisibility;
use kindred_domain::{AccountId, GroupId};
use serde::Deserialize;
use url::Url;

use super::context::FedData;
use super::directory;
use super::error::{InboxError, Refusal};
use super::lookup;
use super::refs::{object_id, EmbeddedFollow, FollowRef};
use super::remote_actor::RemoteActor;
use crate::outbox::Outbox;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: Url,
}

#[async_trait::async_trait]
impl ActivityHandler for Follow {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        if !data.urls.is_local(&self.object) {
            return Err(Refusal::NotLocalTarget.into());
        }
        Ok(())
    }

    /// Follows an unlocked account at once (and queues the `Accept`), or leaves a
    /// request for a locked one (or from a silenced follower) to decide on; the rule
    /// is `kindred_core::follows`. Blocked either way: nothing happens. A group
    /// answers for itself (`follow_group`).
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        if directory::is_ours(data, &self.object) {
            let follower = self.actor.dereference(data).await?;
            return directory::followed(data, &self.id, follower).await;
        }
        let (target, group) = lookup::local_actor(data, &self.object)
            .await?
            .ok_or(Refusal::NotLocalTarget)?;
        let follower = self.actor.dereference(data).await?;
        if let Some(group) = group {
            return follow_group(data, &self.id, target, group, follower).await;
        }
        let now = Utc::now();
        let row_id = data.ids.next_at(now);
        let notice_id = data.ids.next_at(now);
        let follow_id = self.id.to_string();
        let outbox = Outbox::new(&data.urls, &data.ids, now);
        let stored = data
            .db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    let followed = follows::follow(
                        c,
                        &NewFollow {
                            follower: &follower.account,
                            target: &target,
                            id: row_id,
                            notice_id,
                            reblogs: true,
                            notify: false,
                            now: now.naive_utc(),
                        },
                    )?;
                    if followed.state == FollowState::Refused {
                        return Ok(Vec::new());
                    }
                    let (a, b) = (follower.account.id, target.id);
                    // Kept so that Accept/Reject name their Follow.
                    outbound::set_follow_uri(c, a, b, &follow_id)?;
                    if followed.state == FollowState::Following {
                        // Answered again when asked again: our Accept may have been lost.
                        outbox.answer_follow(c, &target, &follower.account, true)?;
                    }
                    Ok(followed.notices)
                })
            })
            .await?;
        data.publish(Event::Notifications(stored));
        Ok(())
    }
}

/// A remote account follows a local group (FEP-1b12): it will receive the group's
/// public announcements, never its discussions or members. Who is refused, what is a
/// request and who hears of it is `kindred_core::groups::membership`; this answers
/// with the Accept or Reject.
async fn follow_group(
    data: &Data<FedData>,
    follow_id: &Url,
    group_account: kindred_db::AccountRow,
    group: kindred_db::models::groups::GroupRow,
    follower: RemoteActor,
) -> Result<(), InboxError> {
    let now = Utc::now();
    let ids = data.ids.clone();
    let follow_id = follow_id.to_string();
    let outbox = Outbox::new(&data.urls, &data.ids, now);
    let closed = group.visibility == GroupVisibility::Closed;
    let stored = data
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let (a, b) = (follower.account.id, group_account.id);
                let (state, notices) =
                    membership::follow(c, &ids, &follower.account, GroupId::new(b), closed, now)?;
                if state == GroupFollow::Refused {
                    outbox.reject_follow(c, &group_account, &follower.account, &follow_id)?;
                    return Ok(notices);
                }
                // Kept so that Accept/Reject name their Follow.
                outbound::set_follow_uri(c, a, b, &follow_id)?;
                if state == GroupFollow::Following {
                    // Answered again when asked again: our Accept may have been lost.
                    outbox.answer_follow(c, &group_account, &follower.account, true)?;
                }
                Ok(notices)
            })
        })
        .await?;
    data.publish(Event::Notifications(stored));
    Ok(())
}

/// The local follower and remote followee of an Accept/Reject of our Follow; the
/// Follow must name the actor who answers.
async fn answered_follow(
    data: &FedData,
    object: &FollowRef,
    answerer: &Url,
) -> Result<Option<(i64, i64)>, InboxError> {
    let FollowRef::Embedded(f) = object else {
        // A bare id: we cannot tell which of our follows it is; nothing to do.
        return Ok(None);
    };
    if &f.object != answerer {
        return Err(Refusal::NotOwner.into());
    }
    let Some(local) = lookup::local_account(data, &f.actor).await? else {
        return Ok(None);
    };
    let uri = answerer.to_string();
    let remote = data
        .db
        .run(move |c| kindred_db::models::remote_accounts::find_by_uri(c, &uri))
        .await?;
    Ok(remote.map(|(r, _)| (local.id, r.id)))
}

fn check_answer(object: &FollowRef, actor: &Url) -> Result<(), InboxError> {
    match object {
        FollowRef::Embedded(f) if &f.object != actor => Err(Refusal::NotOwner.into()),
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    #[serde(rename = "type")]
    pub kind: AcceptType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: FollowRef,
}

#[async_trait::async_trait]
impl ActivityHandler for Accept {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        check_answer(&self.object, self.actor.inner())
    }

    /// Turns our pending request into a follow; without one there is nothing to do.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        if directory::answered(data, &self.object, self.actor.inner(), true).await? {
            return Ok(());
        }
        let Some((local, remote)) = answered_follow(data, &self.object, self.actor.inner()).await?
        else {
            return Ok(());
        };
        let (local, remote) = (AccountId::new(local), AccountId::new(remote));
        let now = Utc::now();
        let (id, notice_id) = (data.ids.next_at(now), data.ids.next_at(now));
        // The followee is remote: nobody here is notified, nothing to publish.
        data.db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    follows::accept(c, id, notice_id, local, remote, now.naive_utc())
                })
            })
            .await?;
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    #[serde(rename = "type")]
    pub kind: RejectType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: FollowRef,
}

#[async_trait::async_trait]
impl ActivityHandler for Reject {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        check_answer(&self.object, self.actor.inner())
    }

    /// Drops our pending request, or our follow if it had been accepted: to us it
    /// is as if we had unfollowed.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        if directory::answered(data, &self.object, self.actor.inner(), false).await? {
            return Ok(());
        }
        let Some((local, remote)) = answered_follow(data, &self.object, self.actor.inner()).await?
        else {
            return Ok(());
        };
        data.db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    follows::unfollow(c, AccountId::new(local), AccountId::new(remote))
                })
            })
            .await?;
        Ok(())
    }
}

/// What an Undo takes back.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum UndoObject {
    Follow(EmbeddedFollow),
    Other(EmbeddedActivity),
    Id(Url),
}

/// A Like or Announce inside an Undo (its object is read as an id only).
#[derive(Debug, Deserialize)]
pub struct EmbeddedActivity {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub actor: Url,
    pub object: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undo {
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: UndoObject,
}

#[async_trait::async_trait]
impl ActivityHandler for Undo {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only what the actor did can be undone by the actor.
    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        let owner = match &self.object {
            UndoObject::Follow(f) => &f.actor,
            UndoObject::Other(a) => &a.actor,
            UndoObject::Id(_) => return Ok(()),
        };
        if owner != self.actor.inner() {
            return Err(Refusal::NotOwner.into());
        }
        Ok(())
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let actor = self.actor.dereference(data).await?;
        let me = actor.account.id;
        match self.object {
            UndoObject::Follow(f) if directory::is_ours(data, &f.object) => {
                directory::unfollowed(data, me).await?;
            }
            UndoObject::Follow(f) => {
                if let Some((target, group)) = lookup::local_actor(data, &f.object).await? {
                    let (me, t) = (actor.account.account_id(), target.account_id());
                    data.db
                        .run(move |c| {
                            kindred_db::transaction::atomically(c, |c| match group {
                                // A request's notices go with it, as a member's do.
                                Some(_) => membership::unfollow(c, me, GroupId::of_account(t)),
                                None => follows::unfollow(c, me, t),
                            })
                        })
                        .await?;
                }
            }
            UndoObject::Other(a) if a.kind == "Join" => {
                super::rsvp::leave(data, self.actor.inner(), me, &a.object, None).await?;
            }
            UndoObject::Other(a) if a.kind == "Like" => {
                let Some(target) = object_id(&a.object) else {
                    return Ok(());
                };
                if let Some(s) = lookup::status(data, &target).await? {
                    let me = actor.account.account_id();
                    data.db
                        .run(move |c| {
                            kindred_db::transaction::atomically(c, |c| {
                                kindred_core::interactions::unfavourite(c, me, &s)
                            })
                        })
                        .await?;
                }
            }
            UndoObject::Other(a) => undo_boost(data, me, &a.id).await?,
            UndoObject::Id(id) => undo_boost(data, me, &id).await?,
        }
        Ok(())
    }
}

/// Removes the actor's boost whose Announce had this id, if there is one.
async fn undo_boost(data: &FedData, actor_id: i64, announce: &Url) -> Result<(), InboxError> {
    let uri = announce.to_string();
    let removed = data
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let Some(boost) = federated::status_by_uri(c, &uri)? else {
                    return Ok(Vec::new());
                };
                if boost.reblog_of_id.is_none() || boost.account_id != actor_id {
                    return Ok(Vec::new());
                }
                kindred_core::interactions::unboost(c, &boost, |_, _| Ok(()))
            })
        })
        .await?;
    data.publish_all(removed);
    Ok(())
}
