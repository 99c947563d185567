//! Mastodon's `Flag`: a report forwarded to the reported account's server. Sent by
//! our instance actor, never by the member who reported (the reporter is never
//! revealed outside the instance); the object lists the account and the reported
//! statuses. The federation policy's `reports` scope and a block's `reject_reports`
//! are checked by the caller before it asks, and again by the delivery worker
//! (the activity is classified `Traffic::Reports`).

use kindred_db::models::outbound;
use kindred_db::{AnyConnection, DbError};
use serde_json::json;

use super::Outbox;

/// A report to forward.
pub struct Flag<'a> {
    pub report_id: i64,
    /// The reported remote account.
    pub target_id: i64,
    /// ActivityPub ids of the reported statuses (theirs).
    pub status_uris: &'a [String],
    pub comment: &'a str,
    /// Further remote accounts whose servers get the same `Flag` (Mastodon's
    /// `forward_to_domains`: the servers of the accounts replied to).
    pub also_to: &'a [i64],
}

impl Outbox {
    /// The id of the `Flag` forwarding report `report_id`.
    pub fn flag_id(&self, report_id: i64) -> String {
        format!("{}#reports/{report_id}", self.urls.instance_actor())
    }

    /// Queues the `Flag` to the reported account's server (and the further ones).
    /// Returns the deliveries queued: 0 when the account has no inbox we know.
    pub fn flag(&self, conn: &mut AnyConnection, f: &Flag<'_>) -> Result<usize, DbError> {
        let mut ids = vec![f.target_id];
        ids.extend(f.also_to.iter().copied());
        let inboxes = outbound::inboxes_of(conn, &ids)?;
        let Some(target) = inboxes.iter().find(|i| i.account_id == f.target_id) else {
            return Ok(0);
        };
        let mut object = vec![json!(target.uri)];
        object.extend(f.status_uris.iter().map(|u| json!(u)));
        let activity = json!({
            "id": self.flag_id(f.report_id),
            "type": "Flag",
            "actor": self.urls.instance_actor().to_string(),
            "content": f.comment,
            "object": object,
        });
        self.queue(conn, None, activity, &inboxes)
    }
}
