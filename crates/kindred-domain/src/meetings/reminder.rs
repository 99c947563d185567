//! When a member is reminded of a meeting: once per occurrence, within the day
//! before it starts (docs/meetings.md, "Reminders").

use chrono::{DateTime, Duration, Utc};

use super::{Occurrence, Series};

/// How long before an occurrence its reminder is due.
pub fn lead() -> Duration {
    Duration::hours(24)
}

/// The occurrence a reminder is due for at `now`: the next one (cancelled ones
/// skipped) that has not started yet and starts within [`lead`].
pub fn due(series: &Series<'_>, now: DateTime<Utc>) -> Option<Occurrence> {
    series
        .between(now, now + lead(), 4)
        .into_iter()
        .find(|o| o.start > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::{MeetingTime, MeetingZone, Recurrence};
    use chrono::TimeZone;

    fn weekly() -> (MeetingTime, Recurrence) {
        let zone = MeetingZone::parse("Europe/Berlin").unwrap();
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap();
        let time = MeetingTime::new(zone, start, start + Duration::hours(2)).unwrap();
        let rule = Recurrence::parse("FREQ=WEEKLY", &time).unwrap();
        (time, rule)
    }

    #[test]
    fn due_only_in_the_day_before() {
        let (time, rule) = weekly();
        let s = Series {
            time: &time,
            rule: Some(&rule),
            cancelled: &[],
        };
        let first = time.start();
        assert!(due(&s, first - Duration::hours(25)).is_none());
        assert_eq!(due(&s, first - Duration::hours(23)).unwrap().start, first);
        // Once started, the next is a week away: nothing due.
        assert!(due(&s, first + Duration::minutes(5)).is_none());
        let second = first + Duration::days(7);
        assert_eq!(due(&s, second - Duration::hours(1)).unwrap().start, second);
    }

    #[test]
    fn cancelled_occurrence_is_not_due() {
        let (time, rule) = weekly();
        let cancelled = [time
            .start()
            .with_timezone(&chrono_tz::Europe::Berlin)
            .naive_local()];
        let s = Series {
            time: &time,
            rule: Some(&rule),
            cancelled: &cancelled,
        };
        assert!(due(&s, time.start() - Duration::hours(2)).is_none());
    }
}
