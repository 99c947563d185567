//! Group commit: many small write transactions from concurrent requests share one
//! database transaction. One writer thread takes every job waiting in its queue,
//! runs them one after another in a single transaction, commits once, and only
//! then answers each caller. A caller's result therefore always means "committed"
//! (or "not done"), exactly as with [`crate::Db::run`] around a transaction of its
//! own.
//!
//! Why: on the inbox's hot path most of the cost of a small write transaction is
//! per transaction, not per row — the commit itself (a WAL append and, on
//! PostgreSQL, a WAL flush), taking SQLite's write lock, and two thread hand-offs.
//! Under load the jobs queue while a batch runs, so the batches grow by themselves;
//! alone, a job runs at once in a batch of one. Nothing waits for company.
//!
//! No savepoint per job: when a job fails (or panics), the whole batch is rolled
//! back and its jobs run again one transaction each, so every caller gets the
//! outcome its job would have had alone. Jobs are therefore `Fn`: run once in the
//! batch and, rarely, once more. Savepoints cost a round trip each way on
//! PostgreSQL and a sub-transaction that, past 64 in one transaction, slows every
//! other session's snapshots; on SQLite a copy of each page the job touched.
//!
//! Several processes on one PostgreSQL database each run a writer, and two batches
//! must never wait for each other in a circle (a deadlock: PostgreSQL ends one
//! after `deadlock_timeout`, a second, and the batch runs again job by job). What
//! a batch writes: new rows (statuses, mentions, tags, notifications, deliveries,
//! receipts) that no other batch touches; unique keys (a receipt's activity id, a
//! status's URI, a new tag's name) that two batches share only when the same
//! activity or tag arrives at both at once; received-activity pruning, which skips
//! rows another transaction holds; and the authors' `account_stats` rows, the one
//! shared row every status touches. Those are counted when the batch's jobs are
//! done, in account order ([`Deferred`]): every batch takes them last and in the
//! same order, so no circle can pass through them. Should two batches ever share
//! two new unique keys in opposite orders, PostgreSQL breaks the circle; the jobs
//! then run alone, and a job chosen to break a deadlock runs once more.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{ConnectionManager, Pool};

use crate::models::account_stats::Deferred;
use crate::transaction::atomically_as;
use crate::{AnyConnection, DbError};

/// Most jobs in one transaction: bounds how long one commit holds the write lock
/// and how long the first job of a batch waits for the last.
const MAX_BATCH: usize = 64;

/// A caller's work and its answer channel.
trait Task: Send {
    /// Runs the work on `c` (inside a transaction), keeping its result for
    /// [`Task::answer`]; true when it succeeded. May be called again after the
    /// transaction it ran in was rolled back.
    fn run(&mut self, c: &mut AnyConnection) -> bool;
    /// Answers the caller: with the kept result when its transaction committed,
    /// else with why it did not (`failed`).
    fn answer(self: Box<Self>, failed: Option<&DbError>);
    /// Whether its last run failed because PostgreSQL chose it to end a deadlock.
    fn failed_by_deadlock(&self) -> bool;
}

struct Pending<T, F> {
    work: F,
    result: Option<Result<T, DbError>>,
    reply: tokio::sync::oneshot::Sender<Result<T, DbError>>,
}

