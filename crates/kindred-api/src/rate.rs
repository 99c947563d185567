//! The size of a throttle as operators write it: `COUNT/PERIOD`, e.g. `300/5m`.
//!
//! Every throttle (the API rate limits, the login throttle, the instance-wide sign-up
//! limit) lets `count` events through at once and gives capacity back one event at a
//! time, a full bucket's worth per `period`.

use std::fmt;
use std::time::Duration;

/// `count` events at once, refilled evenly over `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub period: Duration,
}

/// The largest count a setting may give (far above any sensible throttle).
pub const MAX_COUNT: u32 = 1_000_000;
/// The longest period a setting may give: a week.
pub const MAX_PERIOD: Duration = Duration::from_secs(7 * 24 * 60 * 60);

impl Rate {
    pub const fn new(count: u32, period: Duration) -> Self {
        Self { count, period }
    }

    /// The time for one event's worth of capacity to come back.
    pub fn refill(&self) -> Duration {
        (self.period / self.count.max(1)).max(Duration::from_nanos(1))
    }

    /// `COUNT/PERIOD`: a count from 1 to 1000000, a period of a number and a unit
    /// (`s`, `m`, `h` or `d`) from one second to seven days. The error says what was
    /// expected, for the configuration error that names the key.
    pub fn parse(s: &str) -> Result<Self, String> {
        let expected = || format!("`{s}`: expected COUNT/PERIOD such as 300/5m (units s, m, h, d)");
        let (count, period) = s.trim().split_once('/').ok_or_else(expected)?;
        let count: u32 = count.trim().parse().map_err(|_| expected())?;
        let period = period.trim();
        let unit_at = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(expected)?;
        let (amount, unit) = period.split_at(unit_at);
        let amount: u64 = amount.parse().map_err(|_| expected())?;
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 60 * 60,
            "d" => 24 * 60 * 60,
            _ => return Err(expected()),
        };
        if !(1..=MAX_COUNT).contains(&count) {
            return Err(format!("`{s}`: the count must be 1 to {MAX_COUNT}"));
        }
        let period = amount
            .checked_mul(unit_secs)
            .map(Duration::from_secs)
            .filter(|p| !p.is_zero() && *p <= MAX_PERIOD)
            .ok_or_else(|| format!("`{s}`: the period must be 1s to 7d"))?;
        Ok(Self { count, period })
    }
}

/// Written back the way [`Rate::parse`] reads it, in the largest whole unit.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.period.as_secs();
        let (amount, unit) = [(86_400, "d"), (3_600, "h"), (60, "m")]
            .into_iter()
            .find(|(u, _)| secs.is_multiple_of(*u))
            .map_or((secs, "s"), |(u, name)| (secs / u, name));
        write!(f, "{}/{amount}{unit}", self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_and_periods() {
        assert_eq!(
            Rate::parse("300/5m"),
            Ok(Rate::new(300, Duration::from_secs(300)))
        );
        assert_eq!(
            Rate::parse(" 40 / 1h "),
            Ok(Rate::new(40, Duration::from_secs(3600)))
        );
        assert_eq!(
            Rate::parse("1/1s"),
            Ok(Rate::new(1, Duration::from_secs(1)))
        );
        assert_eq!(
            Rate::parse("1000000/7d"),
            Ok(Rate::new(MAX_COUNT, MAX_PERIOD))
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "300",
            "300/",
            "/5m",
            "300/5",
            "300/m",
            "300/5w",
            "-1/5m",
            "0/5m",
            "1/0s",
            "1/8d",
            "1000001/1h",
            "3e2/5m",
            "300/5m30s",
            "300 per 5m",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Rate::parse("0/5m").unwrap_err().contains("count"));
        assert!(Rate::parse("1/8d").unwrap_err().contains("period"));
        assert!(Rate::parse("x").unwrap_err().contains("COUNT/PERIOD"));
    }

    #[test]
    fn refill_and_display() {
        let r = Rate::parse("10/5m").unwrap();
        assert_eq!(r.refill(), Duration::from_secs(30));
        assert_eq!(r.to_string(), "10/5m");
        assert_eq!(Rate::parse("90/90s").unwrap().to_string(), "90/90s");
        assert_eq!(Rate::parse("5/120m").unwrap().to_string(), "5/2h");
    }
}
