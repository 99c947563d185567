//! Remote actors recently read or stored, kept in memory for a short while. The
//! inbox needs the sender of every activity, and on SQLite a pooled connection
//! loses its page cache at every commit, so that one read cost a sixth of the
//! inbox's CPU under load (docs/performance.md, seventh federation entry).
//!
//! What keeps an entry true: this process puts every actor it stores or refreshes
//! (`RemoteActor::from_json`) and forgets every one it deletes. A change made by
//! another process (PostgreSQL deployments run several) shows after at most
//! [`TTL`]; the one such change that cannot wait, a rotated key, is handled where
//! a signature fails (`receive::retry_with_fresh_key` reads the stored actor
//! again before fetching it).

use std::sync::Arc;
use std::time::Duration;

use kindred_db::models::remote_accounts;
use kindred_db::DbError;
use moka::sync::Cache;

use super::actor::RemoteActor;
use super::context::FedData;

/// Longest time a change made by another process goes unseen here.
pub const TTL: Duration = Duration::from_secs(60);
/// Actors kept at most (a few MB).
const CAPACITY: u64 = 10_000;

pub struct KnownActors {
    cache: Cache<String, Arc<RemoteActor>>,
}

impl Default for KnownActors {
    fn default() -> Self {
        Self::with_ttl(TTL)
    }
}

impl KnownActors {
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
        }
    }

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
