//! A whole meeting as a facilitator writes it, checked in one place.

use super::place::{Place, PlaceInput};
use super::recurrence::Recurrence;
use super::settings::{Capacity, ContentCategory, JoinMode, MeetingAudience, MeetingStatus};
use super::time::MeetingTime;
use crate::DomainError;

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;

/// What a client sends, unchecked. Empty strings mean "not given".
#[derive(Debug, Clone, Copy, Default)]
pub struct MeetingInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub time_zone: &'a str,
    /// An RRULE in the supported subset, or empty for a single meeting.
    pub recurrence: &'a str,
    /// Defaults to `confirmed`.
    pub status: &'a str,
    /// Defaults to `free`.
    pub join_mode: &'a str,
    /// Defaults to `public`.
    pub audience: &'a str,
    pub capacity: Option<i64>,
    pub content_category: &'a str,
    pub place: PlaceInput<'a>,
    /// Cap on places held through one remote server; `None`: the group's default.
    pub max_per_remote_domain: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDetails {
    pub title: String,
    pub description: String,
    pub time: MeetingTime,
    pub recurrence: Option<Recurrence>,
    pub status: MeetingStatus,
    pub join_mode: JoinMode,
    pub audience: MeetingAudience,
    pub capacity: Option<Capacity>,
    pub content_category: Option<ContentCategory>,
    pub place: Place,
    pub max_per_remote_domain: Option<u32>,
}

impl MeetingDetails {
    pub fn parse(input: &MeetingInput<'_>) -> Result<Self, DomainError> {
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE || title.contains('\n') {
            return Err(DomainError::InvalidMeeting(
                "title must be one line of 1 to 200 characters",
            ));
        }
        let description = input.description.trim();
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(DomainError::InvalidMeeting(
                "description is at most 5000 characters",
            ));
        }
        let time = MeetingTime::parse(input.start, input.end, input.time_zone)?;
        let recurrence = match input.recurrence.trim() {
            "" => None,
            rule => Some(Recurrence::parse(rule, &time)?),
        };
        Ok(Self {
            title: title.to_owned(),
            description: description.to_owned(),
            time,
            recurrence,
            status: MeetingStatus::parse(default(input.status, "confirmed"))?,
            join_mode: JoinMode::parse(default(input.join_mode, "free"))?,
            audience: MeetingAudience::parse(default(input.audience, "public"))?,
            capacity: input.capacity.map(Capacity::new).transpose()?,
            content_category: match input.content_category.trim() {
                "" => None,
                s => Some(ContentCategory::parse(s)?),
            },
            place: Place::parse(&input.place)?,
            max_per_remote_domain: input
                .max_per_remote_domain
                .map(super::rsvp::RemoteCap::parse)
                .transpose()?,
        })
    }
}

fn default<'a>(s: &'a str, d: &'a str) -> &'a str {
    if s.trim().is_empty() {
        d
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample<'a>() -> MeetingInput<'a> {
        MeetingInput {
            title: "Peer café",
            description: "Tea, talk; no pressure.",
            start: "2026-12-01T18:30",
            end: "2026-12-01T20:00",
            time_zone: "Europe/Berlin",
            recurrence: "FREQ=WEEKLY;BYDAY=TU",
            capacity: Some(12),
            place: PlaceInput {
                locality: "Leipzig",
                country: "Germany",
                street_address: "Lindenstr. 3",
                ..PlaceInput::default()
            },
            ..MeetingInput::default()
        }
    }

    #[test]
    fn parses_with_defaults() {
        let d = MeetingDetails::parse(&sample()).expect("valid");
        assert_eq!(d.status, MeetingStatus::Confirmed);
        assert_eq!(d.join_mode, JoinMode::Free);
        assert_eq!(d.audience, MeetingAudience::Public);
        assert_eq!(d.capacity.map(Capacity::get), Some(12));
        assert!(d.recurrence.is_some());
    }

    #[test]
    fn refuses_bad_input() {
        let code = |i: MeetingInput<'_>| MeetingDetails::parse(&i).expect_err("refused").code();
        assert_eq!(
            code(MeetingInput {
                title: " ",
                ..sample()
            }),
            "invalid_meeting"
        );
        assert_eq!(
            code(MeetingInput {
                end: "2026-12-01T18:00",
                ..sample()
            }),
            "invalid_meeting_time"
        );
        assert_eq!(
            code(MeetingInput {
                time_zone: "CET+1",
                ..sample()
            }),
            "unknown_time_zone"
        );
        assert_eq!(
            code(MeetingInput {
                recurrence: "FREQ=DAILY",
                ..sample()
            }),
            "unsupported_recurrence"
        );
        assert_eq!(
            code(MeetingInput {
                capacity: Some(0),
                ..sample()
            }),
            "invalid_meeting"
        );
        assert_eq!(
            code(MeetingInput {
                join_mode: "open",
                ..sample()
            }),
            "invalid_meeting"
        );
    }
}
