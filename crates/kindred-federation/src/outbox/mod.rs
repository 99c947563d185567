//! Outbound activities. Every function here runs inside the database transaction
//! of the change that causes it and queues its deliveries there (invariant 6: a
//! committed change always has its deliveries; a rolled-back one has none).
//!
//! What never leaves: anything about a remote account's own objects, local-only
//! statuses (and boosts of them), and statuses with no remote account in their
//! audience — a direct message to local members or a followers-only post with only
//! local followers has no recipients, so nothing is queued. Deliveries go to the
//! shared inbox where an actor offers one, one request per instance.

mod account;
mod directory;
pub mod event;
pub mod flag;
mod group;
mod meeting;
pub mod note;
mod rsvp;
mod thread;
mod withdraw;
pub use rsvp::{Attendee, RsvpAnswer};
pub use thread::{thread_group, ReplyChange};

use kindred_domain::Visibility;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kindred_db::models::deliveries::{self, NewDelivery};
use kindred_db::models::outbound::{self, RemoteInbox};
use kindred_db::models::statuses;
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::id::IdGenerator;
use serde_json::{json, Value};
use url::Url;

use crate::inbox::addressing::domain_of;
use crate::LocalUrls;
use note::PUBLIC;

/// Queues activities; built per change with the moment it happened, and moved
/// into the database closure.
pub struct Outbox {
    urls: LocalUrls,
    ids: Arc<IdGenerator>,
    now: DateTime<Utc>,
}

/// The id of a status's `Create`.
fn create_id(status: &StatusRow) -> String {
    format!("{}/activity", status.uri)
}

/// What the ids of a status's `Update`s begin with (the edit's time follows).
fn updates_prefix(status: &StatusRow) -> String {
    format!("{}#updates/", status.uri)
}

/// Whether a status may ever leave this instance. A group's discussion post (the
/// `group` visibility) never does (invariant 1), whoever it mentions.
pub fn federates(status: &StatusRow) -> bool {
    status.local && !status.local_only && status.visibility != Visibility::Group
}

impl Outbox {
    pub fn new(urls: &LocalUrls, ids: &Arc<IdGenerator>, now: DateTime<Utc>) -> Self {
        Self {
            urls: urls.clone(),
            ids: ids.clone(),
            now,
        }
    }

    fn actor(&self, account: &AccountRow) -> String {
        self.urls.actor(&account.username).to_string()
    }

