//! Per-account totals for the Account entity, read from `account_stats`, which
//! triggers keep on every status and follow insert and delete (migration
//! 2026-11-26-000010) — except a status insert, counted by [`count_new_status`]
//! (migrations 2026-11-26-000022 for SQLite and 2026-12-07-000120 for PostgreSQL
//! say why): presenting a page costs one indexed read per account, however long
//! its history.
//!
//! Inside a group-commit transaction a new status is counted when the batch ends,
//! all authors at once in account order ([`Deferred`]): several processes' batches
//! on one PostgreSQL database then take these row locks in one order, so two of
//! them can never each hold a row the other waits for (a deadlock), and each holds
//! them only for its commit.

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

/// Counts one new, non-direct status of `account_id` written at `latest`, as the
/// insert triggers did (`statuses::insert_row`): at once, or when the group-commit
/// transaction this thread runs ends ([`Deferred`]).
pub(crate) fn count_new_status(
    c: &mut AnyConnection,
    account_id: i64,
    latest: NaiveDateTime,
) -> Result<(), DbError> {
    let deferred = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(pending) if !test_switch::in_job_order() => {
            let e = pending.entry(account_id).or_insert((0, latest));
            e.0 += 1;
            e.1 = e.1.max(latest);
            true
        }
        _ => false,
    });
    if deferred {
        return Ok(());
    }
    count_new_statuses(c, account_id, 1, latest)
}

/// Counts `count` new, non-direct statuses of `account_id`, the latest written at
/// `latest`, now (the bench seed counts many at once).
pub(crate) fn count_new_statuses(
    c: &mut AnyConnection,
    account_id: i64,
    count: i64,
    latest: NaiveDateTime,
) -> Result<(), DbError> {
    let upsert = CountNewStatuses {
        account_id,
        count,
        latest,
    };
    match c {
        AnyConnection::Sqlite(c) => upsert.execute(c)?,
        AnyConnection::Postgresql(c) => upsert.execute(c)?,
    };
    Ok(())
}

/// New statuses counted on this thread but not yet written: account id → (how
/// many, latest). `Some` while a group-commit transaction runs.
type Pending = std::collections::BTreeMap<i64, (i64, NaiveDateTime)>;

thread_local! {
    static DEFERRED: std::cell::RefCell<Option<Pending>> = const { std::cell::RefCell::new(None) };
}

/// While it lives, new statuses stored on this thread are counted by
/// [`Deferred::flush`] instead of one by one. The group-commit writer holds one
/// per transaction (a thread of its own runs them all); dropping it forgets what
/// was not flushed (the transaction rolled back).
pub(crate) struct Deferred(());

impl Deferred {
    pub(crate) fn begin() -> Self {
        DEFERRED.with(|d| *d.borrow_mut() = Some(Pending::new()));
        Self(())
    }

    /// Writes what was counted, in ascending account order: the last work of the
    /// transaction, so its `account_stats` row locks are the last it takes and
    /// are taken in the same order by every process.
    pub(crate) fn flush(&self, c: &mut AnyConnection) -> Result<(), DbError> {
        let pending = DEFERRED.with(|d| d.borrow_mut().as_mut().map(std::mem::take));
        for (account_id, (count, latest)) in pending.unwrap_or_default() {
            count_new_statuses(c, account_id, count, latest)?;
        }
        Ok(())
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRED.with(|d| *d.borrow_mut() = None);
    }
}

/// Tests only: count in the order the jobs run, as before migration
/// 2026-12-07-000120, to show that order deadlocks two writers.
pub(crate) mod test_switch {
    #[cfg(test)]
    pub(crate) static IN_JOB_ORDER: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    pub(crate) fn in_job_order() -> bool {
        #[cfg(test)]
        return IN_JOB_ORDER.load(std::sync::atomic::Ordering::Relaxed);
        #[cfg(not(test))]
        false
    }
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

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for CountNewStatuses {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
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
        // GREATEST ignores a NULL: the latest time, whatever order statuses arrive in.
        out.push_sql(
            ") ON CONFLICT (account_id) DO UPDATE SET \
             statuses_count = account_stats.statuses_count + EXCLUDED.statuses_count, \
             last_status_at = GREATEST(account_stats.last_status_at, EXCLUDED.last_status_at)",
        );
        Ok(())
    }
}

impl RunQueryDsl<diesel::PgConnection> for CountNewStatuses {}
