//! Create, Update, Delete, Like and Announce: what remote accounts say and do.
//! The actor must own what it creates, changes or deletes (same origin, and
//! `attributedTo` is the actor); nothing local is ever changed by a remote actor;
//! an announced object is taken from storage or fetched from its origin, never from
//! the activity.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{
    AnnounceType, CreateType, DeleteType, LikeType, UpdateType,
};
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::{ActivityHandler, Object};
use chrono::Utc;
use kindred_core::interactions::{self as core_interactions, Boosted};
use kindred_db::models::received::Seen;
use kindred_db::models::statuses::{self as repo, NewStatus, StatusInsert};
use kindred_db::models::{accounts, social};
use kindred_db::transaction::atomically;
use kindred_db::StatusRow;
use kindred_domain::visibility::{may_see, StatusFacts, ViewerFacts};
use kindred_domain::Visibility;
use serde::Deserialize;
use url::Url;

use super::addressing::{self, same_origin};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::groups::{self, Announced};
use super::lookup;
use super::note::{self, check_note, ApNote};
use super::receipt::Receipt;
use super::refs::object_id;
use super::remote_actor::{check_actor, ApActor, RemoteActor};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Create {
    #[serde(rename = "type")]
    pub kind: CreateType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: ApNote,
}

#[async_trait::async_trait]
impl ActivityHandler for Create {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        check_note(&self.object, self.actor.inner(), data.app_data())?;
        if &self.object.attributed_to != self.actor.inner() {
            return Err(Refusal::NotOwner.into());
        }
        Ok(())
    }

    /// Stored only when it concerns someone here (see `note::create_pushed`).
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let author = self.actor.dereference(data).await?;
        self.receive_from(data.app_data(), &author, None)
            .await
            .map(drop)
    }
}

impl Create {
    /// `receive` with the actor the inbox already verified the signature against,
    /// recording `receipt` in the transaction that stores the note; whether the
    /// activity had been processed before is found there too.
    pub async fn receive_from(
        self,
        data: &FedData,
        author: &RemoteActor,
        receipt: Option<Receipt>,
    ) -> Result<Seen, InboxError> {
        // `verify` made the actor its author; a status already stored under this id
        // is left as it is.
        note::create_pushed(data, self.object, author, receipt).await
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum UpdateObject {
    Note(Box<ApNote>),
    Actor(Box<ApActor>),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    #[serde(rename = "type")]
    pub kind: UpdateType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: UpdateObject,
}

#[async_trait::async_trait]
impl ActivityHandler for Update {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        let actor = self.actor.inner();
        match &self.object {
            UpdateObject::Note(n) => {
                if data.urls.is_local(&n.id) {
                    return Err(Refusal::LocalObject.into());
                }
                if &n.attributed_to != actor || !same_origin(&n.id, actor) {
                    return Err(Refusal::NotOwner.into());
                }
                check_note(n, actor, data.app_data())
            }
            UpdateObject::Actor(a) => {
                if data.urls.is_local(&a.id) {
                    return Err(Refusal::LocalObject.into());
                }
                if &a.id != actor {
                    return Err(Refusal::NotOwner.into());
                }
                check_actor(a, actor, data.app_data())
            }
        }
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        match self.object {
            UpdateObject::Note(n) => {
                let author = self.actor.dereference(data).await?;
                // An update of a status we never had is ignored, as Mastodon does.
                let Some(existing) = lookup::status(data, &n.id).await? else {
                    return Ok(());
                };
                note::update(data, existing, *n, &author).await
            }
            // Signed by the actor itself, about itself: its new profile and key.
            UpdateObject::Actor(a) => RemoteActor::from_json(*a, data).await.map(|_| ()),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    #[serde(rename = "type")]
    pub kind: DeleteType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: serde_json::Value,
}

impl Delete {
    fn target(&self) -> Result<Url, InboxError> {
        Ok(object_id(&self.object).ok_or(Refusal::Malformed)?)
    }
}

#[async_trait::async_trait]
impl ActivityHandler for Delete {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        let target = self.target()?;
        if data.urls.is_local(&target) {
            return Err(Refusal::LocalObject.into());
        }
        if !same_origin(&target, self.actor.inner()) {
            return Err(Refusal::NotOwner.into());
        }
        Ok(())
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let target = self.target()?;
        let actor = self.actor.dereference(data).await?;
        if &target == self.actor.inner() {
            // The account itself is gone; its statuses and relations go with it.
            super::remote_actor::forget(data, &actor).await?;
            return Ok(());
        }
        // A meeting listing (`verify` made the target the actor's server's).
        if super::event::delete(data.app_data(), &target, self.actor.inner()).await? {
            return Ok(());
        }
        let Some(status) = lookup::status(data, &target).await? else {
            return Ok(());
        };
        if status.local {
            return Err(Refusal::LocalObject.into());
        }
        if status.account_id != actor.account.id {
            return Err(Refusal::NotOwner.into());
        }
        delete_status(data, status).await
    }
}

/// Removes a remote status its author deleted (its boosts go with it) and tells the
/// streaming API; a reply one of our groups relayed has its deletion relayed too.
pub(super) async fn delete_status(data: &FedData, status: StatusRow) -> Result<(), InboxError> {
    remove_status(data, status, true).await
}

/// Removes our copy of a remote status its author did not delete (a group took it
/// down): nothing is relayed, since only the author's word is relayed as theirs.
pub(super) async fn drop_status(data: &FedData, status: StatusRow) -> Result<(), InboxError> {
    remove_status(data, status, false).await
}

async fn remove_status(data: &FedData, status: StatusRow, relay: bool) -> Result<(), InboxError> {
    let outbox = crate::outbox::Outbox::new(&data.urls, &data.ids, Utc::now());
    let event = data
        .db
        .run(move |c| {
            atomically(c, |c| {
                if relay {
                    outbox.remote_reply(c, &status, crate::outbox::ReplyChange::Deleted)?;
                }
                kindred_core::statuses::deleted(c, &status)
            })
        })
        .await?;
    data.publish(event);
    Ok(())
}

/// Whether a remote account may act on a status (like or boost it): as `may_see`
/// would decide for it, never for local-only statuses.
async fn remote_may_see(
    data: &FedData,
    s: &StatusRow,
    actor: &RemoteActor,
) -> Result<bool, InboxError> {
    let (sid, author_id, me) = (s.id, s.account_id, actor.account.id);
    let (author, follows, mentioned) = data
        .db
        .run(move |c| {
            Ok((
                accounts::find(c, author_id)?,
                social::is_following(c, me, author_id)?,
                repo::mentions_of(c, &[sid])?
                    .remove(&sid)
                    .unwrap_or_default()
                    .contains(&me),
            ))
        })
        .await?;
    let Some(author) = author else {
        return Ok(false);
    };
    let facts = StatusFacts {
        author_id,
        visibility: s.visibility,
        local_only: s.local_only,
        author_active: author.is_active(),
        // Held posts are group posts, which are local-only: never a remote's to see.
        held: false,
    };
    let viewer = ViewerFacts {
        id: Some(me),
        local_member: false,
        follows_author: follows,
        mentioned,
        // A remote account is never a member of a group's discussion.
        group: kindred_domain::visibility::GroupAccess::None,
        blocked_either_way: false,
    };
    Ok(may_see(&facts, &viewer))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Like {
    #[serde(rename = "type")]
    pub kind: LikeType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: Url,
}

#[async_trait::async_trait]
impl ActivityHandler for Like {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        Ok(())
    }

    /// A favourite of a status the actor may see; unknown or hidden ones are ignored.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let Some(status) = lookup::status(data, &self.object).await? else {
            return Ok(());
        };
        let actor = self.actor.dereference(data).await?;
        if !remote_may_see(data, &status, &actor).await? {
            return Ok(());
        }
        let now = Utc::now();
        let row_id = data.ids.next_at(now);
        let me = actor.account.account_id();
        let ids = data.ids.clone();
        let (_, events) = data
            .db
            .run(move |c| {
                atomically(c, |c| {
                    core_interactions::favourite(c, row_id, me, &status, &ids, now)
                })
            })
            .await?;
        data.publish_all(events);
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    /// Read as an id only: the object itself is never trusted from here.
    pub object: serde_json::Value,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
}

#[async_trait::async_trait]
impl ActivityHandler for Announce {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        match groups::announced(&self.object)? {
            Announced::Activity(inner) => groups::verify(&inner, data),
            Announced::Object { .. } | Announced::Ignored | Announced::Event(_) => Ok(()),
        }
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let actor = self.actor.dereference(data).await?;
        match groups::announced(&self.object)? {
            Announced::Ignored => Ok(()),
            Announced::Activity(inner) => groups::receive(data, &self, &actor, inner).await,
            Announced::Event(event) => groups::announced_event(data, &actor, &event).await,
            Announced::Object { id, embedded } => {
                let Some(status) = groups::announced_status(data, &actor, id, embedded).await?
                else {
                    return Ok(());
                };
                boost(data, &self, &actor, status).await
            }
        }
    }
}