impl<T, F> Task for Pending<T, F>
where
    F: Fn(&mut AnyConnection) -> Result<T, DbError> + Send,
    T: Send,
{
    fn run(&mut self, c: &mut AnyConnection) -> bool {
        let result = (self.work)(c);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn failed_by_deadlock(&self) -> bool {
        matches!(&self.result, Some(Err(e)) if e.is_deadlock())
    }

    fn answer(self: Box<Self>, failed: Option<&DbError>) {
        let answer = match (failed, self.result) {
            (Some(e), _) => Err(batch_failed(e)),
            (None, Some(result)) => result,
            // Not reached: a job is answered without a failure only after it ran.
            (None, None) => Err(DbError::Task),
        };
        let _ = self.reply.send(answer);
    }
}

/// The handle callers hold; the writer thread stops when the last one is dropped.
#[derive(Clone)]
pub struct GroupWriter {
    jobs: Sender<Box<dyn Task>>,
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

    /// Runs `f` in a transaction shared with other jobs; returns once that
    /// transaction committed (with `f`'s result) or failed (with the error, and
    /// nothing of `f` kept). `f` may run twice (see the module's comment): it must
    /// do nothing but database work on the connection it is given.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: Fn(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let answer = self.queue(f)?;
        // A dropped sender means the job panicked (or the writer is gone).
        answer.await.map_err(|_| DbError::Task)?
    }

    /// Queues `f` for the writer; its answer arrives on the returned channel.
    fn queue<T, F>(&self, f: F) -> Result<Answer<T>, DbError>
    where
        F: Fn(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let task = Pending {
            work: f,
            result: None,
            reply,
        };
        self.jobs.send(Box::new(task)).map_err(|_| DbError::Task)?;
        Ok(answer)
    }
}

type Answer<T> = tokio::sync::oneshot::Receiver<Result<T, DbError>>;

/// What each caller of a failed batch is told: the reason in words, classed as the
/// database being unavailable (the caller's own work did not fail).
fn batch_failed(e: &DbError) -> DbError {
    DbError::Unavailable(format!("group commit: {e}"))
}

fn writer(pool: Pool<ConnectionManager<AnyConnection>>, queue: Receiver<Box<dyn Task>>) {
    // Ends when every `GroupWriter` is dropped.
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics::histogram!("kindred_db_group_commit_batch_size").record(batch.len() as f64);
        // Jobs are guarded one by one in `run_batch`; this guards the rest, so that
        // no failure can end the writer (and with it every later write). Callers of
        // a batch lost this way see their answer channel closed.
        if catch_unwind(AssertUnwindSafe(|| run_batch(&pool, batch))).is_err() {
            tracing::error!("group commit: a batch failed unexpectedly; the writer goes on");
        }
    }
}

/// How running one job went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ran {
    Ok,
    Failed,
    Panicked,
}

/// Why a transaction of the writer was given up.
enum Abandoned {
    /// A job failed or panicked (everything of the transaction is undone).
    Job(Ran),
    /// The database failed (begin, commit, a rollback).
    Db(DbError),
}

impl From<diesel::result::Error> for Abandoned {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

impl From<DbError> for Abandoned {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

fn run_batch(pool: &Pool<ConnectionManager<AnyConnection>>, mut batch: Vec<Box<dyn Task>>) {
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
                job.answer(Some(&e));
            }
            return;
        }
    };
    let mut stopped_at = 0;
    let outcome = atomically_as(&mut conn, |c| {
        let counts = Deferred::begin();
        for (i, job) in batch.iter_mut().enumerate() {
            stopped_at = i;
            match run_guarded(c, job.as_mut())? {
                Ran::Ok => {}
                other => return Err(Abandoned::Job(other)),
            }
        }
        // Shared rows last, in key order (see the module's comment). A failure
        // here is the batch's jobs' own: they run again one by one.
        stopped_at = batch.len();
        counts.flush(c).map_err(|_| Abandoned::Job(Ran::Failed))
    });
    match outcome {
        Ok(()) => {
            for job in batch {
                job.answer(None);
            }
        }
        Err(Abandoned::Db(e)) => {
            tracing::warn!(error = e.code(), jobs = batch.len(), "group commit failed");
            for job in batch {
                job.answer(Some(&e));
            }
        }
        Err(Abandoned::Job(ran)) => {
            tracing::info!(
                jobs = batch.len(),
                "group commit: a job failed; its batch runs again, one transaction per job"
            );
            // A job that panicked is not run again: its caller sees its answer
            // channel closed.
            if ran == Ran::Panicked && stopped_at < batch.len() {
                drop(batch.remove(stopped_at));
            }
            for job in batch {
                alone(&mut conn, job);
            }
        }
    }
}

