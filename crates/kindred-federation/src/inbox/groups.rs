//! What remote groups announce to their followers (FEP-1b12). Two forms arrive:
//! Lemmy wraps the member's activity (`Announce(Create(Page))`, `Announce(Update)`,
//! `Announce(Delete)`); Mobilizon and Mastodon announce the object itself or its id.
//!
//! The group's signature vouches for what its own server says, nothing more. An
//! object from another origin is fetched from that origin by id; an update is always
//! read back from the origin; a delete is applied when the deleting actor owns the
//! object and is on the group's server, or when the origin answers that the object
//! is gone. A group can never change or remove another server's post by saying so.
//! Only a group someone here follows gets new posts stored; `Event`s are meeting
//! listings (`event`); likes, votes and moderation are acknowledged and ignored.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;
use kindred_db::models::{federated, interactions, remote_accounts, social, statuses};
use kindred_db::{AnyConnection, DbError, StatusRow};
use serde_json::Value;
use url::Url;

use super::addressing::same_origin;
use super::content::{boost, delete_status, drop_status, Announce};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::lookup;
use super::note::{self, check_note, ApNote, ObjectKind, RemoteNote};
use super::refs::object_id;
use super::remote_actor::RemoteActor;

/// Largest answer read when asking an origin whether an object is gone.
const MAX_GONE_BODY: usize = 256 * 1024;

/// What an `Announce` carries.
#[derive(Debug)]
pub enum Announced {
    /// A boost: the object itself (perhaps embedded) or its id.
    Object { id: Url, embedded: Option<Value> },
    /// A group's wrapped activity.
    Activity(Inner),
    /// A meeting listing announced as it is (an embedded `Event`).
    Event(Value),
    /// Nothing we act on (a like, a vote, moderation, an event).
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InnerKind {
    Create,
    Update,
    Delete,
}

/// The activity a group wrapped, as received by the group.
#[derive(Debug)]
pub struct Inner {
    pub kind: InnerKind,
    pub id: Url,
    pub actor: Url,
    pub object: Value,
    /// A `Delete` with a `summary`: Lemmy's removal by a moderator (the community
    /// takes a post down), not its author's deletion.
    pub removal: bool,
}

impl Inner {
    fn target(&self) -> Result<Url, InboxError> {
        Ok(object_id(&self.object).ok_or(Refusal::Malformed)?)
    }

