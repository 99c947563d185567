//! Group commit: many small write transactions from concurrent requests share one
//! database transaction. One writer thread takes every job waiting in its queue,
//! runs each in a savepoint of a single transaction (a failing job rolls back only
//! its own work), commits once, and only then answers each caller. A caller's
//! result therefore always means "committed" (or "not done"), exactly as with
//! [`crate::Db::run`] around a transaction of its own.
//!
//! Why: on the inbox's hot path most of the cost of a small write transaction is
//! per transaction, not per row — the commit itself (a WAL append and, on
//! PostgreSQL, a WAL flush), taking SQLite's write lock, and two thread hand-offs.
//! Under load the jobs queue while a batch runs, so the batches grow by themselves;
//! alone, a job runs at once in a batch of one. Nothing waits for company.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::Connection;

use crate::models::federated::atomically;
use crate::{AnyConnection, DbError};

/// Most jobs in one transaction: bounds how long one commit holds the write lock
/// and how long the first job of a batch waits for the last.
const MAX_BATCH: usize = 64;

/// Sends a job's result to its caller once the batch's fate is known: `None` when
/// the batch committed, else why it did not.
type Finisher = Box<dyn FnOnce(Option<&DbError>) + Send>;
/// A caller's work, given the batch's connection (or why there is none).
type Job = Box<dyn FnOnce(Result<&mut AnyConnection, &DbError>) -> Finisher + Send>;

/// The handle callers hold; the writer thread stops when the last one is dropped.
#[derive(Clone)]
pub struct GroupWriter {
    jobs: Sender<Job>,
}

impl GroupWriter {
    pub fn start(pool: Pool<ConnectionManager<AnyConnection>>) -> Result<Self, DbError> {
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("db-group-commit".into())
            .spawn(move || writer(pool, queue))
            .map_err(|e| DbError::Unavailable(format!("group commit writer: {e}")))?;
        Ok(Self { jobs })
    }

    /// Runs `f` in its own savepoint of a shared transaction; returns once that
    /// transaction committed (with `f`'s result) or failed (with the error, and
    /// nothing of `f` kept).
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, DbError>>();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(c) => c.transaction::<T, DbError, _>(f),
                Err(e) => Err(batch_failed(e)),
            };
            Box::new(move |batch: Option<&DbError>| {
                let _ = tx.send(match batch {
                    None => result,
                    Some(e) => Err(batch_failed(e)),
                });
            })
        });
        self.jobs.send(job).map_err(|_| DbError::Task)?;
        // A dropped sender means the job panicked (or the writer is gone).
        rx.await.map_err(|_| DbError::Task)?
    }
}

/// What each caller of a failed batch is told: the reason in words, classed as the
/// database being unavailable (the caller's own work did not fail).
fn batch_failed(e: &DbError) -> DbError {
    DbError::Unavailable(format!("group commit: {e}"))
}

fn writer(pool: Pool<ConnectionManager<AnyConnection>>, queue: Receiver<Job>) {
    // Ends when every `GroupWriter` is dropped.
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Jobs are guarded one by one in `run_batch`; this guards the rest, so that
        // no failure can end the writer (and with it every later write). Callers of
        // a batch lost this way see their answer channel closed.
        if catch_unwind(AssertUnwindSafe(|| run_batch(&pool, batch))).is_err() {
            tracing::error!("group commit: a batch failed unexpectedly; the writer goes on");
        }
    }
}

