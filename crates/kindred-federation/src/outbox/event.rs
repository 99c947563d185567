//! The ActivityPub `Event` of a local public meeting, with Mobilizon's extensions
//! (`startTime`, `endTime`, `timezone`, `location`, `joinMode`, `isOnline`,
//! `ical:status`, ...) so Mobilizon and Gancio list it and Mastodon shows it as a post.
//! The same document is delivered and served at the meeting's id.
//!
//! Invariant 4: the document is built from the public part of the meeting only —
//! the `meetings` row (locality, region, country, whether there is an online link)
//! and its times. The private place (`meeting_places`: venue, street, postal code,
//! access notes, accessibility, the link) is never read here. A members-only meeting,
//! a private group's meeting, or one of a group that is not active has no document.
//! The accepted count (`participantCount`) is added only when the group shows counts.

use chrono::{DateTime, SecondsFormat, Utc};
use kindred_db::models::meetings::{self, Meeting};
use kindred_db::models::{groups, remote_meetings};
use kindred_db::{AccountRow, AnyConnection, DbError};
use kindred_domain::meetings::{MeetingStatus, Series};
use kindred_domain::text::plain_text_to_html;
use serde_json::{json, Map, Value};

use super::note::PUBLIC;
use crate::LocalUrls;

/// JSON-LD context of events and the activities carrying them: ActivityStreams,
/// schema.org for the place, Mobilizon's and iCalendar's terms.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "sc": "http://schema.org/",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "mz": "https://joinmobilizon.org/ns#",
            "toot": "http://joinmastodon.org/ns#",
            "sensitive": "as:sensitive",
            "PostalAddress": "sc:PostalAddress",
            "address": { "@id": "sc:address", "@type": "sc:PostalAddress" },
            "addressCountry": "sc:addressCountry",
            "addressLocality": "sc:addressLocality",
            "addressRegion": "sc:addressRegion",
            "location": { "@id": "sc:location", "@type": "sc:Place" },
            "category": "sc:category",
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "participantCount": { "@id": "mz:participantCount", "@type": "sc:Integer" },
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "isOnline": { "@id": "mz:isOnline", "@type": "sc:Boolean" },
            "timezone": { "@id": "mz:timezone", "@type": "sc:Text" },
            "anonymousParticipationEnabled": {
                "@id": "mz:anonymousParticipationEnabled",
                "@type": "sc:Boolean"
            },
            "draft": { "@id": "mz:draft", "@type": "sc:Boolean" }
        }
    ])
}

/// A public meeting ready to federate: who publishes it and its `Event`.
#[derive(Debug, Clone)]
pub struct Listing {
    pub meeting_id: i64,
    /// The group's account; `None` for the instance's own meeting (published by the
    /// instance actor).
    pub group: Option<AccountRow>,
    /// The `Event`, without `@context`.
    pub event: Value,
}

/// The listing of a meeting, or `None` when it has no public document: unknown, a
/// remote meeting (not ours to publish), members-only, of a private group, or of a
/// group that is not active. `now` picks the occurrence shown (see [`event`]).
pub fn listing(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Listing>, DbError> {
    let Some(m) = meetings::find(conn, meeting_id)? else {
        return Ok(None);
    };
    if m.meeting.audience != "public" || remote_meetings::of_meeting(conn, meeting_id)?.is_some() {
        return Ok(None);
    }
    // Whether the group shows how many are coming (the instance's own: never).
    let (group, show_count) = match m.meeting.group_id {
        None => (None, false),
        Some(g) => match groups::find(conn, g)? {
            Some((row, account)) if !row.is_private() && account.is_active() => {
                (Some(account), row.show_participant_count)
            }
            _ => return Ok(None),
        },
    };
    let cancelled = meetings::cancellations(conn, &[meeting_id])?
        .remove(&meeting_id)
        .unwrap_or_default();
    let owner = match &group {
        Some(a) => urls.actor(&a.username).to_string(),
        None => urls.instance_actor().to_string(),
    };
    let followers = group
        .as_ref()
        .map(|a| urls.followers(&a.username).to_string());
    let mut event = event(urls, &owner, followers.as_deref(), &m, &cancelled, now);
    // Mobilizon's word for "anonymous RSVPs are taken": only from partners trusted
    // with RSVPs (`inbox::rsvp`), so true exactly when there is one.
    event["anonymousParticipationEnabled"] = json!(crate::policy::takes_anonymous_rsvps(conn)?);
    if show_count {
        // Mobilizon's accepted participants, anonymous remote attendees included; a
        // count only, never who (invariant 3).
        let accepted = meetings::counts(conn, &[meeting_id])?
            .get(&meeting_id)
            .and_then(|by_state| by_state.get("accepted"))
            .copied()
            .unwrap_or(0);
        event["participantCount"] = json!(accepted);
    }
    Ok(Some(Listing {
        meeting_id,
        group,
        event,
    }))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Mobilizon's join modes: `restricted` is its word for "a facilitator approves".
fn join_mode(stored: &str) -> &'static str {
    match stored {
        "approval" => "restricted",
        "invite" => "invite",
        _ => "free",
    }
}

fn ical_status(stored: &str) -> &'static str {
    match MeetingStatus::parse(stored) {
        Ok(MeetingStatus::Tentative) => "TENTATIVE",
        Ok(MeetingStatus::Cancelled) => "CANCELLED",
        _ => "CONFIRMED",
    }
}

