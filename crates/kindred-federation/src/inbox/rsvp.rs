//! RSVPs from other servers to our meetings (Mobilizon's vocabulary): a `Join` of a
//! meeting's `Event`, answered by the meeting's `Accept` or `Reject` of the Join;
//! withdrawn by `Leave` or `Undo(Join)`.
//!
//! Only a meeting with a public listing can be joined from elsewhere; a members-only
//! meeting, a private group's, an unknown one are "not here" (4xx, nothing stored).
//! A Join the meeting rules refuse (cancelled, over, invitation only, rejected
//! before, the sender's server holding its cap of places) is answered with a
//! `Reject` and stores nothing.
//!
//! Who is trusted is the admin's choice (`Decision::trusts_rsvps`): only people of a
//! partner server with the `rsvps` scope are seated as members are; anyone else's
//! going is a request a facilitator approves, whatever the join mode, so the
//! address in the `Accept` never reaches a stranger without a person deciding. A
//! Join carrying an `anonymousToken` is an anonymous RSVP, taken only from the
//! instance actor (`Application`/`Service`) of such a partner (refused otherwise,
//! nothing stored): the participation is kept by token, scoped by the sending
//! server, and no account of the attendee is known here.
//!
//! What an answer does (who may come, seating and the wait list, who is notified)
//! is `kindred_core::meetings`, the same calls the events API makes; this module
//! translates the activities and sends the answers (Accept/Reject) in the same
//! transaction.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::ActivityHandler;
use chrono::Utc;
use kindred_core::meetings::{self as core, Via};
use kindred_core::Event;
use kindred_db::models::meetings::{self as store, Participant};
use kindred_domain::meetings::{ParticipationState, Rsvp};
use kindred_domain::{AccountId, MeetingId};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::addressing::domain_of;
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::refs::object_id;
use super::remote_actor::RemoteActor;
use crate::outbox::event;
use crate::outbox::{Attendee, Outbox, RsvpAnswer};

#[derive(Debug, Clone, Copy, Deserialize)]
pub enum JoinKind {
    Join,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub enum LeaveKind {
    Leave,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Join {
    #[serde(rename = "type")]
    pub kind: JoinKind,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
    #[serde(default)]
    pub anonymous_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Leave {
    #[serde(rename = "type")]
    pub kind: LeaveKind,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
    #[serde(default)]
    pub anonymous_token: Option<String>,
}

/// An anonymous attendee's token: opaque, 16 to 64 letters, digits, `-` or `_`.
fn valid_token(t: &str) -> bool {
    (16..=64).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The local meeting a Join or Leave names, if it is one of ours.
fn meeting_of(data: &FedData, object: &Value) -> Result<i64, InboxError> {
    let url = object_id(object).ok_or(Refusal::Malformed)?;
    data.urls
        .meeting_id(&url)
        .ok_or_else(|| Refusal::NotLocalTarget.into())
}

fn check(
    data: &FedData,
    actor: &Url,
    object: &Value,
    token: Option<&str>,
) -> Result<(), InboxError> {
    meeting_of(data, object)?;
    if data.urls.is_local(actor) {
        return Err(Refusal::LocalObject.into());
    }
    if token.is_some_and(|t| !valid_token(t)) {
        return Err(Refusal::Malformed.into());
    }
    Ok(())
}

/// Who answers: the actor's account, or an anonymous attendee of the actor's server.
fn participant(actor: &Url, account_id: i64, token: Option<&str>) -> Participant {
    match token {
        Some(t) => Participant::Anonymous {
            token: t.to_owned(),
            domain: domain_of(actor).unwrap_or_default(),
        },
        None => Participant::Account(account_id),
    }
}

#[async_trait::async_trait]
impl ActivityHandler for Join {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        check(
            data,
            self.actor.inner(),
            &self.object,
            self.anonymous_token.as_deref(),
        )
    }

    /// Going: accepted, wait-listed, or a request for the facilitators (approval
    /// meetings), answered in the same transaction when there is an answer.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let meeting_id = meeting_of(data, &self.object)?;
        let now = Utc::now();
        let urls = data.urls.clone();
        // Only a meeting with a public listing exists for other servers.
        data.db
            .run(move |c| Ok(event::listing(c, &urls, meeting_id, now)?.is_some()))
            .await?
            .then_some(())
            .ok_or(Refusal::NotLocalTarget)?;
        let actor = self.actor.dereference(data).await?;
        let (attendee, sender) = (actor.account.id, actor.account.account_id());
        let trusted = data.decide(self.actor.inner()).await.trusts_rsvps();
        if self.anonymous_token.is_some()
            && !(trusted && matches!(actor.remote.actor_type.as_str(), "Application" | "Service"))
        {
            tracing::info!("anonymous join from an actor not trusted with rsvps refused");
            return Err(Refusal::AnonymousNotTrusted.into());
        }
        let who = participant(
            self.actor.inner(),
            attendee,
            self.anonymous_token.as_deref(),
        );
        let domain = domain_of(self.actor.inner()).unwrap_or_default();
        let instance_cap = data.max_per_remote_domain;
        let outbox = Outbox::new(&data.urls, &data.ids, now);
        let new_id = data.ids.next_at(now);
        let join_id = self.id.to_string();
        let token = self.anonymous_token;
        let ids = data.ids.clone();
        let stored = data
            .db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    let to = Attendee {
                        account_id: attendee,
                        token: token.as_deref(),
                        join_id: Some(&join_id),
                    };
                    let via = Via::Remote(core::Remote {
                        answer: store::RemoteAnswer {
                            domain: &domain,
                            trusted,
                            instance_cap,
                        },
                        actor: sender,
                    });
                    let meeting = MeetingId::new(meeting_id);
                    let r = core::answer(c, &ids, meeting, &who, Rsvp::Going, via, now, new_id)?;
                    let Ok(done) = r else {
                        // Refused by the meeting's rules (banned, cancelled, full for
                        // that server...): a Reject, nothing stored.
                        outbox.rsvp_answered(c, meeting_id, to, RsvpAnswer::Reject)?;
                        return Ok(Vec::new());
                    };
                    let state = done.applied.participation.as_ref().map(|p| p.state);
                    let answer = match state {
                        Some(ParticipationState::Accepted) => Some(RsvpAnswer::Accept),
                        Some(ParticipationState::Rejected) => Some(RsvpAnswer::Reject),
                        // Requested or wait-listed: answered when decided.
                        _ => None,
                    };
                    if let Some(a) = answer {
                        outbox.rsvp_answered(c, meeting_id, to, a)?;
                    }
                    Ok(done.notifications)
                })
            })
            .await?;
        data.publish(Event::Notifications(stored));
        Ok(())
    }
}

