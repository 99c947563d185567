//! Whole SQLite databases as files: a consistent snapshot of a live database for a
//! backup, what a backup holds before it is restored, and whether a database may be
//! replaced. The file handling around them (directories, renames) is the server's.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use crate::{Backend, DbError};

/// What a SQLite backup holds, read before it is restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteBackup {
    /// Migration versions applied to it.
    pub versions: Vec<String>,
    /// Of those, the ones this binary does not know: a backup of a newer Kindred.
    pub unknown_versions: Vec<String>,
    /// Rows per table (ordinary tables, migration bookkeeping aside), by name.
    pub rows: Vec<(String, i64)>,
}

/// Writes a consistent copy of the SQLite database at `from` to `dest` (a new file)
/// while the server may be writing: `VACUUM INTO` reads one snapshot (a read
/// transaction, in WAL mode beside the writers) and writes a compact database without
/// a write-ahead log. SQLite refuses a `dest` that exists and is not empty. A backup
/// being restored is read `read_only`; a live database is opened as the server
/// opens it (a read-only connection could not join its write-ahead log).
pub fn copy_sqlite(from: &Path, dest: &Path, read_only: bool) -> Result<(), DbError> {
    let mut conn = open(from, read_only)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(path_text(dest)?)
        .execute(&mut conn)?;
    Ok(())
}

/// Opens a backup read-only, checks that it is a sound Kindred database (SQLite's
/// `quick_check`, the migrations table) and reads what it holds.
pub fn inspect_sqlite(path: &Path) -> Result<SqliteBackup, DbError> {
    let mut conn = open(path, true)?;
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        quick_check: String,
    }
    let checks = diesel::sql_query("PRAGMA quick_check").load::<Check>(&mut conn)?;
    if checks.iter().any(|c| c.quick_check != "ok") {
        return Err(DbError::Unavailable(format!(
            "{} is damaged: {}",
            path.display(),
            checks
                .iter()
                .map(|c| c.quick_check.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let versions = applied_versions(&mut conn).map_err(|_| {
        DbError::Unavailable(format!(
            "{} is not a Kindred database (it has no migrations table)",
            path.display()
        ))
    })?;
    let known = crate::migrate::known_versions(Backend::Sqlite)?;
    let unknown_versions = versions
        .iter()
        .filter(|v| !known.contains(v))
        .cloned()
        .collect();
    let rows = row_counts(&mut conn)?;
    Ok(SqliteBackup {
        versions,
        unknown_versions,
        rows,
    })
}

/// Whether any table of the SQLite database at `path` holds a row (an empty file,
/// or migrated tables without rows, hold nothing worth keeping).
pub fn sqlite_holds_rows(path: &Path) -> Result<bool, DbError> {
    let mut conn = open(path, true)?;
    Ok(row_counts(&mut conn)?.iter().any(|(_, n)| *n > 0))
}

/// Makes sure no other connection uses the SQLite database at `path` (a running
/// server), so that it may be replaced: switching it out of WAL mode needs the only
/// connection, and folds the write-ahead log into the file on the way. Fails at
/// once, without waiting, when another process has it open.
pub fn take_sqlite_offline(path: &Path) -> Result<(), DbError> {
    let mut conn = open(path, false)?;
    conn.batch_execute("PRAGMA busy_timeout = 0")?;
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let in_use = || {
        DbError::Unavailable(format!(
            "{} is in use (is the server running? stop it first)",
            path.display()
        ))
    };
    let mode = diesel::sql_query("PRAGMA journal_mode = DELETE")
        .get_result::<Mode>(&mut conn)
        .map_err(|_| in_use())?;
    if mode.journal_mode.eq_ignore_ascii_case("wal") {
        return Err(in_use());
    }
    Ok(())
}

/// Ordinary tables of a SQLite database, migration bookkeeping and SQLite's own
/// aside. FTS5 indexes are virtual tables (their shadow tables have the type
/// `shadow`), so they are not listed: they are part of the file, and rebuilt from
/// `statuses.search_text` where the file is not copied whole.
pub(crate) fn sqlite_tables(conn: &mut SqliteConnection) -> Result<Vec<String>, DbError> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let tables = diesel::sql_query(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
    )
    .load::<Table>(conn)?;
    Ok(tables.into_iter().map(|t| t.name).collect())
}

/// Rows per ordinary table.
pub(crate) fn row_counts(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::new();
    for table in sqlite_tables(conn)? {
        let n = count(conn, &table)?;
        out.push((table, n));
    }
    Ok(out)
}

#[derive(QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

pub(crate) fn count(conn: &mut SqliteConnection, table: &str) -> Result<i64, DbError> {
    Ok(diesel::sql_query(count_sql(table))
        .get_result::<Count>(conn)?
        .n)
}

pub(crate) fn count_sql(table: &str) -> String {
    format!("SELECT COUNT(*) AS n FROM {}", quoted(table))
}

/// Migration versions applied to a SQLite database, oldest first.
pub(crate) fn applied_versions(conn: &mut SqliteConnection) -> Result<Vec<String>, DbError> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let rows = diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
        .load::<Version>(conn)?;
    Ok(rows.into_iter().map(|v| v.version).collect())
}

/// An identifier as SQL text (both backends quote with double quotes).
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Opens an existing SQLite file (never creates one: a mistyped path must not turn
/// into a new empty database), read-only when asked.
pub(crate) fn open(path: &Path, read_only: bool) -> Result<SqliteConnection, DbError> {
    if !path.is_file() {
        return Err(DbError::Unavailable(format!(
            "{} does not exist or is not a file",
            path.display()
        )));
    }
    let text = path_text(path)?;
    // A URI, so that `mode` applies; `?`, `#` and `%` in the path are escaped.
    let escaped = text
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let mode = if read_only { "ro" } else { "rw" };
    let mut conn = SqliteConnection::establish(&format!("file:{escaped}?mode={mode}"))
        .map_err(|e| DbError::Unavailable(format!("{}: {e}", path.display())))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;")?;
    Ok(conn)
}

fn path_text(path: &Path) -> Result<&str, DbError> {
    path.to_str()
        .ok_or_else(|| DbError::Unavailable(format!("{} is not a UTF-8 path", path.display())))
}
