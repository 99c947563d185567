//! The instance's levels for `/metrics`, read when it is scraped: the delivery queue
//! by state, instances failing and dead, sign-ups waiting for approval, reports
//! waiting for a moderator. Counts only:
//! no domain, name or id leaves here.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::AccountRole;

use crate::schema::{accounts, deliveries, instances, reports};
use crate::{AnyConnection, DbError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Deliveries whose next attempt is due (never tried, or their retry time came).
    pub deliveries_due: i64,
    /// Deliveries waiting for a retry after a failure.
    pub deliveries_retrying: i64,
    /// Seconds since the oldest waiting delivery was queued (0 when none waits).
    pub oldest_delivery_age_seconds: i64,
    /// Remote instances whose last deliveries failed, not yet marked dead.
    pub instances_failing: i64,
    /// Remote instances marked dead (nothing is sent to them until they answer again).
    pub instances_dead: i64,
    /// Local accounts waiting for an admin's approval.
    pub sign_ups_waiting: i64,
    /// Reports not yet resolved (no action taken), from members and other servers.
    pub reports_waiting: i64,
}

pub fn read(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<Gauges, DbError> {
    let deliveries_due = deliveries::table
        .filter(deliveries::next_attempt_at.le(now))
        .count()
        .get_result(conn)?;
    let deliveries_retrying = deliveries::table
        .filter(deliveries::next_attempt_at.gt(now))
        .filter(deliveries::attempts.gt(0))
        .count()
        .get_result(conn)?;
    let oldest: Option<NaiveDateTime> = deliveries::table
        .select(diesel::dsl::min(deliveries::created_at))
        .first(conn)?;
    let instances_failing = instances::table
        .filter(instances::failures.gt(0))
        .filter(instances::dead_since.is_null())
        .count()
        .get_result(conn)?;
    let instances_dead = instances::table
        .filter(instances::dead_since.is_not_null())
        .count()
        .get_result(conn)?;
    let sign_ups_waiting = accounts::table
        .filter(accounts::domain.eq(""))
        .filter(accounts::role.ne(AccountRole::Group.as_str()))
        .filter(accounts::approved.eq(false))
        .filter(accounts::suspended.eq(false))
        .count()
        .get_result(conn)?;
    let reports_waiting = reports::table
        .filter(reports::action_taken_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(Gauges {
        deliveries_due,
        deliveries_retrying,
        oldest_delivery_age_seconds: oldest.map_or(0, |at| (now - at).num_seconds().max(0)),
        instances_failing,
        instances_dead,
        sign_ups_waiting,
        reports_waiting,
    })
}
