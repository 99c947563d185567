//! How long group discussion posts are kept (issue 26): a group's own number of
//! days set by a facilitator, else the instance's default, never more than the
//! instance's maximum. `None` everywhere: kept until deleted.

use crate::DomainError;

/// The instance's settings (`retention.default_days`, `retention.max_days`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionLimits {
    pub default_days: Option<u32>,
    pub max_days: Option<u32>,
}

impl RetentionLimits {
    /// The days a group's discussion posts are kept, given its own setting.
    pub fn effective(&self, group_days: Option<i64>) -> Option<i64> {
        let wanted = group_days.or(self.default_days.map(i64::from));
        match (wanted, self.max_days.map(i64::from)) {
            (Some(w), Some(m)) => Some(w.min(m)),
            (None, Some(m)) => Some(m),
            (w, None) => w,
        }
    }

    /// A facilitator's setting checked: at least one day, at most the maximum.
    pub fn check(&self, days: i64) -> Result<i64, DomainError> {
        if days < 1 {
            return Err(DomainError::InvalidGroup(
                "retention_days must be at least 1",
            ));
        }
        if self.max_days.is_some_and(|m| days > i64::from(m)) {
            return Err(DomainError::InvalidGroup(
                "retention_days is above the instance's maximum",
            ));
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_then_default_then_none() {
        let none = RetentionLimits::default();
        assert_eq!(none.effective(None), None);
        assert_eq!(none.effective(Some(30)), Some(30));
        let d = RetentionLimits {
            default_days: Some(90),
            max_days: None,
        };
        assert_eq!(d.effective(None), Some(90));
        assert_eq!(d.effective(Some(7)), Some(7));
    }

    #[test]
    fn the_maximum_caps_everything() {
        let m = RetentionLimits {
            default_days: None,
            max_days: Some(365),
        };
        assert_eq!(m.effective(None), Some(365));
        assert_eq!(m.effective(Some(1000)), Some(365));
        assert_eq!(m.effective(Some(10)), Some(10));
        assert!(m.check(366).is_err());
        assert!(m.check(0).is_err());
        assert_eq!(m.check(365).unwrap(), 365);
    }
}