/// The `Event` (without `@context`) for a meeting's public row and times.
///
/// Mobilizon and Gancio know no recurrence, so a recurring meeting is shown by its
/// next occurrence still to end after `now` that is not cancelled (the first one
/// when there is none left); the description says it repeats.
pub fn event(
    urls: &LocalUrls,
    owner: &str,
    followers: Option<&str>,
    m: &Meeting,
    cancelled: &[chrono::NaiveDateTime],
    now: DateTime<Utc>,
) -> Value {
    let row = &m.meeting;
    let id = urls.meeting(row.id).to_string();
    // The series as other Kindred instances read it (`inbox::event::recurring`):
    // the rule, the first start, and the cancelled starts as instants.
    let mut series_terms: Option<(String, DateTime<Utc>, Vec<String>)> = None;
    let (start, end, repeats) = match m.time.schedule() {
        Ok((time, rule)) => {
            let series = Series {
                time: &time,
                rule: rule.as_ref(),
                cancelled,
            };
            if let Some(r) = &rule {
                let zone = time.zone();
                let exdates = cancelled
                    .iter()
                    .filter_map(|local| zone.exact(*local))
                    .map(timestamp)
                    .collect();
                series_terms = Some((r.to_rrule(), time.start(), exdates));
            }
            match series.next_after(now) {
                Some(o) => (o.start, o.end, rule.is_some()),
                None => (time.start(), time.end(), rule.is_some()),
            }
        }
        // A stored row is checked when written; fall back to its instants.
        Err(_) => (m.time.starts_at.and_utc(), m.time.ends_at.and_utc(), false),
    };
    let mut content = plain_text_to_html(&row.description);
    if repeats {
        content.push_str("<p>This meeting repeats; the listing shows the next one.</p>");
    }
    let mut event = Map::new();
    event.insert("id".into(), json!(id));
    event.insert("type".into(), json!("Event"));
    event.insert("name".into(), json!(row.title));
    event.insert("content".into(), json!(content));
    event.insert("mediaType".into(), json!("text/html"));
    event.insert("url".into(), json!(id));
    event.insert("attributedTo".into(), json!(owner));
    if followers.is_some() {
        // FEP-1b12: the group the listing belongs to.
        event.insert("audience".into(), json!(owner));
    }
    event.insert("to".into(), json!([PUBLIC]));
    event.insert(
        "cc".into(),
        json!(followers.map(|f| vec![f.to_owned()]).unwrap_or_default()),
    );
    event.insert(
        "published".into(),
        json!(timestamp(row.created_at.and_utc())),
    );
    event.insert("updated".into(), json!(timestamp(row.updated_at.and_utc())));
    event.insert("startTime".into(), json!(timestamp(start)));
    event.insert("endTime".into(), json!(timestamp(end)));
    event.insert("timezone".into(), json!(m.time.time_zone));
    if let Some((rule, first, exdates)) = series_terms {
        event.insert("ical:rrule".into(), json!(rule));
        event.insert("ical:dtstart".into(), json!(timestamp(first)));
        if !exdates.is_empty() {
            event.insert("ical:exdate".into(), json!(exdates));
        }
    }
    event.insert("ical:status".into(), json!(ical_status(&row.status)));
    event.insert("joinMode".into(), json!(join_mode(&row.join_mode)));
    event.insert("isOnline".into(), json!(row.online));
    event.insert("anonymousParticipationEnabled".into(), json!(false));
    event.insert("draft".into(), json!(false));
    // Mobilizon's category closest to peer support.
    event.insert("category".into(), json!("HEALTH"));
    if let Some(c) = row.capacity {
        event.insert("maximumAttendeeCapacity".into(), json!(c));
    }
    if let Some(cat) = &row.content_category {
        event.insert("sensitive".into(), json!(true));
        event.insert(
            "summary".into(),
            json!(format!("Content note: {}", cat.replace('_', " "))),
        );
    }
    let place = row.public_place();
    if !place.locality.is_empty() {
        let mut address = Map::new();
        address.insert("type".into(), json!("PostalAddress"));
        for (key, value) in [
            ("addressLocality", &place.locality),
            ("addressRegion", &place.region),
            ("addressCountry", &place.country),
        ] {
            if !value.is_empty() {
                address.insert(key.into(), json!(value));
            }
        }
        event.insert(
            "location".into(),
            json!({ "type": "Place", "name": place.label(), "address": address }),
        );
    }
    Value::Object(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kindred_db::models::meetings::{MeetingRow, MeetingTimeRow};
    use kindred_domain::InstanceDomain;

    fn sample() -> Meeting {
        let at = |h| {
            NaiveDate::from_ymd_opt(2026, 12, 1)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap()
        };
        Meeting {
            meeting: MeetingRow {
                id: 7,
                group_id: Some(3),
                created_by: None,
                title: "Peer café <b>".into(),
                description: "Tea & talk\n<script>".into(),
                status: "cancelled".into(),
                join_mode: "approval".into(),
                audience: "public".into(),
                capacity: Some(12),
                content_category: Some("self_harm".into()),
                locality: "Leipzig".into(),
                region: String::new(),
                country: "Germany".into(),
                online: true,
                created_at: at(8),
                updated_at: at(9),
            },
            time: MeetingTimeRow {
                meeting_id: 7,
                time_zone: "Europe/Berlin".into(),
                starts_at: at(17),
                ends_at: at(19),
                recurrence: None,
                series_ends_at: Some(at(19)),
            },
        }
    }

    #[test]
    fn a_series_travels_as_ical_terms_and_reads_back() {
        let urls = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        let mut m = sample();
        m.time.recurrence = Some("FREQ=WEEKLY;BYDAY=TU".into());
        m.time.series_ends_at = None;
        let day = |d| {
            NaiveDate::from_ymd_opt(2026, 12, d)
                .and_then(|d| d.and_hms_opt(18, 0, 0))
                .unwrap()
        };
        let now = day(2).and_utc();
        let e = event(
            &urls,
            "https://peer.example/actor",
            None,
            &m,
            &[day(8)],
            now,
        );
        // The next occurrence not cancelled, for Mobilizon and Gancio...
        assert_eq!(e["startTime"], "2026-12-15T17:00:00Z");
        // ...and the series for Kindred.
        assert_eq!(e["ical:rrule"], "FREQ=WEEKLY;BYDAY=TU");
        assert_eq!(e["ical:dtstart"], "2026-12-01T17:00:00Z");
        assert_eq!(e["ical:exdate"], json!(["2026-12-08T17:00:00Z"]));
        let read = crate::inbox::event::parse(&e).unwrap();
        assert_eq!(
            read.rule.map(|r| r.to_rrule()).as_deref(),
            Some("FREQ=WEEKLY;BYDAY=TU")
        );
        assert_eq!(read.time.start().to_rfc3339(), "2026-12-01T17:00:00+00:00");
        assert_eq!(read.cancelled, vec![day(8)]);
        // A single meeting has none of them.
        let single = event(
            &urls,
            "https://peer.example/actor",
            None,
            &sample(),
            &[],
            now,
        );
        assert!(single.get("ical:rrule").is_none() && single.get("ical:dtstart").is_none());
    }

    #[test]
    fn carries_the_public_part_with_mobilizon_terms() {
        let urls = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        let owner = "https://peer.example/users/cafe";
        let e = event(
            &urls,
            owner,
            Some("https://peer.example/users/cafe/followers"),
            &sample(),
            &[],
            Utc::now(),
        );
        assert_eq!(e["id"], "https://peer.example/meetings/7");
        assert_eq!(e["type"], "Event");
        assert_eq!(e["attributedTo"], owner);
        assert_eq!(e["ical:status"], "CANCELLED");
        assert_eq!(e["joinMode"], "restricted");
        assert_eq!(e["isOnline"], true);
        assert_eq!(e["timezone"], "Europe/Berlin");
        assert_eq!(e["startTime"], "2026-12-01T17:00:00Z");
        assert_eq!(e["maximumAttendeeCapacity"], 12);
        assert_eq!(e["location"]["address"]["addressLocality"], "Leipzig");
        assert_eq!(e["location"]["address"]["addressCountry"], "Germany");
        assert!(e["location"]["address"].get("addressRegion").is_none());
        assert_eq!(e["content"], "<p>Tea &amp; talk<br>&lt;script&gt;</p>");
        assert_eq!(e["name"], "Peer café <b>");
        assert_eq!(e["sensitive"], true);
    }

    #[test]
    fn an_online_only_meeting_has_no_location() {
        let urls = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        let mut m = sample();
        m.meeting.locality = String::new();
        m.meeting.country = String::new();
        let e = event(
            &urls,
            "https://peer.example/actor",
            None,
            &m,
            &[],
            Utc::now(),
        );
        assert!(e.get("location").is_none());
        assert!(e.get("audience").is_none());
        assert_eq!(e["cc"], json!([]));
    }
}
