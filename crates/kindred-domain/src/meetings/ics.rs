//! iCalendar (RFC 5545) for meetings: one meeting or a feed of many.
//!
//! A public event is built from a [`PublicPlace`] and nothing else: locality, region,
//! country and time. The full rendering, for accepted attendees and facilitators,
//! takes a [`FullPlace`] (which only a `Disclosure` yields) and adds the venue, street
//! address, postal code, access notes, accessibility and the online link.
//!
//! Times carry `TZID` with the IANA name and a `VTIMEZONE` built from chrono-tz's
//! data (the transitions of the years the feed covers), so clients that do not know
//! the name still place occurrences right; clients that do use their own tz data.
//!
//! Written here rather than with the `icalendar` crate's builder: that one stamps a
//! clock-read DTSTAMP into every component, VTIMEZONE observances included (making the
//! output impure and not quite valid), can nest components only through a hidden
//! variant, and brings uuid, nom and iso8601 into the server. What a writer needs —
//! TEXT escaping, folding at 75 octets on character boundaries, CRLF — is small and
//! tested below; the crate's parser reads every output back in the tests.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName};

use super::place::{Accessibility, FullPlace, PublicPlace};
use super::recurrence::Recurrence;
use super::settings::{ContentCategory, MeetingStatus};
use super::time::{MeetingTime, MeetingZone};

/// The most years of time-zone transitions written per zone.
const MAX_TZ_YEARS: i32 = 15;

/// What every rendering of a meeting shows.
#[derive(Debug, Clone, Copy)]
pub struct EventInfo<'a> {
    /// Stable across updates and renderings: see [`uid`].
    pub uid: &'a str,
    /// The meeting's page.
    pub url: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
    pub time: &'a MeetingTime,
    pub rule: Option<&'a Recurrence>,
    /// Cancelled occurrences, by wall-clock start (rendered as EXDATE).
    pub cancelled: &'a [NaiveDateTime],
    pub status: MeetingStatus,
    pub content_category: Option<ContentCategory>,
    /// Last change; also the DTSTAMP (RFC 5545 3.8.7.2, no METHOD).
    pub updated: DateTime<Utc>,
    pub created: DateTime<Utc>,
}

/// Where, as far as the reader may know.
#[derive(Debug, Clone, Copy)]
pub enum Location<'a> {
    Public(&'a PublicPlace),
    Full(&'a FullPlace),
}

#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub info: EventInfo<'a>,
    pub location: Location<'a>,
}

impl<'a> Event<'a> {
    /// The listing anyone may see.
    pub fn public(info: EventInfo<'a>, place: &'a PublicPlace) -> Self {
        Self {
            info,
            location: Location::Public(place),
        }
    }

    /// For someone a disclosure was decided for.
    pub fn full(info: EventInfo<'a>, place: &'a FullPlace) -> Self {
        Self {
            info,
            location: Location::Full(place),
        }
    }
}

/// The UID of a meeting of this instance.
pub fn uid(meeting_id: i64, domain: &str) -> String {
    format!("meeting-{meeting_id}@{domain}")
}