/// `actor` boosts `status` (by the Announce `announce`): stored once per actor and
/// status, with a notification when the status is ours. A group's announce of its own
/// post stores no boost: the post already shows as the group's.
pub(super) async fn boost(
    data: &FedData,
    announce: &Announce,
    actor: &RemoteActor,
    status: StatusRow,
) -> Result<(), InboxError> {
    if status.account_id == actor.account.id && actor.remote.actor_type == "Group" {
        return Ok(());
    }
    let status = match status.reblog_of_id {
        Some(_) => return Err(Refusal::NotBoostable.into()),
        None => status,
    };
    let vis = status.visibility;
    if !vis.can_reblog() || status.local_only || !remote_may_see(data, &status, actor).await? {
        return Err(Refusal::NotBoostable.into());
    }
    let boost_visibility = match addressing::visibility(
        &announce.to,
        &announce.cc,
        actor.remote.followers_url.as_deref(),
    ) {
        Visibility::Direct => Visibility::Private,
        v => v,
    };
    let now = Utc::now();
    let boost_id = data.ids.next_at(now);
    let me = actor.account.id;
    let insert = StatusInsert {
        status: NewStatus {
            id: boost_id,
            uri: announce.id.to_string(),
            account_id: me,
            local: false,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: Some(status.id),
            text: String::new(),
            content: String::new(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: boost_visibility,
            local_only: false,
            language: None,
            created_at: now.naive_utc(),
        },
        mentioned_account_ids: Vec::new(),
        tags: Vec::new(),
        idempotency_key: None,
    };
    let ids = data.ids.clone();
    let done = data
        .db
        .run(move |c| {
            atomically(c, |c| {
                core_interactions::boost(c, &insert, &status, &ids, now)
            })
        })
        .await?;
    if let Boosted::New(_, events) = done {
        data.publish_all(events);
    }
    Ok(())
}
