//! The delivery worker's side of the queue: which process delivers to which instance
//! (leases), the next deliveries of an instance in order, and the bookkeeping after
//! each attempt (success, final refusal, retry with backoff, dead instances).
//!
//! One process at a time holds an instance: `claim` leases it to a process id until a
//! time, the holder renews the lease before every request and releases it when the
//! instance has no due work. A crashed process's leases simply run out. On PostgreSQL
//! the claim is one `UPDATE ... WHERE domain IN (SELECT ... FOR UPDATE SKIP LOCKED)`,
//! so concurrent processes never lease the same instance; SQLite has one writer, and
//! the same statement without the locking clause is atomic there.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::models::deliveries::DeliveryRow;
use crate::schema::{deliveries, instances};
use crate::{AnyConnection, DbError};

/// An instance leased to this process.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Text)]
    pub domain: String,
    /// Marked dead: probe it before delivering anything.
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub dead_since: Option<NaiveDateTime>,
    /// What it runs, from its NodeInfo; None until read.
    #[diesel(sql_type = Nullable<Text>)]
    pub software: Option<String>,
}

/// The instances eligible for a claim: not leased (or the lease ran out), alive (or
/// dead with a probe due), and whose first delivery in order is due. Only the head
/// counts: a later delivery never goes before an earlier one.
const ELIGIBLE: &str = "SELECT i.domain FROM instances i \
     WHERE (i.leased_until IS NULL OR i.leased_until < $3) \
       AND (i.dead_since IS NULL OR i.last_failure_at IS NULL OR i.last_failure_at <= $4) \
       AND (SELECT d.next_attempt_at FROM deliveries d WHERE d.domain = i.domain \
            ORDER BY d.id LIMIT 1) <= $3 \
     ORDER BY (SELECT d.next_attempt_at FROM deliveries d WHERE d.domain = i.domain \
            ORDER BY d.id LIMIT 1), i.domain \
     LIMIT $5";

/// Leases up to `limit` instances with due work to `owner` until `lease_until`.
/// Dead instances are included once their last failed probe is older than
/// `probe_before`.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    probe_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    macro_rules! run {
        ($c:expr, $sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>(owner)
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(probe_before)
                .bind::<BigInt, _>(limit)
                .load::<Claimed>($c)?
        };
    }
    let rows = match conn {
        AnyConnection::Postgresql(c) => run!(
            c,
            format!(
                "UPDATE instances SET leased_by = $1, leased_until = $2 \
                 WHERE domain IN ({ELIGIBLE} FOR UPDATE SKIP LOCKED) \
                 RETURNING domain, dead_since, software"
            )
        ),
        AnyConnection::Sqlite(c) => run!(
            c,
            format!(
                "UPDATE instances SET leased_by = $1, leased_until = $2 \
                 WHERE domain IN ({ELIGIBLE}) RETURNING domain, dead_since, software"
            )
            // SQLite numbers parameters `?N`; `$N` would be a named parameter.
            .replace('$', "?")
        ),
    };
    Ok(rows)
}

