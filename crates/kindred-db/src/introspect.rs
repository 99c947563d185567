//! Reads back the live schema, so a test can prove both migration sets agree.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::{AnyConnection, Db, DbError};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// Table name → column names (sorted), excluding migration bookkeeping.
pub fn tables_and_columns(db: &Db) -> Result<BTreeMap<String, Vec<String>>, DbError> {
    let rows: Vec<Column> = db.run_blocking(|conn| {
        let rows = match conn {
            AnyConnection::Sqlite(c) => diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .load(c)?,
            AnyConnection::Postgresql(c) => diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .load(c)?,
        };
        Ok(rows)
    })?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        if r.table_name != "__diesel_schema_migrations" {
            out.entry(r.table_name).or_default().push(r.column_name);
        }
    }
    for cols in out.values_mut() {
        cols.sort();
    }
    Ok(out)
}
