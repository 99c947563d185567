//! The bookkeeping after successful deliveries, written in batches. A fan-out to a
//! thousand instances ends with a thousand "delivered" marks and a thousand lease
//! releases at about the same moment; one transaction per mark would queue them all
//! on the database's writer (SQLite has one). Instance tasks hand their mark to one
//! writer task and wait for it to be committed; the writer takes whatever has
//! gathered while its previous transaction ran, so batches form only under load and
//! a lone delivery is written at once.
//!
//! A task waits for its mark before it reads its queue again or lets its lease go,
//! so the queue stays in order and a delivery is never read again after it was sent
//! (a crash before the commit re-sends it, as a crash right after a POST always
//! could).

use kindred_db::models::delivery_worker as queue;
use kindred_db::{Db, DbError};
use tokio::sync::{mpsc, oneshot};

use super::clock::now;

/// Marks written per transaction at most.
const MAX_BATCH: usize = 2000;

enum Mark {
    Delivered {
        id: i64,
        domain: String,
    },
    Released {
        domain: String,
    },
    /// The instance's last due delivery: marked and the lease given back at once.
    DeliveredLast {
        id: i64,
        domain: String,
    },
}

struct Entry {
    mark: Mark,
    done: oneshot::Sender<Result<(), String>>,
}

pub struct Ledger {
    tx: mpsc::UnboundedSender<Entry>,
}

impl Ledger {
    /// Starts the writer on the current runtime; it ends when the ledger is dropped.
    pub fn start(db: Db, owner: String) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(db, owner, rx));
        Self { tx }
    }

    /// Delivery `id` to `domain` was accepted: it leaves the queue.
    pub async fn delivered(&self, id: i64, domain: &str) -> Result<(), DbError> {
        self.write(Mark::Delivered {
            id,
            domain: domain.to_owned(),
        })
        .await
    }

    /// Delivery `id` to `domain` was accepted and was the last one the task read
    /// from a short batch: it leaves the queue and the lease is given back in the
    /// same transaction (one queue read and one ledger round fewer per instance).
    pub async fn delivered_last(&self, id: i64, domain: &str) -> Result<(), DbError> {
        self.write(Mark::DeliveredLast {
            id,
            domain: domain.to_owned(),
        })
        .await
    }

    /// This process gives `domain`'s lease back.
    pub async fn released(&self, domain: &str) -> Result<(), DbError> {
        self.write(Mark::Released {
            domain: domain.to_owned(),
        })
        .await
    }

    async fn write(&self, mark: Mark) -> Result<(), DbError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Entry { mark, done })
            .map_err(|_| DbError::Task)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DbError::Unavailable(e)),
            Err(_) => Err(DbError::Task),
        }
    }
}

async fn writer(db: Db, owner: String, mut rx: mpsc::UnboundedReceiver<Entry>) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut delivered = Vec::new();
        let mut released = Vec::new();
        for e in &batch {
            match &e.mark {
                Mark::Delivered { id, domain } => delivered.push((*id, domain.clone())),
                Mark::Released { domain } => released.push(domain.clone()),
                Mark::DeliveredLast { id, domain } => {
                    delivered.push((*id, domain.clone()));
                    released.push(domain.clone());
                }
            }
        }
        let owner = owner.clone();
        let result = db
            .run(move |c| queue::settle(c, &delivered, &released, &owner, now()))
            .await
            .map_err(|e| e.to_string());
        for e in batch.drain(..) {
            let _ = e.done.send(result.clone());
        }
    }
}
