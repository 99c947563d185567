use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::invites;
use crate::{AnyConnection, DbError};

#[derive(Insertable)]
#[diesel(table_name = invites)]
pub struct NewInvite {
    pub id: i64,
    pub code_hash: String,
    pub created_by: Option<i64>,
    pub max_uses: Option<i32>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, new: &NewInvite) -> Result<(), DbError> {
    diesel::insert_into(invites::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Uses one redemption of the invite with this code hash, if it is still valid.
/// Returns the invite id. The conditional update makes concurrent redemptions safe.
pub fn redeem(
    conn: &mut AnyConnection,
    code_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, DbError> {
    let found: Option<(i64, Option<i32>, i32, Option<NaiveDateTime>)> = invites::table
        .filter(invites::code_hash.eq(code_hash))
        .select((
            invites::id,
            invites::max_uses,
            invites::uses,
            invites::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, max_uses, uses, expires_at)) = found else {
        return Ok(None);
    };
    if expires_at.is_some_and(|t| t <= now) || max_uses.is_some_and(|m| uses >= m) {
        return Ok(None);
    }
    let n = diesel::update(invites::table.find(id).filter(invites::uses.eq(uses)))
        .set(invites::uses.eq(uses + 1))
        .execute(conn)?;
    Ok((n == 1).then_some(id))
}

/// Gives back a redemption when the sign-up that used it failed afterwards.
pub fn release(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::update(invites::table.find(id).filter(invites::uses.gt(0)))
        .set(invites::uses.eq(invites::uses - 1))
        .execute(conn)?;
    Ok(())
}

/// An invite as moderators see it: never its code (stored only hashed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub id: i64,
    pub created_by: Option<i64>,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl InviteRow {
    /// Whether it can still be redeemed at `now` (the rule [`redeem`] applies).
    pub fn usable(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_none_or(|t| t > now) && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

/// The newest invites first.
pub fn list(conn: &mut AnyConnection, limit: i64) -> Result<Vec<InviteRow>, DbError> {
    Ok(invites::table
        .select(InviteRow::as_select())
        .order(invites::id.desc())
        .limit(limit)
        .load(conn)?)
}

/// Ends an invite now (it expires); false when there is no such invite. An
/// invite that expired earlier keeps its time.
pub fn revoke(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let found = invites::table
        .find(id)
        .select(invites::expires_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?;
    let Some(expires_at) = found else {
        return Ok(false);
    };
    if expires_at.is_none_or(|t| t > now) {
        diesel::update(invites::table.find(id))
            .set(invites::expires_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(true)
}
