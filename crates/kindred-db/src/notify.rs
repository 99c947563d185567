//! PostgreSQL's `LISTEN`/`NOTIFY`, for what several processes on one database tell
//! each other (the streaming relay: `kindred_api::streaming::relay`). Payloads are
//! short texts that the caller composes of kinds and ids only; PostgreSQL delivers
//! them to every listening session once the sending transaction commits. SQLite has
//! no such thing and needs none: one process owns the file.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};

use crate::{AnyConnection, DbError};

/// Sends `payloads` on `channel`, in one statement (its own transaction when the
/// connection holds none). A no-op on SQLite.
pub fn notify(c: &mut AnyConnection, channel: &str, payloads: &[String]) -> Result<(), DbError> {
    use diesel::sql_types::{Array, Text};
    let AnyConnection::Postgresql(c) = c else {
        return Ok(());
    };
    if payloads.is_empty() {
        return Ok(());
    }
    // `ORDER BY ordinality`: sent in the order given.
    diesel::sql_query(
        "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u (p, n) ORDER BY n",
    )
    .bind::<Text, _>(channel)
    .bind::<Array<Text>, _>(payloads)
    .execute(c)?;
    Ok(())
}

/// The `application_name` of a listening connection.
pub const LISTENER_NAME: &str = "kindred-listen";

/// A connection of its own that listens on one channel (never a pooled one: a
/// pooled connection goes back to others, and its notifications with it).
pub struct Listener {
    conn: PgConnection,
}

impl Listener {
    /// Connects to `url` (a PostgreSQL URL) and listens on `channel` (an
    /// identifier the caller chose, not an outside value).
    pub fn connect(url: &str, channel: &str) -> Result<Self, DbError> {
        // Named, so that an operator finds it in `pg_stat_activity`.
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}application_name={LISTENER_NAME}");
        let mut conn =
            PgConnection::establish(&url).map_err(|e| DbError::Unavailable(e.to_string()))?;
        conn.batch_execute(&format!("LISTEN {channel}"))?;
        Ok(Self { conn })
    }

    /// The payloads received since the last call (none waiting: empty). Never
    /// blocks. An error means the connection is lost: connect again.
    pub fn received(&mut self) -> Result<Vec<String>, DbError> {
        let mut out = Vec::new();
        for n in self.conn.notifications_iter() {
            out.push(n?.payload);
        }
        Ok(out)
    }

    /// A round trip: finds a connection that died silently (a server restart, a
    /// dropped network path), which reading notifications alone may not notice.
    pub fn ping(&mut self) -> Result<(), DbError> {
        self.conn.batch_execute("SELECT 1")?;
        Ok(())
    }
}
