//! A group's public meeting listings, sent to the group's remote followers as
//! `Event`s (see `event` for what the document holds and never holds).
//!
//! Each follower's instance gets the form its software reads:
//! - FEP-1b12 readers (Lemmy and its kin, Kindred): the group's `Announce` wrapping
//!   the group's own `Create(Event)`, `Update(Event)` or `Delete`;
//! - events platforms (Mobilizon, Gancio): the group's `Create`, `Update`, `Delete`
//!   as they are;
//! - everyone else (Mastodon, unknown software): the group's `Announce` of the
//!   event's id — a boost, which Mastodon fetches and shows as a post — and later
//!   the group's own `Update` and `Delete`, which it accepts from the object's owner.
//!
//! Partners subscribed to the meeting directory (`directory`) receive every public
//! listing too, the group's and the instance's own, announced by the instance actor.

use kindred_db::models::outbound::RemoteInbox;
use kindred_db::models::{groups, meetings, remote_meetings};
use kindred_db::{AccountRow, AnyConnection, DbError};
use serde_json::{json, Value};

use super::event::{self, Listing};
use super::note::PUBLIC;
use super::Outbox;
use crate::software::{reads_events, reads_wrapped_announces};

/// A group's remote followers split by the form their software reads.
struct Audience {
    wrapped: Vec<RemoteInbox>,
    events: Vec<RemoteInbox>,
    plain: Vec<RemoteInbox>,
}

impl Audience {
    fn is_empty(&self) -> bool {
        self.wrapped.is_empty() && self.events.is_empty() && self.plain.is_empty()
    }
}