/// Withdraws the actor's (or their anonymous attendee's) participation; whoever
/// gets a place from the wait list hears of it.
pub async fn leave(
    data: &FedData,
    actor: &Url,
    account_id: i64,
    object: &Value,
    token: Option<&str>,
) -> Result<(), InboxError> {
    let meeting_id = meeting_of(data, object)?;
    let who = participant(actor, account_id, token);
    let now = Utc::now();
    let outbox = Outbox::new(&data.urls, &data.ids, now);
    let new_id = data.ids.next_at(now);
    let ids = data.ids.clone();
    let stored = data
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                if store::participation(c, meeting_id, &who)?.is_none() {
                    return Ok(Vec::new());
                }
                // The same answer as a member's "not going" (no remote standing
                // is needed to leave).
                let via = Via::Member { name: None };
                let meeting = MeetingId::new(meeting_id);
                match core::answer(c, &ids, meeting, &who, Rsvp::NotGoing, via, now, new_id)? {
                    Ok(done) => {
                        // Remote people moved up get their Accept; local ones were
                        // notified.
                        for p in &done.applied.promoted {
                            outbox.rsvp_decided(c, p)?;
                        }
                        Ok(done.notifications)
                    }
                    // Nothing to withdraw from (an over meeting...): nothing changes.
                    Err(_) => Ok(Vec::new()),
                }
            })
        })
        .await?;
    data.publish(Event::Notifications(stored));
    Ok(())
}

#[async_trait::async_trait]
impl ActivityHandler for Leave {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        check(
            data,
            self.actor.inner(),
            &self.object,
            self.anonymous_token.as_deref(),
        )
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let actor = self.actor.dereference(data).await?;
        leave(
            data,
            self.actor.inner(),
            actor.account.id,
            &self.object,
            self.anonymous_token.as_deref(),
        )
        .await
    }
}

/// The Join an `Accept` or `Reject` answers.
#[derive(Debug, Deserialize)]
pub struct EmbeddedJoin {
    #[serde(rename = "type")]
    pub kind: JoinKind,
    pub actor: Url,
    pub object: Value,
    #[serde(default, rename = "anonymousToken")]
    pub anonymous_token: Option<String>,
}

