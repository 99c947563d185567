//! Entities of the meetings extension API (`/api/v1/pleroma/events`), documented in
//! docs/api/meetings.md. Everyone who sees a meeting sees its `location` (locality,
//! region, country, whether online); `full_location` is filled only through the
//! domain's `Disclosure` (facilitators, accepted attendees). Who comes is in
//! `Participation` lists, answered to facilitators only; others see counts.

use serde::Serialize;

use super::Account;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: String,
    /// The group holding the meeting; `null`: the instance's own meeting.
    pub group_id: Option<String>,
    pub title: String,
    pub description: String,
    /// The first occurrence, RFC 3339 in UTC.
    pub start_time: String,
    pub end_time: String,
    /// IANA zone the meeting is held in (its wall clock).
    pub time_zone: String,
    /// The RRULE (supported subset), or `null` for a single meeting.
    pub recurrence: Option<String>,
    /// Cancelled occurrences by wall-clock start (`2026-12-08T18:30:00`).
    pub cancelled_occurrences: Vec<String>,
    /// The next occurrence still to end (not cancelled), if any.
    pub next_occurrence: Option<Occurrence>,
    /// tentative | confirmed | cancelled
    pub status: String,
    /// free | approval | invite
    pub join_mode: String,
    /// public | members
    pub audience: String,
    pub capacity: Option<i64>,
    /// The most places people answering through any one other server may hold;
    /// `null`: the group's default, else the instance's. Facilitators only (else
    /// `null`).
    pub max_per_remote_domain: Option<i64>,
    pub content_category: Option<String>,
    pub location: PublicLocation,
    /// Only for facilitators and accepted attendees; `null` for everyone else.
    pub full_location: Option<FullLocation>,
    /// Accepted places (Pleroma/Rebased's name). `null` unless the caller runs the
    /// meeting or its group shows counts (`show_participant_count`); likewise the
    /// wait-list and interested counts.
    pub participants_count: Option<i64>,
    pub waitlist_count: Option<i64>,
    pub interested_count: Option<i64>,
    /// Requests waiting for approval: facilitators only (as Rebased), else `null`.
    pub participation_request_count: Option<i64>,
    /// The caller's own participation.
    pub participation: Option<OwnParticipation>,
    /// Whether the caller facilitates this meeting.
    pub facilitator: bool,
    /// The meeting's iCalendar.
    pub ics_url: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    pub start_time: String,
    pub end_time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicLocation {
    pub locality: String,
    pub region: String,
    pub country: String,
    /// There is an online link (hybrid or online meeting); the link itself is private.
    pub online: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FullLocation {
    pub venue_name: String,
    pub street_address: String,
    pub postal_code: String,
    pub access_notes: String,
    pub accessibility: Vec<String>,
    pub online_link: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnParticipation {
    /// invited | interested | requested | waitlisted | accepted | rejected
    pub state: String,
    pub name_for_meeting: Option<String>,
}

/// A participation as the meeting's facilitators see it.
#[derive(Debug, Clone, Serialize)]
pub struct Participation {
    pub id: String,
    /// `null` for an anonymous attendee from another instance.
    pub account: Option<Account>,
    /// An anonymous attendee's stable opaque id (`anonymous-ID`), to approve or
    /// decline them by; never the token their instance holds. `null` for accounts.
    pub anonymous_id: Option<String>,
    /// The instance an anonymous attendee comes through ("an anonymous attendee
    /// via partner.example"): all facilitators learn of them.
    pub anonymous_domain: Option<String>,
    pub state: String,
    pub name_for_meeting: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The secret address of a personal calendar feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedUrl {
    pub url: String,
}
