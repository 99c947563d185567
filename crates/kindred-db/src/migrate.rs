use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{AnyConnection, Backend, Db, DbError};

pub(crate) const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub(crate) const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Applies every pending migration; returns how many ran. Then fills in what SQL
/// alone cannot compute for existing rows (the search words, normalised in Rust).
pub fn run_pending(db: &Db) -> Result<usize, DbError> {
    db.run_blocking(|conn| {
        let applied = match conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(|v| v.len()),
            AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES).map(|v| v.len()),
        };
        let applied = applied.map_err(|e| DbError::Migration(e.to_string()))?;
        crate::models::search_index::backfill(conn)?;
        Ok(applied)
    })
}

/// The versions of the migrations this binary carries for `backend` (as diesel
/// records them in `__diesel_schema_migrations`), oldest first.
pub fn known_versions(backend: Backend) -> Result<Vec<String>, DbError> {
    let versions: Result<Vec<String>, _> = match backend {
        Backend::Sqlite => MigrationSource::<Sqlite>::migrations(&SQLITE)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect()),
        Backend::Postgres => MigrationSource::<Pg>::migrations(&POSTGRES)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect()),
    };
    let mut versions = versions.map_err(|e| DbError::Migration(e.to_string()))?;
    versions.sort();
    Ok(versions)
}

/// Runs every applied migration's `down`, newest first; returns how many ran. For
/// the test that proves each release can be rolled back (`storage.rs`); the server
/// never calls it.
pub fn revert_all(db: &Db) -> Result<usize, DbError> {
    db.run_blocking(|conn| {
        let reverted = match conn {
            AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).map(|v| v.len()),
            AnyConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES).map(|v| v.len()),
        };
        reverted.map_err(|e| DbError::Migration(e.to_string()))
    })
}
