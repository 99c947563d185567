//! `kindred admin copy-database`: a SQLite instance into an empty PostgreSQL
//! database. Every ordinary table of the SQLite schema is copied row for row (ids,
//! keys, timestamps as stored), in one PostgreSQL transaction, from one read
//! snapshot of the SQLite file: the target ends up with all of it or none of it.
//!
//! Rows travel as JSON: SQLite writes each row with `json_object`, PostgreSQL reads
//! a batch with `json_populate_recordset` into the table's own row type, so one
//! generic path serves every table, present and future (a table is never skipped
//! because nobody wrote code for it). Binary columns travel as `\x` hex, which
//! PostgreSQL's `bytea` input reads.

use std::collections::BTreeSet;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::MigrationHarness;

use crate::snapshot::{self, quoted, Count};
use crate::{Backend, DbError};

/// Rows per batch: small enough to keep a batch's JSON text modest.
const BATCH: i64 = 500;

/// One table's rows in the source and, after the copy, in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub sqlite: i64,
    pub postgres: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Every table copied, by name.
    pub tables: Vec<TableCopy>,
    /// Sequences set past the largest id of their column.
    pub sequences: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the PostgreSQL database is not empty ({0}); copy-database writes only into an empty database, and nothing was changed")]
    TargetNotEmpty(String),
    #[error("the SQLite database is not at this version's schema ({0}); nothing was changed")]
    SourceVersion(String),
    #[error("the SQLite and PostgreSQL schemas differ ({0}); nothing was changed")]
    SchemaDiffers(String),
    #[error("row counts differ after the copy ({0}); nothing was changed")]
    CountsDiffer(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CopyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TargetNotEmpty(_) => "target_not_empty",
            Self::SourceVersion(_) => "source_version",
            Self::SchemaDiffers(_) => "schema_differs",
            Self::CountsDiffer(_) => "counts_differ",
            Self::Db(e) => e.code(),
        }
    }
}

impl From<diesel::result::Error> for CopyError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// Copies the SQLite database at `source` into the PostgreSQL database at
/// `target_url`, which must be empty (no tables, or only Kindred's without rows).
/// Migrates the target, copies every table, sets sequences past the largest ids and
/// compares row counts table by table, all in one transaction.
pub fn sqlite_to_postgres(source: &Path, target_url: &str) -> Result<CopyReport, CopyError> {
    let mut src = snapshot::open(source, false)?;
    let applied = snapshot::applied_versions(&mut src)?;
    let known = crate::migrate::known_versions(Backend::Sqlite)?;
    if applied != known {
        let missing: Vec<&String> = known.iter().filter(|v| !applied.contains(v)).collect();
        let unknown: Vec<&String> = applied.iter().filter(|v| !known.contains(v)).collect();
        return Err(CopyError::SourceVersion(if unknown.is_empty() {
            format!(
                "{} migration(s) pending: run `kindred migrate` with the SQLite database first",
                missing.len()
            )
        } else {
            format!(
                "it has migration(s) this binary does not know: {}; use the newer kindred",
                join(&unknown)
            )
        }));
    }
    let mut pg = PgConnection::establish(target_url)
        .map_err(|e| DbError::Unavailable(e.to_string().trim().to_owned()))?;
    let tables = snapshot::sqlite_tables(&mut src)?;

    // Refused before anything is written: tables that are not Kindred's.
    let foreign: Vec<String> = pg_tables(&mut pg)?
        .into_iter()
        .filter(|t| t != "__diesel_schema_migrations" && !tables.contains(t))
        .collect();
    if !foreign.is_empty() {
        return Err(CopyError::TargetNotEmpty(format!(
            "it has tables Kindred does not know: {}",
            join(&foreign)
        )));
    }

    // One read snapshot of the source (a deferred transaction begins it at its
    // first read), one write transaction on the target.
    let report = src.transaction::<_, CopyError, _>(|src| {
        pg.transaction::<_, CopyError, _>(|pg| copy_all(src, pg, &tables))
    })?;
    // Fresh statistics for the planner; outside the transaction, and harmless if it
    // fails (autovacuum would get there).
    let _ = pg.batch_execute("ANALYZE");
    Ok(report)
}