    /// `actor`'s `Announce` wrapping `activity` (FEP-1b12: a group relaying, or the
    /// instance actor passing on, an activity as it was made). Its id is
    /// `{actor}#{path}/{kind}/{millis}`; it is addressed to the public and to `cc`
    /// (left out when empty). No `@context`: the caller adds the one its contents
    /// need.
    fn wrapped_announce(&self, actor: &str, path: &str, cc: &[String], activity: &Value) -> Value {
        let kind = activity["type"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut inner = activity.clone();
        if let Some(map) = inner.as_object_mut() {
            map.remove("@context");
        }
        let mut announce = json!({
            "id": format!("{actor}#{path}/{kind}/{}", self.now.timestamp_millis()),
            "type": "Announce",
            "actor": actor,
            "to": [note::PUBLIC],
            "object": inner,
        });
        if !cc.is_empty() {
            announce["cc"] = json!(cc);
        }
        announce
    }

    /// Queues `activity` for each distinct inbox, signed by `signer`. Returns how
    /// many deliveries were queued.
    fn send(
        &self,
        conn: &mut AnyConnection,
        signer: &AccountRow,
        activity: Value,
        inboxes: &[RemoteInbox],
    ) -> Result<usize, DbError> {
        self.queue(conn, Some(signer.id), activity, inboxes)
    }

    /// As `send`; `signer` `None` signs as the instance actor.
    fn queue(
        &self,
        conn: &mut AnyConnection,
        signer: Option<i64>,
        mut activity: Value,
        inboxes: &[RemoteInbox],
    ) -> Result<usize, DbError> {
        let mut targets: Vec<(String, String)> = Vec::new();
        for inbox in inboxes {
            let url = inbox.preferred();
            let Some(domain) = Url::parse(url).ok().as_ref().and_then(domain_of) else {
                continue;
            };
            if !targets.iter().any(|(u, _)| u == url) {
                targets.push((url.to_owned(), domain));
            }
        }
        if targets.is_empty() {
            return Ok(0);
        }
        if activity.get("@context").is_none() {
            activity["@context"] = note::context();
        }
        let activity_id = activity["id"].as_str().unwrap_or_default().to_owned();
        // Classified once here; the worker checks the partner scope before each
        // attempt by this name. Only our instance actor signs without an account.
        let instance_actor = self.urls.instance_actor();
        let ours = if signer.is_none() {
            instance_actor.as_str()
        } else {
            ""
        };
        let traffic = crate::policy::classify_at(&activity, ours).as_str();
        let body = activity.to_string();
        let now = self.now.naive_utc();
        let items: Vec<NewDelivery> = targets
            .into_iter()
            .map(|(inbox_url, domain)| NewDelivery {
                id: self.ids.next_at(self.now),
                domain,
                inbox_url,
                signer_account_id: signer,
                activity_id: activity_id.clone(),
                body: body.clone(),
                next_attempt_at: now,
                created_at: now,
                traffic: traffic.to_owned(),
            })
            .collect();
        deliveries::enqueue(conn, &items, now)?;
        Ok(items.len())
    }

    /// Remote followers (unless direct) and remote mentioned accounts of a status.
    fn audience(
        &self,
        conn: &mut AnyConnection,
        author: &AccountRow,
        status: &StatusRow,
    ) -> Result<Vec<RemoteInbox>, DbError> {
        if !author.is_local() || !federates(status) {
            return Ok(Vec::new());
        }
        let mentioned = statuses::mentions_of(conn, &[status.id])?
            .remove(&status.id)
            .unwrap_or_default();
        let mut inboxes = outbound::inboxes_of(conn, &mentioned)?;
        if status.visibility != Visibility::Direct {
            inboxes.extend(outbound::follower_inboxes(conn, author.id)?);
        }
        // A public reply also goes to the author it answers, mentioned or not.
        if let (Some(parent_author), Visibility::Public | Visibility::Unlisted) =
            (status.in_reply_to_account_id, status.visibility)
        {
            inboxes.extend(outbound::inboxes_of(conn, &[parent_author])?);
        }
        Ok(inboxes)
    }

    fn note_activity(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        id: String,
        author: &AccountRow,
        status: &StatusRow,
    ) -> Result<usize, DbError> {
        let mut inboxes = self.audience(conn, author, status)?;
        if inboxes.is_empty() && !group::relayable(status) {
            return Ok(0);
        }
        // Read once: the relay and the note's `audience` both need it.
        let placed = note::placement(conn, status)?;
        let relay = match self.relay_of(conn, status, placed.as_ref())? {
            // A public reply in a group announcement's thread, relayed by the group
            // to those of its followers the author's activity does not reach.
            None if placed.is_none() => self.thread_relay_of(conn, status, &inboxes)?,
            r => r,
        };
        if let Some(r) = relay.as_ref().filter(|_| kind != "Create") {
            // Servers that read a group's announcement as a boost take its edits
            // from the author.
            inboxes.extend(r.plain.iter().cloned());
        }
        if inboxes.is_empty() && relay.is_none() {
            return Ok(0);
        }
        let parts = note::parts_placed(conn, &self.urls, status, placed.as_ref())?;
        let object = note::note(&self.urls, author, status, &parts);
        let activity = note::wrap(&self.urls, kind, id, author, object);
        let mut sent = 0;
        if let Some(r) = &relay {
            sent += self.relay(conn, r, status, &activity)?;
        }
        Ok(sent + self.send(conn, author, activity, &inboxes)?)
    }

    /// `Create(Note)` for a new status.
    pub fn created(
        &self,
        conn: &mut AnyConnection,
        author: &AccountRow,
        status: &StatusRow,
    ) -> Result<usize, DbError> {
        self.note_activity(conn, "Create", create_id(status), author, status)
    }

    /// `Update(Note)` after an edit (the row as it is now).
    pub fn edited(
        &self,
        conn: &mut AnyConnection,
        author: &AccountRow,
        status: &StatusRow,
    ) -> Result<usize, DbError> {
        let at = status.edited_at.unwrap_or(status.created_at);
        let id = format!(
            "{}{}",
            updates_prefix(status),
            at.and_utc().timestamp_millis()
        );
        self.note_activity(conn, "Update", id, author, status)
    }

    /// `Delete(Tombstone)` to everyone who received the status, after withdrawing
    /// its `Create` and `Update`s still queued (they carry its text; nobody should
    /// receive it now, only to be told to delete it). Call before the row (and its
    /// mentions) are deleted.
    pub fn deleted(
        &self,
        conn: &mut AnyConnection,
        author: &AccountRow,
        status: &StatusRow,
    ) -> Result<usize, DbError> {
        self.withdraw_queued(conn, status)?;
        let mut inboxes = self.audience(conn, author, status)?;
        let placed = if group::relayable(status) {
            note::placement(conn, status)?
        } else {
            None
        };
        let relay = match self.relay_of(conn, status, placed.as_ref())? {
            None if placed.is_none() && group::relayable(status) => {
                self.thread_relay_of(conn, status, &inboxes)?
            }
            r => r,
        };
        if let Some(r) = &relay {
            inboxes.extend(r.plain.iter().cloned());
        }
        let activity = json!({
            "id": format!("{}#delete", status.uri),
            "type": "Delete",
            "actor": self.actor(author),
            "to": [PUBLIC],
            "object": { "id": status.uri, "type": "Tombstone" },
        });
        let mut sent = 0;
        if let Some(r) = &relay {
            sent += self.relay(conn, r, status, &activity)?;
        }
        Ok(sent + self.send(conn, author, activity, &inboxes)?)
    }

    /// Withdraws the queued deliveries that carry `status`'s text: its `Create`, its
    /// `Update`s, and a group's relays of them; for a remote reply, our thread
    /// group's relays. (A delivery a worker has already taken up for sending still
    /// goes.)
    pub(super) fn withdraw_queued(
        &self,
        conn: &mut AnyConnection,
        status: &StatusRow,
    ) -> Result<usize, DbError> {
        let (mut ids, mut prefixes) = (Vec::new(), Vec::new());
        // The group that relays it: its own group (an announcement, local only), or
        // the group whose public thread it replies in (`thread`, local or remote
        // replies); both use `relay_path`.
        let mut relaying = Vec::new();
        if status.local {
            ids.push(create_id(status));
            prefixes.push(updates_prefix(status));
            if let Some((_, group)) = note::placement(conn, status)?.and_then(|p| p.group) {
                relaying.push(group);
            }
        }
        if let Some(group) = thread::thread_group(conn, status)? {
            relaying.push(group);
        }
        for group in &relaying {
            let actor = self.actor(group);
            for kind in ["create", "update"] {
                prefixes.push(format!("{actor}#{}/{kind}/", group::relay_path(status)));
            }
        }
        deliveries::withdraw(conn, &ids, &prefixes)
    }

    fn boost_audience(
        &self,
        conn: &mut AnyConnection,
        booster: &AccountRow,
        original: &StatusRow,
    ) -> Result<Vec<RemoteInbox>, DbError> {
        // A boost of a local-only status stays here, as the status does.
        if !booster.is_local() || original.local_only {
            return Ok(Vec::new());
        }
        let mut inboxes = outbound::follower_inboxes(conn, booster.id)?;
        inboxes.extend(outbound::inboxes_of(conn, &[original.account_id])?);
        Ok(inboxes)
    }

    fn announce(
        &self,
        conn: &mut AnyConnection,
        booster: &AccountRow,
        boost: &StatusRow,
        original: &StatusRow,
    ) -> Result<Value, DbError> {
        announce(conn, &self.urls, booster, boost, original)
    }

    /// `Announce` of a boosted status.
    pub fn reblogged(
        &self,
        conn: &mut AnyConnection,
        booster: &AccountRow,
        boost: &StatusRow,
        original: &StatusRow,
    ) -> Result<usize, DbError> {
        let inboxes = self.boost_audience(conn, booster, original)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let activity = self.announce(conn, booster, boost, original)?;
        self.send(conn, booster, activity, &inboxes)
    }

    /// `Undo(Announce)`; call before the boost row is deleted.
    pub fn unreblogged(
        &self,
        conn: &mut AnyConnection,
        booster: &AccountRow,
        boost: &StatusRow,
        original: &StatusRow,
    ) -> Result<usize, DbError> {
        let inboxes = self.boost_audience(conn, booster, original)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let mut announce = self.announce(conn, booster, boost, original)?;
        let to = announce["to"].take();
        let cc = announce["cc"].take();
        let activity = json!({
            "id": format!("{}#undo", boost.uri),
            "type": "Undo",
            "actor": self.actor(booster),
            "to": to,
            "cc": cc,
            "object": announce,
        });
        self.send(conn, booster, activity, &inboxes)
    }

    /// `Like` (or its `Undo`) to the author of a remote status; a favourite of a
    /// local status goes nowhere.
    pub fn like(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
        status: &StatusRow,
        favourite_id: i64,
        undo: bool,
    ) -> Result<usize, DbError> {
        if !account.is_local() || status.local {
            return Ok(0);
        }
        let inboxes = outbound::inboxes_of(conn, &[status.account_id])?;
        let actor = self.actor(account);
        let like = json!({
            "id": format!("{actor}#likes/{favourite_id}"),
            "type": "Like",
            "actor": actor,
            "object": status.uri,
        });
        let activity = if undo {
            json!({
                "id": format!("{actor}#likes/{favourite_id}/undo"),
                "type": "Undo",
                "actor": actor,
                "object": like,
            })
        } else {
            like
        };
        self.send(conn, account, activity, &inboxes)
    }

    /// `Follow` of a remote account; records the activity id on the request row
    /// (`row_id`) so a later `Undo` names it.
    pub fn follow(
        &self,
        conn: &mut AnyConnection,
        follower: &AccountRow,
        target: &AccountRow,
        row_id: i64,
    ) -> Result<usize, DbError> {
        if !follower.is_local() || target.is_local() {
            return Ok(0);
        }
        let id = format!("{}#follows/{row_id}", self.actor(follower));
        self.send_follow(conn, follower, target, id)
    }

    /// The `Follow` of a remote account sent again while our request is pending
    /// (`kindred_domain::follow_resend`), under a new id — receivers drop an id
    /// they have seen, and our own inbox does. The request keeps the newest id,
    /// which a later `Undo` names; an `Accept` of any of them answers it.
    pub fn follow_again(
        &self,
        conn: &mut AnyConnection,
        follower: &AccountRow,
        target: &AccountRow,
    ) -> Result<usize, DbError> {
        if !follower.is_local() || target.is_local() {
            return Ok(0);
        }
        let Some((row_id, _)) = outbound::follow_of(conn, follower.id, target.id)? else {
            return Ok(0);
        };
        let id = format!(
            "{}#follows/{row_id}/again/{}",
            self.actor(follower),
            self.now.timestamp_millis()
        );
        self.send_follow(conn, follower, target, id)
    }

    fn send_follow(
        &self,
        conn: &mut AnyConnection,
        follower: &AccountRow,
        target: &AccountRow,
        id: String,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::inboxes_of(conn, &[target.id])?;
        let Some(target_uri) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        outbound::set_follow_uri(conn, follower.id, target.id, &id)?;
        let activity = json!({
            "id": id,
            "type": "Follow",
            "actor": self.actor(follower),
            "object": target_uri,
        });
        self.send(conn, follower, activity, &inboxes)
    }

    /// `Undo(Follow)` of a follow or pending request of a remote account; call
    /// before the rows are deleted.
    pub fn unfollow(
        &self,
        conn: &mut AnyConnection,
        follower: &AccountRow,
        target: &AccountRow,
    ) -> Result<usize, DbError> {
        if !follower.is_local() || target.is_local() {
            return Ok(0);
        }
        let Some((row_id, uri)) = outbound::follow_of(conn, follower.id, target.id)? else {
            return Ok(0);
        };
        let inboxes = outbound::inboxes_of(conn, &[target.id])?;
        let Some(target_uri) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.actor(follower);
        let follow_id = uri.unwrap_or_else(|| format!("{actor}#follows/{row_id}"));
        let activity = json!({
            "id": format!("{follow_id}/undo"),
            "type": "Undo",
            "actor": actor,
            "object": {
                "id": follow_id,
                "type": "Follow",
                "actor": actor,
                "object": target_uri,
            },
        });
        self.send(conn, follower, activity, &inboxes)
    }

    /// `Accept` or `Reject` of a remote account's follow of a local one. Call while
    /// the follow or request row still holds the Follow's id (before a rejection
    /// deletes it).
    pub fn answer_follow(
        &self,
        conn: &mut AnyConnection,
        target: &AccountRow,
        follower: &AccountRow,
        accept: bool,
    ) -> Result<usize, DbError> {
        if !target.is_local() || follower.is_local() {
            return Ok(0);
        }
        let (row_id, follow_id) = outbound::follow_of(conn, follower.id, target.id)?
            .unwrap_or((self.ids.next_at(self.now), None));
        self.answer(conn, target, follower, accept, row_id, follow_id)
    }

    /// `Reject` of a Follow that left no row behind (refused on arrival).
    pub fn reject_follow(
        &self,
        conn: &mut AnyConnection,
        target: &AccountRow,
        follower: &AccountRow,
        follow_id: &str,
    ) -> Result<usize, DbError> {
        if !target.is_local() || follower.is_local() {
            return Ok(0);
        }
        let row_id = self.ids.next_at(self.now);
        self.answer(
            conn,
            target,
            follower,
            false,
            row_id,
            Some(follow_id.to_owned()),
        )
    }

    fn answer(
        &self,
        conn: &mut AnyConnection,
        target: &AccountRow,
        follower: &AccountRow,
        accept: bool,
        row_id: i64,
        follow_id: Option<String>,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::inboxes_of(conn, &[follower.id])?;
        let Some(follower_uri) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.actor(target);
        let (kind, path) = if accept {
            ("Accept", "accepts")
        } else {
            ("Reject", "rejects")
        };
        let mut follow = json!({
            "type": "Follow",
            "actor": follower_uri,
            "object": actor,
        });
        if let Some(id) = follow_id {
            follow["id"] = json!(id);
        }
        let activity = json!({
            "id": format!("{actor}#{path}/follows/{row_id}/{}", self.now.timestamp_millis()),
            "type": kind,
            "actor": actor,
            "object": follow,
        });
        self.send(conn, target, activity, &inboxes)
    }

    /// `Update(Person)` to remote followers after a profile change.
    pub fn profile_updated(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
    ) -> Result<usize, DbError> {
        if !account.is_local() {
            return Ok(0);
        }
        // Plain data: serializing it cannot fail.
        let object = serde_json::to_value(crate::local_actors::person(account, &self.urls))
            .unwrap_or_default();
        self.actor_updated(conn, account, object)
    }

    /// A local account suspended or unsuspended by a moderator, told as Mastodon
    /// tells it: an `Update` of the actor with `suspended` (`toot:suspended`) to its
    /// remote followers; while suspended the document carries no name or bio. A
    /// receiver hides the account and its posts (Mastodon and Kindred do), and
    /// restores it on the `Update` without the flag.
    pub fn account_suspension(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
        suspended: bool,
    ) -> Result<usize, DbError> {
        if !account.is_local() {
            return Ok(0);
        }
        let mut object = serde_json::to_value(crate::local_actors::person(account, &self.urls))
            .unwrap_or_default();
        if let Some(map) = object.as_object_mut() {
            map.insert("suspended".to_owned(), Value::Bool(suspended));
            if suspended {
                map.insert("name".to_owned(), Value::String(String::new()));
                map.insert("summary".to_owned(), Value::String(String::new()));
            }
        }
        self.actor_updated(conn, account, object)
    }

    /// `Update` of an actor's document (a person's or a group's) to its remote
    /// followers.
    fn actor_updated(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
        mut object: Value,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::follower_inboxes(conn, account.id)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let actor = self.actor(account);
        if let Some(map) = object.as_object_mut() {
            map.remove("@context");
        }
        let activity = json!({
            "id": format!("{actor}#updates/{}", self.now.timestamp_millis()),
            "type": "Update",
            "actor": actor,
            "to": [PUBLIC],
            "object": object,
        });
        self.send(conn, account, activity, &inboxes)
    }
}

/// The `Announce` of a boost, as delivered and as served at the boost's id.
pub fn announce(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    booster: &AccountRow,
    boost: &StatusRow,
    original: &StatusRow,
) -> Result<Value, DbError> {
    let owner = statuses_author_uri(conn, urls, original)?;
    let followers = urls.followers(&booster.username).to_string();
    let (to, cc) = if boost.visibility == Visibility::Unlisted {
        (vec![followers], vec![PUBLIC.to_owned(), owner])
    } else {
        (vec![PUBLIC.to_owned()], vec![followers, owner])
    };
    Ok(json!({
        "id": boost.uri,
        "type": "Announce",
        "actor": urls.actor(&booster.username),
        "published": note::timestamp(boost.created_at),
        "to": to,
        "cc": cc,
        "object": original.uri,
    }))
}

/// The actor id of a status's author (local or remote).
fn statuses_author_uri(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    status: &StatusRow,
) -> Result<String, DbError> {
    if status.local {
        let author = kindred_db::models::accounts::find(conn, status.account_id)?;
        return Ok(author
            .map(|a| urls.actor(&a.username).to_string())
            .unwrap_or_default());
    }
    Ok(
        kindred_db::models::remote_accounts::addresses(conn, &[status.account_id])?
            .remove(&status.account_id)
            .map(|(uri, _)| uri)
            .unwrap_or_default(),
    )
}