/// Extends a lease this process still holds; false when it has lost it (another
/// process took the instance after it ran out), and must then stop.
pub fn renew(
    conn: &mut AnyConnection,
    domain: &str,
    owner: &str,
    until: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        instances::table
            .filter(instances::domain.eq(domain))
            .filter(instances::leased_by.eq(owner)),
    )
    .set(instances::leased_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives an instance back (no due work left, or shutting down).
pub fn release(conn: &mut AnyConnection, domain: &str, owner: &str) -> Result<(), DbError> {
    diesel::update(
        instances::table
            .filter(instances::domain.eq(domain))
            .filter(instances::leased_by.eq(owner)),
    )
    .set((
        instances::leased_by.eq(None::<String>),
        instances::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Gives back every lease of a process (graceful shutdown).
pub fn release_all(conn: &mut AnyConnection, owner: &str) -> Result<usize, DbError> {
    Ok(
        diesel::update(instances::table.filter(instances::leased_by.eq(owner)))
            .set((
                instances::leased_by.eq(None::<String>),
                instances::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    )
}

/// The next deliveries of an instance, in the order they must go.
pub fn next_batch(
    conn: &mut AnyConnection,
    domain: &str,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(deliveries::table
        .filter(deliveries::domain.eq(domain))
        .order(deliveries::id.asc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// The instance answered: its failure streak ends and it is alive.
fn healthy(conn: &mut AnyConnection, domain: &str) -> Result<(), DbError> {
    diesel::update(instances::table.find(domain))
        .set((
            instances::failures.eq(0),
            instances::failing_since.eq(None::<NaiveDateTime>),
            instances::dead_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// A delivery was accepted (2xx): it leaves the queue.
pub fn delivered(
    conn: &mut AnyConnection,
    id: i64,
    domain: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::delete(deliveries::table.find(id)).execute(conn)?;
        diesel::update(instances::table.find(domain))
            .set((
                instances::last_success_at.eq(now),
                instances::failures.eq(0),
                instances::failing_since.eq(None::<NaiveDateTime>),
                instances::dead_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Bookkeeping of many instance tasks in one transaction: deliveries accepted (2xx)
/// leave the queue and their instances count as healthy (as [`delivered`]), and
/// instances with no due work left are given back (as [`release`]). One write
/// transaction for a whole burst of deliveries instead of one per delivery.
pub fn settle(
    conn: &mut AnyConnection,
    delivered: &[(i64, String)],
    released: &[String],
    owner: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    /// Ids or domains per statement, far under both backends' bound parameters.
    const CHUNK: usize = 500;
    let ids: Vec<i64> = delivered.iter().map(|(id, _)| *id).collect();
    let mut domains: Vec<&str> = delivered.iter().map(|(_, d)| d.as_str()).collect();
    domains.sort_unstable();
    domains.dedup();
    crate::transaction::atomically(conn, |conn| {
        for chunk in ids.chunks(CHUNK) {
            diesel::delete(deliveries::table.filter(deliveries::id.eq_any(chunk))).execute(conn)?;
        }
        for chunk in domains.chunks(CHUNK) {
            diesel::update(instances::table.filter(instances::domain.eq_any(chunk)))
                .set((
                    instances::last_success_at.eq(now),
                    instances::failures.eq(0),
                    instances::failing_since.eq(None::<NaiveDateTime>),
                    instances::dead_since.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
        }
        for chunk in released.chunks(CHUNK) {
            diesel::update(
                instances::table
                    .filter(instances::domain.eq_any(chunk))
                    .filter(instances::leased_by.eq(owner)),
            )
            .set((
                instances::leased_by.eq(None::<String>),
                instances::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        }
        Ok(())
    })
}

/// Records what an instance runs (`"name version"` from its NodeInfo).
pub fn set_software(conn: &mut AnyConnection, domain: &str, software: &str) -> Result<(), DbError> {
    diesel::update(instances::table.find(domain))
        .set(instances::software.eq(software))
        .execute(conn)?;
    Ok(())
}

/// The instance refused a delivery for good (a 4xx other than 408/429): it leaves the
/// queue. The instance did answer, so it counts as reachable.
pub fn refused(conn: &mut AnyConnection, id: i64, domain: &str) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        diesel::delete(deliveries::table.find(id)).execute(conn)?;
        healthy(conn, domain)
    })
}

/// A delivery that cannot be sent at all (no signing key, an inbox URL the policy
/// refuses): it leaves the queue; the instance's health is unchanged.
pub fn discard(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(deliveries::table.find(id)).execute(conn)?;
    Ok(())
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRecorded {
    /// This failure marked the instance dead.
    pub now_dead: bool,
}

/// A failed attempt (timeout, refused connection, 5xx, 408, 429). With `retry_at`
/// the delivery waits until then; without, it is given up (too old) and removed.
/// The instance's failure streak grows; failing continuously for `dead_after` marks
/// it dead.
#[allow(clippy::too_many_arguments)]
pub fn failed(
    conn: &mut AnyConnection,
    id: i64,
    domain: &str,
    now: NaiveDateTime,
    retry_at: Option<NaiveDateTime>,
    error: &str,
    dead_after: Duration,
) -> Result<FailureRecorded, DbError> {
    crate::transaction::atomically(conn, |conn| {
        match retry_at {
            Some(at) => {
                diesel::update(deliveries::table.find(id))
                    .set((
                        deliveries::attempts.eq(deliveries::attempts + 1),
                        deliveries::next_attempt_at.eq(at),
                        deliveries::last_error.eq(error),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::delete(deliveries::table.find(id)).execute(conn)?;
            }
        }
        record_instance_failure(conn, domain, now, dead_after)
    })
}

fn record_instance_failure(
    conn: &mut AnyConnection,
    domain: &str,
    now: NaiveDateTime,
    dead_after: Duration,
) -> Result<FailureRecorded, DbError> {
    // One statement, so a streak start written meanwhile (an admin, a revival) is
    // never overwritten with a value read before it: the right-hand sides all see
    // the row as it was, on both backends.
    #[derive(QueryableByName)]
    struct Dead {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        now_dead: bool,
    }
    const SQL: &str = "UPDATE instances SET failures = failures + 1, last_failure_at = $1, \
         dead_since = CASE WHEN dead_since IS NULL AND COALESCE(failing_since, $1) <= $2 \
                           THEN $1 ELSE dead_since END, \
         failing_since = COALESCE(failing_since, $1) \
         WHERE domain = $3 \
         RETURNING COALESCE(dead_since = $1, FALSE) AS now_dead";
    // A streak that began at or before this is long enough to be dead ("never"
    // when `dead_after` is out of range).
    let began_by = now
        .checked_sub_signed(dead_after)
        .unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc());
    macro_rules! run {
        ($c:expr, $sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(began_by)
                .bind::<Text, _>(domain)
                .get_result::<Dead>($c)?
        };
    }
    let row = match conn {
        AnyConnection::Postgresql(c) => run!(c, SQL.to_owned()),
        AnyConnection::Sqlite(c) => run!(c, SQL.replace('$', "?")),
    };
    // Compared in SQL: the bound `now` is what was stored (PostgreSQL keeps
    // microseconds).
    Ok(FailureRecorded {
        now_dead: row.now_dead,
    })
}

/// A dead instance's probe failed: the next probe waits `probe_interval` from now
/// (`last_failure_at` is the probe clock of a dead instance).
pub fn probe_failed(
    conn: &mut AnyConnection,
    domain: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(instances::table.find(domain))
        .set((
            instances::failures.eq(instances::failures + 1),
            instances::last_failure_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The instance is reachable again (a probe answered, or it contacted us): it is
/// alive, and its waiting deliveries are due now.
pub fn revive(conn: &mut AnyConnection, domain: &str, now: NaiveDateTime) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        healthy(conn, domain)?;
        diesel::update(
            deliveries::table
                .filter(deliveries::domain.eq(domain))
                .filter(deliveries::next_attempt_at.gt(now)),
        )
        .set(deliveries::next_attempt_at.eq(now))
        .execute(conn)?;
        Ok(())
    })
}

/// A delivery removed because it was older than the retry window.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Expired {
    pub id: i64,
    pub domain: String,
    pub activity_id: String,
}

/// Removes up to `limit` deliveries created before `created_before` (kept in the
/// queue at least that long, e.g. behind a dead instance) and says which.
pub fn purge_expired(
    conn: &mut AnyConnection,
    created_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Expired>, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let rows: Vec<Expired> = deliveries::table
            .filter(deliveries::created_at.lt(created_before))
            .order(deliveries::id.asc())
            .limit(limit)
            .select((deliveries::id, deliveries::domain, deliveries::activity_id))
            .load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        diesel::delete(deliveries::table.filter(deliveries::id.eq_any(&ids))).execute(conn)?;
        Ok(rows)
    })
}

/// One instance's delivery state, for `kindred admin federation queue` and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceQueue {
    pub domain: String,
    pub backlog: i64,
    /// Creation time of the oldest waiting delivery.
    pub oldest: Option<NaiveDateTime>,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    /// Consecutive failed attempts.
    pub failures: i32,
    pub failing_since: Option<NaiveDateTime>,
    pub dead_since: Option<NaiveDateTime>,
    /// Earliest next attempt of a waiting delivery.
    pub next_attempt_at: Option<NaiveDateTime>,
    pub leased_by: Option<String>,
    pub leased_until: Option<NaiveDateTime>,
}

type InstanceHealth = (
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    i32,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<NaiveDateTime>,
);

/// Per-instance queue state: instances with waiting deliveries, failures or marked
/// dead (every known instance with `all`), by domain.
pub fn queue_stats(conn: &mut AnyConnection, all: bool) -> Result<Vec<InstanceQueue>, DbError> {
    let waiting: Vec<(String, i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        deliveries::table
            .group_by(deliveries::domain)
            .select((
                deliveries::domain,
                diesel::dsl::count_star(),
                diesel::dsl::min(deliveries::created_at),
                diesel::dsl::min(deliveries::next_attempt_at),
            ))
            .load(conn)?;
    let health: Vec<InstanceHealth> = instances::table
        .order(instances::domain.asc())
        .select((
            instances::domain,
            instances::last_success_at,
            instances::last_failure_at,
            instances::failures,
            instances::failing_since,
            instances::dead_since,
            instances::leased_by,
            instances::leased_until,
        ))
        .load(conn)?;
    let waiting: std::collections::HashMap<_, _> = waiting
        .into_iter()
        .map(|(d, n, oldest, next)| (d, (n, oldest, next)))
        .collect();
    Ok(health
        .into_iter()
        .map(
            |(domain, ok_at, fail_at, failures, failing, dead, by, until)| {
                let (backlog, oldest, next) = waiting.get(&domain).copied().unwrap_or_default();
                InstanceQueue {
                    domain,
                    backlog,
                    oldest,
                    last_success_at: ok_at,
                    last_failure_at: fail_at,
                    failures,
                    failing_since: failing,
                    dead_since: dead,
                    next_attempt_at: next,
                    leased_by: by,
                    leased_until: until,
                }
            },
        )
        .filter(|q| all || q.backlog > 0 || q.failures > 0 || q.dead_since.is_some())
        .collect())
}
