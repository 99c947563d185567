//! `statuses::home` reads the home timeline on SQLite in two steps (candidate ids by
//! author, then the rules in Rust). These tests hold it, on both backends, to the plain
//! one-statement query:
//! the same rows in the same order for any follow set (more authors than one merge
//! statement takes, none, authors who post mostly what the viewer may not see) and any
//! window (`max_id`, `since_id`, `min_id`, together, on ids and between them).

use diesel::prelude::*;
use kindred_db::bench::seed::{Batch, SeedAccount, SeedBlock, SeedFollow, SeedStatus, SeedUser};
use kindred_db::models::statuses::{self, Page};
use kindred_db::schema::{follows, statuses as st};
use kindred_db::{migrate, AnyConnection, Db, DbSettings};
use kindred_domain::Visibility;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{database_url, Backend, TempDir};

const ACCOUNTS: i64 = 420;
/// Accounts from here on post direct messages and replies to strangers only.
const QUIET_FROM: i64 = 380;
const STATUSES: i64 = 4000;

fn account_id(i: i64) -> i64 {
    1_000 + i
}

/// The query `statuses::home` replaced, as one statement.
fn plain(conn: &mut AnyConnection, viewer: i64, hidden: &[i64], page: Page) -> Vec<i64> {
    let followed: Vec<(i64, bool)> = follows::table
        .filter(follows::account_id.eq(viewer))
        .select((follows::target_account_id, follows::show_reblogs))
        .load(conn)
        .unwrap();
    let mut authors: Vec<i64> = followed.iter().map(|(id, _)| *id).collect();
    authors.push(viewer);
    let no_boosts: Vec<i64> = followed
        .iter()
        .filter(|(_, show)| !show)
        .map(|(id, _)| *id)
        .collect();
    let mut q = st::table
        .into_boxed()
        .filter(st::account_id.eq_any(authors.clone()))
        .filter(st::visibility.eq_any(["public", "unlisted", "private"]))
        .filter(
            st::in_reply_to_account_id
                .is_null()
                .or(st::in_reply_to_account_id.eq_any(authors)),
        )
        .filter(
            st::reblog_of_id
                .is_null()
                .or(diesel::dsl::not(st::account_id.eq_any(no_boosts))),
        )
        .filter(diesel::dsl::not(st::account_id.eq_any(hidden.to_vec())));
    if let Some(m) = page.max_id {
        q = q.filter(st::id.lt(m));
    }
    if let Some(s) = page.since_id {
        q = q.filter(st::id.gt(s));
    }
    q = if let Some(m) = page.min_id {
        q.filter(st::id.gt(m)).order(st::id.asc())
    } else {
        q.order(st::id.desc())
    };
    let mut ids: Vec<i64> = q.limit(page.limit).select(st::id).load(conn).unwrap();
    if page.min_id.is_some() {
        ids.reverse();
    }
    ids
}

fn home(conn: &mut AnyConnection, viewer: i64, hidden: &[i64], page: Page) -> Vec<i64> {
    statuses::home(conn, viewer, hidden, page)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn follow(b: &mut Batch, next_id: &mut i64, from: i64, to: i64, show_reblogs: bool) {
    *next_id += 1;
    b.follows.push(SeedFollow {
        id: *next_id,
        account_id: account_id(from),
        target_account_id: account_id(to),
        show_reblogs,
        notify: false,
        created_at: chrono::Utc::now().naive_utc(),
    });
}

/// Accounts, follows and statuses; returns every status id, oldest first.
fn seed(conn: &mut AnyConnection) -> Vec<i64> {
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now().naive_utc();
    let mut b = Batch::default();
    for i in 0..ACCOUNTS {
        let name = format!("home{i}");
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
            hide_collections: true,
            approved: true,
            suspended: false,
            created_at: now,
            updated_at: now,
        });
        b.users.push(SeedUser {
            account_id: account_id(i),
            private_key_pem: String::new(),
            default_privacy: "public".into(),
            created_at: now,
        });
    }
    let mut next_id = 0;
    // Account 0 follows 300 accounts (two merge statements), some without boosts.
    for t in 1..=300 {
        follow(&mut b, &mut next_id, 0, t, t % 7 != 0);
    }
    // Account 1 follows exactly 255 others (256 authors with itself): one statement.
    for t in 2..=256 {
        follow(&mut b, &mut next_id, 1, t, true);
    }
    // Account 2 follows mostly quiet accounts: pages need several rounds of candidates.
    for t in QUIET_FROM..ACCOUNTS {
        follow(&mut b, &mut next_id, 2, t, true);
    }
    follow(&mut b, &mut next_id, 2, 5, true);
    // Account 3 follows nobody.
    next_id += 1;
    b.blocks.push(SeedBlock {
        id: next_id,
        account_id: account_id(0),
        target_account_id: account_id(301),
        created_at: now,
    });

    let visibilities = [
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Private,
        Visibility::Direct,
    ];
    let mut ids: Vec<i64> = Vec::new();
    let mut id = 10_000;
    for n in 0..STATUSES {
        // Gaps between ids, so windows can start between statuses.
        id += rng.gen_range(1..4);
        let author = if n % 50 == 0 {
            rng.gen_range(0..4)
        } else {
            rng.gen_range(0..ACCOUNTS)
        };
        let quiet = author >= QUIET_FROM;
        let mut s = SeedStatus {
            id,
            uri: format!("https://example.test/s/{id}"),
            account_id: account_id(author),
            local: true,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: None,
            text: format!("status {n}"),
            content: format!("<p>status {n}</p>"),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: if quiet && rng.gen_bool(0.9) {
                Visibility::Direct
            } else {
                visibilities[rng.gen_range(0..4)]
            },
            local_only: rng.gen_bool(0.1),
            language: None,
            created_at: now,
        };
        let roll: f64 = rng.gen();
        if !ids.is_empty() && roll < 0.1 {
            s.reblog_of_id = Some(ids[rng.gen_range(0..ids.len())]);
            s.visibility = Visibility::Public;
            s.text.clear();
            s.content.clear();
        } else if !ids.is_empty() && (roll < 0.4 || quiet) {
            // A reply; its parent's author is anyone (inside the circle or not).
            let parent = ids[rng.gen_range(0..ids.len())];
            s.in_reply_to_id = Some(parent);
            s.in_reply_to_account_id = Some(account_id(rng.gen_range(0..ACCOUNTS)));
        }
        b.statuses.push(s);
        ids.push(id);
    }
    kindred_db::bench::seed::insert(conn, &b).unwrap();
    ids
}

