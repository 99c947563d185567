use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::event::{CheckoutEvent, TimeoutEvent};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, HandleEvent, Pool};
use diesel::sqlite::SqliteConnection;

use crate::checkpoint::Checkpoints;
use crate::group_commit::GroupWriter;
use crate::transaction::AnyConnection;
use crate::DbError;

/// Runs `$body` with `$c` bound to the backend's own connection, for queries on hot
/// paths. Through `AnyConnection`, diesel writes a query's whole SQL text on every
/// pass over it (its cacheability check, its binds), even when the statement is
/// cached, so every call pays for that text; on the backend's own connection a
/// cached statement is found by the query's type. `$body` is compiled once per
/// backend, hence hot paths only.
macro_rules! native {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::AnyConnection::Sqlite($c) => $body,
            $crate::AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use native;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// What the pool needs to know; built by the server from its configuration.
#[derive(Clone)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for DbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSettings")
            .field("url", &redacted_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// A database URL fit for logs: the scheme and, for files, the path; never the
/// credentials of a server URL.
pub fn redacted_url(url: &str) -> String {
    match classify_url(url) {
        Ok((Backend::Sqlite, _)) => url.to_owned(),
        Ok((Backend::Postgres, _)) => "postgres://<redacted>".to_owned(),
        Err(_) => "<invalid>".to_owned(),
    }
}

/// Classifies a configured URL and returns the string diesel expects.
pub fn classify_url(url: &str) -> Result<(Backend, String), DbError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_owned()))
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(DbError::InvalidUrl("sqlite:// needs a file path".into()));
        }
        Ok((Backend::Sqlite, path.to_owned()))
    } else if url.starts_with("sqlite:") {
        Err(DbError::InvalidUrl("use sqlite://PATH".into()))
    } else {
        Err(DbError::InvalidUrl(
            "expected sqlite://PATH or postgres://...".into(),
        ))
    }
}

/// SQLite needs per-connection settings: write-ahead logging so readers do not block
/// the writer, enforced foreign keys, and a busy timeout instead of instant failures.
/// Reads go through a memory map of the file (up to SQLite's 2 GiB ceiling; beyond it
/// pages are read as usual): no system call and copy per page, and no trip through
/// the page cache that every connection shares under one lock. Deleted content is
/// overwritten (`secure_delete`): a delivered activity that carried a meeting's
/// address, or a deleted post, must not linger in the file's free pages. For the
/// same reason temporary storage stays in memory (`temp_store`): a savepoint's
/// sub-journal (model functions nest savepoints in transactions) holds copies of
/// the pages it changes, posts included, and on disk it would be an unlinked file
/// whose blocks are freed, never overwritten (it also cost a `pwrite` per page).
/// Nothing here needs a large temporary store (no VACUUM; sorts are of bounded
/// pages).
///
/// No connection checkpoints the WAL when its commit makes it long
/// (`wal_autocheckpoint = 0`): a thread of the `Db` does (`crate::checkpoint`), so
/// the one group-commit writer never stops for it.
///
/// The SQLite library itself is built with `SQLITE_ENABLE_QPSG` (`.cargo/config.toml`):
/// without it SQLite re-prepares a cached statement every time a value is bound to
/// its `LIMIT ?`, that is every diesel `.first()` and page query, on every call.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = 2147418112; PRAGMA secure_delete = ON; \
                 PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Pool waits for `/metrics` (a no-op while no metrics recorder is installed): how long
/// each checkout waited for a connection, and the checkouts that gave up.
#[derive(Debug)]
struct PoolWaits;

impl HandleEvent for PoolWaits {
    fn handle_checkout(&self, event: CheckoutEvent) {
        metrics::histogram!("kindred_db_pool_wait_seconds").record(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: TimeoutEvent) {
        metrics::counter!("kindred_db_pool_timeouts_total").increment(1);
    }
}

/// The multi-backend connection reports every failure as "invalid connection url";
/// connecting once with the concrete type recovers the real reason (refused,
/// authentication failed, unable to open file...).
fn diagnose(backend: Backend, url: &str) -> Option<String> {
    use diesel::Connection;
    let result = match backend {
        Backend::Postgres => PgConnection::establish(url).map(drop),
        Backend::Sqlite => SqliteConnection::establish(url).map(drop),
    };
    result.err().map(|e| e.to_string().trim().to_owned())
}

tokio::task_local! {
    static JOBS: AtomicU64;
}

/// Runs `f`, counting the database jobs (`Db::run`, `run_blocking`,
/// `write_grouped`: each one connection checkout and its statements) that it
/// awaits in its own task. For tests holding a page to a fixed number of queries;
/// outside `counting` nothing is counted.
pub async fn counting<F: std::future::Future>(f: F) -> (F::Output, u64) {
    JOBS.scope(AtomicU64::new(0), async move {
        let out = f.await;
        let n = JOBS.with(|j| j.load(Ordering::Relaxed));
        (out, n)
    })
    .await
}

fn count_job() {
    let _ = JOBS.try_with(|j| j.fetch_add(1, Ordering::Relaxed));
}

/// A connection pool plus the backend it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<AnyConnection>>,
    backend: Backend,
    /// PostgreSQL only: where a connection of its own is opened to listen
    /// (`Db::listen`).
    pg_url: Option<String>,
    grouped: GroupWriter,
    /// SQLite only: the WAL checkpoint thread, running while this `Db` lives.
    _checkpoints: Option<Checkpoints>,
}

