//! A group relays its public announcements to its remote followers (FEP-1b12).
//!
//! Only a group that is not private relays, only announcements (never discussion
//! posts: those have the `group` visibility and never federate), only public ones,
//! and never a held post. Each follower's instance gets the form its software reads:
//! - FEP-1b12 readers (Lemmy and its kin, Kindred): the group's `Announce` wrapping
//!   the author's `Create`, `Update` or `Delete`;
//! - everyone else (Mastodon, unknown software): the group's `Announce` of the
//!   post's id — a boost — and later the author's own `Update` and `Delete`, which
//!   those servers accept from the author of a post they hold.

use kindred_db::models::{groups, outbound};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::Visibility;
use serde_json::{json, Value};
use url::Url;

use super::note::{self, Placed, PUBLIC};
use super::{federates, Outbox};
use crate::inbox::addressing::domain_of;
use crate::software::reads_wrapped_announces;
use kindred_db::models::outbound::RemoteInbox;

/// The group relaying a status, and its followers' inboxes split by the form they
/// read.
pub(super) struct Relay {
    pub group: AccountRow,
    pub wrapped: Vec<RemoteInbox>,
    pub plain: Vec<RemoteInbox>,
}

/// Whether a status could be relayed by a group at all (before its placement is
/// read): only public statuses that federate.
pub(super) fn relayable(status: &StatusRow) -> bool {
    federates(status) && status.visibility == Visibility::Public
}

/// The path of a group's relays of a status in their ids (`{group}#{path}/{kind}/…`,
/// see `Outbox::wrapped_announce`), by which a deleted status's are withdrawn.
pub(super) fn relay_path(status: &StatusRow) -> String {
    format!("announces/{}", status.id)
}

/// An account's remote followers' inboxes, each with the software its instance runs
/// (from NodeInfo; `None` while unknown), so each gets the form it reads.
pub(super) fn followers_with_software(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<(RemoteInbox, Option<String>)>, DbError> {
    let inboxes = outbound::follower_inboxes(conn, account_id)?;
    if inboxes.is_empty() {
        return Ok(Vec::new());
    }
    let domain = |i: &RemoteInbox| {
        Url::parse(i.preferred())
            .ok()
            .as_ref()
            .and_then(domain_of)
            .unwrap_or_default()
    };
    let mut domains: Vec<String> = inboxes.iter().map(domain).collect();
    domains.sort();
    domains.dedup();
    let software = outbound::software_of(conn, &domains)?;
    Ok(inboxes
        .into_iter()
        .map(|i| {
            let s = software.get(&domain(&i)).cloned();
            (i, s)
        })
        .collect())
}

impl Outbox {
    /// The relay of `status`, if it is a public announcement of a group that is not
    /// private and the group has remote followers. `placed` is the status's
    /// placement (`note::placement`), loaded by the caller, which needs it too.
    pub(super) fn relay_of(
        &self,
        conn: &mut AnyConnection,
        status: &StatusRow,
        placed: Option<&Placed>,
    ) -> Result<Option<Relay>, DbError> {
        if !relayable(status) {
            return Ok(None);
        }
        let Some(placed) = placed else {
            return Ok(None);
        };
        if !placed.post.is_announcement() || placed.post.held {
            return Ok(None);
        }
        let Some((group, account)) = &placed.group else {
            return Ok(None);
        };
        if group.is_private() || !account.is_active() {
            return Ok(None);
        }
        let account = account.clone();
        let inboxes = followers_with_software(conn, account.id)?;
        if inboxes.is_empty() {
            return Ok(None);
        }
        let (wrapped, plain): (Vec<_>, Vec<_>) = inboxes
            .into_iter()
            .partition(|(_, s)| s.as_deref().is_some_and(reads_wrapped_announces));
        let (wrapped, plain) = (
            wrapped.into_iter().map(|(i, _)| i).collect(),
            plain.into_iter().map(|(i, _)| i).collect(),
        );
        Ok(Some(Relay {
            group: account,
            wrapped,
            plain,
        }))
    }

    /// Sends the relay of an author's activity about a group announcement: the
    /// wrapped `Announce` to FEP-1b12 readers and, for a new post, the boost to the
    /// others (the author's `Update`/`Delete` reach those with the author's own
    /// delivery, see `Outbox::note_activity`).
    pub(super) fn relay(
        &self,
        conn: &mut AnyConnection,
        relay: &Relay,
        status: &StatusRow,
        activity: &Value,
    ) -> Result<usize, DbError> {
        let group = &relay.group;
        let actor = self.urls.actor(&group.username).to_string();
        let followers = self.urls.followers(&group.username).to_string();
        let wrapped = self.wrapped_announce(
            &actor,
            &relay_path(status),
            std::slice::from_ref(&followers),
            activity,
        );
        let mut sent = self.send(conn, group, wrapped, &relay.wrapped)?;
        if activity["type"] == "Create" && !relay.plain.is_empty() {
            let author = super::statuses_author_uri(conn, &self.urls, status)?;
            sent += self.send(
                conn,
                group,
                json!({
                    "id": format!("{actor}#announces/{}", status.id),
                    "type": "Announce",
                    "actor": actor,
                    "published": note::timestamp(status.created_at),
                    "to": [PUBLIC],
                    "cc": [followers, author],
                    "object": status.uri,
                }),
                &relay.plain,
            )?;
        }
        Ok(sent)
    }
}

impl Outbox {
    /// `Update(Group)` to the group's remote followers after its settings change
    /// (nothing for a private group, which has no document).
    pub fn group_updated(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
        group: &groups::GroupRow,
    ) -> Result<usize, DbError> {
        let Some(doc) = crate::local_actors::group(account, group, &self.urls) else {
            return Ok(0);
        };
        // Plain data: serializing it cannot fail.
        self.actor_updated(conn, account, serde_json::to_value(doc).unwrap_or_default())
    }
}

impl Outbox {
    /// `Delete` of the group actor to its remote followers, when the group closes.
    /// Call before its follows are removed.
    pub fn group_deleted(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::follower_inboxes(conn, account.id)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let actor = self.urls.actor(&account.username).to_string();
        let activity = json!({
            "id": format!("{actor}#delete"),
            "type": "Delete",
            "actor": actor,
            "to": [PUBLIC],
            "object": actor,
        });
        self.send(conn, account, activity, &inboxes)
    }
}
