//! Statuses: storage, look-ups, timelines and the data a Status entity needs.
//! Visibility rules live in `kindred_domain::visibility`; the timeline queries here
//! are their SQL form and the tests hold both to the same answers.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use kindred_domain::{AccountId, StatusId, Visibility};

use crate::connection::native;
use crate::models::search_index;
use crate::schema::{
    accounts, bookmarks, favourites, follows, idempotency_keys, mentions, status_edits,
    status_pins, status_tags, statuses, tags,
};
use crate::{AnyConnection, DbError};

type Multi = <AnyConnection as diesel::Connection>::Backend;
type Boxed<'a> = statuses::BoxedQuery<'a, Multi>;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = statuses)]
pub struct StatusRow {
    pub id: i64,
    pub uri: String,
    pub account_id: i64,
    pub local: bool,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    #[diesel(deserialize_as = String)]
    pub visibility: Visibility,
    pub local_only: bool,
    pub language: Option<String>,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
}

/// The ids, typed (`kindred_domain::ids`): what the rules of kindred-core take.
impl StatusRow {
    pub fn status_id(&self) -> StatusId {
        StatusId::new(self.id)
    }

    pub fn author_id(&self) -> AccountId {
        AccountId::new(self.account_id)
    }

    /// The boosted status, for a boost.
    pub fn reblog_of(&self) -> Option<StatusId> {
        self.reblog_of_id.map(StatusId::new)
    }
}

/// What a new status is written with (by `insert_row`, with its search words).
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub id: i64,
    pub uri: String,
    pub account_id: i64,
    pub local: bool,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub local_only: bool,
    pub language: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A status with what is stored beside it, written in one transaction.
pub struct StatusInsert {
    pub status: NewStatus,
    pub mentioned_account_ids: Vec<i64>,
    /// Lower-cased tag names, each with an id to use if the tag is new.
    pub tags: Vec<(String, i64)>,
    /// Keyed hash of the client's Idempotency-Key.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = status_edits)]
pub struct StatusEditRow {
    pub id: i64,
    pub status_id: i64,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: NaiveDateTime,
}

/// A window over a timeline in Mastodon's terms. Ids are exclusive bounds; with
/// `min_id` the page is the oldest `limit` items after it (returned newest first).
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

impl Page {
    fn apply<'a>(&self, q: Boxed<'a>) -> Boxed<'a> {
        crate::models::paging::page_by_id!(q, statuses::id, self).limit(self.limit)
    }

    /// Applies the window to a statuses query and loads it, newest first.
    pub(crate) fn load(
        &self,
        conn: &mut AnyConnection,
        q: Boxed<'_>,
    ) -> Result<Vec<StatusRow>, DbError> {
        let rows = self.apply(q).select(StatusRow::as_select()).load(conn)?;
        Ok(self.finish(rows))
    }

    /// Rows come back oldest first for `min_id`; the API always answers newest first.
    fn finish(&self, rows: Vec<StatusRow>) -> Vec<StatusRow> {
        crate::models::paging::newest_first(rows, self.min_id)
    }
}

pub fn insert(conn: &mut AnyConnection, s: &StatusInsert) -> Result<StatusRow, DbError> {
    crate::transaction::atomically(conn, |conn| insert_in_transaction(conn, s))
}

