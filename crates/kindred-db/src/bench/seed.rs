//! Bulk loading for benchmarks and load tests only: multi-row inserts, straight into
//! the tables, with none of the service rules (no password hashing, no key
//! generation, no visibility or notification logic). The caller is responsible for
//! handing in rows that make sense together. Nothing in the server calls this.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::Visibility;

use crate::schema::{
    accounts, blocks, favourites, follows, mentions, mutes, oauth_applications, oauth_tokens,
    status_tags, statuses, tags, users,
};
use crate::{AnyConnection, DbError};

/// Rows per INSERT statement: well under SQLite's 32 766 and PostgreSQL's 65 535 bound
/// parameters for the widest table here (statuses, 16 columns).
const ROWS_PER_STATEMENT: usize = 500;

// `treat_none_as_default_value = false` writes NULL for `None` instead of DEFAULT, so
// SQLite gets one multi-row statement rather than a row-at-a-time fallback.

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = accounts, treat_none_as_default_value = false)]
pub struct SeedAccount {
    pub id: i64,
    pub username: String,
    pub username_lower: String,
    pub domain: String,
    pub display_name: String,
    pub note: String,
    pub role: String,
    pub public_key_pem: String,
    pub locked: bool,
    pub discoverable: bool,
    pub hide_collections: bool,
    pub approved: bool,
    pub suspended: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A local login without a password or email (seeded members sign in by token only).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct SeedUser {
    pub account_id: i64,
    pub private_key_pem: String,
    pub default_privacy: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = follows, treat_none_as_default_value = false)]
pub struct SeedFollow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub show_reblogs: bool,
    pub notify: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = blocks, treat_none_as_default_value = false)]
pub struct SeedBlock {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mutes, treat_none_as_default_value = false)]
pub struct SeedMute {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub hide_notifications: bool,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = statuses, treat_none_as_default_value = false)]
pub struct SeedStatus {
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
    #[diesel(serialize_as = String)]
    pub visibility: Visibility,
    pub local_only: bool,
    pub language: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mentions)]
pub struct SeedMention {
    pub status_id: i64,
    pub account_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tags)]
pub struct SeedTag {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = status_tags)]
pub struct SeedStatusTag {
    pub status_id: i64,
    pub tag_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = favourites)]
pub struct SeedFavourite {
    pub id: i64,
    pub account_id: i64,
    pub status_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = oauth_applications, treat_none_as_default_value = false)]
pub struct SeedApplication {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = oauth_tokens, treat_none_as_default_value = false)]
pub struct SeedToken {
    pub id: i64,
    pub token_hash: String,
    pub application_id: i64,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub created_at: NaiveDateTime,
}

/// Everything one bulk step writes, in foreign-key order.
#[derive(Debug, Default)]
pub struct Batch {
    pub accounts: Vec<SeedAccount>,
    pub users: Vec<SeedUser>,
    pub follows: Vec<SeedFollow>,
    pub blocks: Vec<SeedBlock>,
    pub mutes: Vec<SeedMute>,
    pub tags: Vec<SeedTag>,
    pub statuses: Vec<SeedStatus>,
    pub mentions: Vec<SeedMention>,
    pub status_tags: Vec<SeedStatusTag>,
    pub favourites: Vec<SeedFavourite>,
    pub applications: Vec<SeedApplication>,
    pub tokens: Vec<SeedToken>,
}

/// Multi-row inserts through the concrete connection: the multi-backend connection
/// has no batch insert.
macro_rules! insert_rows {
    // Rows with a field stored through `serialize_as` insert by value only.
    ($conn:expr, $table:expr, $rows:expr, owned) => {
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            match $conn {
                AnyConnection::Sqlite(c) => {
                    diesel::insert_into($table)
                        .values(chunk.to_vec())
                        .execute(c)?;
                }
                AnyConnection::Postgresql(c) => {
                    diesel::insert_into($table)
                        .values(chunk.to_vec())
                        .execute(c)?;
                }
            }
        }
    };
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            match $conn {
                AnyConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
                AnyConnection::Postgresql(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

/// Writes a batch in one transaction.
pub fn insert(conn: &mut AnyConnection, b: &Batch) -> Result<(), DbError> {
    conn.transaction::<_, DbError, _>(|conn| {
        insert_rows!(conn, accounts::table, b.accounts);
        insert_rows!(conn, users::table, b.users);
        insert_rows!(conn, follows::table, b.follows);
        insert_rows!(conn, blocks::table, b.blocks);
        insert_rows!(conn, mutes::table, b.mutes);
        insert_rows!(conn, tags::table, b.tags);
        insert_rows!(conn, statuses::table, b.statuses, owned);
        count_new_statuses(conn, &b.statuses)?;
        insert_rows!(conn, mentions::table, b.mentions);
        insert_rows!(conn, status_tags::table, b.status_tags);
        insert_rows!(conn, favourites::table, b.favourites);
        insert_rows!(conn, oauth_applications::table, b.applications);
        insert_rows!(conn, oauth_tokens::table, b.tokens);
        Ok(())
    })
}

/// A new status is counted in `account_stats` where it is inserted, not by a
/// trigger (migrations 2026-11-26-000022 and 2026-12-07-000120). (Their search
/// rows come from `search_index::backfill`, as for every status stored without
/// its words.)
fn count_new_statuses(c: &mut AnyConnection, rows: &[SeedStatus]) -> Result<(), DbError> {
    let mut per_account: std::collections::BTreeMap<i64, (i64, NaiveDateTime)> = Default::default();
    for s in rows.iter().filter(|s| s.visibility != Visibility::Direct) {
        let e = per_account.entry(s.account_id).or_insert((0, s.created_at));
        e.0 += 1;
        e.1 = e.1.max(s.created_at);
    }
    for (account, (count, latest)) in per_account {
        crate::models::account_stats::count_new_statuses(c, account, count, latest)?;
    }
    Ok(())
}

/// After a bulk load: PostgreSQL gets fresh planner statistics and a visibility map
/// (what autovacuum would do soon after), SQLite folds its write-ahead log back into
/// the database file. SQLite statistics are left alone on purpose: a server never
/// runs ANALYZE, so the benchmark must not plan with statistics production lacks.
pub fn settle(conn: &mut AnyConnection) -> Result<(), DbError> {
    use diesel::connection::SimpleConnection;
    match conn {
        AnyConnection::Postgresql(c) => c.batch_execute("VACUUM ANALYZE")?,
        AnyConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?,
    }
    Ok(())
}

/// Removes statuses with ids from `id` on (what a benchmark posted), with what hangs
/// off them by foreign-key cascade. Returns how many went.
pub fn delete_statuses_from(conn: &mut AnyConnection, id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(statuses::table.filter(statuses::id.ge(id))).execute(conn)?)
}

/// Statuses stored, to resume seeding a kept database.
pub fn count_statuses(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(statuses::table.count().get_result(conn)?)
}

/// (username, id) of every local account and (name, id) of every tag, to resume
/// seeding a kept database with the ids it already has.
#[allow(clippy::type_complexity)]
pub fn existing_ids(
    conn: &mut AnyConnection,
) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>), DbError> {
    let accounts = accounts::table
        .filter(accounts::domain.eq(""))
        .select((accounts::username, accounts::id))
        .load(conn)?;
    let tags = tags::table.select((tags::name, tags::id)).load(conn)?;
    Ok((accounts, tags))
}
