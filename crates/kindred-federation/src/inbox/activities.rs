//! The activities an inbox accepts, as one type the library dispatches on.

// `Data` and `Url` are named by the delegation macro's expansion.
use activitypub_federation::config::Data;
use activitypub_federation::traits::ActivityHandler;
use serde::Deserialize;
use url::Url;

use super::content::{Announce, Create, Delete, Like, Update};
use super::follows::{Accept, Follow, Reject, Undo};

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
}

/// Activity types handled here; anything else is acknowledged and ignored.
pub const SUPPORTED: [&str; 9] = [
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Like", "Announce",
];

/// Object types a `Create` or `Update` may carry for us to act on.
pub fn supported_object(activity: &str, object_type: Option<&str>) -> bool {
    match activity {
        "Create" => object_type == Some("Note"),
        "Update" => matches!(
            object_type,
            Some("Note" | "Person" | "Service" | "Group" | "Application" | "Organization")
        ),
        _ => true,
    }
}
