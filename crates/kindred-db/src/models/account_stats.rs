//! Per-account totals for the Account entity, read from `account_stats`, which
//! triggers keep on every status and follow insert and delete (migration
//! 2026-11-26-000010): presenting a page costs one indexed read per account, however
//! long its history.

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
