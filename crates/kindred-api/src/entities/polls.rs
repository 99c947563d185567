//! Mastodon's Poll entity. It holds counts and the viewer's own choices only: no
//! answer lists who voted, nor who chose what, to anyone (the author included).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize, Clone)]
pub struct PollOption {
    pub title: String,
    /// `null` while the author hides the totals and the poll is open.
    pub votes_count: Option<i64>,
}

#[derive(Debug, Serialize, Clone)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<Value>,
    /// Only for a signed-in viewer: whether they voted, and their own choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}
