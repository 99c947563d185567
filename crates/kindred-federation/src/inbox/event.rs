//! Meeting listings from other servers: `Create(Event)`, `Update(Event)` and
//! `Delete` sent directly, or wrapped in (or announced by) a group's `Announce`.
//! Mobilizon sends a structured `PostalAddress`; Gancio an address as one string;
//! Kindred the public part of its meetings.
//!
//! Only the public part of a listing is kept: title, description, times, status,
//! join mode, capacity, whether it is online, and locality, region and country.
//! A venue name or street is never stored, even from a public listing: from an
//! address given as one string only what reads as a locality is kept.
//!
//! Origin rules, as for notes: an event comes from its id's server, which is the
//! actor's (or, in a group's `Announce`, the group's — the group's signature vouches
//! for its own server only); an update or delete changes only a listing from the
//! same server. A listing is stored only when it concerns someone here: its actor,
//! its owner (`attributedTo`) or the announcing group is followed from here, its
//! actor or announcer is a partner's instance actor whose meeting directory we
//! subscribe to, or it is addressed to an existing local actor (or its followers):
//! a made-up name at our host names no one.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::ActivityHandler;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use kindred_db::models::meetings::{self, MeetingRow, MeetingStoreError, MeetingTimeRow};
use kindred_db::models::remote_meetings::{self, RemoteMeetingRow};
use kindred_db::models::{federated, meeting_directory, remote_accounts};
use kindred_domain::meetings::{Capacity, MeetingTime, MeetingZone, Recurrence, Series};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::addressing::same_origin;
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::refs::object_id;
use super::remote_actor::RemoteActor;
use crate::sanitize;

const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 5_000;
const MAX_PLACE_FIELD: usize = 200;
/// An event without an end is taken to last this long.
const DEFAULT_HOURS: i64 = 2;

/// A remote `Event` read into what a listing keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEvent {
    pub id: Url,
    /// `attributedTo`, when it names one actor.
    pub owner: Option<Url>,
    pub url: Option<String>,
    pub title: String,
    pub description: String,
    pub time: MeetingTime,
    pub status: &'static str,
    pub join_mode: &'static str,
    pub capacity: Option<i64>,
    pub locality: String,
    pub region: String,
    pub country: String,
    pub online: bool,
    /// `to` and `cc` of the object.
    pub addressed: Vec<String>,
    /// The series, when the listing recurs (see [`recurring`]); `time` is then its
    /// first occurrence.
    pub rule: Option<Recurrence>,
    /// Wall-clock starts of occurrences cancelled one by one.
    pub cancelled: Vec<NaiveDateTime>,
}

/// Most cancelled occurrences read from one listing.
const MAX_EXDATES: usize = 200;