/// A host's `Accept` or `Reject` of one of our members' Joins; an Accept may carry
/// the full place as its `location`.
#[derive(Debug, Deserialize)]
pub struct JoinAnswer {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: EmbeddedJoin,
    #[serde(default)]
    pub location: Option<Value>,
}

const MAX_PLACE_FIELD: usize = 200;

fn field(v: &Value, path: &[&str]) -> String {
    let mut at = v;
    for k in path {
        at = &at[*k];
    }
    let s = crate::sanitize::plain_text(at.as_str().unwrap_or_default());
    let flat: Vec<&str> = s.split_whitespace().collect();
    crate::sanitize::truncate(&flat.join(" "), MAX_PLACE_FIELD)
}

/// The private place of a remote listing's copy, from an Accept's `location`.
fn place_of(meeting_id: i64, location: &Value) -> kindred_db::models::meetings::MeetingPlaceRow {
    let accessibility: Vec<&str> = location["accessibility"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let accessibility: Vec<&str> = accessibility
        .into_iter()
        .filter(|a| kindred_domain::meetings::Accessibility::parse(a).is_ok())
        .collect();
    let online_link = location["onlineLink"]
        .as_str()
        .and_then(|l| Url::parse(l).ok())
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .map(String::from)
        .filter(|l| l.len() <= 2_000);
    kindred_db::models::meetings::MeetingPlaceRow {
        meeting_id,
        venue_name: field(location, &["name"]),
        street_address: field(location, &["address", "streetAddress"]),
        postal_code: field(location, &["address", "postalCode"]),
        access_notes: field(location, &["accessNotes"]),
        accessibility: accessibility.join(","),
        online_link,
    }
}

#[async_trait::async_trait]
impl ActivityHandler for JoinAnswer {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only the event's own server answers for it.
    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        if !matches!(self.kind.as_str(), "Accept" | "Reject") {
            return Err(Refusal::Malformed.into());
        }
        let event = object_id(&self.object.object).ok_or(Refusal::Malformed)?;
        if !super::addressing::same_origin(&event, self.actor.inner()) {
            return Err(Refusal::NotOwner.into());
        }
        Ok(())
    }

    /// Turns the member's pending participation into accepted (keeping the place)
    /// or rejected. Without a participation of ours there is nothing to answer. A
    /// member newly accepted (at once, on approval, or from the wait list) is told
    /// (`pleroma:participation_accepted`, from the host's actor), as a local place
    /// would be.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        // An anonymous RSVP was sent by our instance actor; its token names the member.
        let anonymous = self.object.actor == data.urls.instance_actor();
        let token = self.object.anonymous_token.clone().filter(|_| anonymous);
        let member = match &token {
            Some(_) => None,
            None => super::lookup::local_account(data, &self.object.actor)
                .await?
                .map(|a| a.id),
        };
        if member.is_none() && token.is_none() {
            return Ok(());
        }
        let event = object_id(&self.object.object).ok_or(Refusal::Malformed)?;
        let accepted = self.kind == "Accept";
        let host = self.actor.dereference(data).await?.account.account_id();
        let location = self.location;
        let now = Utc::now();
        let ids = data.ids.clone();
        let stored = data
            .db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    let Some(listing) =
                        kindred_db::models::remote_meetings::by_uri(c, event.as_str())?
                    else {
                        return Ok(Vec::new());
                    };
                    let id = listing.meeting_id;
                    let member = match (member, &token) {
                        (Some(m), _) => m,
                        (None, Some(t)) => {
                            match kindred_db::models::remote_meetings::member_of_token(c, id, t)? {
                                Some(m) => m,
                                None => return Ok(Vec::new()),
                            }
                        }
                        (None, None) => return Ok(Vec::new()),
                    };
                    // The full place the host sent with its acceptance.
                    let place = location.as_ref().map(|l| place_of(id, l));
                    let (meeting, member) = (MeetingId::new(id), AccountId::new(member));
                    core::host_answered(
                        c,
                        &ids,
                        meeting,
                        member,
                        host,
                        accepted,
                        place.as_ref(),
                        now,
                    )
                })
            })
            .await?;
        data.publish(Event::Notifications(stored));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_opaque_and_bounded() {
        assert!(valid_token("a1b2c3d4e5f6a7b8"));
        assert!(!valid_token("short"));
        assert!(!valid_token("has spaces in it here"));
        assert!(!valid_token(&"x".repeat(65)));
    }
}
