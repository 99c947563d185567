//! Kindred storage. The only crate that speaks diesel. One code path serves SQLite and
//! PostgreSQL through [`AnyConnection`]; what the two cannot share is written per
//! backend by matching on the connection variant, here and nowhere else.

mod checkpoint;
pub mod connection;
pub mod copy;
pub mod error;
pub mod group_commit;
pub mod introspect;
pub mod migrate;
pub mod models;
pub mod notify;
pub mod schema;
pub mod snapshot;
pub mod transaction;

/// Bulk seeding and query timing for `crates/kindred-server/benches`; compiled only
/// with the `bench` feature, so the server binary never carries it.
#[cfg(feature = "bench")]
pub mod bench;

pub use connection::{counting, redacted_url, Backend, Db, DbSettings};
pub use error::DbError;
pub use models::*;
pub use transaction::AnyConnection;

/// A throwaway PostgreSQL cluster for the test process: the integration tests'
/// own (one harness, not a copy).
#[cfg(test)]
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
#[path = "../../kindred-server/tests/integration/pg.rs"]
mod test_pg;

/// Databases for unit tests.
#[cfg(test)]
pub(crate) mod scratch {
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    use diesel::connection::{Connection, Instrumentation, InstrumentationEvent, SimpleConnection};

    use crate::{AnyConnection, Db, DbError, DbSettings};

    pub(crate) use crate::test_pg as pg;

    /// A new file name in the temporary directory, unique to this process and call.
    pub fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "kindred-{name}-{}-{}.db",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ))
    }

    /// A migrated SQLite database in a new file, removed when dropped.
    pub struct ScratchDb {
        pub db: Db,
        pub path: PathBuf,
    }

    impl ScratchDb {
        pub fn sqlite(name: &str) -> Self {
            let path = temp_path(name);
            let db = Db::connect(&DbSettings {
                url: format!("sqlite://{}", path.display()),
                max_connections: 1,
            })
            .unwrap();
            crate::migrate::run_pending(&db).unwrap();
            Self { db, path }
        }

        /// Runs `f` on a connection whose statements are logged, with foreign keys
        /// off (what the rows `f` writes refer to need not exist).
        pub fn run_logged<T>(
            &self,
            f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
        ) -> (T, StatementLog) {
            let log = StatementLog::default();
            let recorder = log.clone();
            let value = self
                .db
                .run_blocking(move |c| {
                    c.batch_execute("PRAGMA foreign_keys = OFF")?;
                    c.set_instrumentation(recorder);
                    f(c)
                })
                .unwrap();
            (value, log)
        }
    }

    impl Drop for ScratchDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }

    /// The SQL texts (without their binds) a connection ran, and those diesel put
    /// in its statement cache; install a clone with `set_instrumentation`.
    #[derive(Clone, Default)]
    pub struct StatementLog(Arc<Mutex<(Vec<String>, Vec<String>)>>);

    impl Instrumentation for StatementLog {
        fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
            let Ok(mut log) = self.0.lock() else { return };
            match event {
                InstrumentationEvent::StartQuery { query, .. } => {
                    let text = query.to_string();
                    let sql = text.split("-- binds").next().unwrap_or(&text);
                    log.0.push(sql.trim().to_owned());
                }
                InstrumentationEvent::CacheQuery { sql, .. } => log.1.push(sql.trim().to_owned()),
                _ => {}
            }
        }
    }

    impl StatementLog {
        /// Every statement run (transaction control aside) was cached, and one of
        /// them starts with `expected` (so the log saw the work at all). A statement
        /// diesel does not cache is parsed and planned again on every call.
        pub fn assert_all_cached(&self, expected: &str) {
            let log = self.0.lock().unwrap();
            let (run, cached) = &*log;
            let statements: Vec<&String> = run
                .iter()
                .filter(|s| {
                    ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
                        .iter()
                        .any(|verb| s.starts_with(verb))
                })
                .collect();
            assert!(
                statements.iter().any(|s| s.starts_with(expected)),
                "{statements:?}"
            );
            for s in statements {
                assert!(cached.contains(s), "not in diesel's cache: {s}");
            }
        }
    }
}
