//! Follow, Accept, Reject and Undo: relations between remote and local accounts.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AcceptType, FollowType, RejectType, UndoType};
use activitypub_federation::traits::ActivityHandler;
use chrono::Utc;
use kindred_db::models::interactions::{self, Mark};
use kindred_db::models::notifications::{self as notif, NotificationRow};
use kindred_db::models::{federated, groups, outbound, silenced, social, statuses};
use kindred_domain::NotificationKind;
use serde::Deserialize;
use url::Url;

use super::actor::RemoteActor;
use super::context::{FedData, InboxEvent, StatusChange};
use super::directory;
use super::error::{InboxError, Refusal};
use super::lookup;
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

/// A Follow inside an Accept, Reject or Undo.
#[derive(Debug, Clone, Deserialize)]
pub struct EmbeddedFollow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(default)]
    pub id: Option<Url>,
    pub actor: Url,
    pub object: Url,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(EmbeddedFollow),
    Id(Url),
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
    /// request for a locked one (or from a silenced follower) to decide on. Blocked
    /// either way: nothing happens. A group answers for itself (`follow_group`).
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
        let note_id = data.ids.next_at(now);
        let follow_id = self.id.to_string();
        let outbox = Outbox::new(&data.urls, &data.ids, now);
        let (a, b) = (follower.account.id, target.id);
        let locked = target.locked;
        let stored = data
            .db
            .run(move |c| {
                federated::atomically(c, |c| {
                    if social::blocked_either_way(c, a, b)? {
                        return Ok(Vec::new());
                    }
                    // A silenced follower the member does not follow asks first, as
                    // if the account were locked (Mastodon's "limit").
                    let locked = locked || silenced::is_limited_for(c, a, b)?;
                    let n = now.naive_utc();
                    let (new, kind) = if locked {
                        let new = social::request_follow(c, row_id, a, b, true, false, n)?;
                        (new, NotificationKind::FollowRequest)
                    } else {
                        (
                            social::follow(c, row_id, a, b, true, false, n)?,
                            NotificationKind::Follow,
                        )
                    };
                    // Kept so that Accept/Reject name their Follow.
                    outbound::set_follow_uri(c, a, b, &follow_id)?;
                    if !locked {
                        outbox.answer_follow(c, &target, &follower.account, true)?;
                    }
                    let notes = if new {
                        vec![NotificationRow::new(note_id, b, a, kind, None, n)]
                    } else {
                        Vec::new()
                    };
                    notif::insert(c, &notes)
                })
            })
            .await?;
        data.publish(InboxEvent::Notifications(stored));
        Ok(())
    }
}

/// A remote account follows a local group (FEP-1b12): it will receive the group's
/// public announcements, never its discussions or members. A public group accepts
/// at once; a closed one leaves a request its facilitators decide on. A closed
/// group rejects a silenced server's accounts (they cannot join closed groups), and
/// any group rejects an account it has banned (blocked).
async fn follow_group(
    data: &Data<FedData>,
    follow_id: &Url,
    group_account: kindred_db::AccountRow,
    group: kindred_db::models::groups::GroupRow,
    follower: RemoteActor,
) -> Result<(), InboxError> {
    let now = Utc::now();
    let row_id = data.ids.next_at(now);
    let ids = data.ids.clone();
    let follow_id = follow_id.to_string();
    let outbox = Outbox::new(&data.urls, &data.ids, now);
    let (a, b) = (follower.account.id, group_account.id);
    let closed = group.visibility == "closed";
    let stored = data
        .db
        .run(move |c| {
            federated::atomically(c, |c| {
                let n = now.naive_utc();
                let refused = social::blocked_either_way(c, a, b)?
                    || (closed && silenced::is_limited_for(c, a, b)?);
                if refused {
                    outbox.reject_follow(c, &group_account, &follower.account, &follow_id)?;
                    return Ok(Vec::new());
                }
                if !closed {
                    social::follow(c, row_id, a, b, true, false, n)?;
                    outbound::set_follow_uri(c, a, b, &follow_id)?;
                    outbox.answer_follow(c, &group_account, &follower.account, true)?;
                    return Ok(Vec::new());
                }
                if social::is_following(c, a, b)? {
                    // Already approved: a repeated Follow is answered again.
                    outbound::set_follow_uri(c, a, b, &follow_id)?;
                    outbox.answer_follow(c, &group_account, &follower.account, true)?;
                    return Ok(Vec::new());
                }
                let new = social::request_follow(c, row_id, a, b, true, false, n)?;
                outbound::set_follow_uri(c, a, b, &follow_id)?;
                if !new {
                    return Ok(Vec::new());
                }
                // Facilitators hear of it, as of a local request to join.
                let notes: Vec<NotificationRow> = groups::facilitators(c, b)?
                    .into_iter()
                    .map(|f| {
                        NotificationRow::new(
                            ids.next_at(now),
                            f,
                            a,
                            NotificationKind::GroupRequest,
                            None,
                            n,
                        )
                    })
                    .collect();
                notif::insert(c, &notes)
            })
        })
        .await?;
    data.publish(InboxEvent::Notifications(stored));
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
        let now = Utc::now();
        let id = data.ids.next_at(now);
        data.db
            .run(move |c| {
                if federated::follow_requested(c, local, remote)? {
                    social::authorize_request(c, id, local, remote, now.naive_utc())?;
                }
                Ok(())
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

    /// Drops our pending request, or our follow if it had been accepted.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        if directory::answered(data, &self.object, self.actor.inner(), false).await? {
            return Ok(());
        }
        let Some((local, remote)) = answered_follow(data, &self.object, self.actor.inner()).await?
        else {
            return Ok(());
        };
        data.db
            .run(move |c| social::unfollow(c, local, remote))
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

/// The id in an `object` that is either a URL string or an object with an `id`.
pub fn object_id(v: &serde_json::Value) -> Option<Url> {
    let s = v.as_str().or_else(|| v.get("id")?.as_str())?;
    Url::parse(s).ok()
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
                if let Some((target, _)) = lookup::local_actor(data, &f.object).await? {
                    let t = target.id;
                    data.db.run(move |c| social::unfollow(c, me, t)).await?;
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
                    let (sid, owner) = (s.id, s.account_id);
                    data.db
                        .run(move |c| {
                            if interactions::remove(c, Mark::Favourite, me, sid)? {
                                notif::retract(
                                    c,
                                    owner,
                                    me,
                                    NotificationKind::Favourite,
                                    Some(sid),
                                )?;
                            }
                            Ok(())
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
            let Some(boost) = federated::status_by_uri(c, &uri)? else {
                return Ok(None);
            };
            let Some(orig) = boost.reblog_of_id.filter(|_| boost.account_id == actor_id) else {
                return Ok(None);
            };
            statuses::delete(c, boost.id)?;
            if let Some(o) = statuses::find(c, orig)? {
                notif::retract(
                    c,
                    o.account_id,
                    actor_id,
                    NotificationKind::Reblog,
                    Some(orig),
                )?;
            }
            Ok(Some(boost))
        })
        .await?;
    if let Some(boost) = removed {
        data.publish(InboxEvent::Status(
            StatusChange::Deleted,
            Box::new(boost),
            Vec::new(),
        ));
    }
    Ok(())
}
