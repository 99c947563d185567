//! Per-account totals for the Account entity, read from `account_stats`, which
//! triggers keep on every status and follow insert and delete (migration
//! 2026-11-26-000010) — except a status insert on SQLite, counted by
//! [`count_new_statuses_on_sqlite`] (migration 2026-11-26-000022 says why):
//! presenting a page costs one indexed read per account, however long its history.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::account_stats;
use crate::{AnyConnection, DbError};

/// What an Account entity shows as totals. An account without a row has none of each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = account_stats)]
pub struct AccountStats {
    /// Statuses and boosts, direct messages excluded (as Mastodon).
    pub statuses_count: i64,
    pub followers_count: i64,
    pub following_count: i64,
    /// When the latest counted status was written; only moves forward.
    pub last_status_at: Option<NaiveDateTime>,
}

/// The totals of each given account that has any.
pub fn load(
    conn: &mut AnyConnection,
    account_ids: &[i64],
) -> Result<HashMap<i64, AccountStats>, DbError> {
    if account_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, AccountStats)> = account_stats::table
        .filter(account_stats::account_id.eq_any(account_ids))
        .select((account_stats::account_id, AccountStats::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Counts `count` new, non-direct statuses of `account_id`, the latest written at
/// `latest`, as SQLite's insert trigger did until migration 2026-11-26-000022
/// (`statuses::insert_row` for one status; the bench seed for many at once).
pub(crate) fn count_new_statuses_on_sqlite(
    c: &mut diesel::SqliteConnection,
    account_id: i64,
    count: i64,
    latest: NaiveDateTime,
) -> Result<(), DbError> {
    CountNewStatuses {
        account_id,
        count,
        latest,
    }
    .execute(c)?;
    Ok(())
}

/// The upsert as a statement diesel caches: its own `ON CONFLICT … DO UPDATE`
/// never is (an update's changeset may vary), and this runs for every status.
#[derive(Debug, Clone, Copy)]
struct CountNewStatuses {
    account_id: i64,
    count: i64,
    latest: NaiveDateTime,
}

impl diesel::query_builder::QueryId for CountNewStatuses {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for CountNewStatuses {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Timestamp};
        out.push_sql(
            "INSERT INTO account_stats (account_id, statuses_count, last_status_at) VALUES (",
        );
        out.push_bind_param::<BigInt, _>(&self.account_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.count)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.latest)?;
        // The latest time, whatever order statuses arrive in.
        out.push_sql(
            ") ON CONFLICT (account_id) DO UPDATE SET \
             statuses_count = statuses_count + excluded.statuses_count, \
             last_status_at = CASE \
                 WHEN last_status_at IS NULL OR excluded.last_status_at > last_status_at \
                 THEN excluded.last_status_at ELSE last_status_at END",
        );
        Ok(())
    }
}

impl RunQueryDsl<diesel::SqliteConnection> for CountNewStatuses {}