/// Runs `job` on `c`, inside the writer's transaction (depth 1). A panic counts as
/// a failure, once the savepoints the job left open are rolled back.
fn run_guarded(c: &mut AnyConnection, job: &mut dyn Task) -> Result<Ran, DbError> {
    match catch_unwind(AssertUnwindSafe(|| job.run(&mut *c))) {
        Ok(true) => Ok(Ran::Ok),
        Ok(false) => Ok(Ran::Failed),
        Err(_) => {
            tracing::error!("group commit: a job panicked; its work is rolled back");
            while depth(c)? > 1 {
                match c {
                    AnyConnection::Sqlite(s) => AnsiTransactionManager::rollback_transaction(s)?,
                    AnyConnection::Postgresql(p) => {
                        AnsiTransactionManager::rollback_transaction(p)?
                    }
                }
            }
            Ok(Ran::Panicked)
        }
    }
}

/// `job` in a transaction of its own: committed when it succeeds; rolled back when
/// it fails (its caller gets its own error) or panics (its caller's channel closes).
fn alone(conn: &mut AnyConnection, mut job: Box<dyn Task>) {
    let mut outcome = alone_once(conn, job.as_mut());
    // A deadlock with another process's batch (see the module's comment): the
    // other side has gone on; once more.
    if matches!(outcome, Err(Abandoned::Job(Ran::Failed))) && job.failed_by_deadlock() {
        outcome = alone_once(conn, job.as_mut());
    }
    match outcome {
        Ok(()) | Err(Abandoned::Job(Ran::Failed)) => job.answer(None),
        Err(Abandoned::Job(_)) => drop(job),
        Err(Abandoned::Db(e)) => job.answer(Some(&e)),
    }
}

