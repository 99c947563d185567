//! Answers to remote attendees (RSVP across instances, FEDERATION.md "Meetings"):
//! the meeting's `Accept` or `Reject` of their `Join`, sent by the group (or the
//! instance actor, for the instance's own meetings) to the attendee's actor only.
//!
//! An `Accept` carries the full place (venue, street, postal code, access notes,
//! accessibility, online link) as a `location` `Place`: this activity is addressed
//! to the attendee alone, is never stored in a collection here nor served, and is
//! the only document that ever carries the place off this instance (invariant 4).

use kindred_db::models::meetings::{self, ParticipationRow};
use kindred_db::models::{accounts, groups};
use kindred_db::models::{outbound, remote_meetings};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::meetings::ParticipationState;
use serde_json::{json, Map, Value};

use super::Outbox;

/// How a Join was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpAnswer {
    Accept,
    Reject,
}

/// The remote attendee an answer is for.
#[derive(Debug, Clone, Copy)]
pub struct Attendee<'a> {
    /// The remote account that sent the Join (for an anonymous RSVP, the
    /// attendee's instance actor).
    pub account_id: i64,
    /// The opaque per-attendee token of an anonymous RSVP, echoed so the
    /// attendee's instance can route the answer.
    pub token: Option<&'a str>,
    /// The Join's id, when known.
    pub join_id: Option<&'a str>,
}

/// The full place of a meeting as a `Place`, or `None` when nothing private is set.
fn full_place(conn: &mut AnyConnection, meeting_id: i64) -> Result<Option<Value>, DbError> {
    let (Some(m), Some(p)) = (
        meetings::find(conn, meeting_id)?,
        meetings::private_place(conn, meeting_id)?,
    ) else {
        return Ok(None);
    };
    let mut address = Map::new();
    address.insert("type".into(), json!("PostalAddress"));
    for (k, v) in [
        ("streetAddress", &p.street_address),
        ("postalCode", &p.postal_code),
        ("addressLocality", &m.meeting.locality),
        ("addressRegion", &m.meeting.region),
        ("addressCountry", &m.meeting.country),
    ] {
        if !v.is_empty() {
            address.insert(k.into(), json!(v));
        }
    }
    let mut place = Map::new();
    place.insert("type".into(), json!("Place"));
    if !p.venue_name.is_empty() {
        place.insert("name".into(), json!(p.venue_name));
    }
    place.insert("address".into(), Value::Object(address));
    if !p.access_notes.is_empty() {
        place.insert("accessNotes".into(), json!(p.access_notes));
    }
    let accessibility: Vec<&str> = p
        .accessibility
        .split(',')
        .filter(|a| !a.is_empty())
        .collect();
    if !accessibility.is_empty() {
        place.insert("accessibility".into(), json!(accessibility));
    }
    if let Some(link) = &p.online_link {
        place.insert("onlineLink".into(), json!(link));
    }
    Ok(Some(Value::Object(place)))
}

impl Outbox {
    /// The meeting's answer to a remote attendee's Join. An `Accept` carries the
    /// full place (see the module comment).
    ///
    /// Contract: call inside the transaction that stored the participation (or
    /// refused it), after it. Sends nothing for a local attendee or one without a
    /// known inbox. Returns how many deliveries were queued.
    pub fn rsvp_answered(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
        attendee: Attendee<'_>,
        answer: RsvpAnswer,
    ) -> Result<usize, DbError> {
        let Some(m) = meetings::find(conn, meeting_id)? else {
            return Ok(0);
        };
        let inboxes = outbound::inboxes_of(conn, &[attendee.account_id])?;
        let Some(attendee_uri) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let (signer, actor): (Option<AccountRow>, String) = match m.meeting.group_id {
            Some(g) => match groups::find(conn, g)? {
                Some((_, account)) => {
                    let actor = self.actor(&account);
                    (Some(account), actor)
                }
                None => return Ok(0),
            },
            None => (None, self.urls.instance_actor().to_string()),
        };
        let meeting = self.urls.meeting(meeting_id).to_string();
        let mut join = json!({
            "type": "Join",
            "actor": attendee_uri,
            "object": meeting,
        });
        if let Some(id) = attendee.join_id {
            join["id"] = json!(id);
        }
        if let Some(t) = attendee.token {
            join["anonymousToken"] = json!(t);
        }
        let (kind, path) = match answer {
            RsvpAnswer::Accept => ("Accept", "accepts"),
            RsvpAnswer::Reject => ("Reject", "rejects"),
        };
        let mut activity = json!({
            "id": format!(
                "{meeting}#{path}/{}/{}",
                attendee.account_id,
                self.ids.next_at(self.now)
            ),
            "type": kind,
            "actor": actor,
            "to": [attendee_uri],
            "object": join,
        });
        if answer == RsvpAnswer::Accept {
            if let Some(place) = full_place(conn, meeting_id)? {
                activity["location"] = place;
            }
        }
        self.queue(conn, signer.map(|s| s.id), activity, &inboxes)
    }

