//! What every instance task shares with the supervisor: the database, the settings,
//! the HTTP client and its permits, the signers, the ledger, software discovery, and
//! which instances have a task running here. Apart from the supervisor, which starts
//! the tasks, so that a task (`instance`) does not reach up into it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use kindred_db::Db;
use reqwest_middleware::ClientWithMiddleware;
use tokio::sync::Semaphore;

use super::discover::Discovery;
use super::ledger::Ledger;
use super::signers::Signers;
use super::DeliveryConfig;
use crate::LocalUrls;

pub struct Ctx {
    pub db: Db,
    pub config: DeliveryConfig,
    pub client: ClientWithMiddleware,
    pub permits: Semaphore,
    pub signers: Signers,
    /// Marks after successful deliveries and lease releases, in batches.
    pub ledger: Ledger,
    /// Fills in what software instances run.
    pub discovery: Discovery,
    pub(super) stopping: AtomicBool,
    /// Instances with a running task in this process. A task leaves this set before
    /// it gives its lease back, so a claim that gets the instance again always starts
    /// a new task, and one that gets an instance still being worked on (its lease ran
    /// out while the task waited) never starts a second.
    active: Mutex<HashSet<String>>,
}

impl Ctx {
    pub fn new(
        db: Db,
        urls: LocalUrls,
        config: DeliveryConfig,
        client: ClientWithMiddleware,
    ) -> Self {
        Self {
            signers: Signers::new(db.clone(), urls),
            ledger: Ledger::start(db.clone(), config.process_id.clone()),
            discovery: Discovery::new(
                db.clone(),
                client.clone(),
                config.request_timeout,
                config.software_lookup,
            ),
            permits: Semaphore::new(config.concurrency),
            db,
            config,
            client,
            stopping: AtomicBool::new(false),
            active: Mutex::new(HashSet::new()),
        }
    }

    pub(super) fn active(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks an instance's task as ended (before its lease is given back).
    pub fn leave(&self, domain: &str) {
        self.active().remove(domain);
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}