/// [`insert`] for a caller that holds a transaction already and is all-or-nothing
/// itself (a group-commit job): no savepoint of its own.
pub fn insert_in_transaction(
    conn: &mut AnyConnection,
    s: &StatusInsert,
) -> Result<StatusRow, DbError> {
    let row = insert_row(conn, &s.status)?;
    for account_id in &s.mentioned_account_ids {
        native!(conn, c => diesel::insert_into(mentions::table)
            .values((
                mentions::status_id.eq(s.status.id),
                mentions::account_id.eq(account_id),
            ))
            .execute(c))?;
    }
    attach_tags(conn, s.status.id, &s.tags, s.status.created_at)?;
    if let Some(key) = &s.idempotency_key {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::account_id.eq(s.status.account_id),
                idempotency_keys::key_hash.eq(key),
                idempotency_keys::status_id.eq(s.status.id),
                idempotency_keys::created_at.eq(s.status.created_at),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

/// The status row with its search words (`status_inserts`), returned as stored.
/// PostgreSQL returns it (`RETURNING`: it keeps microseconds of `created_at`);
/// SQLite stores every value exactly as given, so the row is the one given. A
/// `RETURNING` clause on SQLite would run the insert in a statement journal, as a
/// trigger does, and make FTS5 flush (see [`index_on_sqlite`]).
fn insert_row(conn: &mut AnyConnection, n: &NewStatus) -> Result<StatusRow, DbError> {
    use crate::schema::status_inserts::dsl as c;
    let words = kindred_domain::search::status_document(&n.text, &n.spoiler_text);
    // One list of values for both statements below.
    macro_rules! values {
        () => {
            (
                c::id.eq(n.id),
                c::uri.eq(&n.uri),
                c::account_id.eq(n.account_id),
                c::local.eq(n.local),
                c::in_reply_to_id.eq(n.in_reply_to_id),
                c::in_reply_to_account_id.eq(n.in_reply_to_account_id),
                c::reblog_of_id.eq(n.reblog_of_id),
                c::text.eq(&n.text),
                c::content.eq(&n.content),
                c::spoiler_text.eq(&n.spoiler_text),
                c::sensitive.eq(n.sensitive),
                c::visibility.eq(n.visibility.as_str()),
                c::local_only.eq(n.local_only),
                c::language.eq(&n.language),
                c::created_at.eq(n.created_at),
                c::search_text.eq(Some(&words)),
            )
        };
    }
    let row = match conn {
        AnyConnection::Sqlite(conn) => {
            diesel::insert_into(c::status_inserts)
                .values(values!())
                .execute(conn)?;
            index_on_sqlite(conn, n, &words)?;
            StatusRow {
                id: n.id,
                uri: n.uri.clone(),
                account_id: n.account_id,
                local: n.local,
                in_reply_to_id: n.in_reply_to_id,
                in_reply_to_account_id: n.in_reply_to_account_id,
                reblog_of_id: n.reblog_of_id,
                text: n.text.clone(),
                content: n.content.clone(),
                spoiler_text: n.spoiler_text.clone(),
                sensitive: n.sensitive,
                visibility: n.visibility,
                local_only: n.local_only,
                language: n.language.clone(),
                created_at: n.created_at,
                edited_at: None,
            }
        }
        AnyConnection::Postgresql(conn) => diesel::insert_into(c::status_inserts)
            .values(values!())
            .returning((
                c::id,
                c::uri,
                c::account_id,
                c::local,
                c::in_reply_to_id,
                c::in_reply_to_account_id,
                c::reblog_of_id,
                c::text,
                c::content,
                c::spoiler_text,
                c::sensitive,
                c::visibility,
                c::local_only,
                c::language,
                c::created_at,
                // A bound NULL, not `sql("NULL")`: diesel never caches a statement
                // that holds a SQL literal, and this one runs for every status.
                None::<NaiveDateTime>
                    .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>(),
            ))
            .get_result::<StatusRow>(conn)?,
    };
    // The author's totals, as the insert triggers did until migrations
    // 2026-11-26-000022 (SQLite) and 2026-12-07-000120 (PostgreSQL): at the end of
    // a group-commit batch, in account order (`account_stats` says why).
    if n.visibility != Visibility::Direct {
        crate::models::account_stats::count_new_status(conn, n.account_id, n.created_at)?;
    }
    Ok(row)
}

/// What SQLite's AFTER INSERT search trigger on `statuses` did until migration
/// `2026-11-26-000022` (which says why it went): the status's search row. The
/// statement fires no trigger, so it opens no statement journal, and FTS5 keeps
/// its pending terms until the commit. PostgreSQL has no search row to write.
/// The statements are one unit through the caller's transaction: every caller of
/// `insert_row` rolls back on its error (`insert` is atomic; a failed group-commit
/// job's batch is rolled back).
fn index_on_sqlite(
    c: &mut diesel::SqliteConnection,
    n: &NewStatus,
    words: &str,
) -> Result<(), DbError> {
    use crate::schema::statuses_search::dsl as fts;
    diesel::insert_into(fts::statuses_search)
        .values((fts::rowid.eq(n.id), fts::search_text.eq(words)))
        .execute(c)?;
    Ok(())
}

fn attach_tags(
    conn: &mut AnyConnection,
    status_id: i64,
    names: &[(String, i64)],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    for (name, new_id) in names {
        let existing: Option<i64> = tags::table
            .filter(tags::name.eq(name))
            .select(tags::id)
            .first(conn)
            .optional()?;
        let tag_id = match existing {
            Some(id) => id,
            None => {
                diesel::insert_into(tags::table)
                    .values((
                        tags::id.eq(new_id),
                        tags::name.eq(name),
                        tags::created_at.eq(now),
                    ))
                    .execute(conn)?;
                *new_id
            }
        };
        diesel::insert_into(status_tags::table)
            .values((
                status_tags::status_id.eq(status_id),
                status_tags::tag_id.eq(tag_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The status created earlier with the same Idempotency-Key, if still remembered.
pub fn find_by_idempotency_key(
    conn: &mut AnyConnection,
    account_id: i64,
    key_hash: &str,
    not_before: NaiveDateTime,
) -> Result<Option<StatusRow>, DbError> {
    Ok(idempotency_keys::table
        .inner_join(statuses::table)
        .filter(idempotency_keys::account_id.eq(account_id))
        .filter(idempotency_keys::key_hash.eq(key_hash))
        .filter(idempotency_keys::created_at.ge(not_before))
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?)
}

/// Statuses written here (boosts excluded): a total for the instance entity and NodeInfo.
pub fn count_local(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(statuses::table
        .filter(statuses::local.eq(true))
        .filter(statuses::reblog_of_id.is_null())
        .count()
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<StatusRow>, DbError> {
    Ok(statuses::table
        .find(id)
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<StatusRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(statuses::table
        .filter(statuses::id.eq_any(ids))
        .select(StatusRow::as_select())
        .load(conn)?)
}

/// Deletes a status; its boosts, favourites, mentions and edits go by foreign-key
/// cascade (on in SQLite through the connection pragmas).
pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(statuses::table.find(id)).execute(conn)? == 1)
}

/// Records the previous version and applies an edit, in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn edit(
    conn: &mut AnyConnection,
    previous: &StatusRow,
    edit_id: Option<i64>,
    text: &str,
    content: &str,
    spoiler_text: &str,
    sensitive: bool,
    language: Option<&str>,
    mentioned_account_ids: &[i64],
    tags_: &[(String, i64)],
    now: NaiveDateTime,
) -> Result<StatusRow, DbError> {
    crate::transaction::atomically(conn, |conn| {
        // The first edit also records the original, so history shows every version.
        if let Some(edit_id) = edit_id {
            diesel::insert_into(status_edits::table)
                .values((
                    status_edits::id.eq(edit_id),
                    status_edits::status_id.eq(previous.id),
                    status_edits::text.eq(&previous.text),
                    status_edits::content.eq(&previous.content),
                    status_edits::spoiler_text.eq(&previous.spoiler_text),
                    status_edits::sensitive.eq(previous.sensitive),
                    status_edits::created_at.eq(previous.edited_at.unwrap_or(previous.created_at)),
                ))
                .execute(conn)?;
        }
        diesel::update(statuses::table.find(previous.id))
            .set((
                statuses::text.eq(text),
                statuses::content.eq(content),
                statuses::spoiler_text.eq(spoiler_text),
                statuses::sensitive.eq(sensitive),
                statuses::language.eq(language),
                statuses::edited_at.eq(Some(now)),
            ))
            .execute(conn)?;
        search_index::index_status(conn, previous.id, text, spoiler_text)?;
        diesel::delete(mentions::table.filter(mentions::status_id.eq(previous.id)))
            .execute(conn)?;
        for account_id in mentioned_account_ids {
            diesel::insert_into(mentions::table)
                .values((
                    mentions::status_id.eq(previous.id),
                    mentions::account_id.eq(account_id),
                ))
                .execute(conn)?;
        }
        diesel::delete(status_tags::table.filter(status_tags::status_id.eq(previous.id)))
            .execute(conn)?;
        attach_tags(conn, previous.id, tags_, now)?;
        Ok(statuses::table
            .find(previous.id)
            .select(StatusRow::as_select())
            .first(conn)?)
    })
}

pub fn edits(conn: &mut AnyConnection, status_id: i64) -> Result<Vec<StatusEditRow>, DbError> {
    Ok(status_edits::table
        .filter(status_edits::status_id.eq(status_id))
        .order(status_edits::id.asc())
        .select(StatusEditRow::as_select())
        .load(conn)?)
}

/// The home timeline: the viewer's own statuses and those of accounts they follow,
/// public, unlisted or followers-only; replies only within the viewer's circle;
/// boosts unless turned off for that follow; never blocked or muted accounts.
///
/// PostgreSQL answers it as one statement. SQLite, which plans without statistics,
/// would answer that statement by reading every status of every followed account in
/// the window and sorting them, so there it is read in two steps
/// ([`home_in_two_steps`]). Both give the same rows in the same order (a
/// test in `tests/integration/home_query.rs` holds them to the plain statement).
pub fn home(
    conn: &mut AnyConnection,
    viewer: i64,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let followed: Vec<(i64, bool)> = follows::table
        .filter(follows::account_id.eq(viewer))
        .select((follows::target_account_id, follows::show_reblogs))
        .load(conn)?;
    let mut authors: Vec<i64> = followed.iter().map(|(id, _)| *id).collect();
    authors.push(viewer);
    authors.sort_unstable();
    // A repeated author would be a repeated arm: the same ids twice among candidates.
    authors.dedup();
    let mut no_boosts: Vec<i64> = followed
        .iter()
        .filter(|(_, show)| !show)
        .map(|(id, _)| *id)
        .collect();
    no_boosts.sort_unstable();
    let rules = HomeRules {
        // Replies show when they answer someone in this circle (muted and blocked
        // accounts included: they are left out as authors, not as addressees).
        circle: authors.clone(),
        // Blocked or muted authors are never asked for.
        authors: authors
            .into_iter()
            .filter(|a| !hidden.contains(a))
            .collect(),
        no_boosts,
    };
    match conn {
        AnyConnection::Postgresql(_) => home_in_one_statement(conn, &rules, page),
        AnyConnection::Sqlite(_) => home_in_two_steps(conn, &rules, page),
    }
}

/// Who and what a home timeline shows; every list sorted.
struct HomeRules {
    /// The viewer and the accounts they follow, minus hidden ones.
    authors: Vec<i64>,
    /// The viewer and the accounts they follow: replies to them show.
    circle: Vec<i64>,
    /// Followed accounts whose boosts the viewer turned off.
    no_boosts: Vec<i64>,
}

/// The visibilities a home timeline shows (direct messages have their own place).
const HOME_VISIBILITIES: [Visibility; 3] = [
    Visibility::Public,
    Visibility::Unlisted,
    Visibility::Private,
];

impl HomeRules {
    /// The rules of [`home`] for one status by one of `authors`, as the one-statement
    /// query writes them in SQL.
    fn admits(&self, s: &StatusRow) -> bool {
        HOME_VISIBILITIES.contains(&s.visibility)
            && s.in_reply_to_account_id
                .is_none_or(|a| self.circle.binary_search(&a).is_ok())
            && (s.reblog_of_id.is_none() || self.no_boosts.binary_search(&s.account_id).is_err())
    }
}

/// PostgreSQL: the rules in SQL, one statement, planned with the statistics autovacuum
/// keeps (in the timelines benchmark it is not among a page's heavy statements). A
/// compound of one arm per author, as for SQLite, is not merged by PostgreSQL (it reads
/// every arm and sorts) and costs more to plan than this costs to run.
fn home_in_one_statement(
    conn: &mut AnyConnection,
    rules: &HomeRules,
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let q = statuses::table
        .into_boxed()
        .filter(statuses::account_id.eq_any(rules.authors.clone()))
        .filter(statuses::visibility.eq_any(HOME_VISIBILITIES.map(Visibility::as_str)))
        .filter(
            statuses::in_reply_to_account_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq_any(rules.circle.clone())),
        )
        .filter(statuses::reblog_of_id.is_null().or(diesel::dsl::not(
            statuses::account_id.eq_any(rules.no_boosts.clone()),
        )));
    page.load(conn, q)
}

/// SQLite: first the ids of the next candidates in the window by any author
/// ([`newest_by_authors`]: one index range per author, merged by SQLite), then the
/// rules applied in Rust to those rows only. A page costs about the same however long
/// the authors' histories are. Candidates that fail the rules are few, so one round
/// usually fills the page; otherwise the next round starts past the last candidate.
fn home_in_two_steps(
    conn: &mut AnyConnection,
    rules: &HomeRules,
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let want = page.limit.max(0) as usize;
    let ascending = page.min_id.is_some();
    let mut window = Window {
        lower: page
            .since_id
            .into_iter()
            .chain(page.min_id)
            .max()
            .unwrap_or(i64::MIN),
        upper: page.max_id.unwrap_or(i64::MAX),
        ascending,
    };
    // Twice the page, as a few candidates fail the rules; powers of two up to 1024, so
    // the merge statement takes few shapes (its limit is written into the SQL).
    let mut batch = want.saturating_mul(2).clamp(8, 1024).next_power_of_two();
    let mut rows: Vec<StatusRow> = Vec::new();
    while rows.len() < want {
        let candidates = newest_by_authors(conn, &rules.authors, window, batch)?;
        let Some(&edge) = candidates.last() else {
            break;
        };
        let exhausted = candidates.len() < batch;
        rows.extend(
            find_many(conn, &candidates)?
                .into_iter()
                .filter(|s| rules.admits(s)),
        );
        if exhausted {
            break;
        }
        // Next round: past the last candidate, asking for more at a time.
        if ascending {
            window.lower = edge;
        } else {
            window.upper = edge;
        }
        batch = (batch * 2).min(1024);
    }
    // Each round's rows come in any order; rounds follow one another in the window.
    if ascending {
        rows.sort_unstable_by_key(|s| s.id);
    } else {
        rows.sort_unstable_by_key(|s| std::cmp::Reverse(s.id));
    }
    rows.truncate(want);
    Ok(page.finish(rows))
}

/// Exclusive id bounds and the direction to read in.
#[derive(Debug, Clone, Copy)]
struct Window {
    lower: i64,
    upper: i64,
    ascending: bool,
}

/// SQLite allows 500 terms in a compound SELECT; more authors take several queries.
const ARMS_PER_QUERY: usize = 256;
/// Arms are padded to a multiple of this, so the SQL takes few distinct shapes and
/// stays in the prepared-statement cache.
const ARM_STEP: usize = 32;

/// The ids of the `limit` statuses nearest the window's open end (newest first, or
/// oldest first when ascending) written by any of `authors`.
fn newest_by_authors(
    conn: &mut AnyConnection,
    authors: &[i64],
    window: Window,
    limit: usize,
) -> Result<Vec<i64>, DbError> {
    let mut ids: Vec<i64> = Vec::new();
    for chunk in authors.chunks(ARMS_PER_QUERY) {
        let mut arms = chunk.to_vec();
        // No account has id -1: padding arms find nothing.
        arms.resize(arms.len().div_ceil(ARM_STEP) * ARM_STEP, -1);
        let query = AuthorsMerge {
            authors: &arms,
            window,
            limit: limit as i64,
        };
        ids.extend(query.load::<i64>(conn)?);
    }
    if window.ascending {
        ids.sort_unstable();
    } else {
        ids.sort_unstable_by(|a, b| b.cmp(a));
    }
    ids.truncate(limit);
    Ok(ids)
}

/// `SELECT id FROM statuses WHERE account_id = ? AND id > ? AND id < ? UNION ALL ...
/// ORDER BY id DESC LIMIT n`: each arm is a range of the (account_id, id) index that
/// comes out in order, so SQLite merges the arms (its merge of a compound SELECT) and
/// stops after `n` rows. Every value is a bound parameter but `n`, which we choose.
/// Written by hand: the DSL has no compound of a run-time number of arms. (PostgreSQL
/// does not merge this shape: it reads every arm and sorts; see [`home`].)
struct AuthorsMerge<'a> {
    authors: &'a [i64],
    window: Window,
    limit: i64,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for AuthorsMerge<'_>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        use diesel::sql_types::BigInt;
        for (k, author) in self.authors.iter().enumerate() {
            if k > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT id FROM statuses WHERE account_id = ");
            out.push_bind_param::<BigInt, _>(author)?;
            out.push_sql(" AND id > ");
            out.push_bind_param::<BigInt, _>(&self.window.lower)?;
            out.push_sql(" AND id < ");
            out.push_bind_param::<BigInt, _>(&self.window.upper)?;
        }
        out.push_sql(if self.window.ascending {
            " ORDER BY id ASC LIMIT "
        } else {
            " ORDER BY id DESC LIMIT "
        });
        // A literal: SQLite runs this merge several times slower with `LIMIT ?`. It is
        // a number we chose (a power of two), so the SQL takes few shapes.
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl diesel::query_builder::QueryId for AuthorsMerge<'_> {
    type QueryId = ();
    // Cached by SQL text, which depends only on the number of arms and the direction.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for AuthorsMerge<'_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl RunQueryDsl<AnyConnection> for AuthorsMerge<'_> {}

/// Filters for the public and tag timelines.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicScope {
    /// Only statuses written here.
    pub local: bool,
    /// Only statuses from other instances.
    pub remote: bool,
    /// Whether local-only statuses may be included (the viewer is a local member).
    pub include_local_only: bool,
    pub tag_id: Option<i64>,
    /// Who is looking (None: anonymous): silenced authors appear only to their
    /// followers.
    pub viewer: Option<i64>,
}

pub fn public(
    conn: &mut AnyConnection,
    scope: PublicScope,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    // Suspended and not yet approved authors, as a subquery: no round trip, no list.
    let inactive = accounts::table
        .filter(
            accounts::suspended
                .eq(true)
                .or(accounts::approved.eq(false)),
        )
        .select(accounts::id);
    let mut q = statuses::table
        .into_boxed()
        .filter(statuses::visibility.eq(Visibility::Public.as_str()))
        .filter(statuses::reblog_of_id.is_null())
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(hidden.to_vec()),
        ))
        .filter(diesel::dsl::not(statuses::account_id.eq_any(inactive)))
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(crate::models::silenced::limited_for(scope.viewer)),
        ));
    if scope.local {
        q = q.filter(statuses::local.eq(true));
    }
    if scope.remote {
        q = q.filter(statuses::local.eq(false));
    }
    if !scope.include_local_only {
        q = q.filter(statuses::local_only.eq(false));
    }
    if let Some(tag) = scope.tag_id {
        q = q.filter(
            statuses::id.eq_any(
                status_tags::table
                    .filter(status_tags::tag_id.eq(tag))
                    .select(status_tags::status_id),
            ),
        );
    }
    let rows = page.apply(q).select(StatusRow::as_select()).load(conn)?;
    Ok(page.finish(rows))
}

/// What an account's profile shows to a viewer.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountScope {
    /// Visibilities the viewer may see by relation: own profile, follower, stranger.
    pub include_private: bool,
    pub include_direct: bool,
    /// Statuses mentioning this viewer are visible whatever their visibility.
    pub viewer: Option<i64>,
    pub include_local_only: bool,
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    pub pinned_only: bool,
    pub tag_id: Option<i64>,
}

