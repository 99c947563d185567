//! The partner meeting directory, instance actor to instance actor: our `Follow` of
//! a partner's instance actor (and its `Undo`), our `Accept`/`Reject` of a
//! partner's `Follow` of ours, and the public listings subscribed partners receive.
//!
//! A subscriber gets exactly what a group's FEP-1b12 follower gets of a public
//! listing, announced by our instance actor: a group's meeting as the instance
//! actor's `Announce` wrapping the group's `Create`/`Update`/`Delete`; the
//! instance's own meeting as the instance actor's own activity. The `Event` is the
//! public document (`event`): locality, region and country, never the place.

use kindred_db::models::meetings::{self, Scope};
use kindred_db::models::{meeting_directory, outbound};
use kindred_db::{AnyConnection, DbError};
use serde_json::{json, Value};

use super::event::{self, Listing};
use super::Outbox;

/// Most listings sent to a new subscriber at once (upcoming, soonest first).
const BACKFILL: i64 = 200;

impl Outbox {
    /// The id of our instance actor's `Follow` for directory subscription `id`.
    pub fn directory_follow_id(&self, subscription_id: i64) -> String {
        format!("{}#directory/{subscription_id}", self.urls.instance_actor())
    }

    /// Our instance actor's `Follow` of a partner's instance actor (`partner_id`, a
    /// remote account), with the id [`Outbox::directory_follow_id`] gave. Call in
    /// the transaction that records the subscription. Returns deliveries queued.
    pub fn directory_follow(
        &self,
        conn: &mut AnyConnection,
        partner_id: i64,
        follow_id: &str,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::inboxes_of(conn, &[partner_id])?;
        let Some(partner) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let activity = json!({
            "id": follow_id,
            "type": "Follow",
            "actor": self.urls.instance_actor().to_string(),
            "object": partner,
        });
        self.queue(conn, None, activity, &inboxes)
    }

    /// `Undo` of our directory `Follow`. Call before or after the row goes.
    pub fn directory_unfollow(
        &self,
        conn: &mut AnyConnection,
        partner_id: i64,
        follow_id: &str,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::inboxes_of(conn, &[partner_id])?;
        let Some(partner) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.urls.instance_actor().to_string();
        let activity = json!({
            "id": format!("{follow_id}/undo/{}", self.now.timestamp_millis()),
            "type": "Undo",
            "actor": actor,
            "object": {
                "id": follow_id,
                "type": "Follow",
                "actor": actor,
                "object": partner,
            },
        });
        self.queue(conn, None, activity, &inboxes)
    }

    /// Our `Accept` (or `Reject`) of a partner instance actor's `Follow` of ours.
    /// An accepted partner is sent the upcoming public listings at once, so its
    /// calendar does not wait for the next change. Call in the transaction that
    /// records the subscriber.
    pub fn directory_answer(
        &self,
        conn: &mut AnyConnection,
        subscriber_id: i64,
        follow_id: &str,
        accept: bool,
    ) -> Result<usize, DbError> {
        let inboxes = outbound::inboxes_of(conn, &[subscriber_id])?;
        let Some(subscriber) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.urls.instance_actor().to_string();
        let (kind, path) = if accept {
            ("Accept", "accepts")
        } else {
            ("Reject", "rejects")
        };
        let activity = json!({
            "id": format!("{actor}#{path}/directory/{}", self.ids.next_at(self.now)),
            "type": kind,
            "actor": actor,
            "object": {
                "id": follow_id,
                "type": "Follow",
                "actor": subscriber,
                "object": actor,
            },
        });
        let mut sent = self.queue(conn, None, activity, &inboxes)?;
        if accept {
            let upcoming = meetings::upcoming(
                conn,
                Scope::Public,
                false,
                self.now.naive_utc(),
                None,
                BACKFILL,
            )?;
            for m in upcoming {
                if let Some(listing) = event::listing(conn, &self.urls, m.meeting.id, self.now)? {
                    let activity = self.directory_activity(&listing, "Create");
                    sent += self.queue(conn, None, activity, &inboxes)?;
                }
            }
        }
        Ok(sent)
    }

    /// Sends a listing's `Create` or `Update` to the directory's subscribers.
    pub(super) fn directory_listing(
        &self,
        conn: &mut AnyConnection,
        listing: &Listing,
        kind: &str,
    ) -> Result<usize, DbError> {
        let inboxes = meeting_directory::subscriber_inboxes(conn)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let activity = self.directory_activity(listing, kind);
        self.queue(conn, None, activity, &inboxes)
    }

    /// Sends the removal of listing `meeting_id` to the directory's subscribers.
    /// `delete` is the publisher's `Delete` (the group's or the instance actor's).
    pub(super) fn directory_removal(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
        delete: &Value,
        by_group: bool,
    ) -> Result<usize, DbError> {
        let inboxes = meeting_directory::subscriber_inboxes(conn)?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let activity = if by_group {
            self.directory_announce(meeting_id, delete)
        } else {
            delete.clone()
        };
        self.queue(conn, None, activity, &inboxes)
    }

    /// The publisher's activity about a listing as subscribers receive it.
    fn directory_activity(&self, listing: &Listing, kind: &str) -> Value {
        let object = &listing.event;
        let object_id = object["id"].as_str().unwrap_or_default();
        let actor = match &listing.group {
            Some(g) => self.actor(g),
            None => self.urls.instance_actor().to_string(),
        };
        let id = match kind {
            "Create" => format!("{object_id}#create"),
            _ => format!("{object_id}#updates/{}", self.now.timestamp_millis()),
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
        if listing.group.is_some() {
            self.directory_announce(listing.meeting_id, &activity)
        } else {
            activity
        }
    }

    /// The instance actor's `Announce` of a group's activity about a listing.
    fn directory_announce(&self, meeting_id: i64, activity: &Value) -> Value {
        let actor = self.urls.instance_actor().to_string();
        let path = format!("directory/meetings/{meeting_id}");
        let mut v = self.wrapped_announce(&actor, &path, &[], activity);
        v["@context"] = event::context();
        v
    }
}
