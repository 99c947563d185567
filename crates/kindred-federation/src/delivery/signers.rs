//! Signing keys for deliveries, loaded once per actor. A fan-out of one post to a
//! thousand instances signs a thousand times with the same key: the key is read and
//! parsed once, by whichever delivery asks first, and the others wait for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kindred_db::models::{accounts, groups, instance_actor};
use kindred_db::Db;
use tokio::sync::OnceCell;

use crate::http_signatures::sign::Signer;
use crate::LocalUrls;

/// More distinct signers than this and the cache starts over (keys are cheap to
/// reload; the bound keeps memory flat).
const MAX_CACHED: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The account is gone, remote, or has no usable key: the delivery cannot be
    /// signed, now or later.
    #[error("no signing key")]
    Missing,
    /// The database could not be read: try again later.
    #[error("signing key unavailable")]
    Unavailable,
}

type Slot = Arc<OnceCell<Arc<Signer>>>;

pub struct Signers {
    db: Db,
    urls: LocalUrls,
    cache: Mutex<HashMap<Option<i64>, Slot>>,
}

impl Signers {
    pub fn new(db: Db, urls: LocalUrls) -> Self {
        Self {
            db,
            urls,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The signer of a local account, or of the instance actor for `None`.
    pub async fn get(&self, account_id: Option<i64>) -> Result<Arc<Signer>, SignerError> {
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= MAX_CACHED && !cache.contains_key(&account_id) {
                cache.clear();
            }
            cache.entry(account_id).or_default().clone()
        };
        slot.get_or_try_init(|| self.load(account_id))
            .await
            .cloned()
    }

    async fn load(&self, account_id: Option<i64>) -> Result<Arc<Signer>, SignerError> {
        let urls = self.urls.clone();
        let found =
            self.db
                .run(move |conn| {
                    Ok(match account_id {
                        None => instance_actor::get(conn)?
                            .map(|row| (row.private_key_pem, urls.instance_actor_key_id())),
                        Some(id) => match accounts::find(conn, id)? {
                            // A group signs its own Accepts and Announces with the key
                            // kept beside it (groups never log in, so have no user row).
                            Some(account) if account.is_local() && account.role.is_group() => {
                                groups::find(conn, id)?.map(|(g, _)| {
                                    (g.private_key_pem, urls.actor_key_id(&account.username))
                                })
                            }
                            Some(account) if account.is_local() => accounts::find_user(conn, id)?
                                .map(|user| {
                                    (user.private_key_pem, urls.actor_key_id(&account.username))
                                }),
                            _ => None,
                        },
                    })
                })
                .await
                .map_err(|_| SignerError::Unavailable)?;
        let (pem, key_id) = found.ok_or(SignerError::Missing)?;
        // Parsing an RSA key is a few milliseconds of CPU: off the async threads.
        tokio::task::spawn_blocking(move || Signer::new(&pem, key_id))
            .await
            .map_err(|_| SignerError::Unavailable)?
            .map(Arc::new)
            .map_err(|_| SignerError::Missing)
    }
}
