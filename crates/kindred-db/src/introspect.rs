//! Reads back the live schema, so a test can prove both migration sets agree on
//! tables, columns, types and nullability.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::{AnyConnection, Db, DbError};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// A column as both backends can describe it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnInfo {
    pub name: String,
    /// Normalised: `bigint`, `integer`, `text`, `boolean`, `timestamp`, `binary`.
    pub sql_type: String,
    pub nullable: bool,
}

fn normalise_type(raw: &str) -> String {
    match raw.to_ascii_lowercase().as_str() {
        "blob" | "bytea" => "binary".to_owned(),
        "timestamp without time zone" => "timestamp".to_owned(),
        other => other.to_owned(),
    }
}

/// Table name → columns (sorted by name), excluding migration bookkeeping.
pub fn tables_and_columns(db: &Db) -> Result<BTreeMap<String, Vec<ColumnInfo>>, DbError> {
    let rows: Vec<Column> = db.run_blocking(|conn| {
        let rows = match conn {
            // Ordinary tables only: an FTS5 index is a virtual table plus shadow tables
            // (`_data`, `_idx`, ...) that SQLite manages itself; PostgreSQL keeps its
            // search index as an index, which is not a table either. Columns both
            // backends share (`statuses.search_text`) are compared as usual.
            AnyConnection::Sqlite(c) => diesel::sql_query(
                "SELECT t.name AS table_name, p.name AS column_name, p.type AS data_type, \
                 p.\"notnull\" AS not_null \
                 FROM pragma_table_list t JOIN pragma_table_info(t.name) p \
                 WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%'",
            )
            .load(c)?,
            AnyConnection::Postgresql(c) => diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type::text AS data_type, \
                 CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .load(c)?,
        };
        Ok(rows)
    })?;
    let mut out: BTreeMap<String, Vec<ColumnInfo>> = BTreeMap::new();
    for r in rows {
        if r.table_name != "__diesel_schema_migrations" {
            out.entry(r.table_name).or_default().push(ColumnInfo {
                name: r.column_name,
                sql_type: normalise_type(&r.data_type),
                nullable: r.not_null == 0,
            });
        }
    }
    for cols in out.values_mut() {
        cols.sort();
    }
    Ok(out)
}
