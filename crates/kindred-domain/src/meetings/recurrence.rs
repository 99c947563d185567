//! How often a meeting happens: the subset of RFC 5545 RRULE that peer-support
//! meetings use, and its expansion into occurrences.
//!
//! Supported: `FREQ=WEEKLY` with `INTERVAL` (every N weeks) and `BYDAY=TU,TH`;
//! `FREQ=MONTHLY` with `INTERVAL` and `BYDAY` by weekday of the month (`2TU`, `-1FR`);
//! ending with `UNTIL` or `COUNT`, or not at all. Everything else (daily, yearly,
//! `BYMONTHDAY`, `BYSETPOS`, `BYHOUR`, a week starting on another day than Monday...)
//! is refused by name, so what is stored is always what is shown and expanded.
//!
//! Why not the `rrule` crate: it accepts the whole RFC, so the subset would have to be
//! parsed and enforced here anyway; what is left, expanding two frequencies on the
//! local wall clock, is a few dozen lines tested below, against a crate that brings
//! `regex` and `log` and its own error and DST conventions. Our own typed rule is also
//! what storage and ActivityPub need, not a string.

use std::collections::HashSet;
use std::ops::ControlFlow;

use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday,
};

use super::time::{MeetingTime, Occurrence};
use crate::DomainError;

