//! Mastodon's ScheduledStatus entity.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
pub struct ScheduledStatus {
    pub id: String,
    pub scheduled_at: String,
    /// The post as it will be made (Mastodon's `params`).
    pub params: Value,
    pub media_attachments: Vec<Value>,
}