/// A recurring listing from another Kindred: `ical:rrule` (RFC 5545, the subset
/// meetings run on) counted from `ical:dtstart` (the first occurrence's start; the
/// `startTime` others read is the next one), and `ical:exdate` (starts, as
/// instants, of cancelled occurrences). Anything we cannot run — no first start, a
/// rule outside the subset, a first start the rule does not produce — leaves the
/// listing a single occurrence, as Mobilizon and Gancio send it.
fn recurring(
    v: &Value,
    next: &MeetingTime,
) -> Option<(MeetingTime, Recurrence, Vec<NaiveDateTime>)> {
    let rule = text(v, "ical:rrule")?;
    let first = time_of(v, "ical:dtstart")?;
    let time = MeetingTime::new(next.zone(), first, first + next.duration()).ok()?;
    let rule = Recurrence::parse(&rule, &time).ok()?;
    let series = Series {
        time: &time,
        rule: Some(&rule),
        cancelled: &[],
    };
    // The next occurrence sent must be one of the series.
    if !series.is_occurrence(next.start_local()) {
        return None;
    }
    let zone = time.zone();
    let cancelled = match v.get("ical:exdate") {
        Some(Value::Array(items)) => items
            .iter()
            .take(MAX_EXDATES)
            .filter_map(Value::as_str)
            .filter_map(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| zone.local(t.with_timezone(&Utc)))
            .filter(|local| series.is_occurrence(*local))
            .collect(),
        _ => Vec::new(),
    };
    Some((time, rule, cancelled))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One line of plain text, at most `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    sanitize::truncate(&flat.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| object_id(i).map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn first_url(v: Option<&Value>) -> Option<Url> {
    match v? {
        Value::Array(items) => items.iter().find_map(|i| first_url(Some(i))),
        one => object_id(one).or_else(|| {
            one.get("href")
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok())
        }),
    }
}

/// What of an address given as one string reads as a locality, or nothing. The
/// first part is taken for the street or venue and never kept; of the rest, the
/// first part that still has words once postal codes and house numbers (anything
/// with a digit) are dropped is the locality. "Via Roma 1, 10100 Torino, Italy" →
/// "Torino"; "Torino" → "Torino"; "Via Roma 1" → nothing.
pub fn locality_from_string(address: &str) -> String {
    let parts: Vec<&str> = address
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let words = |p: &str| -> String {
        p.split_whitespace()
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match parts.as_slice() {
        [] => String::new(),
        // One part: a town only when nothing in it looks like a number.
        [only]
            if !only.chars().any(|c| c.is_ascii_digit())
                && only.split_whitespace().count() <= 3 =>
        {
            one_line(only, MAX_PLACE_FIELD)
        }
        [_] => String::new(),
        [_street, rest @ ..] => rest
            .iter()
            .map(|p| words(p))
            .find(|w| !w.is_empty())
            .map(|w| one_line(&w, MAX_PLACE_FIELD))
            .unwrap_or_default(),
    }
}

/// Locality, region and country from a `location` (a `Place`, or an array of them).
fn place(location: Option<&Value>) -> (String, String, String) {
    let Some(location) = location else {
        return Default::default();
    };
    let place = match location {
        Value::Array(items) => items.iter().find(|i| i.is_object()),
        Value::Object(_) => Some(location),
        _ => None,
    };
    let Some(address) = place.and_then(|p| p.get("address")) else {
        return Default::default();
    };
    match address {
        Value::String(s) => (locality_from_string(s), String::new(), String::new()),
        Value::Object(_) => {
            let field = |k: &str| {
                let v = address.get(k);
                // schema.org allows a Country object with a name.
                let s = v
                    .and_then(Value::as_str)
                    .or_else(|| v.and_then(|c| c.get("name")).and_then(Value::as_str))
                    .unwrap_or_default();
                one_line(s, MAX_PLACE_FIELD)
            };
            (
                field("addressLocality"),
                field("addressRegion"),
                field("addressCountry"),
            )
        }
        _ => Default::default(),
    }
}

fn time_of(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text(v, key)?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads an `Event`; `Malformed` when it has no id, no title, no readable start, or
/// times the meeting rules refuse (an end before the start, longer than 72 hours).
pub fn parse(v: &Value) -> Result<RemoteEvent, InboxError> {
    let malformed = || InboxError::from(Refusal::Malformed);
    if v.get("type").and_then(Value::as_str) != Some("Event") {
        return Err(malformed());
    }
    let id = object_id(v).ok_or_else(malformed)?;
    let title = one_line(
        &sanitize::plain_text(&text(v, "name").ok_or_else(malformed)?),
        MAX_TITLE,
    );
    if title.is_empty() {
        return Err(malformed());
    }
    let description = sanitize::truncate(
        sanitize::plain_text(&text(v, "content").unwrap_or_default()).trim(),
        MAX_DESCRIPTION,
    );
    let start = time_of(v, "startTime").ok_or_else(malformed)?;
    let end = time_of(v, "endTime").unwrap_or(start + Duration::hours(DEFAULT_HOURS));
    let zone = text(v, "timezone")
        .and_then(|z| MeetingZone::parse(&z).ok())
        .or_else(|| MeetingZone::parse("UTC").ok())
        .ok_or_else(malformed)?;
    let time = MeetingTime::new(zone, start, end).map_err(|_| malformed())?;
    let status = match text(v, "ical:status")
        .or_else(|| text(v, "status"))
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        Some("CANCELLED") => "cancelled",
        Some("TENTATIVE") => "tentative",
        _ => "confirmed",
    };
    let join_mode = match text(v, "joinMode").as_deref() {
        Some("restricted") => "approval",
        Some("invite") => "invite",
        _ => "free",
    };
    let capacity = v
        .get("maximumAttendeeCapacity")
        .and_then(Value::as_i64)
        .filter(|n| Capacity::new(*n).is_ok());
    let (locality, region, country) = place(v.get("location"));
    let url = first_url(v.get("url"))
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .map(String::from);
    let mut addressed = strings(v.get("to"));
    addressed.extend(strings(v.get("cc")));
    let (time, rule, cancelled) = match recurring(v, &time) {
        Some((first, rule, cancelled)) => (first, Some(rule), cancelled),
        None => (time, None, Vec::new()),
    };
    Ok(RemoteEvent {
        owner: first_url(v.get("attributedTo")),
        id,
        url,
        title,
        description,
        time,
        status,
        join_mode,
        capacity,
        locality,
        region,
        country,
        online: v.get("isOnline").and_then(Value::as_bool).unwrap_or(false),
        addressed,
        rule,
        cancelled,
    })
}

/// The checks that need no storage: not ours, from the server that vouches for it
/// (`origin`: the actor, or the announcing group), and owned by that server.
pub fn check(event: &RemoteEvent, origin: &Url, data: &FedData) -> Result<(), InboxError> {
    if data.urls.is_local(&event.id) {
        return Err(Refusal::LocalObject.into());
    }
    if !same_origin(&event.id, origin) {
        return Err(Refusal::OriginMismatch.into());
    }
    if let Some(owner) = &event.owner {
        if !same_origin(owner, &event.id) {
            return Err(Refusal::OriginMismatch.into());
        }
    }
    Ok(())
}

/// Whether a new listing concerns someone here (see the module comment).
async fn concerns_us(
    data: &FedData,
    event: &RemoteEvent,
    actors: &[i64],
) -> Result<bool, InboxError> {
    let (urls, addressed) = (data.urls.clone(), event.addressed.clone());
    let addressed_here = data
        .db
        .run(move |c| {
            super::lookup::names_local_actor(c, &urls, addressed.iter().map(String::as_str))
        })
        .await?;
    if addressed_here {
        return Ok(true);
    }
    let mut ids = actors.to_vec();
    if let Some(owner) = event.owner.as_ref().map(Url::to_string) {
        if let Some((a, _)) = data
            .db
            .run(move |c| remote_accounts::find_by_uri(c, &owner))
            .await?
        {
            ids.push(a.id);
        }
    }
    Ok(data
        .db
        .run(move |c| {
            for id in ids {
                if federated::followed_locally(c, id)? || meeting_directory::subscribed_to(c, id)? {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .await?)
}

/// Stores a new listing or refreshes a known one. `publisher` is the account that
/// vouched for it (the actor, or the announcing group); `actors` are the accounts
/// whose being followed here makes a new listing worth storing.
pub async fn store(
    data: &FedData,
    event: RemoteEvent,
    publisher: i64,
    actors: &[i64],
) -> Result<(), InboxError> {
    let uri = event.id.to_string();
    let known = {
        let uri = uri.clone();
        data.db
            .run(move |c| remote_meetings::by_uri(c, &uri))
            .await?
    };
    if known.is_none() && !concerns_us(data, &event, actors).await? {
        // Logged without content, actor or addressees.
        tracing::info!("event addressed to no one here and followed by no one dropped");
        return Ok(());
    }
    let now = Utc::now();
    let id = data.ids.next_at(now);
    let n = now.naive_utc();
    let meeting = MeetingRow {
        id,
        group_id: None,
        created_by: None,
        title: event.title,
        description: event.description,
        status: event.status.to_owned(),
        join_mode: event.join_mode.to_owned(),
        audience: "public".to_owned(),
        capacity: event.capacity,
        content_category: None,
        locality: event.locality,
        region: event.region,
        country: event.country,
        online: event.online,
        created_at: n,
        updated_at: n,
    };
    let time = MeetingTimeRow::new(id, &event.time, event.rule.as_ref());
    let cancelled = event.cancelled;
    let origin = RemoteMeetingRow {
        meeting_id: id,
        uri,
        account_id: publisher,
        url: event.url,
        created_at: n,
        updated_at: n,
    };
    data.db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let (id, _) = remote_meetings::upsert(c, &origin, &meeting, &time)?;
                // Checked against the series in `recurring`; the upsert cleared
                // the ones an earlier version listed.
                for local in cancelled {
                    if let Err(MeetingStoreError::Db(e)) =
                        meetings::cancel_occurrence(c, id, local, n)
                    {
                        return Err(e);
                    }
                }
                Ok(())
            })
        })
        .await?;
    Ok(())
}

/// Removes the listing stored under `target`, if there is one and `deleter` is on
/// its server. Whether a listing was found (removed or not).
pub async fn delete(data: &FedData, target: &Url, deleter: &Url) -> Result<bool, InboxError> {
    let uri = target.to_string();
    let Some(known) = data
        .db
        .run(move |c| remote_meetings::by_uri(c, &uri))
        .await?
    else {
        return Ok(false);
    };
    if !same_origin(target, deleter) {
        return Err(Refusal::NotOwner.into());
    }
    let id = known.meeting_id;
    data.db.run(move |c| remote_meetings::delete(c, id)).await?;
    Ok(true)
}

/// `Create(Event)` or `Update(Event)` sent by the event's own server.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventActivity {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
}

#[async_trait::async_trait]
impl ActivityHandler for EventActivity {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<FedData>) -> Result<(), InboxError> {
        if !matches!(self.kind.as_str(), "Create" | "Update") {
            return Err(Refusal::Malformed.into());
        }
        check(&parse(&self.object)?, self.actor.inner(), data.app_data())
    }

    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let mut event = parse(&self.object)?;
        let actor = self.actor.dereference(data).await?;
        event.addressed.extend(self.to);
        event.addressed.extend(self.cc);
        let id = actor.account.id;
        store(data.app_data(), event, id, &[id]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_kindred_series_recurs_and_others_stay_single() {
        // Weekly on Tuesdays from 12 January; the next one sent is 26 January; the
        // 2 February meeting is cancelled.
        let mut v = mobilizon();
        v["startTime"] = json!("2027-01-26T17:30:00Z");
        v["endTime"] = json!("2027-01-26T19:00:00Z");
        v["ical:rrule"] = json!("FREQ=WEEKLY;BYDAY=TU");
        v["ical:dtstart"] = json!("2027-01-12T17:30:00Z");
        v["ical:exdate"] = json!(["2027-02-02T17:30:00Z", "2027-02-03T17:30:00Z", 7]);
        let e = parse(&v).unwrap();
        assert!(e.rule.is_some());
        assert_eq!(e.time.start().to_rfc3339(), "2027-01-12T17:30:00+00:00");
        assert_eq!(e.time.duration(), Duration::minutes(90));
        // Only a real occurrence is kept as cancelled (wall clock, Paris).
        let want: Vec<NaiveDateTime> = vec![chrono::NaiveDate::from_ymd_opt(2027, 2, 2)
            .unwrap()
            .and_hms_opt(18, 30, 0)
            .unwrap()];
        assert_eq!(e.cancelled, want);

        // Outside the subset, no first start, or a next one the rule does not make:
        // a single occurrence.
        for (key, value) in [
            ("ical:rrule", json!("FREQ=HOURLY")),
            ("ical:dtstart", json!(null)),
            ("ical:dtstart", json!("2027-01-13T17:30:00Z")),
        ] {
            let mut w = v.clone();
            w[key] = value;
            let e = parse(&w).unwrap();
            assert!(e.rule.is_none(), "{key}");
            assert_eq!(e.time.start().to_rfc3339(), "2027-01-26T17:30:00+00:00");
            assert!(e.cancelled.is_empty());
        }
        assert!(parse(&mobilizon()).unwrap().rule.is_none());
    }

    /// Shaped like Mobilizon's events (hand-written).
    pub fn mobilizon() -> Value {
        json!({
            "type": "Event",
            "id": "https://mobilizon.example/events/5b4f1c2e-0000-4000-8000-000000000001",
            "url": "https://mobilizon.example/events/5b4f1c2e-0000-4000-8000-000000000001",
            "attributedTo": "https://mobilizon.example/@peer_cafe",
            "actor": "https://mobilizon.example/@ann",
            "name": "Café des pairs",
            "content": "<p>Thé &amp; discussion</p>",
            "startTime": "2027-01-12T18:30:00+01:00",
            "endTime": "2027-01-12T20:00:00+01:00",
            "timezone": "Europe/Paris",
            "ical:status": "CONFIRMED",
            "joinMode": "restricted",
            "maximumAttendeeCapacity": 15,
            "participantCount": 4,
            "isOnline": false,
            "anonymousParticipationEnabled": true,
            "category": "MEETING",
            "location": {
                "type": "Place",
                "name": "Maison des associations",
                "address": {
                    "type": "PostalAddress",
                    "streetAddress": "12 rue des Lilas",
                    "postalCode": "69003",
                    "addressLocality": "Lyon",
                    "addressRegion": "Auvergne-Rhône-Alpes",
                    "addressCountry": "France"
                }
            },
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["https://mobilizon.example/@peer_cafe/followers"]
        })
    }

    /// Shaped like Gancio's events (hand-written): the address is one string.
    pub fn gancio() -> Value {
        json!({
            "type": "Event",
            "id": "https://gancio.example/federation/m/42",
            "attributedTo": "https://gancio.example/federation/u/relay",
            "name": "Gruppo di auto-aiuto",
            "content": "Ogni martedì",
            "startTime": "2027-02-02T17:00:00.000Z",
            "endTime": "2027-02-02T19:00:00.000Z",
            "location": {
                "type": "Place",
                "name": "Casa del Quartiere",
                "address": "Via Roma 1, 10100 Torino"
            },
            "url": "https://gancio.example/event/gruppo-di-auto-aiuto",
            "to": ["https://www.w3.org/ns/activitystreams#Public"]
        })
    }

    #[test]
    fn reads_a_mobilizon_event_without_the_street() {
        let e = parse(&mobilizon()).expect("readable");
        assert_eq!(e.title, "Café des pairs");
        assert_eq!(e.description, "Thé & discussion");
        assert_eq!(e.status, "confirmed");
        assert_eq!(e.join_mode, "approval");
        assert_eq!(e.capacity, Some(15));
        assert_eq!(e.locality, "Lyon");
        assert_eq!(e.region, "Auvergne-Rhône-Alpes");
        assert_eq!(e.country, "France");
        assert_eq!(e.time.zone().name(), "Europe/Paris");
        assert_eq!(e.time.start().to_rfc3339(), "2027-01-12T17:30:00+00:00");
        let all = format!("{e:?}");
        for private in ["Lilas", "69003", "Maison des associations"] {
            assert!(!all.contains(private), "{private}");
        }
    }

    #[test]
    fn reads_a_gancio_event_keeping_only_the_locality() {
        let e = parse(&gancio()).expect("readable");
        assert_eq!(e.locality, "Torino");
        assert_eq!(e.time.zone().name(), "UTC");
        assert_eq!(
            e.url.as_deref(),
            Some("https://gancio.example/event/gruppo-di-auto-aiuto")
        );
        let all = format!("{e:?}");
        for private in ["Roma", "10100", "Casa del Quartiere"] {
            assert!(!all.contains(private), "{private}");
        }
    }

    #[test]
    fn localities_from_address_strings() {
        for (address, want) in [
            ("Via Roma 1, 10100 Torino", "Torino"),
            ("Via Roma 1, 10100 Torino, Italia", "Torino"),
            ("Torino", "Torino"),
            ("Via Roma 1", ""),
            ("Lindenstr. 3, 04109", ""),
            ("", ""),
        ] {
            assert_eq!(locality_from_string(address), want, "{address}");
        }
    }

    #[test]
    fn refuses_unreadable_events() {
        let mut v = mobilizon();
        v["endTime"] = json!("2027-01-12T17:00:00+01:00");
        assert!(parse(&v).is_err());
        let mut v = mobilizon();
        v.as_object_mut().unwrap().remove("startTime");
        assert!(parse(&v).is_err());
        let mut v = mobilizon();
        v["name"] = json!("  ");
        assert!(parse(&v).is_err());
        let mut v = mobilizon();
        v["timezone"] = json!("Mars/Olympus");
        assert_eq!(parse(&v).unwrap().time.zone().name(), "UTC");
        v["ical:status"] = json!("cancelled");
        assert_eq!(parse(&v).unwrap().status, "cancelled");
    }
}