pub fn by_account(
    conn: &mut AnyConnection,
    account_id: i64,
    scope: AccountScope,
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let mut visible = vec![Visibility::Public.as_str(), Visibility::Unlisted.as_str()];
    if scope.include_private {
        visible.push(Visibility::Private.as_str());
    }
    if scope.include_direct {
        visible.push(Visibility::Direct.as_str());
    }
    let mut q = statuses::table
        .into_boxed()
        .filter(statuses::account_id.eq(account_id));
    q = match scope.viewer {
        Some(viewer) => q.filter(
            statuses::visibility.eq_any(visible).or(statuses::id.eq_any(
                mentions::table
                    .filter(mentions::account_id.eq(viewer))
                    .select(mentions::status_id),
            )),
        ),
        None => q.filter(statuses::visibility.eq_any(visible)),
    };
    if !scope.include_local_only {
        q = q.filter(statuses::local_only.eq(false));
    }
    if scope.exclude_replies {
        q = q.filter(
            statuses::in_reply_to_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq(account_id)),
        );
    }
    if scope.exclude_reblogs {
        q = q.filter(statuses::reblog_of_id.is_null());
    }
    if scope.pinned_only {
        q = q.filter(
            statuses::id.eq_any(
                status_pins::table
                    .filter(status_pins::account_id.eq(account_id))
                    .select(status_pins::status_id),
            ),
        );
    }
    if let Some(tag) = scope.tag_id {
        q = q.filter(
            statuses::id.eq_any(
                status_tags::table
                    .filter(status_tags::tag_id.eq(tag))
                    .select(status_tags::status_id),
            ),
        );
    }
    let rows = page.apply(q).select(StatusRow::as_select()).load(conn)?;
    Ok(page.finish(rows))
}

