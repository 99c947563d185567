//! The stored search words: written with every status and account (on insert and
//! edit), and filled in for rows older than the search columns. Apart from
//! `search`, which reads them, so that the models that write statuses and accounts
//! do not depend on the one that queries them.

use diesel::prelude::*;
use kindred_domain::search;

use crate::schema::{account_search, status_search};
use crate::{AnyConnection, DbError};

/// Stores the search words of a status (on insert and edit; SQLite's triggers then
/// update the FTS5 index).
pub fn index_status(
    conn: &mut AnyConnection,
    id: i64,
    text: &str,
    spoiler_text: &str,
) -> Result<(), DbError> {
    diesel::update(status_search::table.find(id))
        .set(status_search::search_text.eq(search::status_document(text, spoiler_text)))
        .execute(conn)?;
    Ok(())
}

/// Stores the searchable form of an account's display name.
pub fn index_account(conn: &mut AnyConnection, id: i64, display_name: &str) -> Result<(), DbError> {
    diesel::update(account_search::table.find(id))
        .set(account_search::search_name.eq(search::name_document(display_name)))
        .execute(conn)?;
    Ok(())
}

/// Fills in the search columns of rows written before they existed (run after the
/// migrations; a no-op once done, since every write sets them).
pub fn backfill(conn: &mut AnyConnection) -> Result<usize, DbError> {
    const BATCH: i64 = 500;
    let mut done = 0;
    loop {
        let rows: Vec<(i64, String, String)> = status_search::table
            .filter(status_search::search_text.is_null())
            .select((
                status_search::id,
                status_search::text,
                status_search::spoiler_text,
            ))
            .limit(BATCH)
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        crate::transaction::atomically(conn, |conn| {
            for (id, text, spoiler) in &rows {
                index_status(conn, *id, text, spoiler)?;
            }
            Ok(())
        })?;
        done += rows.len();
    }
    loop {
        let rows: Vec<(i64, String)> = account_search::table
            .filter(account_search::search_name.is_null())
            .select((account_search::id, account_search::display_name))
            .limit(BATCH)
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        crate::transaction::atomically(conn, |conn| {
            for (id, name) in &rows {
                index_account(conn, *id, name)?;
            }
            Ok(())
        })?;
        done += rows.len();
    }
    Ok(done)
}