fn audience(conn: &mut AnyConnection, group: &AccountRow) -> Result<Audience, DbError> {
    let mut out = Audience {
        wrapped: Vec::new(),
        events: Vec::new(),
        plain: Vec::new(),
    };
    for (inbox, software) in super::group::followers_with_software(conn, group.id)? {
        match software.as_deref() {
            Some(s) if reads_wrapped_announces(s) => out.wrapped.push(inbox),
            Some(s) if reads_events(s) => out.events.push(inbox),
            _ => out.plain.push(inbox),
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Create,
    Update,
}

impl Outbox {
    /// A new public meeting: the group's `Create(Event)` in the form each remote
    /// follower reads (see the module comment).
    ///
    /// Contract: call inside the transaction that created the meeting
    /// (`kindred_db::models::meetings::create`), after the rows are written, with
    /// the meeting's id. Sends nothing (returns `Ok(0)`) for a members-only meeting,
    /// a private group's meeting, or a meeting of a group that is not active. The
    /// group's remote followers and the directory's subscribers (who alone receive
    /// the instance's own meetings) are the audience. Returns how many
    /// deliveries were queued; an `Err` is a storage error and should roll the
    /// change back.
    pub fn meeting_published(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<usize, DbError> {
        match event::listing(conn, &self.urls, meeting_id, self.now)? {
            Some(listing) => self.meeting_change(conn, listing, Change::Create),
            None => Ok(0),
        }
    }

    /// A changed meeting (settings, times, place, status, a cancelled or restored
    /// occurrence): the group's `Update(Event)` with the document as it is now.
    ///
    /// Contract: call inside the transaction of the change, after the rows are
    /// written (after `meetings::update`, `cancel_occurrence`, `restore_occurrence`).
    /// When the meeting no longer has a public listing (its audience became
    /// members-only), the followers get the group's `Delete` of the listing instead,
    /// so their copy goes. Returns how many deliveries were queued.
    pub fn meeting_updated(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<usize, DbError> {
        match event::listing(conn, &self.urls, meeting_id, self.now)? {
            Some(listing) => self.meeting_change(conn, listing, Change::Update),
            None => self.meeting_deleted(conn, meeting_id),
        }
    }

    /// A cancelled meeting (the whole series): sent as an `Update(Event)` whose
    /// `ical:status` is `CANCELLED`, which is how Mobilizon reads a cancellation and
    /// keeps the listing visible as cancelled.
    ///
    /// Contract: call inside the transaction of `meetings::cancel`, after it. Same
    /// conditions and result as [`Outbox::meeting_updated`].
    pub fn meeting_cancelled(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<usize, DbError> {
        self.meeting_updated(conn, meeting_id)
    }

    /// A removed meeting: the group's `Delete` of the listing (a `Tombstone`), in
    /// each follower's form.
    ///
    /// Contract: call inside the transaction that removes the meeting, **before**
    /// its rows are deleted (the group is read from them). Sent whatever the
    /// meeting's audience, to the group's remote followers and the directory's
    /// subscribers; the `Delete` names nothing but the listing's id. Returns how
    /// many deliveries were queued.
    pub fn meeting_deleted(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<usize, DbError> {
        let Some(m) = meetings::find(conn, meeting_id)? else {
            return Ok(0);
        };
        if remote_meetings::of_meeting(conn, meeting_id)?.is_some() {
            return Ok(0);
        }
        let object = self.urls.meeting(meeting_id).to_string();
        let delete_id = format!("{object}#delete/{}", self.now.timestamp_millis());
        // `formerType` lets a receiver (and our policy's partner scopes) see that a
        // meeting listing is what goes.
        let tombstone = json!({ "id": object, "type": "Tombstone", "formerType": "Event" });
        let Some(group_id) = m.meeting.group_id else {
            // The instance's own meeting: only directory subscribers ever had it.
            let delete = json!({
                "id": delete_id,
                "type": "Delete",
                "actor": self.urls.instance_actor().to_string(),
                "to": [PUBLIC],
                "object": tombstone,
            });
            return self.directory_removal(conn, meeting_id, &delete, false);
        };
        let Some((_, group)) = groups::find(conn, group_id)? else {
            return Ok(0);
        };
        let actor = self.actor(&group);
        let delete = json!({
            "id": delete_id,
            "type": "Delete",
            "actor": actor,
            "to": [PUBLIC],
            "cc": [self.urls.followers(&group.username).to_string()],
            "object": tombstone,
        });
        let mut sent = if group.is_local() {
            self.directory_removal(conn, meeting_id, &delete, true)?
        } else {
            0
        };
        let to = self.audience_of(conn, &group)?;
        if to.is_empty() {
            return Ok(sent);
        }
        sent += self.send(
            conn,
            &group,
            self.wrap(&group, meeting_id, &delete),
            &to.wrapped,
        )?;
        let mut direct = to.events;
        direct.extend(to.plain);
        sent += self.send(conn, &group, delete, &direct)?;
        Ok(sent)
    }

    fn audience_of(
        &self,
        conn: &mut AnyConnection,
        group: &AccountRow,
    ) -> Result<Audience, DbError> {
        if !group.is_local() {
            return Ok(Audience {
                wrapped: Vec::new(),
                events: Vec::new(),
                plain: Vec::new(),
            });
        }
        audience(conn, group)
    }

    /// The group's `Announce` wrapping its own activity about a listing (FEP-1b12).
    fn wrap(&self, group: &AccountRow, meeting_id: i64, activity: &Value) -> Value {
        let cc = [self.urls.followers(&group.username).to_string()];
        let path = format!("announces/meetings/{meeting_id}");
        let mut v = self.wrapped_announce(&self.actor(group), &path, &cc, activity);
        v["@context"] = event::context();
        v
    }

    fn meeting_change(
        &self,
        conn: &mut AnyConnection,
        listing: Listing,
        change: Change,
    ) -> Result<usize, DbError> {
        let kind = match change {
            Change::Create => "Create",
            Change::Update => "Update",
        };
        let mut sent = self.directory_listing(conn, &listing, kind)?;
        let Some(group) = listing.group else {
            return Ok(sent);
        };
        let to = self.audience_of(conn, &group)?;
        if to.is_empty() {
            return Ok(sent);
        }
        let object = listing.event;
        let object_id = object["id"].as_str().unwrap_or_default().to_owned();
        let meeting_id = listing.meeting_id;
        let actor = self.actor(&group);
        let (kind, id) = match change {
            Change::Create => ("Create", format!("{object_id}#create")),
            Change::Update => (
                "Update",
                format!("{object_id}#updates/{}", self.now.timestamp_millis()),
            ),
        };
        let activity = json!({
            "@context": event::context(),
            "id": id,
            "type": kind,
            "actor": actor,
            "published": object["published"],
            "to": object["to"],
            "cc": object["cc"],
            "object": object,
        });
        sent += self.send(
            conn,
            &group,
            self.wrap(&group, meeting_id, &activity),
            &to.wrapped,
        )?;
        sent += self.send(conn, &group, activity.clone(), &to.events)?;
        match change {
            Change::Create => {
                let boost = json!({
                    "@context": event::context(),
                    "id": format!("{actor}#announces/meetings/{meeting_id}"),
                    "type": "Announce",
                    "actor": actor,
                    "published": object["published"],
                    "to": [PUBLIC],
                    "cc": [self.urls.followers(&group.username).to_string()],
                    "object": object_id,
                });
                sent += self.send(conn, &group, boost, &to.plain)?;
            }
            Change::Update => sent += self.send(conn, &group, activity, &to.plain)?,
        }
        Ok(sent)
    }
}
