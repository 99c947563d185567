use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{AnyConnection, Db, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

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
