//! The delivery worker: POSTs the persistent queue (`kindred_db::models::deliveries`)
//! to remote inboxes.
//!
//! A supervisor per process leases instances with due work (`delivery_worker::claim`)
//! and runs one task per leased instance. That task delivers the instance's queue
//! strictly in order — the next activity only after the previous one was accepted or
//! given up — so a slow or hung instance delays only itself; a global semaphore bounds
//! the requests in flight. Failures back off exponentially (honouring `Retry-After`),
//! 4xx other than 408/429 are final, activities are kept for `max_age` (14 days), and
//! an instance failing for `dead_after` (3 days) is paused until a NodeInfo probe
//! answers. Several processes on one PostgreSQL database share the instances through
//! leases; one delivery is never sent by two processes at once.
//!
//! The worker runs on its own small multi-threaded runtime in its own thread, so RSA
//! signing uses every core whatever runtime the HTTP server runs on.

mod backoff;
mod clock;
mod context;
mod discover;
mod instance;
mod ledger;
mod send;
mod signers;
mod supervisor;

use std::sync::{Arc, Weak};
use std::time::Duration;

use kindred_db::Db;
use tokio::sync::{oneshot, watch, Notify};

pub use backoff::{parse_retry_after, Backoff};
pub use send::{classify, Attempt};

use crate::http::HttpPolicy;
use crate::LocalUrls;

/// How the worker behaves. `DeliveryConfig::new` gives the production values; tests
/// shorten the timings.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Names this process in instance leases. Random per process.
    pub process_id: String,
    /// Delivery requests in flight at once (all instances together).
    pub concurrency: usize,
    /// Instances this process works on at once (each its own task).
    pub max_instances: usize,
    /// Deliveries read from the queue at a time per instance.
    pub batch: i64,
    /// Look for work enqueued by other processes this often (local enqueues wake the
    /// worker at once through [`Wakeup`]).
    pub poll_interval: Duration,
    /// How long an instance stays leased without renewal; after a crash another
    /// process takes it over once this has run out.
    pub lease: Duration,
    /// Per-request timeout (at most `http::TIMEOUT`).
    pub request_timeout: Duration,
    pub backoff: Backoff,
    /// Keep retrying a delivery this long after it was queued.
    pub max_age: Duration,
    /// Failing this long without a success marks an instance dead.
    pub dead_after: Duration,
    /// A dead instance is probed at most this often.
    pub probe_interval: Duration,
    /// How often deliveries older than `max_age` are purged (behind dead instances).
    pub purge_interval: Duration,
    pub http: HttpPolicy,
    pub user_agent: String,
    /// Threads of the worker's runtime.
    pub threads: usize,
    /// The federation policy, checked before each delivery (and by the HTTP
    /// client); `None` only in tests of the queue itself.
    pub policy: Option<Arc<crate::policy::PolicyHandle>>,
    /// Read what software instances run from their NodeInfo (`discover`); off
    /// only in tests that count every request a receiver gets.
    pub software_lookup: bool,
}

impl DeliveryConfig {
    pub fn new(http: HttpPolicy, user_agent: String) -> Self {
        Self {
            process_id: new_process_id(),
            concurrency: 128,
            max_instances: 2048,
            batch: 32,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            request_timeout: crate::http::TIMEOUT,
            backoff: Backoff::default(),
            max_age: Duration::from_secs(14 * 86400),
            dead_after: Duration::from_secs(3 * 86400),
            probe_interval: Duration::from_secs(6 * 3600),
            purge_interval: Duration::from_secs(600),
            http,
            user_agent,
            threads: std::thread::available_parallelism()
                .map(|n| n.get().clamp(1, 4))
                .unwrap_or(2),
            policy: None,
            software_lookup: true,
        }
    }

    /// A lease is renewed when less than this is left: enough for one request plus the
    /// bookkeeping after it, so a lease never runs out while a request is in flight.
    fn renew_margin(&self) -> Duration {
        self.request_timeout + Duration::from_secs(5)
    }

    /// The shortest lease that leaves room for a request between renewals.
    pub fn min_lease(&self) -> Duration {
        self.renew_margin() + Duration::from_secs(5)
    }
}

/// A random id for this process's leases: the pid (to tell processes apart in
/// `kindred admin federation queue`) and random bits (pids are reused).
pub fn new_process_id() -> String {
    format!("{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// Wakes the delivery worker when something was enqueued. Cheap to clone; kept in the
/// server's state. The worker stops on its own once every copy is gone.
#[derive(Clone, Default)]
pub struct Wakeup {
    notify: Arc<Notify>,
    alive: Arc<()>,
}

impl std::fmt::Debug for Wakeup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wakeup")
    }
}

impl Wakeup {
    pub fn new() -> Self {
        Self::default()
    }

    /// Call after committing a transaction that enqueued deliveries.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    fn watch(&self) -> (Arc<Notify>, Weak<()>) {
        (self.notify.clone(), Arc::downgrade(&self.alive))
    }
}

/// A running worker. Dropping it leaves the worker running (it stops when its
/// [`Wakeup`] is gone); `shutdown` stops it gracefully.
pub struct DeliveryWorker {
    stop: watch::Sender<bool>,
    done: Option<oneshot::Receiver<()>>,
    process_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot build the federation HTTP client: {0}")]
    Client(String),
    #[error("cannot start the delivery thread: {0}")]
    Thread(String),
}

impl DeliveryWorker {
    /// Starts the worker on its own thread and runtime.
    pub fn start(
        db: Db,
        urls: LocalUrls,
        wakeup: &Wakeup,
        mut config: DeliveryConfig,
    ) -> Result<Self, StartError> {
        config.request_timeout = config.request_timeout.min(crate::http::TIMEOUT);
        config.lease = config.lease.max(config.min_lease());
        config.concurrency = config.concurrency.max(1);
        config.max_instances = config.max_instances.max(1);
        config.batch = config.batch.max(1);
        let client =
            crate::http::client(config.http, &config.user_agent, config.policy.clone(), None)
                .map_err(|e| StartError::Client(e.to_string()))?;
        let (stop, stop_rx) = watch::channel(false);
        let (done_tx, done) = oneshot::channel();
        let (notify, alive) = wakeup.watch();
        let process_id = config.process_id.clone();
        let threads = config.threads.max(1);
        std::thread::Builder::new()
            .name("kindred-delivery".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .thread_name("kindred-delivery")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => {
                        runtime.block_on(async move {
                            // Inside the runtime: the context starts tasks of its own.
                            let ctx = Arc::new(context::Ctx::new(db, urls, config, client));
                            supervisor::run(ctx, notify, alive, stop_rx).await
                        });
                        // Leftover tasks (none after a clean stop) are dropped here, in
                        // a plain thread where a runtime may be dropped.
                        drop(runtime);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "delivery worker cannot start its runtime")
                    }
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| StartError::Thread(e.to_string()))?;
        Ok(Self {
            stop,
            done: Some(done),
            process_id,
        })
    }

    pub fn process_id(&self) -> &str {
        &self.process_id
    }

    /// Stops claiming, lets each instance finish the request in flight, gives the
    /// leases back, and waits for all that.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}