fn run_batch(pool: &Pool<ConnectionManager<AnyConnection>>, batch: Vec<Job>) {
    let mut conn = match pool.get() {
        Ok(c) => c,
        Err(e) => {
            let e = DbError::from(e);
            tracing::warn!(
                error = e.code(),
                jobs = batch.len(),
                "group commit: no connection"
            );
            for job in batch {
                job(Err(&e))(None);
            }
            return;
        }
    };
    let mut finishers: Vec<Finisher> = Vec::with_capacity(batch.len());
    // Jobs not yet run stay here, so that a transaction that cannot even begin
    // (the write lock not had within the busy timeout) still answers them.
    let mut pending = batch;
    let outcome = atomically(&mut conn, |c| {
        for job in pending.drain(..) {
            let outer = depth(c)?;
            match catch_unwind(AssertUnwindSafe(|| job(Ok(&mut *c)))) {
                Ok(finish) => finishers.push(finish),
                // The job's savepoints are still open (its own, and any it nested):
                // undo them, keep the others. Its caller sees its answer channel
                // closed.
                Err(_) => {
                    tracing::error!("group commit: a job panicked; its work is rolled back");
                    while depth(c)? > outer {
                        match c {
                            AnyConnection::Sqlite(s) => {
                                AnsiTransactionManager::rollback_transaction(s)?
                            }
                            AnyConnection::Postgresql(p) => {
                                AnsiTransactionManager::rollback_transaction(p)?
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(e) = &outcome {
        let jobs = finishers.len() + pending.len();
        tracing::warn!(error = e.code(), jobs, "group commit failed");
    }
    for finish in finishers {
        finish(outcome.as_ref().err());
    }
    if let Err(e) = &outcome {
        for job in pending {
            job(Err(e))(None);
        }
    }
}

/// How many transactions and savepoints are open on `c`.
fn depth(c: &mut AnyConnection) -> Result<u32, DbError> {
    let d = match c {
        AnyConnection::Sqlite(s) => {
            AnsiTransactionManager::transaction_manager_status_mut(s).transaction_depth()?
        }
        AnyConnection::Postgresql(p) => {
            AnsiTransactionManager::transaction_manager_status_mut(p).transaction_depth()?
        }
    };
    Ok(d.map_or(0, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;

    fn sqlite_pool(path: &std::path::Path) -> Pool<ConnectionManager<AnyConnection>> {
        let url = path.to_string_lossy().into_owned();
        Pool::builder()
            .max_size(2)
            .build(ConnectionManager::<AnyConnection>::new(url))
            .unwrap()
    }

    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    fn count(pool: &Pool<ConnectionManager<AnyConnection>>) -> i64 {
        diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result::<N>(&mut pool.get().unwrap())
            .unwrap()
            .n
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_or_panicking_job_leaves_the_others_committed() {
        let path = std::env::temp_dir().join(format!(
            "kindred-group-commit-{}-{}.db",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        let pool = sqlite_pool(&path);
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        let w = GroupWriter::start(pool.clone()).unwrap();
        let insert = |v: i64| {
            move |c: &mut AnyConnection| {
                diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(c)?;
                Ok(v)
            }
        };
        // Many at once, so that they share batches; one conflicts, one panics
        // after writing.
        let mut calls = Vec::new();
        for v in 0..200 {
            let w = w.clone();
            calls.push(tokio::spawn(async move { w.write(insert(v)).await }));
        }
        let dup = w.clone();
        calls.push(tokio::spawn(async move { dup.write(insert(7)).await }));
        let boom = w.clone();
        calls.push(tokio::spawn(async move {
            boom.write(|c| -> Result<i64, DbError> {
                diesel::sql_query("INSERT INTO t (v) VALUES (1000)").execute(c)?;
                // Inside a savepoint of its own, as model functions open them.
                crate::models::federated::atomically(c, |c| {
                    diesel::sql_query("INSERT INTO t (v) VALUES (1001)").execute(c)?;
                    panic!("a bug in a job")
                })
            })
            .await
        }));
        let mut ok = 0;
        let mut conflicts = 0;
        let mut tasks = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(_) => ok += 1,
                Err(DbError::Conflict) => conflicts += 1,
                Err(DbError::Task) => tasks += 1,
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!((ok, conflicts, tasks), (200, 1, 1));
        assert_eq!(
            count(&pool),
            200,
            "the duplicate and the panicked write are gone"
        );
        drop((w, pool));
        let _ = std::fs::remove_file(&path);
    }
}
