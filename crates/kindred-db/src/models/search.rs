//! Search: full-text over statuses, accounts by name, hashtags by prefix.
//!
//! The words are cut and normalised in Rust (`kindred_domain::search`); each backend
//! only matches stored words against query words. SQLite asks its FTS5 table
//! `statuses_search`, PostgreSQL its GIN index over `array_to_tsvector`; the query
//! text given to either is built here from checked words only, each one quoted, never
//! from what the user typed. Results are newest first (by id), so both backends answer
//! the same.
//!
//! Visibility is the SQL form of `kindred_domain::visibility::may_see`, as in the
//! timelines: the page is filtered before the limit, so it fills up, and the API
//! checks every status again when presenting it.

use diesel::dsl::{case_when, not, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use kindred_domain::search::TextQuery;
use kindred_domain::Visibility;

use crate::models::accounts::AccountRow;
use crate::models::statuses::StatusRow;
use crate::schema::{accounts, follows, mentions, status_tags, statuses, tags};
use crate::{AnyConnection, DbError};

type Multi = <AnyConnection as diesel::Connection>::Backend;

/// Who is searching, as far as visibility goes.
#[derive(Debug, Clone, Default)]
pub struct SearchViewer {
    /// None for an anonymous request.
    pub id: Option<i64>,
    /// A member of this instance (local-only statuses are for them).
    pub local_member: bool,
    /// Accounts never shown: blocked either way, and muted.
    pub hidden: Vec<i64>,
}

/// Keeps, of a boxed query over `statuses` (alone or joined), the statuses the viewer
/// may see, originals only (not boosts). A macro, so the same filters serve the status
/// search and the hashtag search's join.
macro_rules! only_visible {
    ($query:expr, $viewer:expr) => {{
        let viewer: &SearchViewer = $viewer;
        let inactive = accounts::table
            .filter(
                accounts::suspended
                    .eq(true)
                    .or(accounts::approved.eq(false)),
            )
            .select(accounts::id);
        let q = $query
            .filter(statuses::reblog_of_id.is_null())
            .filter(not(statuses::account_id.eq_any(viewer.hidden.clone())))
            .filter(not(statuses::account_id.eq_any(inactive)))
            // Silenced authors only for their followers.
            .filter(not(
                statuses::account_id.eq_any(crate::models::silenced::limited_for(viewer.id))
            ));
        match viewer.id {
            None => q
                .filter(
                    statuses::visibility
                        .eq_any([Visibility::Public, Visibility::Unlisted].map(Visibility::as_str)),
                )
                .filter(statuses::local_only.eq(false)),
            Some(v) => {
                let following = follows::table
                    .filter(follows::account_id.eq(v))
                    .select(follows::target_account_id);
                let mentioned = mentions::table
                    .filter(mentions::account_id.eq(v))
                    .select(mentions::status_id);
                let q = q.filter(
                    statuses::account_id
                        .eq(v)
                        .or(statuses::visibility.eq_any(
                            [Visibility::Public, Visibility::Unlisted].map(Visibility::as_str),
                        ))
                        .or(statuses::visibility
                            .eq(Visibility::Private.as_str())
                            .and(statuses::account_id.eq_any(following)))
                        .or(statuses::id.eq_any(mentioned)),
                );
                if viewer.local_member {
                    q
                } else {
                    q.filter(
                        statuses::local_only
                            .eq(false)
                            .or(statuses::account_id.eq(v)),
                    )
                }
            }
        }
    }};
}

/// Orders text columns by code point on both backends (PostgreSQL would otherwise use
/// the database's locale, which may sort `_` or accents differently from SQLite).
fn by_code_point(conn: &AnyConnection, column: &'static str) -> String {
    match conn {
        AnyConnection::Sqlite(_) => column.to_owned(),
        AnyConnection::Postgresql(_) => format!("{column} COLLATE \"C\""),
    }
}

/// Words fit for quoting: `TextQuery` only yields word characters; this is the last
/// guard before they enter a query string.
fn safe_words(q: &TextQuery) -> Vec<&str> {
    q.words()
        .iter()
        .map(String::as_str)
        .filter(|w| !w.is_empty() && !w.contains(['"', '\'', '\\', ' ', '\0']))
        .collect()
}

/// FTS5: every word as a quoted string (so `OR`, `NEAR`, `*`, `:` are plain words),
/// all required, the last one also as a prefix.
pub fn fts5_match(q: &TextQuery) -> Option<String> {
    let words = safe_words(q);
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// PostgreSQL: the same as a `tsquery` of quoted lexemes (taken verbatim).
pub fn tsquery(q: &TextQuery) -> Option<String> {
    let words = safe_words(q);
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("'{w}':*")
                } else {
                    format!("'{w}'")
                }
            })
            .collect::<Vec<_>>()
            .join(" & "),
    )
}

