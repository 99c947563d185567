//! Mastodon's Conversation entity and the Tag entity of the hashtag endpoints.

use serde::Serialize;
use serde_json::Value;

use super::{Account, Status};

#[derive(Debug, Serialize)]
pub struct Conversation {
    pub id: String,
    pub unread: bool,
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

/// A hashtag as `/api/v1/tags/:name` and `/api/v1/followed_tags` show it.
#[derive(Debug, Serialize)]
pub struct Hashtag {
    pub id: String,
    pub name: String,
    pub url: String,
    /// Usage statistics: empty by design (no trend features).
    pub history: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<bool>,
}