/// A calendar with these events. `now` only bounds the time-zone data written for
/// meetings that recur without end.
pub fn calendar(name: &str, events: &[Event<'_>], now: DateTime<Utc>) -> String {
    let mut out = Writer::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Kindred//Meetings//EN");
    out.line("CALSCALE:GREGORIAN");
    out.text("NAME", name);
    out.text("X-WR-CALNAME", name);
    for (zone, years) in zones(events, now) {
        vtimezone(&mut out, zone, years);
    }
    for e in events {
        vevent(&mut out, e);
    }
    out.line("END:VCALENDAR");
    out.0
}

fn is_utc(zone: MeetingZone) -> bool {
    matches!(
        zone.name(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Zulu" | "Etc/Zulu" | "Universal" | "Etc/Universal"
    )
}

/// Each zone used, with the years its VTIMEZONE must cover.
fn zones(events: &[Event<'_>], now: DateTime<Utc>) -> Vec<(MeetingZone, (i32, i32))> {
    let mut out: Vec<(MeetingZone, (i32, i32))> = Vec::new();
    for e in events {
        let zone = e.info.time.zone();
        if is_utc(zone) {
            continue;
        }
        let first = e.info.time.start().year();
        let last = match e.info.rule {
            None => e.info.time.end().year(),
            Some(rule) => super::recurrence::Series {
                time: e.info.time,
                rule: Some(rule),
                cancelled: &[],
            }
            .last_end()
            .map_or(now.year().max(first) + 2, |t| t.year()),
        };
        match out.iter_mut().find(|(z, _)| *z == zone) {
            Some((_, (a, b))) => {
                *a = (*a).min(first);
                *b = (*b).max(last);
            }
            None => out.push((zone, (first, last))),
        }
    }
    for (_, (a, b)) in &mut out {
        *a = (*a).max(*b - MAX_TZ_YEARS + 1);
    }
    out
}

fn vtimezone(out: &mut Writer, zone: MeetingZone, (first, last): (i32, i32)) {
    let tz = zone.tz();
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(first, 1, 1),
        NaiveDate::from_ymd_opt(last + 1, 1, 1),
    ) else {
        return;
    };
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", zone.name()));
    let from = from.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = to.and_time(chrono::NaiveTime::MIN).and_utc();
    // The offset in force at the start, then every change, found day by day and
    // narrowed to the second.
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    let start = offset_at(from);
    observance(out, from, start, start);
    let mut day = from;
    while day < to {
        let next = day + Duration::days(1);
        let (a, b) = (offset_at(day), offset_at(next));
        if a != b {
            let (mut lo, mut hi) = (day, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid) == a {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            observance(out, hi, a, offset_at(hi));
        }
        day = next;
    }
    out.line("END:VTIMEZONE");
}

fn observance(
    out: &mut Writer,
    at: DateTime<Utc>,
    before: chrono_tz::TzOffset,
    after: chrono_tz::TzOffset,
) {
    let kind = if after.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    out.line(&format!("BEGIN:{kind}"));
    // DTSTART of an observance is the local time before the change.
    let local = at.naive_utc() + Duration::seconds(i64::from(before.fix().local_minus_utc()));
    out.line(&format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
    out.line(&format!("TZOFFSETFROM:{}", utc_offset(before)));
    out.line(&format!("TZOFFSETTO:{}", utc_offset(after)));
    if let Some(abbr) = after.abbreviation() {
        out.text("TZNAME", abbr);
    }
    out.line(&format!("END:{kind}"));
}

fn utc_offset(o: chrono_tz::TzOffset) -> String {
    let secs = o.fix().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

fn vevent(out: &mut Writer, e: &Event<'_>) {
    let i = &e.info;
    let zone = i.time.zone();
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", i.uid));
    out.line(&format!("DTSTAMP:{}", utc(i.updated)));
    out.line(&format!("CREATED:{}", utc(i.created)));
    out.line(&format!("LAST-MODIFIED:{}", utc(i.updated)));
    out.line(&format!("DTSTART{}", zoned(zone, i.time.start_local())));
    out.line(&format!("DTEND{}", zoned(zone, zone.local(i.time.end()))));
    if let Some(rule) = i.rule {
        out.line(&format!("RRULE:{}", rule.to_rrule()));
        let cancelled: BTreeSet<&NaiveDateTime> = i.cancelled.iter().collect();
        for c in cancelled {
            out.line(&format!("EXDATE{}", zoned(zone, *c)));
        }
    }
    out.text("SUMMARY", i.title);
    out.line(&format!(
        "STATUS:{}",
        match i.status {
            MeetingStatus::Tentative => "TENTATIVE",
            MeetingStatus::Confirmed => "CONFIRMED",
            MeetingStatus::Cancelled => "CANCELLED",
        }
    ));
    if let Some(c) = i.content_category {
        out.text("CATEGORIES", c.as_str());
    }
    if let Some(url) = i.url {
        out.uri("URL", url);
    }
    let mut description = String::new();
    if let Some(c) = i.content_category {
        description.push_str(&format!(
            "Content warning: {}\n\n",
            c.as_str().replace('_', " ")
        ));
    }
    description.push_str(i.description);
    match e.location {
        Location::Public(p) => {
            if !p.is_empty() {
                out.text("LOCATION", &p.label());
            }
        }
        Location::Full(p) => {
            let street = [p.postal_code.as_str(), p.public.locality.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let parts: Vec<&str> = [
                p.venue_name.as_str(),
                p.street_address.as_str(),
                street.as_str(),
                p.public.region.as_str(),
                p.public.country.as_str(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
            if !parts.is_empty() {
                out.text("LOCATION", &parts.join(", "));
            }
            if !p.access_notes.is_empty() {
                description.push_str(&format!("\n\nGetting in: {}", p.access_notes));
            }
            if !p.accessibility.is_empty() {
                description.push_str(&format!(
                    "\n\nAccessibility: {}",
                    Accessibility::join(&p.accessibility)
                        .replace(',', ", ")
                        .replace('_', " ")
                ));
            }
            if let Some(link) = &p.online_link {
                description.push_str(&format!("\n\nOnline: {link}"));
                // RFC 7986: the video call, for clients that show a join button.
                out.uri("CONFERENCE;VALUE=URI", link.as_str());
            }
        }
    }
    let description = description.trim();
    if !description.is_empty() {
        out.text("DESCRIPTION", description);
    }
    out.line("END:VEVENT");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `;TZID=Europe/Berlin:20261201T183000`, or `:20261201T173000Z` in UTC.
fn zoned(zone: MeetingZone, local: NaiveDateTime) -> String {
    if is_utc(zone) {
        format!(":{}Z", local.format("%Y%m%dT%H%M%S"))
    } else {
        // IANA names are letters, digits, `/`, `_`, `-` and `+`: no quoting needed.
        format!(";TZID={}:{}", zone.name(), local.format("%Y%m%dT%H%M%S"))
    }
}

/// RFC 5545 TEXT: backslash, comma, semicolon escaped, newlines as `\n`, other
/// control characters dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Writer(String);

impl Writer {
    /// One content line, folded at 75 octets without splitting a character.
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                // The leading space counts towards the next line's 75.
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }

    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }

    /// A URI value: not TEXT-escaped, but never a line break or control character.
    fn uri(&mut self, name: &str, value: &str) {
        let clean: String = value.chars().filter(|c| !c.is_control()).collect();
        self.line(&format!("{name}:{clean}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::details::{MeetingDetails, MeetingInput};
    use crate::meetings::place::{Disclosure, PlaceInput};
    use crate::meetings::rsvp::{ParticipationState, Viewer};
    use icalendar::parser::{read_calendar, unfold, Component};

    fn details(recurrence: &str, description: &str) -> MeetingDetails {
        let acc = ["step_free".to_owned(), "hearing_loop".to_owned()];
        MeetingDetails::parse(&MeetingInput {
            title: "Peer café; tea, talk \\ quiet",
            description,
            start: "2026-12-01T18:30",
            end: "2026-12-01T20:00",
            time_zone: "Europe/Berlin",
            recurrence,
            content_category: "self_harm",
            place: PlaceInput {
                locality: "Leipzig",
                region: "Saxony",
                country: "Germany",
                venue_name: "Haus der Begegnung",
                street_address: "Lindenstr. 3",
                postal_code: "04109",
                access_notes: "Ring the bell marked 3; side door",
                accessibility: &acc,
                online_link: "https://meet.example/room-42",
            },
            ..MeetingInput::default()
        })
        .expect("valid")
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn info<'a>(d: &'a MeetingDetails, cancelled: &'a [NaiveDateTime]) -> EventInfo<'a> {
        EventInfo {
            uid: "meeting-7@kindred.example",
            url: Some("https://kindred.example/meetings/7"),
            title: &d.title,
            description: &d.description,
            time: &d.time,
            rule: d.recurrence.as_ref(),
            cancelled,
            status: d.status,
            content_category: d.content_category,
            updated: at("2026-11-20T10:00:00Z"),
            created: at("2026-11-19T10:00:00Z"),
        }
    }

    /// Parses with the icalendar crate and returns the VEVENTs, unescaped values.
    fn parse(ics: &str) -> Vec<Vec<(String, String)>> {
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
        }
        assert!(ics.ends_with("\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
        let unfolded = unfold(ics);
        let cal = read_calendar(&unfolded).expect("a valid calendar");
        assert!(cal.properties.iter().any(|p| p.name.as_str() == "VERSION"));
        let props = |c: &Component<'_>| {
            c.properties
                .iter()
                .map(|p| {
                    let mut name = p.name.as_str().to_owned();
                    for param in &p.params {
                        name.push_str(&format!(
                            ";{}={}",
                            param.key.as_str(),
                            param.val.as_ref().map_or("", |v| v.as_str())
                        ));
                    }
                    (name, p.val.clone().unescape_text().as_str().to_owned())
                })
                .collect::<Vec<_>>()
        };
        for c in &cal.components {
            if c.name.as_str() == "VTIMEZONE" {
                assert!(!c.components.is_empty(), "observances");
                for o in &c.components {
                    for key in ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO"] {
                        assert!(o.find_prop(key).is_some(), "{key} in {}", o.name.as_str());
                    }
                }
            }
        }
        cal.components
            .iter()
            .filter(|c| c.name.as_str() == "VEVENT")
            .map(props)
            .collect()
    }

    fn get<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
        props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn public_output_has_no_address_access_notes_or_link() {
        let d = details(
            "FREQ=WEEKLY;BYDAY=TU",
            "Bring nothing.\nOr a friend, if you like; really.",
        );
        let cancelled = [d.time.start_local() + Duration::weeks(2)];
        let ics = calendar(
            "Leipzig peer meetings",
            &[Event::public(info(&d, &cancelled), d.place.public())],
            at("2026-11-26T09:00:00Z"),
        );
        for secret in [
            "Lindenstr",
            "04109",
            "bell",
            "meet.example",
            "Begegnung",
            "step",
        ] {
            assert!(!ics.contains(secret), "{secret} leaked into\n{ics}");
        }
        let events = parse(&ics);
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(get(e, "LOCATION"), Some("Leipzig, Saxony, Germany"));
        assert_eq!(get(e, "SUMMARY"), Some("Peer café; tea, talk \\ quiet"));
        assert!(get(e, "DESCRIPTION")
            .is_some_and(|d| d.ends_with("Bring nothing.\nOr a friend, if you like; really.")));
        assert_eq!(get(e, "UID"), Some("meeting-7@kindred.example"));
        assert_eq!(
            get(e, "DTSTART;TZID=Europe/Berlin"),
            Some("20261201T183000")
        );
        assert_eq!(get(e, "DTEND;TZID=Europe/Berlin"), Some("20261201T200000"));
        assert_eq!(get(e, "RRULE"), Some("FREQ=WEEKLY;BYDAY=TU"));
        assert_eq!(get(e, "EXDATE;TZID=Europe/Berlin"), Some("20261215T183000"));
        assert_eq!(get(e, "STATUS"), Some("CONFIRMED"));
        assert!(get(e, "CONFERENCE;VALUE=URI").is_none());
        assert!(get(e, "DESCRIPTION").is_some_and(|d| d.starts_with("Content warning: self harm")));
        // The escaped form is what is on the wire.
        assert!(ics.contains("SUMMARY:Peer café\\; tea\\, talk \\\\ quiet"));
        assert!(ics
            .replace("\r\n ", "")
            .contains("Bring nothing.\\nOr a friend\\, if you like\\; really."));
        // A VTIMEZONE for Berlin with summer and winter time.
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"));
        assert!(ics.contains("TZOFFSETTO:+0200"));
        assert!(ics.contains("BEGIN:DAYLIGHT"));
    }

    #[test]
    fn full_output_for_an_accepted_attendee() {
        let long =
            "A long description. ".repeat(30) + "Ünïcødé ✓ at the fold — 🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂";
        let d = details("", &long);
        let viewer = Viewer {
            facilitator: false,
            participation: Some(ParticipationState::Accepted),
        };
        let disclosure = Disclosure::decide(&viewer).expect("accepted");
        let ics = calendar(
            "My meetings",
            &[Event::full(info(&d, &[]), d.place.full(&disclosure))],
            at("2026-11-26T09:00:00Z"),
        );
        let events = parse(&ics);
        let e = &events[0];
        assert_eq!(
            get(e, "LOCATION"),
            Some("Haus der Begegnung, Lindenstr. 3, 04109 Leipzig, Saxony, Germany")
        );
        let description = get(e, "DESCRIPTION").expect("description");
        assert!(description.contains(&long));
        assert!(description.contains("Getting in: Ring the bell marked 3; side door"));
        assert!(description.contains("Accessibility: step free, hearing loop"));
        assert_eq!(
            get(e, "CONFERENCE;VALUE=URI"),
            Some("https://meet.example/room-42")
        );
        assert!(get(e, "RRULE").is_none());
    }

    #[test]
    fn feeds_cancellations_and_utc() {
        let mut a = details("FREQ=MONTHLY;BYDAY=1TU;COUNT=6", "");
        a.status = MeetingStatus::Cancelled;
        let b = MeetingDetails::parse(&MeetingInput {
            title: "Online check-in",
            start: "2026-12-02T12:00:00Z",
            end: "2026-12-02T13:00:00Z",
            time_zone: "UTC",
            place: PlaceInput {
                online_link: "https://meet.example/x",
                ..PlaceInput::default()
            },
            ..MeetingInput::default()
        })
        .expect("valid");
        let c = details("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "");
        let ics = calendar(
            "Kindred",
            &[
                Event::public(info(&a, &[]), a.place.public()),
                Event::public(
                    EventInfo {
                        uid: "meeting-8@kindred.example",
                        ..info(&b, &[])
                    },
                    b.place.public(),
                ),
                Event::public(info(&c, &[]), c.place.public()),
            ],
            at("2026-11-26T09:00:00Z"),
        );
        let events = parse(&ics);
        assert_eq!(events.len(), 3);
        assert_eq!(get(&events[0], "STATUS"), Some("CANCELLED"));
        assert_eq!(
            get(&events[0], "RRULE"),
            Some("FREQ=MONTHLY;BYDAY=1TU;COUNT=6")
        );
        assert_eq!(get(&events[1], "DTSTART"), Some("20261202T120000Z"));
        assert!(get(&events[1], "LOCATION").is_none());
        assert!(!ics.contains("meet.example"));
        // One VTIMEZONE per zone, none for UTC.
        assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
        // The endless rule's zone data reaches past now.
        assert!(ics.contains("DTSTART:20280326T020000"));
    }

    #[test]
    fn escaping_and_folding() {
        assert_eq!(
            escape_text("a,b;c\\d\r\ne\rf\u{7}"),
            "a\\,b\\;c\\\\d\\ne\\nf"
        );
        let mut w = Writer::default();
        w.line(&"é".repeat(80));
        for l in w.0.split("\r\n") {
            assert!(l.len() <= 75);
        }
        assert_eq!(w.0.replace("\r\n ", ""), format!("{}\r\n", "é".repeat(80)));
    }

    #[test]
    fn zones_without_dst_get_one_observance() {
        let d = MeetingDetails::parse(&MeetingInput {
            title: "Tokyo",
            start: "2026-12-01T18:30",
            end: "2026-12-01T20:00",
            time_zone: "Asia/Tokyo",
            place: PlaceInput {
                locality: "Tokyo",
                ..PlaceInput::default()
            },
            ..MeetingInput::default()
        })
        .expect("valid");
        let ics = calendar(
            "x",
            &[Event::public(info(&d, &[]), d.place.public())],
            at("2026-11-26T09:00:00Z"),
        );
        parse(&ics);
        assert_eq!(ics.matches("BEGIN:STANDARD").count(), 1);
        assert!(ics.contains("TZOFFSETTO:+0900"));
    }
}