fn copy_all(
    src: &mut SqliteConnection,
    pg: &mut PgConnection,
    tables: &[String],
) -> Result<CopyReport, CopyError> {
    pg.run_pending_migrations(crate::migrate::POSTGRES)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    check_same_schema(src, pg, tables)?;
    let mut holding = Vec::new();
    for table in tables {
        let n = pg_count(pg, table)?;
        if n > 0 {
            holding.push(format!("{table}: {n} rows"));
        }
    }
    if !holding.is_empty() {
        return Err(CopyError::TargetNotEmpty(holding.join(", ")));
    }

    // Rows arrive table by table in any order: foreign keys are checked once at
    // the end, and triggers (the `account_stats` counters) stay quiet, since the
    // counters are copied as they are.
    let fks = statements(
        pg,
        "SELECT format('ALTER TABLE %s ALTER CONSTRAINT %I', conrelid::regclass, conname) AS stmt \
         FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )?;
    for fk in &fks {
        pg.batch_execute(&format!("{fk} DEFERRABLE INITIALLY DEFERRED"))?;
    }
    pg.batch_execute("SET CONSTRAINTS ALL DEFERRED")?;
    for table in tables {
        pg.batch_execute(&format!(
            "ALTER TABLE {} DISABLE TRIGGER USER",
            quoted(table)
        ))?;
    }

    for table in tables {
        copy_table(src, pg, table)?;
    }

    pg.batch_execute("SET CONSTRAINTS ALL IMMEDIATE")?;
    for fk in &fks {
        pg.batch_execute(&format!("{fk} NOT DEFERRABLE INITIALLY IMMEDIATE"))?;
    }
    for table in tables {
        pg.batch_execute(&format!(
            "ALTER TABLE {} ENABLE TRIGGER USER",
            quoted(table)
        ))?;
    }

    // Every sequence owned by a column continues past the largest copied value.
    let sequences = statements(
        pg,
        "SELECT format('SELECT setval(%L, COALESCE((SELECT MAX(%I) FROM %s), 0) + 1, false)', \
         s.oid::regclass::text, a.attname, t.oid::regclass) AS stmt \
         FROM pg_class s \
         JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass \
              AND d.refclassid = 'pg_class'::regclass \
         JOIN pg_class t ON t.oid = d.refobjid \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
         WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace",
    )?;
    for set in &sequences {
        pg.batch_execute(set)?;
    }

    let mut copies = Vec::new();
    for table in tables {
        copies.push(TableCopy {
            table: table.clone(),
            sqlite: snapshot::count(src, table)?,
            postgres: pg_count(pg, table)?,
        });
    }
    let differing: Vec<String> = copies
        .iter()
        .filter(|c| c.sqlite != c.postgres)
        .map(|c| {
            format!(
                "{}: {} in SQLite, {} in PostgreSQL",
                c.table, c.sqlite, c.postgres
            )
        })
        .collect();
    if !differing.is_empty() {
        return Err(CopyError::CountsDiffer(differing.join("; ")));
    }
    Ok(CopyReport {
        tables: copies,
        sequences: sequences.len(),
    })
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
}

fn sqlite_columns(src: &mut SqliteConnection, table: &str) -> Result<Vec<Column>, DbError> {
    Ok(
        diesel::sql_query(
            "SELECT name, lower(type) AS kind FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(table)
        .load::<Column>(src)?,
    )
}

/// Same tables, and in each the same column names, on both sides (the migration
/// sets are kept equal, and a test checks it; this is the guard at run time).
fn check_same_schema(
    src: &mut SqliteConnection,
    pg: &mut PgConnection,
    tables: &[String],
) -> Result<(), CopyError> {
    let theirs: BTreeSet<String> = pg_tables(pg)?
        .into_iter()
        .filter(|t| t != "__diesel_schema_migrations")
        .collect();
    let ours: BTreeSet<String> = tables.iter().cloned().collect();
    if theirs != ours {
        let only: Vec<String> = ours.symmetric_difference(&theirs).cloned().collect();
        return Err(CopyError::SchemaDiffers(format!(
            "tables on one side only: {}",
            only.join(", ")
        )));
    }
    for table in tables {
        let a: BTreeSet<String> = sqlite_columns(src, table)?
            .into_iter()
            .map(|c| c.name)
            .collect();
        let b: BTreeSet<String> = diesel::sql_query(
            "SELECT attname::text AS name, format_type(atttypid, atttypmod) AS kind \
             FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
        )
        .bind::<Text, _>(quoted(table))
        .load::<Column>(pg)?
        .into_iter()
        .map(|c| c.name)
        .collect();
        if a != b {
            let only: Vec<String> = a.symmetric_difference(&b).cloned().collect();
            return Err(CopyError::SchemaDiffers(format!(
                "{table}: columns on one side only: {}",
                only.join(", ")
            )));
        }
    }
    Ok(())
}

fn copy_table(
    src: &mut SqliteConnection,
    pg: &mut PgConnection,
    table: &str,
) -> Result<(), CopyError> {
    let fields: Vec<String> = sqlite_columns(src, table)?
        .into_iter()
        .map(|c| {
            let key = c.name.replace('\'', "''");
            let value = quoted(&c.name);
            if c.kind == "blob" {
                format!("'{key}', '\\x' || lower(hex({value}))")
            } else {
                format!("'{key}', {value}")
            }
        })
        .collect();
    let read = format!(
        "SELECT rowid AS k, json_object({}) AS row FROM {} WHERE rowid > ? ORDER BY rowid LIMIT ?",
        fields.join(", "),
        quoted(table)
    );
    let write = format!(
        "INSERT INTO {t} OVERRIDING SYSTEM VALUE \
         SELECT * FROM json_populate_recordset(NULL::{t}, $1::json)",
        t = quoted(table)
    );
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        k: i64,
        #[diesel(sql_type = Text)]
        row: String,
    }
    let mut after = i64::MIN;
    loop {
        let rows = diesel::sql_query(&read)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load::<Row>(src)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.k;
        let batch = format!(
            "[{}]",
            rows.iter()
                .map(|r| r.row.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        diesel::sql_query(&write)
            .bind::<Text, _>(batch)
            .execute(pg)?;
    }
}

fn pg_tables(pg: &mut PgConnection) -> Result<Vec<String>, DbError> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        name: String,
    }
    Ok(diesel::sql_query(
        "SELECT relname::text AS name FROM pg_class \
         WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') \
         ORDER BY relname",
    )
    .load::<Table>(pg)?
    .into_iter()
    .map(|t| t.name)
    .collect())
}

fn pg_count(pg: &mut PgConnection, table: &str) -> Result<i64, DbError> {
    Ok(diesel::sql_query(snapshot::count_sql(table))
        .get_result::<Count>(pg)?
        .n)
}

/// SQL statements that a catalog query writes (one per row, column `stmt`).
fn statements(pg: &mut PgConnection, query: &str) -> Result<Vec<String>, DbError> {
    #[derive(QueryableByName)]
    struct Stmt {
        #[diesel(sql_type = Text)]
        stmt: String,
    }
    Ok(diesel::sql_query(query)
        .load::<Stmt>(pg)?
        .into_iter()
        .map(|s| s.stmt)
        .collect())
}

fn join(items: &[impl AsRef<str>]) -> String {
    items
        .iter()
        .map(|s| s.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}
