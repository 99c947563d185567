//! Our pending Follows of remote groups that are sent again until answered
//! (`follow_requests.resend_at` / `resends`). The schedule is the domain's
//! (`kindred_domain::follow_resend`); here the rows are read and claimed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::follow_requests;
use crate::{AnyConnection, DbError};

/// A pending request whose Follow is due to be sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueResend {
    pub account_id: i64,
    pub target_account_id: i64,
    pub resend_at: NaiveDateTime,
    pub resends: i32,
}

/// Sets when `a`'s pending request to `b` is next sent again, and how often it
/// has been; no request: nothing.
pub fn schedule(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
    resend_at: Option<NaiveDateTime>,
    resends: i32,
) -> Result<(), DbError> {
    diesel::update(
        follow_requests::table
            .filter(follow_requests::account_id.eq(a))
            .filter(follow_requests::target_account_id.eq(b)),
    )
    .set((
        follow_requests::resend_at.eq(resend_at),
        follow_requests::resends.eq(resends),
    ))
    .execute(conn)?;
    Ok(())
}

/// Requests due at `now`, earliest first, at most `limit`.
pub fn due(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<DueResend>, DbError> {
    Ok(follow_requests::table
        .filter(follow_requests::resend_at.le(now))
        .order(follow_requests::resend_at.asc())
        .limit(limit)
        .select((
            follow_requests::account_id,
            follow_requests::target_account_id,
            follow_requests::resend_at.assume_not_null(),
            follow_requests::resends,
        ))
        .load::<(i64, i64, NaiveDateTime, i32)>(conn)?
        .into_iter()
        .map(
            |(account_id, target_account_id, resend_at, resends)| DueResend {
                account_id,
                target_account_id,
                resend_at,
                resends,
            },
        )
        .collect())
}

/// Takes a due re-send for this process: moves it to `next` (None: the last one)
/// only if it is still as `due` read it. False when the request was answered,
/// withdrawn or taken by another process meanwhile — then nothing is sent.
pub fn claim(
    conn: &mut AnyConnection,
    due: &DueResend,
    next: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        follow_requests::table
            .filter(follow_requests::account_id.eq(due.account_id))
            .filter(follow_requests::target_account_id.eq(due.target_account_id))
            .filter(follow_requests::resend_at.eq(due.resend_at))
            .filter(follow_requests::resends.eq(due.resends)),
    )
    .set((
        follow_requests::resend_at.eq(next),
        follow_requests::resends.eq(due.resends + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether a local account has asked to follow `target` and awaits its answer.
pub fn requested_locally(conn: &mut AnyConnection, target: i64) -> Result<bool, DbError> {
    use crate::schema::accounts;
    let n: i64 = follow_requests::table
        .filter(follow_requests::target_account_id.eq(target))
        .filter(
            follow_requests::account_id.eq_any(
                accounts::table
                    .filter(accounts::domain.eq(""))
                    .select(accounts::id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
