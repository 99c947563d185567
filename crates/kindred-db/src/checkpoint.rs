//! SQLite: WAL checkpoints on a thread of their own.
//!
//! SQLite's automatic checkpoint runs on the connection whose commit takes the WAL
//! past 1 000 pages: under inbox load that is the group-commit writer, so every
//! queued write waited while it copied pages into the database file and ran its
//! `fsync`s (9 % of the writer's CPU, and stalls; docs/performance.md). Connections
//! are opened with `wal_autocheckpoint = 0` instead, and this thread runs a PASSIVE
//! checkpoint (which never waits for readers or the writer) every [`EVERY`]. The
//! durability of a commit does not change: it is the WAL's, as before.
//!
//! A checkpoint leaves old page images in the WAL file until they are overwritten.
//! When a row whose text must not linger is deleted (a delivered RSVP `Accept`
//! carries an exact place), `truncate_soon` makes the next run a TRUNCATE
//! checkpoint instead, which empties the file (docs/privacy.md).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, Pool};

use crate::{AnyConnection, DbError};

/// Often enough that the WAL stays near the size the automatic checkpoint kept
/// it at under load (about 1 000 pages); a checkpoint with nothing to copy only
/// reads the WAL's header.
pub const EVERY: Duration = Duration::from_millis(200);

/// Keeps the checkpoint thread running; it stops within [`EVERY`] once every
/// clone is dropped (with the last `Db`).
#[derive(Clone)]
pub struct Checkpoints {
    _running: mpsc::Sender<()>,
    truncate: Arc<AtomicBool>,
}

impl Checkpoints {
    pub fn start(pool: Pool<ConnectionManager<AnyConnection>>) -> Result<Self, DbError> {
        let (running, stopped) = mpsc::channel::<()>();
        let truncate = Arc::new(AtomicBool::new(false));
        let asked = truncate.clone();
        std::thread::Builder::new()
            .name("db-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // TRUNCATE waits (busy timeout) for readers and blocks new
                    // writers meanwhile: only when asked, which is rare.
                    let mode = if asked.swap(false, Ordering::AcqRel) {
                        "PRAGMA wal_checkpoint(TRUNCATE)"
                    } else {
                        "PRAGMA wal_checkpoint(PASSIVE)"
                    };
                    let done = pool
                        .get()
                        .map_err(|e| e.to_string())
                        .and_then(|mut c| c.batch_execute(mode).map_err(|e| e.to_string()));
                    if let Err(reason) = done {
                        tracing::warn!(%reason, "wal checkpoint failed");
                    }
                }
            })
            .map_err(|e| DbError::Unavailable(format!("checkpoint thread: {e}")))?;
        Ok(Self {
            _running: running,
            truncate,
        })
    }

    /// Makes the next checkpoint (within [`EVERY`]) empty the WAL file.
    pub fn truncate_soon(&self) {
        self.truncate.store(true, Ordering::Release);
    }
}
