//! The activities an inbox accepts, as one type the library dispatches on.

// `Data` and `Url` are named by the delegation macro's expansion.
use activitypub_federation::config::Data;
use activitypub_federation::traits::ActivityHandler;
use serde::Deserialize;
use url::Url;

use super::content::{Announce, Create, Delete, Like, Update};
use super::event::EventActivity;
use super::flag::Flag;
use super::follows::{Accept, Follow, Reject, Undo};
use super::note::ObjectKind;
use super::rsvp::{Join, JoinAnswer, Leave};

#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[enum_delegate::implement(ActivityHandler)]
pub enum InboxActivity {
    Follow(Follow),
    Accept(Accept),
    Reject(Reject),
    Undo(Box<Undo>),
    Create(Box<Create>),
    Update(Box<Update>),
    Delete(Delete),
    Like(Like),
    Announce(Box<Announce>),
    /// RSVPs to our meetings (`rsvp`).
    Join(Box<Join>),
    Leave(Box<Leave>),
    /// `Accept` or `Reject` of one of our members' Joins.
    JoinAnswer(Box<JoinAnswer>),
    /// A report forwarded by another server (`flag`).
    Flag(Box<Flag>),
    /// `Create(Event)` or `Update(Event)`: a meeting listing (`event`).
    Event(Box<EventActivity>),
}

/// Activity types handled here; anything else is acknowledged and ignored.
pub const SUPPORTED: [&str; 12] = [
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Like", "Announce", "Join",
    "Leave", "Flag",
];

/// Object types a `Create`, `Update` or `Announce` may carry for us to act on.
/// A group's `Announce` wraps an activity (FEP-1b12: Lemmy); only a wrapped
/// Create, Update or Delete changes anything here, and its inner object is checked
/// by `groups`. Events (meeting listings) are read by `event`. Likes, votes and
/// moderation (Lock, Block, Remove, Add...) are acknowledged and ignored.
pub fn supported_object(activity: &str, object_type: Option<&str>) -> bool {
    let stored = |t: Option<&str>| t.is_some_and(|t| ObjectKind::ALL.contains(&t) || t == "Event");
    match activity {
        "Create" => stored(object_type),
        "Update" => {
            stored(object_type)
                || matches!(
                    object_type,
                    Some("Person" | "Service" | "Group" | "Application" | "Organization")
                )
        }
        // No type: an id, to be fetched.
        "Announce" => {
            object_type.is_none()
                || stored(object_type)
                || matches!(object_type, Some("Create" | "Update" | "Delete"))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::supported_object;

    #[test]
    fn group_announces_of_other_kinds_are_ignored() {
        for ok in [
            None,
            Some("Note"),
            Some("Page"),
            Some("Article"),
            Some("Create"),
        ] {
            assert!(supported_object("Announce", ok), "{ok:?}");
        }
        for ignored in ["Like", "Dislike", "Undo", "Lock", "Block", "Remove", "Add"] {
            assert!(!supported_object("Announce", Some(ignored)), "{ignored}");
        }
        assert!(supported_object("Create", Some("Page")));
        assert!(supported_object("Create", Some("Event")));
        assert!(supported_object("Announce", Some("Event")));
        assert!(!supported_object("Create", Some("Question")));
    }
}
