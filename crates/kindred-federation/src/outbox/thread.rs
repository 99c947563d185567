//! A group relays the public replies in its announcements' threads (FEP-1b12), so
//! every follower sees the whole thread, as a Lemmy community does with comments.
//!
//! Relayed: a public reply (local or remote), its edits and its deletion, when every
//! status from it up to the thread's root is public and the root is a public
//! announcement of a local group that is not private. Never relayed: a discussion
//! post (the `group` audience stops the walk), a reply that is not public (a
//! member's reply is followers-only by default), a thread under anything that is
//! not public, a reply by an account the group blocks or that blocks it or that a
//! moderator silenced (a group does not amplify it), and likes
//! (a favourite of a peer-support group's post would tell every follower who cares
//! about that group; Lemmy shows only a score, Mastodon nobody's).
//!
//! De-duplication: an instance that receives the author's own activity (the local
//! author's followers, mentioned and answered accounts) does not get the relay too,
//! and a remote reply never goes back to the server it came from. The delivery
//! worker's partner-scope check carries the rest: every relay is `announcements`
//! traffic (`policy::classify`).
//!
//! A remote reply is relayed in the forms receivers verify: to FEP-1b12 readers the
//! author's `Create`/`Update`/`Delete` rebuilt from our copy, inside the group's
//! `Announce` (Kindred fetches the note from its origin, as it does for every object
//! another server vouches for; Lemmy trusts its community's announce); to others a
//! boost of the note's id, which they fetch from its origin, and the boost's `Undo`
//! when the reply is deleted.

use kindred_domain::Visibility;
use std::collections::HashSet;

use kindred_db::models::outbound::RemoteInbox;
use kindred_db::models::{accounts, groups, silenced, social, statuses};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use serde_json::{json, Value};
use url::Url;

use super::group::{followers_with_software, Relay};
use super::note::{self, PUBLIC};
use super::Outbox;
use crate::inbox::addressing::domain_of;
use crate::software::reads_wrapped_announces;

/// Longest chain of replies walked up to a thread's root.
pub(super) const MAX_DEPTH: usize = 32;

/// What happened to a remote reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyChange {
    Created,
    Edited,
    Deleted,
}

/// Whether a status may travel in a relayed thread: public, leaving, not a boost.
fn open(status: &StatusRow) -> bool {
    status.visibility == Visibility::Public && !status.local_only && status.reblog_of_id.is_none()
}

/// The local group whose public announcement heads the thread `status` replies in,
/// when `status` is an ordinary (not a group) post and every status on the way up
/// is public. None for anything else.
pub fn thread_group(
    conn: &mut AnyConnection,
    status: &StatusRow,
) -> Result<Option<AccountRow>, DbError> {
    if !open(status) || status.in_reply_to_id.is_none() {
        return Ok(None);
    }
    // A group post is an announcement (relayed as one) or a discussion post (never).
    // Only local statuses are placed in groups: a remote one costs no look-up (the
    // inbox calls this in the one writer's job).
    if status.local && groups::posts_of(conn, &[status.id])?.contains_key(&status.id) {
        return Ok(None);
    }
    let mut parent = status.in_reply_to_id;
    for _ in 0..MAX_DEPTH {
        let Some(id) = parent else {
            return Ok(None);
        };
        let Some(p) = statuses::find(conn, id)? else {
            return Ok(None);
        };
        if !open(&p) {
            return Ok(None);
        }
        let placed = if p.local {
            groups::posts_of(conn, &[p.id])?.remove(&p.id)
        } else {
            None
        };
        if let Some(post) = placed {
            if !post.is_announcement() || post.held {
                return Ok(None);
            }
            let Some((group, account)) = groups::find(conn, post.group_id)? else {
                return Ok(None);
            };
            if group.is_private() || !account.is_active() || !account.is_local() {
                return Ok(None);
            }
            return Ok(Some(account));
        }
        parent = p.in_reply_to_id;
    }
    Ok(None)
}

fn inbox_domain(inbox: &RemoteInbox) -> Option<String> {
    Url::parse(inbox.preferred())
        .ok()
        .as_ref()
        .and_then(domain_of)
}

/// The domain a remote status came from (None for a local one).
pub(super) fn origin_domain(status: &StatusRow) -> Option<String> {
    if status.local {
        return None;
    }
    Url::parse(&status.uri).ok().as_ref().and_then(domain_of)
}

/// The group's remote followers split by form, leaving out `except` (inboxes that
/// get the author's own activity) and the status's own server.
pub(super) fn split_followers(
    conn: &mut AnyConnection,
    group: &AccountRow,
    status: &StatusRow,
    except: &[RemoteInbox],
) -> Result<(Vec<RemoteInbox>, Vec<RemoteInbox>), DbError> {
    let skip: HashSet<&str> = except.iter().map(RemoteInbox::preferred).collect();
    let origin = origin_domain(status);
    let mut wrapped = Vec::new();
    let mut plain = Vec::new();
    for (inbox, software) in followers_with_software(conn, group.id)? {
        if skip.contains(inbox.preferred()) {
            continue;
        }
        if origin.is_some() && inbox_domain(&inbox) == origin {
            continue;
        }
        if software.as_deref().is_some_and(reads_wrapped_announces) {
            wrapped.push(inbox);
        } else {
            plain.push(inbox);
        }
    }
    Ok((wrapped, plain))
}

