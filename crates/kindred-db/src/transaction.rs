//! The connection type both backends share, and the one way to run a change of
//! several steps as a whole. Below the pool (`connection`) and the group commit
//! (`group_commit`), which both run their work through it.

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::DbError;

/// One connection type over both backends, chosen at run time from the URL.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `f` in one transaction (a savepoint when nested), for callers outside this
/// crate that combine several model functions into one change.
///
/// On SQLite the outermost transaction is `BEGIN IMMEDIATE`: it takes the write lock
/// at once (waiting up to the busy timeout). A deferred one that reads first and
/// writes later fails at once with "database is locked" when another connection
/// wrote in between — the busy timeout cannot help it.
pub fn atomically<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    atomically_as(conn, f)
}

/// [`atomically`] for work whose error type is not [`DbError`] (a model that also
/// refuses by its rules).
pub fn atomically_as<T, E: From<diesel::result::Error>>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_sqlite = match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        _ => false,
    };
    if !outermost_sqlite {
        return conn.transaction::<T, E, _>(f);
    }
    if let AnyConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let AnyConnection::Sqlite(c) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
        }
    }
    result
}
