//! Mastodon's Announcement entity.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    pub me: bool,
    pub url: Option<String>,
    pub static_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Announcement {
    pub id: String,
    pub content: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub published: bool,
    pub all_day: bool,
    pub published_at: Option<String>,
    pub updated_at: String,
    pub read: bool,
    pub mentions: Vec<Value>,
    pub statuses: Vec<Value>,
    pub tags: Vec<Value>,
    pub emojis: Vec<Value>,
    pub reactions: Vec<Reaction>,
    /// For admins only (Kindred extension): the text as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}
