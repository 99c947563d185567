//! A local person's account erased (issue 26): its `Delete` to every server that
//! may hold a copy of it.

use kindred_db::models::outbound::{self, RemoteInbox};
use kindred_db::{AccountRow, AnyConnection, DbError};
use serde_json::json;

use super::note::PUBLIC;
use super::Outbox;

impl Outbox {
    /// `Delete` of the account's actor (Mastodon's form: the object is the actor's
    /// id), signed by the account itself — its key stays until the purge — and sent
    /// to one inbox on every server we know an actor of. Receivers remove the
    /// account and everything of it they hold. Returns the servers (domains) it was
    /// queued for, for the deletion receipt.
    pub fn account_deleted(
        &self,
        conn: &mut AnyConnection,
        account: &AccountRow,
    ) -> Result<Vec<String>, DbError> {
        if !account.is_local() {
            return Ok(Vec::new());
        }
        let servers = outbound::every_server(conn)?;
        let actor = self.actor(account);
        let activity = json!({
            "id": format!("{actor}#delete"),
            "type": "Delete",
            "actor": actor,
            "to": [PUBLIC],
            "object": actor,
        });
        let inboxes: Vec<RemoteInbox> = servers.iter().map(|(_, i)| i.clone()).collect();
        self.send(conn, account, activity, &inboxes)?;
        Ok(servers.into_iter().map(|(domain, _)| domain).collect())
    }
}
