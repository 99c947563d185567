//! Remote actors recently read or stored, kept in memory for a short while. The
//! inbox needs the sender of every activity, and on SQLite a pooled connection
//! loses its page cache at every commit: that read and the seen-id check cost a
//! sixth of the inbox's CPU under load (docs/performance.md, seventh federation
//! entry).
//!
//! What keeps an entry true: this process puts every actor it stores or refreshes
//! (`RemoteActor::from_json`), forgets every one it deletes, and forgets the
//! sender of an activity whose processing met a storage error. A change made by
//! another process (PostgreSQL deployments run several) shows after at most
//! [`TTL`]; the one such change that cannot wait, a rotated key, is handled where
//! a signature fails (`receive::retry_with_fresh_key` reads the stored actor
//! again before fetching it).

use std::sync::Arc;
use std::time::Duration;

use kindred_db::models::remote_accounts;
use kindred_db::DbError;
use moka::sync::Cache;

use super::context::FedData;
use super::remote_actor::RemoteActor;

/// Longest time a change made by another process goes unseen here.
pub const TTL: Duration = Duration::from_secs(60);
/// Bytes of text kept at most: about 8,000 typical actors (2 KB each, most of it
/// the key and the bio); a server publishing 8 KB keys and long bios gets fewer.
const CAPACITY_BYTES: u64 = 16 << 20;

/// About what an entry holds, in bytes (its strings; the fixed part is small).
fn weight(uri: &str, a: &RemoteActor) -> u32 {
    let (account, remote) = (&a.account, &a.remote);
    let optional = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let text = uri.len()
        + account.username.len() * 2
        + account.domain.len()
        + account.display_name.len()
        + account.note.len()
        + account.public_key_pem.len()
        + remote.uri.len()
        + remote.inbox_url.len()
        + optional(&remote.shared_inbox_url)
        + optional(&remote.followers_url)
        + optional(&remote.url)
        + remote.actor_type.len();
    u32::try_from(text + 256).unwrap_or(u32::MAX)
}

pub struct KnownActors {
    cache: Cache<String, Arc<RemoteActor>>,
}

impl Default for KnownActors {
    fn default() -> Self {
        Self {
            cache: Cache::builder()
                .weigher(|uri: &String, a: &Arc<RemoteActor>| weight(uri, a))
                .max_capacity(CAPACITY_BYTES)
                .time_to_live(TTL)
                .build(),
        }
    }
}

impl KnownActors {
    pub fn get(&self, uri: &str) -> Option<Arc<RemoteActor>> {
        self.cache.get(uri)
    }

    /// Remembers `actor` as just stored or read.
    pub fn put(&self, actor: Arc<RemoteActor>) {
        self.cache.insert(actor.uri().to_owned(), actor);
    }

    pub fn forget(&self, uri: &str) {
        self.cache.invalidate(uri);
    }
}

/// The stored actor with this id: from memory, else from the database (and then
/// remembered). None when it is not stored (nothing is remembered then).
pub async fn find(data: &FedData, uri: &str) -> Result<Option<Arc<RemoteActor>>, DbError> {
    if let Some(known) = data.actors.get(uri) {
        return Ok(Some(known));
    }
    let found = stored(data, uri).await?;
    if let Some(a) = &found {
        data.actors.put(a.clone());
    }
    Ok(found)
}

/// The actor as the database has it now, bypassing (and not filling) memory.
pub async fn stored(data: &FedData, uri: &str) -> Result<Option<Arc<RemoteActor>>, DbError> {
    let uri = uri.to_owned();
    Ok(data
        .db
        .run(move |c| remote_accounts::find_by_uri(c, &uri))
        .await?
        .map(|(account, remote)| Arc::new(RemoteActor { account, remote })))
}
