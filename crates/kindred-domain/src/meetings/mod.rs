//! Offline and hybrid meetings of a group (or of the instance): when and how often
//! they happen, who may come, and what of the place each person may learn.
//!
//! Invariant 4 lives here in the types: a [`Place`] hands out its [`PublicPlace`]
//! (locality, region, country) to anyone, and its street address, postal code, access
//! notes and online link only against a [`Disclosure`], which only facilitators and
//! accepted attendees obtain. Public outputs (listings, iCalendar, ActivityPub) are
//! built from `PublicPlace` alone. Nothing here does IO.

pub mod details;
pub mod ics;
pub mod listing;
pub mod place;
pub mod recurrence;
pub mod reminder;
pub mod rsvp;
pub mod settings;
pub mod time;

pub use details::{MeetingDetails, MeetingInput};
pub use place::{Accessibility, Disclosure, FullPlace, Place, PlaceInput, PublicPlace};
pub use recurrence::{Limit, Pattern, Recurrence, Series};
pub use rsvp::{
    Counts, FacilitatorAction, MeetingState, Origin, ParticipationState, RemoteCap, RemoteOrigin,
    Rsvp, RsvpOutcome, RsvpRefusal, Viewer,
};
pub use settings::{Capacity, ContentCategory, JoinMode, MeetingAudience, MeetingStatus};
pub use time::{MeetingTime, MeetingZone, Occurrence};
