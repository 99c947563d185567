//! `instances.software`, filled as the worker meets instances: the first time this
//! process serves an instance whose software is unknown, and whenever a dead
//! instance's probe answers (it may have changed while away), its NodeInfo is read
//! in the background (`crate::software`), never delaying a delivery. At most two
//! look-ups run at once, and each instance is asked once per process (a bounded
//! set), so a fan-out to a thousand new instances costs a thousand small GETs spread
//! over time, not a burst.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kindred_db::models::delivery_worker as queue;
use kindred_db::Db;
use reqwest_middleware::ClientWithMiddleware;
use tokio::sync::Semaphore;
use url::Url;

use crate::software;

/// Look-ups at once.
const AT_ONCE: usize = 2;
/// Instances remembered as asked; past this the set starts over.
const MAX_TRIED: usize = 10_000;

pub struct Discovery {
    db: Db,
    client: ClientWithMiddleware,
    timeout: Duration,
    tried: Mutex<HashSet<String>>,
    permits: Arc<Semaphore>,
    enabled: bool,
}

impl Discovery {
    pub fn new(db: Db, client: ClientWithMiddleware, timeout: Duration, enabled: bool) -> Self {
        Self {
            enabled,
            db,
            client,
            timeout,
            tried: Mutex::new(HashSet::new()),
            permits: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }

    /// First asks for `domain` in this process.
    fn first_time(&self, domain: &str) -> bool {
        let mut tried = self.tried.lock().unwrap_or_else(|p| p.into_inner());
        if tried.len() >= MAX_TRIED && !tried.contains(domain) {
            tried.clear();
        }
        tried.insert(domain.to_owned())
    }

    /// An instance whose software is unknown, reached at `inbox_url`: read its
    /// NodeInfo once (per process) in the background.
    pub fn unknown(&self, domain: &str, inbox_url: &str) {
        let Ok(origin) = Url::parse(inbox_url) else {
            return;
        };
        if !self.first_time(domain) {
            return;
        }
        let (client, timeout) = (self.client.clone(), self.timeout);
        self.spawn(domain, async move {
            software::discover(&client, timeout, &origin).await
        });
    }

    /// A dead instance's probe answered with this `/.well-known/nodeinfo` body.
    pub fn probed(&self, domain: &str, well_known: Url, body: Vec<u8>) {
        self.first_time(domain);
        let (client, timeout) = (self.client.clone(), self.timeout);
        self.spawn(domain, async move {
            software::from_well_known(&client, timeout, &well_known, &body).await
        });
    }

    fn spawn<F>(&self, domain: &str, lookup: F)
    where
        F: std::future::Future<Output = Option<String>> + Send + 'static,
    {
        if !self.enabled {
            return;
        }
        let (db, permits, domain) = (self.db.clone(), self.permits.clone(), domain.to_owned());
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let Some(found) = lookup.await else {
                tracing::debug!(domain = %domain, "instance software unknown: no usable NodeInfo");
                return;
            };
            let d = domain.clone();
            if let Err(e) = db.run(move |c| queue::set_software(c, &d, &found)).await {
                tracing::warn!(domain = %domain, error = e.code(), "could not record instance software");
            }
        });
    }
}
