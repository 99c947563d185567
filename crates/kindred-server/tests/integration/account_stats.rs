//! `account_stats` (statuses, followers and following totals, latest status) is kept
//! by triggers on both backends, except a status insert on SQLite, counted where it
//! is written (`statuses::insert_row`, the bench seed). These tests change statuses
//! and follows every way the server does — multi-row inserts, single deletes,
//! deleting an original that others boosted, deleting an account (cascades) — and
//! hold the counters to a recount of the tables after each step.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use kindred_db::bench::seed::{self, Batch, SeedAccount, SeedFollow, SeedStatus};
use kindred_db::models::account_stats::{self, AccountStats};
use kindred_db::schema::{accounts, follows, statuses as st};
use kindred_db::{migrate, AnyConnection, Db, DbSettings};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{database_url, Backend, TempDir};

const ACCOUNTS: i64 = 40;

fn account_id(i: i64) -> i64 {
    5_000 + i
}

/// The totals counted from the tables, as the triggers should have kept them, except
/// `last_status_at`, which only moves forward and is checked separately.
fn recount(conn: &mut AnyConnection) -> HashMap<i64, (i64, i64, i64)> {
    let ids: Vec<i64> = accounts::table.select(accounts::id).load(conn).unwrap();
    let mut out: HashMap<i64, (i64, i64, i64)> = ids.iter().map(|i| (*i, (0, 0, 0))).collect();
    let statuses: Vec<(i64, i64)> = st::table
        .filter(st::visibility.ne("direct"))
        .group_by(st::account_id)
        .select((st::account_id, count_star()))
        .load(conn)
        .unwrap();
    for (a, n) in statuses {
        out.get_mut(&a).unwrap().0 = n;
    }
    let followers: Vec<(i64, i64)> = follows::table
        .group_by(follows::target_account_id)
        .select((follows::target_account_id, count_star()))
        .load(conn)
        .unwrap();
    for (a, n) in followers {
        out.get_mut(&a).unwrap().1 = n;
    }
    let following: Vec<(i64, i64)> = follows::table
        .group_by(follows::account_id)
        .select((follows::account_id, count_star()))
        .load(conn)
        .unwrap();
    for (a, n) in following {
        out.get_mut(&a).unwrap().2 = n;
    }
    out
}

fn kept(conn: &mut AnyConnection) -> HashMap<i64, AccountStats> {
    let ids: Vec<i64> = accounts::table.select(accounts::id).load(conn).unwrap();
    account_stats::load(conn, &ids).unwrap()
}

fn check(conn: &mut AnyConnection, step: &str) {
    let want = recount(conn);
    let got = kept(conn);
    for (id, (statuses, followers, following)) in &want {
        let s = got.get(id).copied().unwrap_or_default();
        assert_eq!(
            (s.statuses_count, s.followers_count, s.following_count),
            (*statuses, *followers, *following),
            "account {id} after {step}"
        );
    }
    // A deleted account leaves no row behind.
    assert!(got.keys().all(|id| want.contains_key(id)), "after {step}");
}

fn status(
    id: i64,
    author: i64,
    visibility: &str,
    reblog_of: Option<i64>,
    at: NaiveDateTime,
) -> SeedStatus {
    SeedStatus {
        id,
        uri: format!("https://stats.example/s/{id}"),
        account_id: author,
        local: true,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog_of_id: reblog_of,
        text: String::new(),
        content: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        visibility: visibility.parse().unwrap(),
        local_only: false,
        language: None,
        created_at: at,
    }
}