impl Outbox {
    /// The relay of a reply in a group announcement's thread (see the module
    /// comment), leaving out `except`, the inboxes the author's own activity goes to.
    pub(super) fn thread_relay_of(
        &self,
        conn: &mut AnyConnection,
        status: &StatusRow,
        except: &[RemoteInbox],
    ) -> Result<Option<Relay>, DbError> {
        let Some(group) = thread_group(conn, status)? else {
            return Ok(None);
        };
        let author_active = accounts::find(conn, status.account_id)?.is_some_and(|a| a.is_active());
        if !author_active
            || silenced::is_silenced(conn, status.account_id)?
            || social::blocked_either_way(conn, group.id, status.account_id)?
        {
            return Ok(None);
        }
        let (wrapped, plain) = split_followers(conn, &group, status, except)?;
        if wrapped.is_empty() && plain.is_empty() {
            return Ok(None);
        }
        Ok(Some(Relay {
            group,
            wrapped,
            plain,
        }))
    }

    /// Relays a remote reply's creation, edit or deletion in a local group's
    /// thread. Call inside the transaction that stores the change, while the status
    /// row still exists (before a deletion removes it). Returns how many deliveries
    /// were queued.
    pub fn remote_reply(
        &self,
        conn: &mut AnyConnection,
        status: &StatusRow,
        change: ReplyChange,
    ) -> Result<usize, DbError> {
        if status.local || status.in_reply_to_id.is_none() || !open(status) {
            return Ok(0);
        }
        if change == ReplyChange::Deleted {
            // Its relayed text still queued goes first: nobody should receive it now,
            // only to be told to delete it.
            self.withdraw_queued(conn, status)?;
        }
        let Some(relay) = self.thread_relay_of(conn, status, &[])? else {
            return Ok(0);
        };
        let author = super::statuses_author_uri(conn, &self.urls, status)?;
        if author.is_empty() {
            return Ok(0);
        }
        let activity = match change {
            ReplyChange::Created | ReplyChange::Edited => {
                let object = remote_note(conn, status, &author)?;
                let (kind, id) = if change == ReplyChange::Created {
                    ("Create", format!("{}#create", status.uri))
                } else {
                    let at = status.edited_at.unwrap_or(status.created_at);
                    let millis = at.and_utc().timestamp_millis();
                    ("Update", format!("{}#updates/{millis}", status.uri))
                };
                json!({
                    "id": id,
                    "type": kind,
                    "actor": author,
                    "to": object["to"],
                    "cc": object["cc"],
                    "object": object,
                })
            }
            ReplyChange::Deleted => json!({
                "id": format!("{}#delete", status.uri),
                "type": "Delete",
                "actor": author,
                "to": [PUBLIC],
                "object": { "id": status.uri, "type": "Tombstone" },
            }),
        };
        // FEP-1b12 readers get the wrapped activity; the others the group's boost
        // of a new reply (which they fetch from its origin).
        let mut sent = self.relay(conn, &relay, status, &activity)?;
        if change == ReplyChange::Deleted && !relay.plain.is_empty() {
            let undo = self.undo_boost(&relay.group, status);
            sent += self.send(conn, &relay.group, undo, &relay.plain)?;
        }
        Ok(sent)
    }

    /// The group's `Undo` of its boost of `status` (`Outbox::relay`'s plain form).
    pub(super) fn undo_boost(&self, group: &AccountRow, status: &StatusRow) -> Value {
        let actor = self.actor(group);
        let boost = format!("{actor}#announces/{}", status.id);
        json!({
            "id": format!("{boost}/undo/{}", self.now.timestamp_millis()),
            "type": "Undo",
            "actor": actor,
            "to": [PUBLIC],
            "cc": [self.urls.followers(&group.username).to_string()],
            "object": {
                "id": boost,
                "type": "Announce",
                "actor": actor,
                "object": status.uri,
            },
        })
    }
}

/// A remote public reply as a `Note`, rebuilt from our (sanitized) copy.
fn remote_note(
    conn: &mut AnyConnection,
    status: &StatusRow,
    author: &str,
) -> Result<Value, DbError> {
    let in_reply_to = match status.in_reply_to_id {
        Some(p) => statuses::find(conn, p)?.map(|p| p.uri),
        None => None,
    };
    let mut object = json!({
        "id": status.uri,
        "type": "Note",
        "attributedTo": author,
        "to": [PUBLIC],
        "cc": [],
        "inReplyTo": in_reply_to,
        "published": note::timestamp(status.created_at),
        "mediaType": "text/html",
        "content": status.content,
        "sensitive": status.sensitive,
    });
    if !status.spoiler_text.is_empty() {
        object["summary"] = json!(status.spoiler_text);
    }
    if let Some(edited) = status.edited_at {
        object["updated"] = json!(note::timestamp(edited));
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use kindred_domain::federation_policy::Traffic;
    use serde_json::json;

    use crate::policy::classify;

    /// Every relay and withdrawal is `announcements` traffic, so a partner without
    /// that scope never gets one (the worker checks before each attempt).
    #[test]
    fn relays_and_withdrawals_are_announcements() {
        let note = json!({"type": "Note", "id": "https://b.example/n/1",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": []});
        let relayed = json!({"type": "Announce", "actor": "https://a.example/users/g",
            "object": {"type": "Create", "actor": "https://b.example/u/x", "object": note}});
        let boost = json!({"type": "Announce", "object": "https://b.example/n/1"});
        let deleted = json!({"type": "Announce", "object": {"type": "Delete",
            "actor": "https://b.example/u/x", "object": {"type": "Tombstone", "id": "https://b.example/n/1"}}});
        let removal = json!({"type": "Announce", "object": {"type": "Delete",
            "actor": "https://a.example/users/f", "object": "https://b.example/n/1", "summary": ""}});
        let undo = json!({"type": "Undo", "object": {"type": "Announce", "object": "https://b.example/n/1"}});
        for v in [relayed, boost, deleted, removal, undo] {
            assert_eq!(classify(&v), Traffic::Announcements, "{v}");
        }
    }
}
