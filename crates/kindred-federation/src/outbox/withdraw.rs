//! A group that turns private or closes takes back what it distributed: its public
//! announcements, the replies it relayed in their threads (`thread`) and its
//! meeting listings. The posts stay with their authors here (docs/groups.md); only
//! their distribution through the group is withdrawn, from every remote follower
//! and, for listings, from the meeting directory's subscribers.
//!
//! Each follower gets the form its software reads:
//! - FEP-1b12 readers (Lemmy and its kin, Kindred): the group's `Announce` of a
//!   moderator's `Delete` with a `summary` — how a Lemmy community takes a post down
//!   (Lemmy reads a `Delete` with a summary as a removal, accepts it from an actor
//!   of the community's own server, and wants that actor to be a person: the
//!   thread's announcement's author, already public as its author, is the one named);
//! - everyone else (Mastodon): the group's `Undo` of its boost.
//!
//! Listings go as the group's `Delete` of each `Event` (`Outbox::meeting_deleted`).

use std::collections::HashSet;

use kindred_db::models::outbound::RemoteInbox;
use kindred_db::models::{accounts, groups, meetings};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use serde_json::{json, Value};
use url::Url;

use super::group::followers_with_software;
use super::note::PUBLIC;
use super::thread::{origin_domain, MAX_DEPTH};
use super::Outbox;
use crate::inbox::addressing::domain_of;
use crate::software::reads_wrapped_announces;

/// Bounds on one withdrawal (newest first): announcements, relayed replies and
/// meeting listings.
const MAX_ANNOUNCEMENTS: i64 = 1_000;
const MAX_REPLIES: i64 = 5_000;
const MAX_MEETINGS: i64 = 1_000;

/// The reason a FEP-1b12 reader shows for the removal.
pub const REMOVAL_SUMMARY: &str = "Withdrawn by the group";

/// A status the group distributed, and the person named as taking it down.
struct Distributed {
    status: StatusRow,
    remover: String,
}

impl Outbox {
    /// Withdraws everything `group` distributed (see the module comment).
    ///
    /// Contract: call inside the transaction that turns the group private or
    /// closes it, before its remote follows are removed (they are the audience),
    /// and only when the group was not private before (a private group distributed
    /// nothing). Returns how many deliveries were queued.
    pub fn group_withdrawn(
        &self,
        conn: &mut AnyConnection,
        group: &AccountRow,
    ) -> Result<usize, DbError> {
        let mut sent = 0;
        for meeting in meetings::public_of_group(conn, group.id, MAX_MEETINGS)? {
            sent += self.meeting_deleted(conn, meeting)?;
        }
        let followers = followers_with_software(conn, group.id)?;
        if followers.is_empty() {
            return Ok(sent);
        }
        let (wrapped, plain): (Vec<_>, Vec<_>) = followers
            .into_iter()
            .partition(|(_, s)| s.as_deref().is_some_and(reads_wrapped_announces));
        let wrapped: Vec<RemoteInbox> = wrapped.into_iter().map(|(i, _)| i).collect();
        let plain: Vec<RemoteInbox> = plain.into_iter().map(|(i, _)| i).collect();
        for item in self.distributed(conn, group)? {
            // A relayed reply never went back to its own server.
            let origin = origin_domain(&item.status);
            let keep = |i: &&RemoteInbox| {
                origin.is_none()
                    || Url::parse(i.preferred()).ok().as_ref().and_then(domain_of) != origin
            };
            let to_wrapped: Vec<RemoteInbox> = wrapped.iter().filter(keep).cloned().collect();
            let to_plain: Vec<RemoteInbox> = plain.iter().filter(keep).cloned().collect();
            if !to_wrapped.is_empty() {
                let removal = self.removal(group, &item);
                sent += self.send(conn, group, removal, &to_wrapped)?;
            }
            if !to_plain.is_empty() {
                let undo = self.undo_boost(group, &item.status);
                sent += self.send(conn, group, undo, &to_plain)?;
            }
        }
        Ok(sent)
    }

    /// The group's public announcements and, under each, the public replies of its
    /// thread, each with the announcement's author as the remover.
    fn distributed(
        &self,
        conn: &mut AnyConnection,
        group: &AccountRow,
    ) -> Result<Vec<Distributed>, DbError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut replies_left = MAX_REPLIES;
        for announcement in groups::distributed_announcements(conn, group.id, MAX_ANNOUNCEMENTS)? {
            let Some(author) = accounts::find(conn, announcement.account_id)? else {
                continue;
            };
            if !author.is_local() {
                continue;
            }
            let remover = self.actor(&author);
            let mut level = vec![announcement.id];
            seen.insert(announcement.id);
            out.push(Distributed {
                status: announcement,
                remover: remover.clone(),
            });
            for _ in 0..MAX_DEPTH {
                if level.is_empty() || replies_left <= 0 {
                    break;
                }
                let replies = groups::public_replies(conn, &level, replies_left)?;
                replies_left -= replies.len() as i64;
                level = Vec::new();
                for reply in replies {
                    if seen.insert(reply.id) {
                        level.push(reply.id);
                        out.push(Distributed {
                            status: reply,
                            remover: remover.clone(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// The group's `Announce` of a removal (`Delete` with a `summary`) of a status.
    fn removal(&self, group: &AccountRow, item: &Distributed) -> Value {
        let actor = self.actor(group);
        let millis = self.now.timestamp_millis();
        let delete = json!({
            "id": format!("{}#removals/{}/{millis}", item.remover, item.status.id),
            "type": "Delete",
            "actor": item.remover,
            "to": [PUBLIC],
            "cc": [actor],
            "audience": actor,
            "object": item.status.uri,
            "summary": REMOVAL_SUMMARY,
        });
        let followers = [self.urls.followers(&group.username).to_string()];
        self.wrapped_announce(
            &actor,
            &format!("withdrawals/{}", item.status.id),
            &followers,
            &delete,
        )
    }
}