/// Replies to a status (one level); the caller walks the tree.
pub fn replies_to(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<StatusRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(statuses::table
        .filter(statuses::in_reply_to_id.eq_any(ids))
        .order(statuses::id.asc())
        .limit(4096)
        .select(StatusRow::as_select())
        .load(conn)?)
}

pub fn find_tag(conn: &mut AnyConnection, name: &str) -> Result<Option<i64>, DbError> {
    Ok(tags::table
        .filter(tags::name.eq(name.to_lowercase()))
        .select(tags::id)
        .first(conn)
        .optional()?)
}

/// Everything a page of Status entities needs besides the rows themselves.
#[derive(Debug, Default)]
pub struct StatusExtras {
    pub mentions: HashMap<i64, Vec<i64>>,
    pub tags: HashMap<i64, Vec<String>>,
    pub favourites_count: HashMap<i64, i64>,
    pub reblogs_count: HashMap<i64, i64>,
    pub replies_count: HashMap<i64, i64>,
    pub favourited: Vec<i64>,
    pub reblogged: Vec<i64>,
    pub bookmarked: Vec<i64>,
    pub pinned: Vec<i64>,
}

/// Mentioned account ids per status: all that visibility needs besides the row.
pub fn mentions_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, DbError> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for (s, a) in mentions::table
        .filter(mentions::status_id.eq_any(ids.to_vec()))
        .select((mentions::status_id, mentions::account_id))
        .load::<(i64, i64)>(conn)?
    {
        out.entry(s).or_default().push(a);
    }
    Ok(out)
}

