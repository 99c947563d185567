//! Silenced accounts (Mastodon's "limit"): what they post reaches only those who
//! follow them. They stay out of the public, local, remote and hashtag timelines
//! (and their streams), followed hashtags in home and status search for everyone
//! else, their notifications reach only members who follow them, and their follows
//! become follow requests. Stored in `silenced_accounts` with an origin, so that a
//! domain block's silence is lifted with the block and nothing else is.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::federation_policy::{BlockRule, Mode, Policy, PolicyDomain, Severity};

use crate::schema::{accounts, domain_blocks, follows, silenced_accounts};
use crate::{AnyConnection, DbError};

/// Marked because a domain block with severity `silence` covers the account.
pub const ORIGIN_DOMAIN: &str = "domain";
/// Marked by a moderator (one account, local or remote); domain-block changes leave
/// it alone.
pub const ORIGIN_MODERATOR: &str = "moderator";

/// The silenced accounts whose posts `viewer` must not be shown in public places:
/// those the viewer does not follow, never the viewer themself; all of them for an
/// anonymous viewer (`None`, which no follow row matches). A subquery, so the
/// timelines need no round trip and no list; it reads `silenced_accounts`, usually
/// a handful of rows, and the viewer's follows by their index.
pub fn limited_for(viewer: Option<i64>) -> LimitedFor {
    limited_for_id(viewer.unwrap_or(ANONYMOUS))
}

/// No account has this id (ids are positive), so no follow row matches it.
const ANONYMOUS: i64 = -1;

#[diesel::dsl::auto_type]
fn limited_for_id(viewer: i64) -> _ {
    let followed: diesel::dsl::Select<
        diesel::dsl::Filter<follows::table, diesel::dsl::Eq<follows::account_id, i64>>,
        follows::target_account_id,
    > = follows::table
        .filter(follows::account_id.eq(viewer))
        .select(follows::target_account_id);
    silenced_accounts::table
        .filter(silenced_accounts::account_id.ne(viewer))
        .filter(diesel::dsl::not(
            silenced_accounts::account_id.eq_any(followed),
        ))
        .select(silenced_accounts::account_id)
}

pub type LimitedFor = limited_for_id;

/// The silenced accounts among `ids`.
pub fn among(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(silenced_accounts::table
        .filter(silenced_accounts::account_id.eq_any(ids.to_vec()))
        .select(silenced_accounts::account_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

pub fn is_silenced(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    Ok(silenced_accounts::table
        .find(account_id)
        .select(silenced_accounts::account_id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Whether `account_id` is silenced and `viewer` does not follow it: what decides
/// whether its follow of `viewer` is only a request.
pub fn is_limited_for(
    conn: &mut AnyConnection,
    account_id: i64,
    viewer: i64,
) -> Result<bool, DbError> {
    Ok(limited_for(Some(viewer))
        .filter(silenced_accounts::account_id.eq(account_id))
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Whether the stored domain blocks silence `domain` (a remote account's
/// `host[:port]`): the most specific rule covering it decides, as in
/// `Policy::decide`.
pub fn domain_silenced(conn: &mut AnyConnection, domain: &str) -> Result<bool, DbError> {
    Ok(domain_block_severity(conn, domain)? == Some(Severity::Silence))
}

/// The severity of the most specific stored domain block covering `domain`, as in
/// `Policy::decide`. Reads only the few rules that could cover it.
pub fn domain_block_severity(
    conn: &mut AnyConnection,
    domain: &str,
) -> Result<Option<Severity>, DbError> {
    let Ok(d) = PolicyDomain::parse(domain) else {
        return Ok(None);
    };
    let candidates: Vec<String> = d.covering().iter().map(|c| c.to_string()).collect();
    let rules: Vec<(String, String)> = domain_blocks::table
        .filter(domain_blocks::domain.eq_any(candidates))
        .select((domain_blocks::domain, domain_blocks::severity))
        .load(conn)?;
    if rules.is_empty() {
        return Ok(None);
    }
    let policy = Policy::new(
        Mode::Open,
        rules.into_iter().filter_map(|(domain, severity)| {
            Some((
                PolicyDomain::parse(&domain).ok()?,
                BlockRule {
                    severity: Severity::parse(&severity).ok()?,
                    reject_media: false,
                    reject_reports: false,
                },
            ))
        }),
        [],
    );
    Ok(policy.block_for(&d).map(|b| b.severity))
}

/// Marks a (new or refreshed) remote account silenced when a domain block silences
/// its domain; used where remote accounts are stored.
pub fn mark_if_domain_silenced(
    conn: &mut AnyConnection,
    account_id: i64,
    domain: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if domain.is_empty() || !domain_silenced(conn, domain)? || is_silenced(conn, account_id)? {
        return Ok(());
    }
    diesel::insert_into(silenced_accounts::table)
        .values((
            silenced_accounts::account_id.eq(account_id),
            silenced_accounts::origin.eq(ORIGIN_DOMAIN),
            silenced_accounts::silenced_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes the domain-block silences match `silenced_domains` (remote account domains
/// as stored): the accounts of those domains are marked, and marks of origin
/// `domain` on any other account are cleared. Marks of other origins are untouched.
/// Returns (marked, cleared).
pub fn set_domain_silences(
    conn: &mut AnyConnection,
    silenced_domains: &[String],
    now: NaiveDateTime,
) -> Result<(usize, usize), DbError> {
    let wanted: HashSet<&str> = silenced_domains.iter().map(String::as_str).collect();
    let current: Vec<(i64, String)> = silenced_accounts::table
        .inner_join(accounts::table)
        .filter(silenced_accounts::origin.eq(ORIGIN_DOMAIN))
        .select((silenced_accounts::account_id, accounts::domain))
        .load(conn)?;
    let clear: Vec<i64> = current
        .into_iter()
        .filter(|(_, d)| !wanted.contains(d.as_str()))
        .map(|(id, _)| id)
        .collect();
    for chunk in clear.chunks(500) {
        diesel::delete(
            silenced_accounts::table.filter(silenced_accounts::account_id.eq_any(chunk.to_vec())),
        )
        .execute(conn)?;
    }
    let mut marked = 0;
    for chunk in silenced_domains.chunks(500) {
        let ids: Vec<i64> = accounts::table
            .filter(accounts::domain.eq_any(chunk.to_vec()))
            .filter(accounts::domain.ne(""))
            .filter(diesel::dsl::not(accounts::id.eq_any(
                silenced_accounts::table.select(silenced_accounts::account_id),
            )))
            .select(accounts::id)
            .load(conn)?;
        for ids in ids.chunks(500) {
            let rows: Vec<_> = ids
                .iter()
                .map(|id| {
                    (
                        silenced_accounts::account_id.eq(*id),
                        silenced_accounts::origin.eq(ORIGIN_DOMAIN),
                        silenced_accounts::silenced_at.eq(now),
                    )
                })
                .collect();
            // Multi-row insert: the shared DSL has none, so per backend.
            let q = diesel::insert_into(silenced_accounts::table).values(rows);
            marked += match conn {
                AnyConnection::Sqlite(c) => q.execute(c)?,
                AnyConnection::Postgresql(c) => q.execute(c)?,
            };
        }
    }
    Ok((marked, clear.len()))
}