pub const MAX_INTERVAL: u32 = 12;
pub const MAX_COUNT: u32 = 520;
/// An `UNTIL` at most this many years after the first meeting.
pub const MAX_YEARS: i32 = 10;
/// Most occurrences one expansion returns.
pub const MAX_OCCURRENCES: usize = 500;
/// A recurring meeting lasts at most a day, so occurrences never overlap.
pub const MAX_RECURRING_HOURS: i64 = 24;
/// Expansion never walks further than this from the first meeting (open-ended rules).
const HORIZON_YEARS: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// On these days of every `interval`-th week (weeks start on Monday).
    Weekly { days: Vec<Weekday> },
    /// On these weekdays of the month: (1..=5 from the start, -1..=-5 from the end).
    Monthly { days: Vec<(i8, Weekday)> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Forever,
    /// No occurrence starts after this instant.
    Until(DateTime<Utc>),
    /// This many occurrences (cancelled ones included, as with RFC 5545 EXDATE).
    Count(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pattern: Pattern,
    interval: u32,
    limit: Limit,
}

fn unsupported(why: impl Into<String>) -> DomainError {
    DomainError::UnsupportedRecurrence(why.into())
}

impl Recurrence {
    /// Parses an RRULE (with or without the `RRULE:` prefix) for a meeting starting at
    /// `time`. The first meeting must itself fall on the rule.
    pub fn parse(rule: &str, time: &MeetingTime) -> Result<Self, DomainError> {
        let rule = rule.trim();
        let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
        if rule.len() > 300 {
            return Err(unsupported("the rule is too long"));
        }
        let mut seen = HashSet::new();
        let (mut freq, mut interval, mut byday, mut until, mut count) =
            (None, None, None, None, None);
        for part in rule.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| unsupported("expected NAME=VALUE parts separated by `;`"))?;
            let key = key.trim().to_ascii_uppercase();
            let value = value.trim().to_ascii_uppercase();
            if !seen.insert(key.clone()) {
                return Err(unsupported(format!("{key} given twice")));
            }
            match key.as_str() {
                "FREQ" => freq = Some(value),
                "INTERVAL" => interval = Some(value),
                "BYDAY" => byday = Some(value),
                "UNTIL" => until = Some(value),
                "COUNT" => count = Some(value),
                "WKST" if value == "MO" => {}
                "WKST" => return Err(unsupported("weeks start on Monday (WKST=MO)")),
                other => {
                    let other: String = other.chars().take(20).collect();
                    return Err(unsupported(format!(
                        "{other} (only FREQ, INTERVAL, BYDAY, UNTIL and COUNT)"
                    )));
                }
            }
        }
        let interval = match interval {
            None => 1,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_INTERVAL).contains(n))
                .ok_or_else(|| unsupported("INTERVAL must be 1 to 12"))?,
        };
        let start_day = time.start_local().weekday();
        let pattern = match freq.as_deref() {
            Some("WEEKLY") => {
                let mut days = match byday {
                    None => vec![start_day],
                    Some(v) => v
                        .split(',')
                        .map(|d| weekday(d.trim()))
                        .collect::<Result<Vec<_>, _>>()?,
                };
                days.sort_by_key(|d| d.num_days_from_monday());
                days.dedup();
                Pattern::Weekly { days }
            }
            Some("MONTHLY") => {
                let v = byday.ok_or_else(|| {
                    unsupported("a monthly rule needs BYDAY with a position, like BYDAY=2TU")
                })?;
                let mut days = v
                    .split(',')
                    .map(|d| nth_weekday(d.trim()))
                    .collect::<Result<Vec<_>, _>>()?;
                days.sort_by_key(|(n, d)| (*n, d.num_days_from_monday()));
                days.dedup();
                Pattern::Monthly { days }
            }
            Some(_) => return Err(unsupported("FREQ must be WEEKLY or MONTHLY")),
            None => return Err(unsupported("FREQ is missing")),
        };
        let limit = match (until, count) {
            (Some(_), Some(_)) => return Err(unsupported("UNTIL and COUNT can't both be given")),
            (None, None) => Limit::Forever,
            (None, Some(c)) => Limit::Count(
                c.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_COUNT).contains(n))
                    .ok_or_else(|| unsupported("COUNT must be 1 to 520"))?,
            ),
            (Some(u), None) => Limit::Until(parse_until(&u, time)?),
        };
        if time.duration() > Duration::hours(MAX_RECURRING_HOURS) {
            return Err(DomainError::InvalidMeetingTime(
                "a recurring meeting lasts at most 24 hours",
            ));
        }
        let rec = Self {
            pattern,
            interval,
            limit,
        };
        if !rec.matches_date(time.start_local().date()) {
            return Err(unsupported(
                "the first meeting must fall on one of the rule's days",
            ));
        }
        Ok(rec)
    }

    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    pub fn interval(&self) -> u32 {
        self.interval
    }

    pub fn limit(&self) -> Limit {
        self.limit
    }

    /// The canonical RRULE value (without `RRULE:`), as stored and rendered.
    pub fn to_rrule(&self) -> String {
        let mut out = match &self.pattern {
            Pattern::Weekly { .. } => "FREQ=WEEKLY".to_owned(),
            Pattern::Monthly { .. } => "FREQ=MONTHLY".to_owned(),
        };
        if self.interval != 1 {
            out.push_str(&format!(";INTERVAL={}", self.interval));
        }
        let days: Vec<String> = match &self.pattern {
            Pattern::Weekly { days } => days.iter().map(|d| day_code(*d).to_owned()).collect(),
            Pattern::Monthly { days } => days
                .iter()
                .map(|(n, d)| format!("{n}{}", day_code(*d)))
                .collect(),
        };
        out.push_str(";BYDAY=");
        out.push_str(&days.join(","));
        match self.limit {
            Limit::Forever => {}
            Limit::Count(n) => out.push_str(&format!(";COUNT={n}")),
            Limit::Until(t) => out.push_str(&format!(";UNTIL={}", t.format("%Y%m%dT%H%M%SZ"))),
        }
        out
    }

    fn matches_date(&self, date: NaiveDate) -> bool {
        match &self.pattern {
            Pattern::Weekly { days } => days.contains(&date.weekday()),
            Pattern::Monthly { days } => days
                .iter()
                .any(|(n, d)| weekday_of_month(date.year(), date.month(), *n, *d) == Some(date)),
        }
    }

    /// Calls `f` with each occurrence's wall-clock start, in order, from the first
    /// meeting, until the rule ends, `f` breaks, or the horizon is reached.
    fn walk(&self, time: &MeetingTime, mut f: impl FnMut(NaiveDateTime) -> ControlFlow<()>) {
        let first = time.start_local().date();
        let at = time.start_local().time();
        let horizon = first
            .checked_add_months(Months::new(12 * HORIZON_YEARS))
            .unwrap_or(NaiveDate::MAX);
        let mut emitted = 0u32;
        let mut emit = |date: NaiveDate| -> ControlFlow<()> {
            if date < first {
                return ControlFlow::Continue(());
            }
            if date > horizon {
                return ControlFlow::Break(());
            }
            let local = date.and_time(at);
            match self.limit {
                Limit::Count(n) if emitted >= n => return ControlFlow::Break(()),
                Limit::Until(u) if time.zone().resolve(local) > u => return ControlFlow::Break(()),
                _ => {}
            }
            emitted += 1;
            f(local)
        };
        match &self.pattern {
            Pattern::Weekly { days } => {
                let monday =
                    first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
                for k in 0.. {
                    let week = monday + Duration::weeks(i64::from(self.interval) * k);
                    for d in days {
                        let date = week + Duration::days(i64::from(d.num_days_from_monday()));
                        if emit(date).is_break() {
                            return;
                        }
                    }
                }
            }
            Pattern::Monthly { days } => {
                let Some(month0) = first.with_day(1) else {
                    return;
                };
                for k in 0u32.. {
                    let Some(month) = month0.checked_add_months(Months::new(self.interval * k))
                    else {
                        return;
                    };
                    if month > horizon {
                        return;
                    }
                    let mut dates: Vec<NaiveDate> = days
                        .iter()
                        .filter_map(|(n, d)| weekday_of_month(month.year(), month.month(), *n, *d))
                        .collect();
                    dates.sort();
                    dates.dedup();
                    for date in dates {
                        if emit(date).is_break() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// A meeting's schedule: its first occurrence, its rule if it recurs, and the
/// occurrences cancelled one by one (by wall-clock start).
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub time: &'a MeetingTime,
    pub rule: Option<&'a Recurrence>,
    pub cancelled: &'a [NaiveDateTime],
}

impl Series<'_> {
    /// Occurrences that end after `from` and start before `to`, cancelled ones left
    /// out, at most `max` (and never more than [`MAX_OCCURRENCES`]).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>, max: usize) -> Vec<Occurrence> {
        let max = max.min(MAX_OCCURRENCES);
        let mut out = Vec::new();
        self.each(|o| {
            if o.start >= to || out.len() >= max {
                return ControlFlow::Break(());
            }
            if o.end > from && !self.cancelled.contains(&o.local_start) {
                out.push(o);
            }
            ControlFlow::Continue(())
        });
        out
    }

    /// The next occurrence still to end after `now` (cancelled ones skipped).
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<Occurrence> {
        let mut found = None;
        self.each(|o| {
            if o.end > now && !self.cancelled.contains(&o.local_start) {
                found = Some(o);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        found
    }

    /// When the last occurrence ends; `None` for a rule without end.
    pub fn last_end(&self) -> Option<DateTime<Utc>> {
        match self.rule {
            None => Some(self.time.end()),
            Some(r) if r.limit == Limit::Forever => None,
            Some(_) => {
                let mut last = self.time.end();
                self.each(|o| {
                    last = o.end;
                    ControlFlow::Continue(())
                });
                Some(last)
            }
        }
    }

    /// Whether a wall-clock start is one of the series' occurrences (cancelled or not).
    pub fn is_occurrence(&self, local: NaiveDateTime) -> bool {
        let mut found = false;
        self.each(|o| {
            if o.local_start >= local {
                found = o.local_start == local;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        found
    }

    fn each(&self, mut f: impl FnMut(Occurrence) -> ControlFlow<()>) {
        match self.rule {
            None => {
                let _ = f(self.time.first());
            }
            Some(rule) => rule.walk(self.time, |local| f(self.time.at_local(local))),
        }
    }
}

const DAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Mon),
    ("TU", Weekday::Tue),
    ("WE", Weekday::Wed),
    ("TH", Weekday::Thu),
    ("FR", Weekday::Fri),
    ("SA", Weekday::Sat),
    ("SU", Weekday::Sun),
];

fn day_code(d: Weekday) -> &'static str {
    DAYS.iter().find(|(_, w)| *w == d).map_or("MO", |(c, _)| c)
}

fn weekday(s: &str) -> Result<Weekday, DomainError> {
    DAYS.iter()
        .find(|(c, _)| *c == s)
        .map(|(_, d)| *d)
        .ok_or_else(|| {
            unsupported("weekly BYDAY takes days without a position: MO,TU,WE,TH,FR,SA,SU")
        })
}

fn nth_weekday(s: &str) -> Result<(i8, Weekday), DomainError> {
    let why = || unsupported("monthly BYDAY takes a position and a day: 1TU, 2WE, -1FR");
    if s.len() < 3 {
        return Err(why());
    }
    let (n, d) = s.split_at(s.len() - 2);
    let n: i8 = n.parse().map_err(|_| why())?;
    if n == 0 || !(-5..=5).contains(&n) {
        return Err(why());
    }
    Ok((n, weekday(d).map_err(|_| why())?))
}

/// The `n`-th `day` of a month (negative: from the end); `None` when the month has
/// no such day (a fifth Tuesday), which RFC 5545 skips.
fn weekday_of_month(year: i32, month: u32, n: i8, day: Weekday) -> Option<NaiveDate> {
    if n > 0 {
        return NaiveDate::from_weekday_of_month_opt(year, month, day, n.unsigned_abs());
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first.checked_add_months(Months::new(1))? - Duration::days(1);
    let back = (7 + last.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
    let date = last - Duration::days(i64::from(back) + 7 * i64::from(n.unsigned_abs() - 1));
    (date.month() == month).then_some(date)
}

/// `UNTIL` as a UTC date-time (`20270101T000000Z`), a floating local date-time, or a
/// date (the whole day counts, on the meeting's wall clock).
fn parse_until(s: &str, time: &MeetingTime) -> Result<DateTime<Utc>, DomainError> {
    let why = || unsupported("UNTIL must look like 20271231 or 20271231T235959Z");
    let until = if let Some(utc) = s.strip_suffix('Z') {
        NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .map_err(|_| why())?
            .and_utc()
    } else if s.len() == 8 {
        let date = NaiveDate::parse_from_str(s, "%Y%m%d").map_err(|_| why())?;
        time.zone()
            .resolve(date.and_time(NaiveTime::MIN) + Duration::days(1))
            - Duration::seconds(1)
    } else {
        time.zone()
            .resolve(NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").map_err(|_| why())?)
    };
    if until < time.start() {
        return Err(unsupported("UNTIL is before the first meeting"));
    }
    let latest = time
        .start()
        .checked_add_months(Months::new(12 * MAX_YEARS.unsigned_abs()))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if until > latest {
        return Err(unsupported(
            "UNTIL at most 10 years after the first meeting",
        ));
    }
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::time::MeetingTime;

    fn time(start: &str, end: &str, zone: &str) -> MeetingTime {
        MeetingTime::parse(start, end, zone).expect("valid time")
    }

    fn locals(s: &Series<'_>, n: usize) -> Vec<String> {
        s.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, n)
            .iter()
            .map(|o| {
                o.start
                    .with_timezone(&s.time.zone().tz())
                    .format("%Y-%m-%d %H:%M %a")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn weekly_every_other_week_on_two_days() {
        // Tuesday 1 December 2026.
        let t = time("2026-12-01T18:30", "2026-12-01T20:00", "Europe/Berlin");
        let r = Recurrence::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TU;COUNT=5", &t).expect("ok");
        assert_eq!(r.to_rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5");
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &[],
        };
        assert_eq!(
            locals(&s, 10),
            [
                "2026-12-01 18:30 Tue",
                "2026-12-03 18:30 Thu",
                "2026-12-15 18:30 Tue",
                "2026-12-17 18:30 Thu",
                "2026-12-29 18:30 Tue"
            ]
        );
        assert_eq!(
            s.last_end().map(|e| e.to_rfc3339()).as_deref(),
            Some("2026-12-29T19:00:00+00:00")
        );
    }

    #[test]
    fn keeps_the_wall_clock_across_dst() {
        // Weekly on Mondays in Berlin across the spring change (29 March 2026).
        let t = time("2026-03-23T18:30", "2026-03-23T20:00", "Europe/Berlin");
        let r = Recurrence::parse("RRULE:FREQ=WEEKLY;COUNT=2", &t).expect("ok");
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &[],
        };
        let got = s.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, 10);
        assert_eq!(got[0].start.to_rfc3339(), "2026-03-23T17:30:00+00:00");
        assert_eq!(got[1].start.to_rfc3339(), "2026-03-30T16:30:00+00:00");
        assert_eq!(got[1].end - got[1].start, Duration::minutes(90));
        // And in New York, whose change is on another date (8 March 2026).
        let t = time("2026-03-02T19:00", "2026-03-02T20:00", "America/New_York");
        let r = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO;COUNT=2", &t).expect("ok");
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &[],
        };
        let got = s.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, 10);
        assert_eq!(got[0].start.to_rfc3339(), "2026-03-03T00:00:00+00:00");
        assert_eq!(got[1].start.to_rfc3339(), "2026-03-09T23:00:00+00:00");
    }

    #[test]
    fn monthly_by_weekday_position() {
        // Second Tuesday and last Friday, from Tuesday 8 December 2026.
        let t = time("2026-12-08T10:00", "2026-12-08T11:00", "Europe/London");
        let r = Recurrence::parse("FREQ=MONTHLY;BYDAY=2TU,-1FR;UNTIL=20270228", &t).expect("ok");
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &[],
        };
        assert_eq!(
            locals(&s, 10),
            [
                "2026-12-08 10:00 Tue",
                "2026-12-25 10:00 Fri",
                "2027-01-12 10:00 Tue",
                "2027-01-29 10:00 Fri",
                "2027-02-09 10:00 Tue",
                "2027-02-26 10:00 Fri"
            ]
        );
        // A fifth Monday exists in some months only; those without are skipped.
        let t = time("2026-11-30T10:00", "2026-11-30T11:00", "UTC");
        let r = Recurrence::parse("FREQ=MONTHLY;BYDAY=5MO;COUNT=3", &t).expect("ok");
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &[],
        };
        assert_eq!(
            locals(&s, 10),
            [
                "2026-11-30 10:00 Mon",
                "2027-03-29 10:00 Mon",
                "2027-05-31 10:00 Mon"
            ]
        );
    }

    #[test]
    fn cancellations_and_windows() {
        let t = time("2026-12-01T18:30", "2026-12-01T20:00", "Europe/Berlin");
        let r = Recurrence::parse("FREQ=WEEKLY", &t).expect("ok");
        let second = t.start_local() + Duration::weeks(1);
        let cancelled = [second];
        let s = Series {
            time: &t,
            rule: Some(&r),
            cancelled: &cancelled,
        };
        assert!(s.is_occurrence(second));
        assert!(!s.is_occurrence(second + Duration::hours(1)));
        assert_eq!(s.last_end(), None);
        let from = t.start() + Duration::days(1);
        let next = s.next_after(from).expect("next");
        assert_eq!(next.local_start, t.start_local() + Duration::weeks(2));
        let got = s.between(t.start(), t.start() + Duration::weeks(4), 100);
        assert_eq!(got.len(), 3);
        // Bounded even when asked for everything of an endless rule.
        let all = s.between(
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            usize::MAX,
        );
        assert_eq!(all.len(), MAX_OCCURRENCES);
        // A single meeting is its one occurrence.
        let single = Series {
            time: &t,
            rule: None,
            cancelled: &[],
        };
        assert_eq!(single.last_end(), Some(t.end()));
        assert_eq!(single.next_after(t.end()), None);
    }

    #[test]
    fn refuses_what_is_outside_the_subset() {
        let t = time("2026-12-01T18:30", "2026-12-01T20:00", "Europe/Berlin");
        for rule in [
            "FREQ=DAILY",
            "FREQ=YEARLY",
            "FREQ=MONTHLY;BYMONTHDAY=1",
            "FREQ=MONTHLY",
            "FREQ=MONTHLY;BYDAY=TU",
            "FREQ=MONTHLY;BYDAY=6TU",
            "FREQ=WEEKLY;BYDAY=1TU",
            "FREQ=WEEKLY;BYSETPOS=1",
            "FREQ=WEEKLY;BYHOUR=9",
            "FREQ=WEEKLY;WKST=SU",
            "FREQ=WEEKLY;INTERVAL=0",
            "FREQ=WEEKLY;INTERVAL=13",
            "FREQ=WEEKLY;COUNT=0",
            "FREQ=WEEKLY;COUNT=2;UNTIL=20270101",
            "FREQ=WEEKLY;UNTIL=20261101",
            "FREQ=WEEKLY;UNTIL=20400101",
            "FREQ=WEEKLY;FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=WE",
            "INTERVAL=2",
            "garbage",
            "",
        ] {
            let err = Recurrence::parse(rule, &t).expect_err(rule);
            assert_eq!(err.code(), "unsupported_recurrence", "{rule}");
        }
        let long = time("2026-12-01T18:30", "2026-12-02T20:00", "Europe/Berlin");
        assert_eq!(
            Recurrence::parse("FREQ=WEEKLY", &long)
                .expect_err("too long")
                .code(),
            "invalid_meeting_time"
        );
    }
}