fn alone_once(conn: &mut AnyConnection, job: &mut dyn Task) -> Result<(), Abandoned> {
    atomically_as(conn, |c| {
        let counts = Deferred::begin();
        match run_guarded(c, job)? {
            Ran::Ok => Ok(counts.flush(c)?),
            other => Err(Abandoned::Job(other)),
        }
    })
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

    fn pool(url: &str) -> Pool<ConnectionManager<AnyConnection>> {
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

    /// The backends the tests run on: error handling inside a transaction differs
    /// (PostgreSQL aborts the whole transaction at the first error).
    #[derive(Clone, Copy, Debug)]
    enum Backend {
        Sqlite,
        Postgres,
    }

    /// A writer on a new database with one table `t (v BIGINT PRIMARY KEY)`: a
    /// SQLite file, or a PostgreSQL database of the test process's throwaway
    /// cluster (None, said loudly, when PostgreSQL is unavailable; a failure with
    /// KINDRED_REQUIRE_POSTGRES=1).
    fn writer_on_new_db(
        backend: Backend,
        name: &str,
    ) -> Option<(
        Option<std::path::PathBuf>,
        Pool<ConnectionManager<AnyConnection>>,
        GroupWriter,
    )> {
        let (path, url) = match backend {
            Backend::Sqlite => {
                let path = crate::scratch::temp_path(&format!("group-commit-{name}"));
                let url = path.to_string_lossy().into_owned();
                (Some(path), url)
            }
            Backend::Postgres => match crate::scratch::pg::new_database() {
                Ok(url) => (None, url),
                Err(why) => {
                    if std::env::var("KINDRED_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                        panic!("PostgreSQL is required (KINDRED_REQUIRE_POSTGRES=1): {why}");
                    }
                    eprintln!("\n*** SKIPPED PostgreSQL test: {why} ***\n");
                    return None;
                }
            },
        };
        let pool = pool(&url);
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (v BIGINT PRIMARY KEY)")
            .unwrap();
        let w = GroupWriter::start(pool.clone()).unwrap();
        Some((path, pool, w))
    }

    fn count(pool: &Pool<ConnectionManager<AnyConnection>>) -> i64 {
        diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result::<N>(&mut pool.get().unwrap())
            .unwrap()
            .n
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_or_panicking_job_leaves_the_others_committed_sqlite() {
        a_failing_or_panicking_job_leaves_the_others_committed(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_or_panicking_job_leaves_the_others_committed_postgres() {
        a_failing_or_panicking_job_leaves_the_others_committed(Backend::Postgres).await
    }

    async fn a_failing_or_panicking_job_leaves_the_others_committed(backend: Backend) {
        let Some((path, pool, w)) = writer_on_new_db(backend, "panics") else {
            return;
        };
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
                crate::transaction::atomically(c, |c| {
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
        if let Some(path) = path {
            let _ = std::fs::remove_file(&path);
        }
    }

    /// A batch whose job fails is undone and its jobs run again one by one: the
    /// others commit once (though they ran twice), the failing one gets its own
    /// error, and no job ran inside a savepoint of the writer's.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_runs_again_one_job_at_a_time_sqlite() {
        a_failed_batch_runs_again_one_job_at_a_time(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_runs_again_one_job_at_a_time_postgres() {
        a_failed_batch_runs_again_one_job_at_a_time(Backend::Postgres).await
    }

    async fn a_failed_batch_runs_again_one_job_at_a_time(backend: Backend) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let Some((path, pool, w)) = writer_on_new_db(backend, "rerun") else {
            return;
        };
        // Holds the writer, in a batch of its own, until the next three are queued,
        // so that they share the next batch.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Mutex::new((started, released));
        let holding = w
            .queue(move |_| {
                let hold = hold.lock().unwrap();
                let _ = hold.0.send(());
                let _ = hold.1.recv();
                Ok(())
            })
            .unwrap();
        has_started.recv().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let depths = Arc::new(std::sync::Mutex::new(Vec::new()));
        let insert = |v: i64| {
            let (runs, depths) = (runs.clone(), depths.clone());
            move |c: &mut AnyConnection| {
                runs.fetch_add(1, Ordering::SeqCst);
                depths.lock().unwrap().push(depth(c)?);
                diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(c)?;
                Ok(v)
            }
        };
        let a = w.queue(insert(1)).unwrap();
        let dup = w.queue(insert(1)).unwrap();
        let c = w.queue(insert(3)).unwrap();
        release.send(()).unwrap();
        drop(release);
        holding.await.unwrap().unwrap();
        assert_eq!(a.await.unwrap().unwrap(), 1);
        assert!(matches!(dup.await.unwrap(), Err(DbError::Conflict)));
        assert_eq!(c.await.unwrap().unwrap(), 3);
        assert_eq!(count(&pool), 2);
        // In the batch: 1, then the duplicate fails (C never ran); alone: 1, the
        // duplicate, 3.
        assert_eq!(runs.load(Ordering::SeqCst), 5);
        assert!(
            depths.lock().unwrap().iter().all(|d| *d == 1),
            "jobs run in the writer's transaction, not in savepoints: {:?}",
            depths.lock().unwrap()
        );
        drop((w, pool));
        if let Some(path) = path {
            let _ = std::fs::remove_file(&path);
        }
    }

    /// Two processes' writers on one PostgreSQL database store statuses of the
    /// same authors, one in ascending and one in descending account order, many
    /// batches at once. Counted in the order the jobs run (as the trigger did
    /// before migration 2026-12-07-000120; the control), their batches deadlock;
    /// counted at the end of each batch in account order, never — and every status
    /// is counted once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_writers_storing_statuses_of_the_same_authors_never_deadlock() {
        use std::sync::atomic::Ordering;
        let url = match crate::scratch::pg::new_database() {
            Ok(url) => url,
            Err(why) => {
                if std::env::var("KINDRED_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("PostgreSQL is required (KINDRED_REQUIRE_POSTGRES=1): {why}");
                }
                eprintln!("\n*** SKIPPED PostgreSQL test: {why} ***\n");
                return;
            }
        };
        let settings = crate::DbSettings {
            url,
            max_connections: 2,
        };
        let one = crate::Db::connect(&settings).unwrap();
        crate::migrate::run_pending(&one).unwrap();
        let other = crate::Db::connect(&settings).unwrap();
        const AUTHORS: i64 = 16;
        one.run_blocking(|c| {
            c.batch_execute(&format!(
                "INSERT INTO accounts (id, username, username_lower, domain, public_key_pem, \
                 created_at, updated_at) SELECT g, 'a' || g, 'a' || g, 'remote.example', '', \
                 now(), now() FROM generate_series(1, {AUTHORS}) g"
            ))?;
            Ok(())
        })
        .unwrap();

        let switch = &crate::models::account_stats::test_switch::IN_JOB_ORDER;
        switch.store(true, Ordering::SeqCst);
        // A deadlock needs both batches to run at the same moment: a few tries.
        let (mut before, mut races) = (0, 0);
        while before == 0 && races < 5 {
            before += race(&one, &other, AUTHORS, races * 100_000).await;
            races += 1;
        }
        switch.store(false, Ordering::SeqCst);
        assert!(
            before > 0,
            "the control: counted in job order, the two writers deadlock"
        );
        let after = race(&one, &other, AUTHORS, 1_000_000).await;
        races += 1;
        eprintln!("deadlocks: {before} counted in job order, {after} in account order");
        assert_eq!(after, 0, "deadlocks with the counts in account order");

        #[derive(diesel::QueryableByName)]
        struct Two {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            counted: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            stored: i64,
        }
        let totals = one
            .run_blocking(|c| {
                Ok(diesel::sql_query(
                    "SELECT (SELECT COALESCE(SUM(statuses_count), 0)::BIGINT FROM account_stats) \
                     AS counted, (SELECT COUNT(*) FROM statuses) AS stored",
                )
                .get_result::<Two>(c)?)
            })
            .unwrap();
        assert_eq!(totals.counted, totals.stored);
        assert_eq!(totals.stored, races * 2 * ROUNDS * AUTHORS);
    }

    const ROUNDS: i64 = 12;

    /// Queues `ROUNDS` statuses of every author on each writer at once (`one` in
    /// ascending, `other` in descending account order) and answers how many job
    /// runs PostgreSQL ended to break a deadlock; every job succeeds in the end.
    async fn race(one: &crate::Db, other: &crate::Db, authors: i64, first_id: i64) -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let deadlocks = Arc::new(AtomicUsize::new(0));
        let mut calls = Vec::new();
        let mut id = first_id;
        for round in 0..ROUNDS {
            for k in 1..=authors {
                for (db, author) in [(one, k), (other, authors + 1 - k)] {
                    id += 1;
                    let status = crate::models::statuses::StatusInsert {
                        status: crate::models::statuses::NewStatus {
                            id,
                            uri: format!("https://remote.example/notes/{id}"),
                            account_id: author,
                            local: false,
                            in_reply_to_id: None,
                            in_reply_to_account_id: None,
                            reblog_of_id: None,
                            text: format!("round {round}"),
                            content: format!("<p>round {round}</p>"),
                            spoiler_text: String::new(),
                            sensitive: false,
                            visibility: "public".parse().unwrap(),
                            local_only: false,
                            language: None,
                            created_at: chrono::Utc::now().naive_utc(),
                        },
                        mentioned_account_ids: Vec::new(),
                        tags: Vec::new(),
                        idempotency_key: None,
                    };
                    let seen = deadlocks.clone();
                    let db = db.clone();
                    calls.push(tokio::spawn(async move {
                        db.write_grouped(move |c| {
                            let r = crate::models::statuses::insert_in_transaction(c, &status);
                            if r.as_ref().is_err_and(DbError::is_deadlock) {
                                seen.fetch_add(1, Ordering::SeqCst);
                            }
                            r.map(|_| ())
                        })
                        .await
                    }));
                }
            }
        }
        for call in calls {
            call.await.unwrap().unwrap();
        }
        deadlocks.load(Ordering::SeqCst)
    }
}