/// PostgreSQL: a status's words as a `tsvector`, exactly the expression of the index
/// `statuses_search_idx`, so the index serves the match (a test checks the plan).
pub const PG_WORDS: &str = "array_to_tsvector(string_to_array(statuses.search_text, ' '))";

#[derive(Debug, Clone, Copy, Default)]
pub struct StatusFilters {
    /// Only statuses by this account.
    pub account_id: Option<i64>,
    /// Exclusive id bounds; results are newest first either way.
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Statuses containing every word of the query that the viewer may see.
pub fn statuses(
    conn: &mut AnyConnection,
    viewer: &SearchViewer,
    query: &TextQuery,
    f: StatusFilters,
) -> Result<Vec<StatusRow>, DbError> {
    let matched = match conn {
        AnyConnection::Sqlite(_) => {
            let Some(expr) = fts5_match(query) else {
                return Ok(Vec::new());
            };
            sql::<Bool>(
                "statuses.id IN (SELECT rowid FROM statuses_search WHERE statuses_search MATCH ",
            )
            .bind::<Text, _>(expr)
            .sql(")")
        }
        AnyConnection::Postgresql(_) => {
            let Some(expr) = tsquery(query) else {
                return Ok(Vec::new());
            };
            sql::<Bool>(&format!("{PG_WORDS} @@ CAST("))
                .bind::<Text, _>(expr)
                .sql(" AS tsquery)")
        }
    };
    let mut q = only_visible!(statuses::table.into_boxed::<Multi>(), viewer).filter(matched);
    if let Some(a) = f.account_id {
        q = q.filter(statuses::account_id.eq(a));
    }
    if let Some(m) = f.max_id {
        q = q.filter(statuses::id.lt(m));
    }
    if let Some(m) = f.min_id {
        q = q.filter(statuses::id.gt(m));
    }
    Ok(q.order(statuses::id.desc())
        .offset(f.offset)
        .limit(f.limit)
        .select(StatusRow::as_select())
        .load(conn)?)
}

/// `LIKE` pattern for text that must match literally at the start.
pub(crate) fn like_prefix(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

type AccountPredicate = Box<dyn BoxableExpression<accounts::table, Multi, SqlType = Bool>>;

/// An account search, already interpreted (see the API's search service).
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Lower-cased username that matches exactly: any active local account, found
    /// first.
    pub exact_username: Option<String>,
    /// Lower-cased beginning of a username.
    pub username_prefix: Option<String>,
    /// Normalised words (`search::name_document`) that begin a display name or a word
    /// in it.
    pub name_words: Option<String>,
    pub following_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Active local accounts. Partial matches (username or display-name prefix) find only
/// accounts that chose to be `discoverable`, or that the viewer already follows (or
/// is); an exact username finds anyone, as the account look-up does. Order: the exact
/// match, then accounts the viewer follows, then by username.
pub fn accounts(
    conn: &mut AnyConnection,
    viewer: Option<i64>,
    exclude: &[i64],
    q: &AccountQuery,
) -> Result<Vec<AccountRow>, DbError> {
    let me = viewer.unwrap_or(0);
    let following = || {
        follows::table
            .filter(follows::account_id.eq(me))
            .select(follows::target_account_id)
    };
    let mut partial: Option<AccountPredicate> = None;
    let mut add = |p: AccountPredicate| {
        partial = Some(match partial.take() {
            None => p,
            Some(prev) => Box::new(prev.or(p)),
        });
    };
    if let Some(u) = q.username_prefix.as_deref().filter(|u| !u.is_empty()) {
        add(Box::new(
            accounts::username_lower.like(like_prefix(u)).escape('\\'),
        ));
    }
    if let Some(n) = q.name_words.as_deref().filter(|n| !n.is_empty()) {
        // The name's words begin with these, at the start or after a space. Words
        // hold no LIKE wildcards; escaping keeps that true whatever changes.
        for pattern in [like_prefix(n), format!("% {}", like_prefix(n))] {
            add(Box::new(
                sql::<Bool>("accounts.search_name LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\'"),
            ));
        }
    }
    let exact = q.exact_username.clone().filter(|e| !e.is_empty());
    let mut matched: Option<AccountPredicate> = partial.map(|p| -> AccountPredicate {
        Box::new(
            accounts::discoverable
                .eq(true)
                .or(accounts::id.eq(me))
                .or(accounts::id.eq_any(following()))
                .and(p),
        )
    });
    if let Some(e) = exact.clone() {
        let p: AccountPredicate = Box::new(accounts::username_lower.eq(e));
        matched = Some(match matched {
            None => p,
            Some(m) => Box::new(p.or(m)),
        });
    }
    let Some(matched) = matched else {
        return Ok(Vec::new());
    };
    let order = by_code_point(conn, "accounts.username_lower");
    let mut query = accounts::table
        .into_boxed()
        .filter(accounts::domain.eq(""))
        .filter(accounts::approved.eq(true))
        .filter(accounts::suspended.eq(false))
        .filter(not(accounts::id.eq_any(exclude.to_vec())))
        .filter(matched);
    if q.following_only {
        query = query.filter(accounts::id.eq_any(following()));
    }
    Ok(query
        .order((
            case_when(
                accounts::username_lower.eq(exact.unwrap_or_default()),
                0.into_sql::<Integer>(),
            )
            .otherwise(1.into_sql::<Integer>()),
            case_when(accounts::id.eq_any(following()), 0.into_sql::<Integer>())
                .otherwise(1.into_sql::<Integer>()),
            sql::<Text>(&order),
        ))
        .offset(q.offset)
        .limit(q.limit)
        .select(AccountRow::as_select())
        .load(conn)?)
}

/// Hashtags beginning with `prefix` (lower-cased, without `#`) that are on at least
/// one status the viewer may see: a tag used only in private or direct statuses is
/// itself confidential. By name, so an exact match comes first.
pub fn tags(
    conn: &mut AnyConnection,
    viewer: &SearchViewer,
    prefix: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, DbError> {
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let order = by_code_point(conn, "tags.name");
    let q = status_tags::table
        .inner_join(statuses::table)
        .inner_join(tags::table)
        .group_by(tags::name)
        .select(tags::name)
        .into_boxed::<Multi>();
    Ok(only_visible!(q, viewer)
        .filter(tags::name.like(like_prefix(prefix)).escape('\\'))
        .order(sql::<Text>(&order))
        .offset(offset)
        .limit(limit)
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_quote_every_word() {
        let q = TextQuery::parse("cats OR dogs NEAR* \"x\" a:b").unwrap();
        assert_eq!(
            fts5_match(&q).unwrap(),
            "\"cats\" AND \"or\" AND \"dogs\" AND \"near\" AND \"x\" AND \"a\" AND \"b\"*"
        );
        assert_eq!(
            tsquery(&q).unwrap(),
            "'cats' & 'or' & 'dogs' & 'near' & 'x' & 'a' & 'b':*"
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
    }
}