pub fn extras(
    conn: &mut AnyConnection,
    ids: &[i64],
    viewer: Option<i64>,
) -> Result<StatusExtras, DbError> {
    let mut x = StatusExtras::default();
    if ids.is_empty() {
        return Ok(x);
    }
    x.mentions = mentions_of(conn, ids)?;
    let ids = ids.to_vec();
    for (s, name) in status_tags::table
        .inner_join(tags::table)
        .filter(status_tags::status_id.eq_any(&ids))
        .select((status_tags::status_id, tags::name))
        .load::<(i64, String)>(conn)?
    {
        x.tags.entry(s).or_default().push(name);
    }
    x.favourites_count = favourites::table
        .filter(favourites::status_id.eq_any(&ids))
        .group_by(favourites::status_id)
        .select((favourites::status_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    x.reblogs_count = statuses::table
        .filter(statuses::reblog_of_id.eq_any(&ids))
        .group_by(statuses::reblog_of_id)
        .select((statuses::reblog_of_id, count_star()))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect();
    x.replies_count = statuses::table
        .filter(statuses::in_reply_to_id.eq_any(&ids))
        .group_by(statuses::in_reply_to_id)
        .select((statuses::in_reply_to_id, count_star()))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect();
    if let Some(v) = viewer {
        x.favourited = favourites::table
            .filter(favourites::account_id.eq(v))
            .filter(favourites::status_id.eq_any(&ids))
            .select(favourites::status_id)
            .load(conn)?;
        x.reblogged = statuses::table
            .filter(statuses::account_id.eq(v))
            .filter(statuses::reblog_of_id.eq_any(&ids))
            .select(statuses::reblog_of_id)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten()
            .collect();
        x.bookmarked = bookmarks::table
            .filter(bookmarks::account_id.eq(v))
            .filter(bookmarks::status_id.eq_any(&ids))
            .select(bookmarks::status_id)
            .load(conn)?;
        x.pinned = status_pins::table
            .filter(status_pins::account_id.eq(v))
            .filter(status_pins::status_id.eq_any(&ids))
            .select(status_pins::status_id)
            .load(conn)?;
    }
    Ok(x)
}

/// The names of the tags `status_id` carries.
pub fn tag_names(conn: &mut AnyConnection, status_id: i64) -> Result<Vec<String>, DbError> {
    Ok(status_tags::table
        .inner_join(tags::table)
        .filter(status_tags::status_id.eq(status_id))
        .select(tags::name)
        .load(conn)?)
}

/// The boost of `status_id` by `account_id`, if any.
pub fn find_reblog(
    conn: &mut AnyConnection,
    account_id: i64,
    status_id: i64,
) -> Result<Option<StatusRow>, DbError> {
    Ok(statuses::table
        .filter(statuses::account_id.eq(account_id))
        .filter(statuses::reblog_of_id.eq(status_id))
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDb;
    use diesel::connection::SimpleConnection;

    fn new_status(id: i64, text: &str, visibility: &str) -> StatusInsert {
        StatusInsert {
            status: NewStatus {
                id,
                uri: format!("https://remote.example/notes/{id}"),
                account_id: 5,
                local: false,
                in_reply_to_id: None,
                in_reply_to_account_id: None,
                reblog_of_id: None,
                text: text.into(),
                content: format!("<p>{text}</p>"),
                spoiler_text: String::new(),
                sensitive: false,
                visibility: visibility.parse().unwrap(),
                local_only: false,
                language: None,
                created_at: chrono::Utc::now().naive_utc(),
            },
            mentioned_account_ids: Vec::new(),
            tags: Vec::new(),
            idempotency_key: None,
        }
    }

    /// The search index and the author's stats are written beside the status, and
    /// the search index is written once per transaction, not once per status:
    /// FTS5 flushes its pending terms into a new segment at every statement
    /// savepoint, which a status insert that fires triggers (or has a `RETURNING`
    /// clause) opens. With merging off every flush stays a segment of its own, at
    /// least one `_data` row each.
    #[test]
    fn statuses_stored_together_are_indexed_in_one_flush() {
        let scratch = ScratchDb::sqlite("status-fts-flush");
        let ((data_rows, found, count), _) = scratch.run_logged(|c| {
            c.batch_execute(
                "INSERT INTO statuses_search (statuses_search, rank) VALUES ('automerge', 0); \
                 INSERT INTO statuses_search (statuses_search, rank) VALUES ('crisismerge', 100);",
            )?;
            let first = insert(c, &new_status(1, "word1 shared", "public"))?;
            let stored = find(c, 1)?.expect("stored");
            assert_eq!(format!("{first:?}"), format!("{stored:?}"), "returned as stored");
            c.transaction(|c| {
                for id in 2..=40 {
                    insert_in_transaction(c, &new_status(id, &format!("word{id} shared"), "public"))?;
                }
                insert_in_transaction(c, &new_status(41, "a direct shared word", "direct"))
            })?;
            #[derive(QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let n = |c: &mut AnyConnection, q: &str| -> Result<i64, DbError> {
                Ok(diesel::sql_query(q).get_result::<N>(c)?.n)
            };
            Ok((
                n(c, "SELECT count(*) AS n FROM statuses_search_data")?,
                n(c, "SELECT count(*) AS n FROM statuses_search WHERE statuses_search MATCH 'shared'")?,
                n(c, "SELECT statuses_count AS n FROM account_stats WHERE account_id = 5")?,
            ))
        });
        assert_eq!(found, 41, "every status is found");
        assert_eq!(count, 40, "direct statuses are not counted");
        assert!(data_rows < 10, "{data_rows} index rows: flushed per status");
    }

    /// Visibility is read back as the domain's enum: a word no version of Kindred
    /// stores is an error of the read, not a panic and not some default audience.
    #[test]
    fn an_unknown_stored_visibility_is_an_error() {
        let scratch = ScratchDb::sqlite("status-unknown-visibility");
        let ((kept, unknown), _) = scratch.run_logged(|c| {
            insert(c, &new_status(1, "kept", "direct"))?;
            insert(c, &new_status(2, "odd", "public"))?;
            c.batch_execute("UPDATE statuses SET visibility = 'friends' WHERE id = 2")?;
            Ok((find(c, 1)?, find(c, 2).map(|_| ())))
        });
        assert_eq!(kept.expect("stored").visibility, Visibility::Direct);
        let err = unknown.expect_err("unknown visibility read as a row");
        assert!(format!("{err}").contains("visibility"), "{err}");
    }

    /// Storing a status is the inbox's hottest write. A statement diesel will not
    /// cache (one holding a SQL literal, say) is parsed and planned again on every
    /// call: it happened once, through a `sql("NULL")` in the insert's RETURNING,
    /// and cost the group-commit writer about half again per received note.
    #[test]
    fn storing_a_status_runs_only_cached_statements() {
        let ((), log) = ScratchDb::sqlite("status-insert").run_logged(|c| {
            // The second status finds the tag the first one created.
            for id in [1, 2] {
                insert(
                    c,
                    &StatusInsert {
                        mentioned_account_ids: vec![7, 8],
                        tags: vec![("peers".into(), 100 + id)],
                        idempotency_key: Some(format!("key-{id}")),
                        ..new_status(id, "hello #peers", "public")
                    },
                )?;
            }
            Ok(())
        });
        log.assert_all_cached("INSERT INTO `statuses`");
    }
}