impl Db {
    /// Connects (and fails fast when the database cannot be reached).
    pub fn connect(settings: &DbSettings) -> Result<Self, DbError> {
        let (backend, url) = classify_url(&settings.url)?;
        // Fail fast, with the real reason, when the database cannot be reached at all.
        if let Some(reason) = diagnose(backend, &url) {
            return Err(DbError::Unavailable(reason));
        }
        let manager = ConnectionManager::<AnyConnection>::new(url.clone());
        let pool = Pool::builder()
            .max_size(settings.max_connections.max(1))
            // Open connections as needed rather than all at start-up.
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            // A pooled SQLite connection cannot go stale (no server, no socket), so
            // the `SELECT 1` r2d2 would run on every checkout is only cost — one
            // statement per `Db::run`. A PostgreSQL one can (a restarted server),
            // and is still checked.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_customizer(Box::new(ConnectionSetup))
            .event_handler(Box::new(PoolWaits))
            .build(manager)
            .map_err(|e| {
                DbError::Unavailable(diagnose(backend, &url).unwrap_or_else(|| e.to_string()))
            })?;
        let grouped = GroupWriter::start(pool.clone())?;
        let checkpoints = match backend {
            Backend::Sqlite => Some(Checkpoints::start(pool.clone())?),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            backend,
            pg_url: (backend == Backend::Postgres).then(|| url.clone()),
            grouped,
            _checkpoints: checkpoints,
        })
    }

    /// SQLite: the WAL file is emptied at the next checkpoint (within 200 ms), so
    /// no old page image of a just-deleted row stays in it. Call after deleting a
    /// row whose text must not linger; a no-op on PostgreSQL, where a deleted row
    /// is out of every query's reach at once.
    pub fn scrub_wal_soon(&self) {
        if let Some(c) = &self._checkpoints {
            c.truncate_soon();
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// PostgreSQL: a connection of its own listening on `channel`
    /// ([`crate::notify`]); `None` on SQLite, where one process owns the file.
    /// Blocking: call from a thread of its own.
    pub fn listen(&self, channel: &str) -> Option<Result<crate::notify::Listener, DbError>> {
        self.pg_url
            .as_deref()
            .map(|url| crate::notify::Listener::connect(url, channel))
    }

    /// Runs blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        count_job();
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| DbError::Task)?
    }

    /// Like [`Db::run`] for a small write transaction on a hot path: `f` shares one
    /// transaction with the writes queued beside it, and the answer comes after the
    /// commit (see [`crate::group_commit`]). `f` is all-or-nothing as if it had a
    /// transaction of its own, and may run twice (when another job of its batch
    /// fails): it must do database work only.
    pub async fn write_grouped<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: Fn(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        count_job();
        self.grouped.write(f).await
    }

    /// Synchronous access for the command line, which has no executor.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        count_job();
        let mut conn = self.pool.get()?;
        f(&mut conn)
    }

    /// A trivial round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    #[derive(diesel::QueryableByName)]
    struct TempStore {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        temp_store: i32,
    }

    #[derive(diesel::QueryableByName)]
    struct AutoCheckpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }

    /// No commit checkpoints the WAL (the group-commit writer would wait for it);
    /// the `Db`'s own thread does: a megabyte written reaches the database file
    /// while every connection stays open (closing the last one would checkpoint).
    #[test]
    fn the_wal_is_checkpointed_by_a_thread_of_its_own() {
        use diesel::connection::SimpleConnection;
        use std::time::{Duration, Instant};

        let scratch = crate::scratch::ScratchDb::sqlite("checkpoint");
        let file_size = || std::fs::metadata(&scratch.path).map_or(0, |m| m.len());
        let auto = scratch
            .db
            .run_blocking(|c| {
                let row = diesel::sql_query("PRAGMA wal_autocheckpoint")
                    .get_result::<AutoCheckpoint>(c)?;
                c.batch_execute("CREATE TABLE filler (t TEXT NOT NULL)")?;
                for _ in 0..256 {
                    c.batch_execute(&format!(
                        "INSERT INTO filler VALUES ('{}')",
                        "x".repeat(4000)
                    ))?;
                }
                Ok(row.wal_autocheckpoint)
            })
            .unwrap();
        assert_eq!(auto, 0, "commits must not checkpoint");
        let deadline = Instant::now() + Duration::from_secs(10);
        while file_size() < 1 << 20 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            file_size() >= 1 << 20,
            "the rows were not checkpointed into the file: {} bytes",
            file_size()
        );
    }

    /// Both settings are easy to lose without noticing (a build without the
    /// workspace's cargo config, a pragma list edited): neither changes a result,
    /// only the cost of every query and where copies of pages end up.
    #[test]
    fn sqlite_plans_do_not_depend_on_bound_values_and_temporary_pages_stay_in_memory() {
        let scratch = crate::scratch::ScratchDb::sqlite("connection");
        let (options, temp_store) = scratch
            .db
            .run_blocking(|c| {
                let options = diesel::sql_query("PRAGMA compile_options").load::<Row>(c)?;
                let temp = diesel::sql_query("PRAGMA temp_store").get_result::<TempStore>(c)?;
                Ok((options, temp.temp_store))
            })
            .unwrap();
        assert!(
            options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
            "SQLite was built without SQLITE_ENABLE_QPSG (see .cargo/config.toml)"
        );
        assert_eq!(temp_store, 2, "PRAGMA temp_store = MEMORY");
    }
}