fn run(backend: Backend) {
    let dir = TempDir::new("kindred-account-stats");
    let Some(url) = database_url(backend, &dir) else {
        return;
    };
    let db = Db::connect(&DbSettings {
        url,
        max_connections: 1,
    })
    .unwrap();
    migrate::run_pending(&db).unwrap();
    db.run_blocking(|conn| {
        let mut rng = StdRng::seed_from_u64(3);
        let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let mut b = Batch::default();
        for i in 0..ACCOUNTS {
            let name = format!("stats{i}");
            b.accounts.push(SeedAccount {
                id: account_id(i),
                username: name.clone(),
                username_lower: name,
                domain: String::new(),
                display_name: String::new(),
                note: String::new(),
                role: "member".into(),
                public_key_pem: String::new(),
                locked: false,
                discoverable: false,
                hide_collections: false,
                approved: true,
                suspended: false,
                created_at: start,
                updated_at: start,
            });
        }
        let mut next = 0;
        for i in 0..ACCOUNTS {
            for j in 0..ACCOUNTS {
                if i != j && rng.gen_bool(0.3) {
                    next += 1;
                    b.follows.push(SeedFollow {
                        id: next,
                        account_id: account_id(i),
                        target_account_id: account_id(j),
                        show_reblogs: true,
                        notify: false,
                        created_at: start,
                    });
                }
            }
        }
        let visibilities = ["public", "unlisted", "private", "direct"];
        let mut originals = Vec::new();
        for n in 0..600 {
            next += 1;
            let author = account_id(rng.gen_range(0..ACCOUNTS));
            let at = start + chrono::Duration::minutes(n);
            // A third of the later statuses boost an earlier public one.
            if n > 100 && n % 3 == 0 {
                let of = originals[rng.gen_range(0..originals.len())];
                b.statuses
                    .push(status(next, author, "public", Some(of), at));
            } else {
                let v = visibilities[rng.gen_range(0..visibilities.len())];
                if v == "public" {
                    originals.push(next);
                }
                b.statuses.push(status(next, author, v, None, at));
            }
        }
        seed::insert(conn, &b)?;
        check(conn, "seeding");
        let stats = kept(conn);
        let counted = stats.values().filter(|s| s.statuses_count > 0).count();
        assert!(counted > ACCOUNTS as usize / 2, "not vacuous: {counted}");

        // The latest counted status per account: a direct message does not move it.
        let latest: Vec<(i64, Option<NaiveDateTime>)> = st::table
            .filter(st::visibility.ne("direct"))
            .group_by(st::account_id)
            .select((st::account_id, diesel::dsl::max(st::created_at)))
            .load(conn)?;
        for (a, at) in latest {
            assert_eq!(stats[&a].last_status_at, at, "latest of {a}");
        }

        // Deleting boosted originals takes the boosts (other accounts') with them.
        let boosted: Vec<i64> = st::table
            .filter(st::reblog_of_id.is_not_null())
            .select(st::reblog_of_id.assume_not_null())
            .distinct()
            .limit(15)
            .load(conn)?;
        assert!(!boosted.is_empty());
        for id in &boosted {
            assert!(kindred_db::models::statuses::delete(conn, *id)?);
        }
        check(conn, "deleting boosted originals");

        // Plain deletes of every visibility, direct included.
        let some: Vec<i64> = st::table
            .select(st::id)
            .order(st::id.desc())
            .limit(40)
            .load(conn)?;
        for id in some {
            kindred_db::models::statuses::delete(conn, id)?;
        }
        check(conn, "deleting statuses");

        // Unfollows.
        let pairs: Vec<i64> = follows::table.select(follows::id).limit(50).load(conn)?;
        diesel::delete(follows::table.filter(follows::id.eq_any(pairs))).execute(conn)?;
        check(conn, "unfollowing");

        // Deleting an account: its statuses, boosts of them, and follows both ways go.
        let gone = account_id(1);
        diesel::delete(accounts::table.find(gone)).execute(conn)?;
        check(conn, "deleting an account");
        assert!(!kept(conn).contains_key(&gone));

        // A new status after all that counts again, and moves the latest date.
        let later = start + chrono::Duration::days(30);
        let mut b = Batch::default();
        b.statuses
            .push(status(100_000, account_id(2), "private", None, later));
        seed::insert(conn, &b)?;
        check(conn, "a later status");
        assert_eq!(kept(conn)[&account_id(2)].last_status_at, Some(later));
        Ok(())
    })
    .unwrap();
}

#[test]
fn sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn postgres() {
    run(Backend::Postgres);
}