    /// A local member's `Join` (going) or `Leave` of a meeting listed by another
    /// server, to the actor that published the listing. The Join's id names the
    /// member and the meeting, so the host's Accept or Reject finds its way back.
    ///
    /// Contract: call inside the transaction that stored the member's pending (or
    /// removed) participation. Sends nothing for a local meeting or a publisher
    /// without a known inbox. Returns how many deliveries were queued.
    pub fn rsvp_sent(
        &self,
        conn: &mut AnyConnection,
        member: &AccountRow,
        meeting_id: i64,
        going: bool,
    ) -> Result<usize, DbError> {
        if !member.is_local() {
            return Ok(0);
        }
        let Some(listing) = remote_meetings::of_meeting(conn, meeting_id)? else {
            return Ok(0);
        };
        let inboxes = outbound::inboxes_of(conn, &[listing.account_id])?;
        let Some(host) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.actor(member);
        let join_id = format!("{actor}#joins/{meeting_id}");
        let activity = if going {
            json!({
                "id": join_id,
                "type": "Join",
                "actor": actor,
                "to": [host],
                "object": listing.uri,
            })
        } else {
            json!({
                "id": format!("{join_id}/leaves/{}", self.now.timestamp_millis()),
                "type": "Leave",
                "actor": actor,
                "to": [host],
                "object": listing.uri,
            })
        };
        self.send(conn, member, activity, &inboxes)
    }

    /// An anonymous RSVP (or its withdrawal): the `Join` or `Leave` comes from the
    /// instance actor with the member's opaque `token`, so the host counts them
    /// without learning who they are. Same contract as [`Outbox::rsvp_sent`].
    pub fn rsvp_sent_anonymously(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
        token: &str,
        going: bool,
    ) -> Result<usize, DbError> {
        let Some(listing) = remote_meetings::of_meeting(conn, meeting_id)? else {
            return Ok(0);
        };
        let inboxes = outbound::inboxes_of(conn, &[listing.account_id])?;
        let Some(host) = inboxes.first().map(|i| i.uri.clone()) else {
            return Ok(0);
        };
        let actor = self.urls.instance_actor().to_string();
        // The token travels in the body only: activity ids end up in delivery logs.
        let serial = self.ids.next_at(self.now);
        let (kind, id) = if going {
            ("Join", format!("{actor}#joins/{meeting_id}/{serial}"))
        } else {
            ("Leave", format!("{actor}#leaves/{meeting_id}/{serial}"))
        };
        let activity = json!({
            "id": id,
            "type": kind,
            "actor": actor,
            "to": [host],
            "object": listing.uri,
            "anonymousToken": token,
        });
        self.queue(conn, None, activity, &inboxes)
    }

    /// Tells a remote attendee of a decision taken later: a facilitator's approval
    /// or rejection, or a place from the wait list. An anonymous attendee's answer
    /// goes to the instance actor that sent their RSVP, with their token (and the
    /// place, for an Accept), so their instance can tell them. Nothing for a local
    /// attendee or a state that is no answer yet (requested, waitlisted...).
    ///
    /// Contract: call inside the transaction of the decision, after it.
    pub fn rsvp_decided(
        &self,
        conn: &mut AnyConnection,
        participation: &ParticipationRow,
    ) -> Result<usize, DbError> {
        let answer = match participation.state {
            ParticipationState::Accepted => RsvpAnswer::Accept,
            ParticipationState::Rejected => RsvpAnswer::Reject,
            _ => return Ok(0),
        };
        let (account_id, token) = match (
            participation.account_id,
            participation.anonymous_token.as_deref(),
            participation.anonymous_actor_id,
        ) {
            (Some(a), _, _) => (a, None),
            (None, Some(t), Some(actor)) => (actor, Some(t)),
            // An anonymous RSVP from before its sender was recorded: nobody to tell.
            _ => return Ok(0),
        };
        if accounts::find(conn, account_id)?.is_none_or(|a| a.is_local()) {
            return Ok(0);
        }
        self.rsvp_answered(
            conn,
            participation.meeting_id,
            Attendee {
                account_id,
                token,
                join_id: None,
            },
            answer,
        )
    }
}