/// Windows to compare: every shape of `Page`, on existing ids and between them.
fn pages(ids: &[i64], rng: &mut StdRng) -> Vec<Page> {
    let page = |max_id, since_id, min_id, limit| Page {
        max_id,
        since_id,
        min_id,
        limit,
    };
    let mut out = vec![
        page(None, None, None, 20),
        page(None, None, None, 1),
        page(None, None, None, 40),
        page(None, None, None, 0),
        page(None, None, Some(0), 20),
        page(Some(i64::MAX), Some(i64::MIN), None, 40),
        page(Some(ids[0]), None, None, 20),
        page(None, Some(ids[ids.len() - 1]), None, 20),
    ];
    for _ in 0..40 {
        let a = ids[rng.gen_range(0..ids.len())] + rng.gen_range(0..2);
        let b = ids[rng.gen_range(0..ids.len())] + rng.gen_range(0..2);
        let (lo, hi) = (a.min(b), a.max(b));
        let limit = [1, 5, 20, 40][rng.gen_range(0..4)];
        out.push(page(Some(hi), None, None, limit));
        out.push(page(None, Some(lo), None, limit));
        out.push(page(None, None, Some(lo), limit));
        out.push(page(Some(hi), Some(lo), None, limit));
        out.push(page(Some(hi), None, Some(lo), limit));
        out.push(page(Some(hi), Some(lo), Some(lo + 5), limit));
    }
    out
}

fn compare(backend: Backend) {
    let dir = TempDir::new("kindred-home-query");
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
        let ids = seed(conn);
        let mut rng = StdRng::seed_from_u64(11);
        let windows = pages(&ids, &mut rng);
        let viewers: [(i64, Vec<i64>); 5] = [
            (account_id(0), vec![account_id(301)]),
            // Muted followed accounts are left out, replies to them still count.
            (
                account_id(0),
                vec![account_id(5), account_id(17), account_id(299)],
            ),
            (account_id(1), vec![]),
            (account_id(2), vec![]),
            (account_id(3), vec![]),
        ];
        let mut nonempty = 0;
        for (viewer, hidden) in &viewers {
            for page in &windows {
                let want = plain(conn, *viewer, hidden, *page);
                let got = home(conn, *viewer, hidden, *page);
                assert_eq!(got, want, "viewer {viewer}, hidden {hidden:?}, {page:?}");
                nonempty += usize::from(!want.is_empty());
            }
            // Walking the whole timeline both ways gives every row once, in order.
            for ascending in [false, true] {
                let (mut walked, mut cursor) = (Vec::new(), None);
                loop {
                    let page = Page {
                        max_id: if ascending { None } else { cursor },
                        since_id: None,
                        min_id: if ascending {
                            Some(cursor.unwrap_or(0))
                        } else {
                            None
                        },
                        limit: 20,
                    };
                    let got = home(conn, *viewer, hidden, page);
                    assert_eq!(got, plain(conn, *viewer, hidden, page));
                    let Some(next) = (if ascending { got.first() } else { got.last() }) else {
                        break;
                    };
                    cursor = Some(*next);
                    walked.extend(got);
                }
                let all = plain(
                    conn,
                    *viewer,
                    hidden,
                    Page {
                        max_id: None,
                        since_id: None,
                        min_id: None,
                        limit: STATUSES,
                    },
                );
                walked.sort_unstable_by(|a, b| b.cmp(a));
                assert_eq!(walked, all, "viewer {viewer} walked ascending={ascending}");
            }
        }
        // The comparison is not vacuous.
        assert!(nonempty > windows.len() * 3, "{nonempty} non-empty pages");
        Ok(())
    })
    .unwrap();
}

#[test]
fn sqlite() {
    compare(Backend::Sqlite);
}

#[test]
fn postgres() {
    compare(Backend::Postgres);
}
