//! Mastodon's Search entity (v2) and the Tag entity with its usage history.

use serde::Serialize;
use serde_json::Value;

use super::{Account, Status};

/// A hashtag as search returns it. `history` is always empty: Kindred keeps no usage
/// statistics (no trends in a support community).
#[derive(Debug, Serialize, Clone)]
pub struct SearchTag {
    pub name: String,
    pub url: String,
    pub history: Vec<Value>,
}

#[derive(Debug, Serialize)]
pub struct Search {
    pub accounts: Vec<Account>,
    pub statuses: Vec<Status>,
    pub hashtags: Vec<SearchTag>,
}