    /// The embedded object, when it is one we store (None for an id or another type).
    fn embedded(&self) -> Result<Option<ApNote>, InboxError> {
        if !is_stored_kind(&self.object) {
            return Ok(None);
        }
        serde_json::from_value(self.object.clone())
            .map(Some)
            .map_err(|_| Refusal::Malformed.into())
    }
}

fn type_of(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}

fn is_stored_kind(v: &Value) -> bool {
    type_of(v).is_some_and(|t| ObjectKind::ALL.contains(&t))
}

/// Reads an Announce's `object`; a shape we cannot read is malformed.
pub fn announced(object: &Value) -> Result<Announced, InboxError> {
    let malformed = || InboxError::from(Refusal::Malformed);
    let kind = match object {
        Value::String(_) => None,
        Value::Object(_) => type_of(object),
        _ => return Err(malformed()),
    };
    let inner = |kind| -> Result<Announced, InboxError> {
        Ok(Announced::Activity(Inner {
            kind,
            id: object_id(object).ok_or_else(malformed)?,
            actor: object_id(object.get("actor").ok_or_else(malformed)?).ok_or_else(malformed)?,
            object: object.get("object").cloned().ok_or_else(malformed)?,
            removal: kind == InnerKind::Delete && object.get("summary").is_some(),
        }))
    };
    match kind {
        None => Ok(Announced::Object {
            id: object_id(object).ok_or_else(malformed)?,
            embedded: None,
        }),
        Some(t) if ObjectKind::ALL.contains(&t) => Ok(Announced::Object {
            id: object_id(object).ok_or_else(malformed)?,
            embedded: Some(object.clone()),
        }),
        Some("Event") => Ok(Announced::Event(object.clone())),
        Some("Create") => inner(InnerKind::Create),
        Some("Update") => inner(InnerKind::Update),
        Some("Delete") => inner(InnerKind::Delete),
        Some(_) => Ok(Announced::Ignored),
    }
}

/// The checks on a wrapped activity that need no fetch: it comes from where its id
/// says, touches nothing of ours, and a created object is its actor's own.
pub fn verify(inner: &Inner, data: &Data<FedData>) -> Result<(), InboxError> {
    if !same_origin(&inner.id, &inner.actor) {
        return Err(Refusal::OriginMismatch.into());
    }
    if data.urls.is_local(&inner.actor) {
        return Err(Refusal::LocalObject.into());
    }
    let target = inner.target()?;
    if data.urls.is_local(&target) {
        return Err(Refusal::LocalObject.into());
    }
    if let Some(note) = inner.embedded()? {
        if note.id != target {
            return Err(Refusal::Malformed.into());
        }
        check_note(&note, &note.id, data.app_data())?;
        if matches!(inner.kind, InnerKind::Create | InnerKind::Update)
            && note.attributed_to != inner.actor
        {
            return Err(Refusal::NotOwner.into());
        }
    }
    Ok(())
}

pub async fn receive(
    data: &Data<FedData>,
    announce: &Announce,
    group: &RemoteActor,
    inner: Inner,
) -> Result<(), InboxError> {
    if type_of(&inner.object) == Some("Event") && inner.kind != InnerKind::Delete {
        return announced_event(data, group, &inner.object).await;
    }
    match inner.kind {
        InnerKind::Create => create(data, announce, group, inner).await,
        InnerKind::Update => update(data, inner).await,
        InnerKind::Delete => delete(data, group, inner).await,
    }
}

/// A new post in the group: stored (trusted from the group only when it is from the
/// group's own server, else fetched from its origin) and boosted by the group, when
/// someone here follows the group.
async fn create(
    data: &Data<FedData>,
    announce: &Announce,
    group: &RemoteActor,
    inner: Inner,
) -> Result<(), InboxError> {
    let embedded = inner.embedded()?;
    if embedded.is_none() && type_of(&inner.object).is_some() {
        // Another type (a Mobilizon Event, a poll...): not stored here.
        return Ok(());
    }
    let group_id = group.account.id;
    if !data
        .db
        .run(move |c| federated::followed_locally(c, group_id))
        .await?
    {
        // Not an implicit Accept (FEDERATION.md, "Lemmy 0.19"); said louder when a
        // member waits for one, since their Follow is being sent again.
        let awaited = data
            .db
            .run(move |c| kindred_db::models::follow_resends::requested_locally(c, group_id))
            .await?;
        if awaited {
            tracing::info!("announce of a group whose Accept has not come dropped");
        } else {
            tracing::debug!("announce of a group nobody here follows dropped");
        }
        return Ok(());
    }
    let target = inner.target()?;
    let status = match stored_or_trusted(data, group, &target, embedded).await? {
        Some(s) => s,
        None => fetch_status(data, &target).await?,
    };
    // The origin decides who wrote it; the wrapped activity must agree.
    let author_uri = inner.actor.to_string();
    let author = data
        .db
        .run(move |c| remote_accounts::find_by_uri(c, &author_uri))
        .await?;
    if author.map(|(a, _)| a.id) != Some(status.account_id) {
        return Err(Refusal::NotOwner.into());
    }
    boost(data, announce, group, status).await
}

/// A changed post: our copy, if we hold one, is refreshed from its origin.
async fn update(data: &Data<FedData>, inner: Inner) -> Result<(), InboxError> {
    if inner.embedded()?.is_none() && type_of(&inner.object).is_some() {
        // The group's own profile (moderation) or another type: actors are
        // refreshed when fetched, other types are not stored.
        return Ok(());
    }
    let target = inner.target()?;
    let Some(existing) = lookup::status(data, &target).await? else {
        return Ok(());
    };
    if existing.local {
        return Err(Refusal::LocalObject.into());
    }
    let fresh = fetch_object_http::<_, ApNote>(&target, data)
        .await
        .map_err(|_| Refusal::Unfetchable)?;
    if fresh.object.id != target {
        return Err(Refusal::Unfetchable.into());
    }
    check_note(&fresh.object, &fresh.url, data.app_data())?;
    let author = ObjectId::<RemoteActor>::from(fresh.object.attributed_to.clone())
        .dereference(data)
        .await?;
    note::update(data, existing, fresh.object, &author).await
}

/// A removed post: deleted when its author on the group's server deleted it, or when
/// its origin answers that it is gone; otherwise nothing happens.
async fn delete(data: &Data<FedData>, group: &RemoteActor, inner: Inner) -> Result<(), InboxError> {
    let target = inner.target()?;
    let group_url = Url::parse(group.uri()).map_err(|_| Refusal::Malformed)?;
    // Only a group takes posts down; anyone else's removal is an ordinary delete.
    let is_group = group.remote.actor_type == "Group";
    if inner.removal && is_group && same_origin(&inner.actor, &group_url) {
        return withdraw(data, group, &target).await;
    }
    // A meeting listing: removed when the group's server deleted its own listing,
    // or when the listing's origin says it is gone.
    let deleter = if same_origin(&inner.actor, &group_url) && same_origin(&target, &inner.actor) {
        Some(inner.actor.clone())
    } else {
        None
    };
    match deleter {
        Some(d) => {
            if super::event::delete(data.app_data(), &target, &d).await? {
                return Ok(());
            }
        }
        None => {
            let uri = target.to_string();
            let known = data
                .db
                .run(move |c| kindred_db::models::remote_meetings::by_uri(c, &uri))
                .await?;
            if known.is_some() {
                if origin_says_gone(data, &target).await {
                    super::event::delete(data.app_data(), &target, &target).await?;
                }
                return Ok(());
            }
        }
    }
    let Some(status) = lookup::status(data, &target).await? else {
        return Ok(());
    };
    if status.local {
        return Err(Refusal::LocalObject.into());
    }
    let group_url = Url::parse(group.uri()).map_err(|_| Refusal::Malformed)?;
    let deleter_uri = inner.actor.to_string();
    let deleter = data
        .db
        .run(move |c| remote_accounts::find_by_uri(c, &deleter_uri))
        .await?;
    let by_owner = same_origin(&inner.actor, &group_url)
        && same_origin(&target, &inner.actor)
        && deleter.is_some_and(|(a, _)| a.id == status.account_id);
    if by_owner || origin_says_gone(data, &target).await {
        delete_status(data, status).await?;
    }
    Ok(())
}

/// A group takes a post down (a removal from its own server, see `Inner::removal`),
/// when someone here follows the group and the group relayed the post here (its
/// boost is stored): the boost goes, and our copy too when nothing else here holds
/// it (`held_here`). What came only through the group leaves with the group's word;
/// what came another way, or that someone here acted on, stays. The removal is never
/// relayed as its author's deletion. Never a status of ours.
async fn withdraw(
    data: &Data<FedData>,
    group: &RemoteActor,
    target: &Url,
) -> Result<(), InboxError> {
    let group_id = group.account.id;
    if !data
        .db
        .run(move |c| federated::followed_locally(c, group_id))
        .await?
    {
        tracing::debug!("removal by a group nobody here follows dropped");
        return Ok(());
    }
    let Some(status) = lookup::status(data, target).await? else {
        return Ok(());
    };
    if status.local {
        return Err(Refusal::LocalObject.into());
    }
    let status_id = status.id;
    let row = status.clone();
    let (boost, held_here) = data
        .db
        .run(move |c| {
            let boost = statuses::find_reblog(c, group_id, status_id)?;
            Ok((boost, held_here(c, &row)?))
        })
        .await?;
    // A post this group never relayed here is not its to take down.
    let Some(boost) = boost else {
        tracing::debug!("removal of a post the group did not relay here dropped");
        return Ok(());
    };
    drop_status(data, boost).await?;
    if !held_here {
        drop_status(data, status).await?;
    }
    Ok(())
}

/// Whether something here holds a remote status besides a group's relay: a local
/// follower of its author, a local account it mentions, a local status it answers,
/// or a local account's favourite, bookmark, boost or reply.
fn held_here(c: &mut AnyConnection, status: &StatusRow) -> Result<bool, DbError> {
    if federated::followed_locally(c, status.account_id)?
        || interactions::held_locally(c, status.id)?
    {
        return Ok(true);
    }
    let mentioned = statuses::mentions_of(c, &[status.id])?
        .remove(&status.id)
        .unwrap_or_default();
    if !social::find_accounts(c, &mentioned)?
        .iter()
        .all(|a| !a.is_local())
    {
        return Ok(true);
    }
    Ok(match status.in_reply_to_id {
        Some(p) => statuses::find(c, p)?.is_some_and(|p| p.local),
        None => false,
    })
}

/// A meeting listing a group announced (wrapped in its `Create`/`Update`, or as
/// it is): stored when it is from the group's own server (whose signature vouches
/// for it) and someone here follows the group or the listing's owner. A listing
/// from elsewhere is not fetched yet, only acknowledged.
pub async fn announced_event(
    data: &Data<FedData>,
    group: &RemoteActor,
    object: &Value,
) -> Result<(), InboxError> {
    let event = super::event::parse(object)?;
    let group_url = Url::parse(group.uri()).map_err(|_| Refusal::Malformed)?;
    if !same_origin(&event.id, &group_url) {
        tracing::debug!("announced event from another server not fetched");
        return Ok(());
    }
    super::event::check(&event, &group_url, data.app_data())?;
    let id = group.account.id;
    super::event::store(data.app_data(), event, id, &[id]).await
}

/// The status an announce names, if we hold it, or the embedded object when its
/// origin is the announcer's (whose signature we checked). None: fetch it.
async fn stored_or_trusted(
    data: &Data<FedData>,
    announcer: &RemoteActor,
    target: &Url,
    embedded: Option<ApNote>,
) -> Result<Option<StatusRow>, InboxError> {
    if let Some(s) = lookup::status(data, target).await? {
        return Ok(Some(s));
    }
    let announcer_url = Url::parse(announcer.uri()).map_err(|_| Refusal::Malformed)?;
    let Some(note) = embedded.filter(|n| same_origin(&n.id, &announcer_url)) else {
        return Ok(None);
    };
    if &note.id != target {
        return Err(Refusal::Malformed.into());
    }
    check_note(&note, &announcer_url, data.app_data())?;
    let author = ObjectId::<RemoteActor>::from(note.attributed_to.clone())
        .dereference(data)
        .await?;
    note::create(data, note, &author).await.map(Some)
}

/// The object fetched from its origin and stored.
async fn fetch_status(data: &Data<FedData>, target: &Url) -> Result<StatusRow, InboxError> {
    Ok(ObjectId::<RemoteNote>::from(target.clone())
        .dereference(data)
        .await
        .map_err(|e| match e {
            InboxError::Db(d) => InboxError::Db(d),
            InboxError::Refused(r) => InboxError::Refused(r),
            InboxError::Federation(_) => Refusal::Unfetchable.into(),
        })?
        .0)
}

/// The status a boost-form announce names: held, trusted from the announcer's own
/// server, or fetched from its origin. None: nothing to do (ours and unknown).
pub async fn announced_status(
    data: &Data<FedData>,
    announcer: &RemoteActor,
    target: Url,
    embedded: Option<Value>,
) -> Result<Option<StatusRow>, InboxError> {
    if data.urls.is_local(&target) {
        return lookup::status(data, &target).await.map_err(Into::into);
    }
    // An embedded copy is only a hint; one that does not parse is fetched instead.
    let embedded = embedded.and_then(|v| serde_json::from_value::<ApNote>(v).ok());
    match stored_or_trusted(data, announcer, &target, embedded).await? {
        Some(s) => Ok(Some(s)),
        None => fetch_status(data, &target).await.map(Some),
    }
}

/// Whether the object's origin answers, to a signed fetch, that it is gone: 404,
/// 410, or a `Tombstone`. Any other answer, or none, is not proof.
pub async fn origin_says_gone(data: &Data<FedData>, target: &Url) -> bool {
    let Some(client) = data.client.get() else {
        return false;
    };
    // Signed by the client itself (`http::FetchSigning`, the instance actor).
    let Ok(resp) = client
        .get(target.as_str())
        .header("Accept", "application/activity+json")
        .send()
        .await
    else {
        return false;
    };
    // Only the origin's own answer counts, not one from wherever it redirects.
    if !same_origin(resp.url(), target) {
        return false;
    }
    match resp.status().as_u16() {
        404 | 410 => true,
        200 => crate::http::read_limited(resp, MAX_GONE_BODY)
            .await
            .ok()
            .and_then(|body| serde_json::from_slice::<Value>(&body).ok())
            .is_some_and(|v| type_of(&v) == Some("Tombstone")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn announce_forms() {
        let page = json!({
            "type": "Page", "id": "https://lemmy.example/post/1",
            "attributedTo": "https://lemmy.example/u/ann", "name": "Hello",
        });
        let create = json!({
            "type": "Create", "id": "https://lemmy.example/activities/create/1",
            "actor": "https://lemmy.example/u/ann", "object": page,
        });
        match announced(&create).unwrap() {
            Announced::Activity(i) => {
                assert_eq!(i.kind, InnerKind::Create);
                assert_eq!(i.target().unwrap().as_str(), "https://lemmy.example/post/1");
                assert_eq!(i.embedded().unwrap().unwrap().kind, ObjectKind::Page);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            announced(&json!("https://m.example/p/1")).unwrap(),
            Announced::Object { embedded: None, .. }
        ));
        assert!(matches!(
            announced(&json!({"type": "Article", "id": "https://m.example/p/1"})).unwrap(),
            Announced::Object {
                embedded: Some(_),
                ..
            }
        ));
        for ignored in ["Like", "Dislike", "Undo", "Lock", "Remove"] {
            let v = json!({"type": ignored, "id": "https://x.example/1", "actor": "https://x.example/u"});
            assert!(
                matches!(announced(&v).unwrap(), Announced::Ignored),
                "{ignored}"
            );
        }
        // A Delete with a summary is a removal (Lemmy's moderator form), even with an
        // empty reason; without one it is the author's deletion.
        let removal = |summary: Option<&str>| {
            let mut v = json!({"type": "Delete", "id": "https://x.example/1",
                "actor": "https://x.example/u", "object": "https://x.example/p/1"});
            if let Some(s) = summary {
                v["summary"] = json!(s);
            }
            match announced(&v).unwrap() {
                Announced::Activity(i) => i.removal,
                other => panic!("{other:?}"),
            }
        };
        assert!(removal(Some("off topic")));
        assert!(removal(Some("")));
        assert!(!removal(None));
        // A wrapped Create without its object or actor is malformed.
        assert!(announced(&json!({"type": "Create", "id": "https://x.example/1"})).is_err());
        assert!(announced(&json!(42)).is_err());
    }
}
