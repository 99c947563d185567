//! When a meeting happens: a start and an end in an IANA time zone. A meeting is
//! "Tuesdays at 18:30 in Berlin", so occurrences are computed on the local wall
//! clock and only then turned into instants: the hour stays 18:30 across DST.

use std::fmt;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::DomainError;

/// The longest single meeting (a weekend retreat).
pub const MAX_DURATION_HOURS: i64 = 72;

/// An IANA time zone that chrono-tz knows (`Europe/Berlin`, `America/Toronto`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingZone(Tz);

impl MeetingZone {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        s.parse::<Tz>()
            .map(Self)
            .map_err(|_| DomainError::UnknownTimeZone(s.chars().take(64).collect()))
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    /// The wall-clock time in this zone at an instant.
    pub fn local(self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// A wall-clock time that exists in this zone: `None` inside a DST gap (02:30 on
    /// the night clocks go forward). An ambiguous time (clocks go back) is the first.
    pub fn exact(self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => None,
        }
    }

    /// Any wall-clock time as an instant, as RFC 5545 (3.3.5) reads recurrences: a time
    /// in a DST gap uses the offset before the gap (02:30 becomes 03:30 summer time);
    /// an ambiguous one is the first.
    pub fn resolve(self, local: NaiveDateTime) -> DateTime<Utc> {
        if let Some(t) = self.exact(local) {
            return t;
        }
        // Gaps are at most a few hours: a day earlier is safely before this one.
        let before = self
            .0
            .offset_from_utc_datetime(&(local - Duration::days(1)))
            .fix();
        (local - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
    }
}

impl fmt::Display for MeetingZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A meeting's first (or only) occurrence: start and end, and the zone it is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingTime {
    zone: MeetingZone,
    start_local: NaiveDateTime,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl MeetingTime {
    /// From what a client sends: each time either RFC 3339 with an offset
    /// (`2026-12-01T18:30:00+01:00`, any offset: it is converted into the zone) or a
    /// wall-clock time in the zone (`2026-12-01T18:30`).
    pub fn parse(start: &str, end: &str, zone: &str) -> Result<Self, DomainError> {
        let zone = MeetingZone::parse(zone)?;
        let start = parse_instant(start, zone)?;
        let end = parse_instant(end, zone)?;
        Self::new(zone, start, end)
    }

    /// From two instants, checked: the end after the start, at most
    /// [`MAX_DURATION_HOURS`] later. Seconds are kept, sub-seconds dropped.
    pub fn new(
        zone: MeetingZone,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let start = whole_seconds(start);
        let end = whole_seconds(end);
        if end <= start {
            return Err(DomainError::InvalidMeetingTime(
                "the end must be after the start",
            ));
        }
        if end - start > Duration::hours(MAX_DURATION_HOURS) {
            return Err(DomainError::InvalidMeetingTime(
                "a meeting lasts at most 72 hours",
            ));
        }
        Ok(Self {
            zone,
            start_local: zone.local(start),
            start,
            end,
        })
    }

    pub fn zone(&self) -> MeetingZone {
        self.zone
    }

    /// The start on the zone's wall clock: the time of day every occurrence keeps.
    pub fn start_local(&self) -> NaiveDateTime {
        self.start_local
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// The first occurrence.
    pub fn first(&self) -> Occurrence {
        Occurrence {
            local_start: self.start_local,
            start: self.start,
            end: self.end,
        }
    }

    /// The occurrence whose wall-clock start is `local` (same duration).
    pub fn at_local(&self, local: NaiveDateTime) -> Occurrence {
        let start = self.zone.resolve(local);
        Occurrence {
            local_start: local,
            start,
            end: start + self.duration(),
        }
    }
}

/// One occurrence of a meeting. `local_start` is its wall-clock start as the rule
/// gives it (also inside a DST gap): it names the occurrence, e.g. for cancelling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub local_start: NaiveDateTime,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

fn parse_instant(s: &str, zone: MeetingZone) -> Result<DateTime<Utc>, DomainError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            DomainError::InvalidMeetingTime(
                "times must look like 2026-12-01T18:30 or 2026-12-01T18:30:00+01:00",
            )
        })?;
    zone.exact(local).ok_or(DomainError::InvalidMeetingTime(
        "this time does not exist in the meeting's zone (the clocks change then)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    #[test]
    fn parses_local_and_offset_times() {
        let t = MeetingTime::parse("2026-12-01T18:30", "2026-12-01T20:00", "Europe/Berlin")
            .expect("valid");
        assert_eq!(t.start().to_rfc3339(), "2026-12-01T17:30:00+00:00");
        assert_eq!(t.start_local(), local(2026, 12, 1, 18, 30));
        let t = MeetingTime::parse(
            "2026-12-01T17:30:00Z",
            "2026-12-01T20:00:00+01:00",
            "Europe/Berlin",
        )
        .expect("valid");
        assert_eq!(t.start_local(), local(2026, 12, 1, 18, 30));
        assert_eq!(t.duration(), Duration::minutes(90));
    }

    #[test]
    fn refuses_bad_times() {
        let err = |s, e, z| MeetingTime::parse(s, e, z).expect_err("refused").code();
        assert_eq!(
            err("2026-12-01T18:30", "2026-12-01T18:00", "Europe/Berlin"),
            "invalid_meeting_time"
        );
        assert_eq!(
            err("2026-12-01T18:30", "2026-12-01T18:30", "Europe/Berlin"),
            "invalid_meeting_time"
        );
        assert_eq!(
            err("2026-12-01T18:30", "2026-12-05T18:30", "Europe/Berlin"),
            "invalid_meeting_time"
        );
        assert_eq!(
            err("2026-12-01T18:30", "2026-12-01T20:00", "Mars/Olympus"),
            "unknown_time_zone"
        );
        assert_eq!(
            err("tomorrow", "2026-12-01T20:00", "UTC"),
            "invalid_meeting_time"
        );
        // 02:30 on 29 March 2026 does not exist in Berlin.
        assert_eq!(
            err("2026-03-29T02:30", "2026-03-29T04:00", "Europe/Berlin"),
            "invalid_meeting_time"
        );
    }

    #[test]
    fn resolves_gaps_and_overlaps_as_rfc5545_says() {
        let berlin = MeetingZone::parse("Europe/Berlin").expect("zone");
        // Gap: 02:30 is read with the winter offset, i.e. 03:30 summer time.
        let t = berlin.resolve(local(2026, 3, 29, 2, 30));
        assert_eq!(t.to_rfc3339(), "2026-03-29T01:30:00+00:00");
        assert_eq!(berlin.local(t), local(2026, 3, 29, 3, 30));
        // Overlap: 02:30 on 25 October happens twice; the first (summer time) counts.
        let t = berlin.resolve(local(2026, 10, 25, 2, 30));
        assert_eq!(t.to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }
}
