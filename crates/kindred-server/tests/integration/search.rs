//! Search (`/api/v2/search`, `/api/v1/accounts/search`): the same answers on SQLite
//! and PostgreSQL, and nothing the caller may not see.

use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::common::{assert_no_email, both_backends, spawn_app, Backend, TestApp};

both_backends!(
    index_follows_edits_deletes_and_backfill,
    search_never_shows_what_the_viewer_may_not_see,
    accounts_by_name_with_discoverability_and_order,
    parameters_auth_and_bad_input,
    resolve_finds_local_urls_and_addresses,
);

async fn search(app: &TestApp, token: Option<&str>, params: &[(&str, &str)]) -> (u16, Value) {
    search_at(app, "/api/v2/search", token, params).await
}

async fn search_at(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    params: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = app.client.get(app.url(path)).query(params);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    v["hashtags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect()
}

fn usernames(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x["username"].as_str().unwrap().to_owned())
        .collect()
}

async fn status_ids(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let (status, v) = search(app, Some(token), &[("q", q), ("type", "statuses")]).await;
    assert_eq!(status, 200, "{q:?}: {v}");
    ids(&v, "statuses")
}

async fn act(app: &TestApp, token: &str, path: &str) {
    let (status, v) = app.post_json(path, token, json!({})).await;
    assert_eq!(status, 200, "{path}: {v}");
}

fn sql(app: &TestApp, statement: &str) {
    let statement = statement.to_owned();
    app.state
        .db
        .run_blocking(move |c| Ok(diesel::sql_query(statement).execute(c)?))
        .unwrap();
}

/// Statuses written in order; queries answered as indexes into this list.
const CORPUS: &[(&str, &str)] = &[
    ("Café au lait with naïve friends", ""),
    ("cafe culture in Zürich", ""),
    ("Größe: STRASSE und straße", ""),
    ("日本語のテキスト and emoji 😀", ""),
    ("Ελληνικά κείμενο", ""),
    ("don't stop believing", ""),
    ("OR NEAR AND NOT are just words here", ""),
    ("price: 5 & 6! wow* *stars*", ""),
    ("quoted \"phrase\" here 'single' back\\slash", ""),
    ("#Recovery group tonight", ""),
    ("Русский текст про йогу", ""),
    ("long day", "Content warning: tired"),
    ("recovering slowly", ""),
    ("नमस्ते दुनिया", ""),
];

/// Queries with what they must find (indexes into CORPUS, newest first).
fn queries() -> Vec<(String, Vec<usize>)> {
    let q = |s: &str, want: &[usize]| (s.to_owned(), want.to_vec());
    vec![
        q("cafe", &[1, 0]),
        q("CAFÉ", &[1, 0]),
        q("naive", &[0]),
        q("zurich friends", &[]),
        q("Zürich", &[1]),
        q("straße", &[2]),
        q("strasse", &[2]),
        q("日本語のテキスト", &[3]),
        q("日本", &[3]),
        q("ελληνικα", &[4]),
        q("ΕΛΛΗΝΙΚΆ", &[4]),
        q("don't", &[5]),
        q("OR", &[6]),
        q("NEAR", &[6]),
        q("AND NOT", &[6]),
        q("and", &[6, 3]),
        q("NEAR(words here)", &[6]),
        q("*", &[]),
        q(":", &[]),
        q("&", &[]),
        q("!", &[]),
        q("'", &[]),
        q("\"", &[]),
        q("\\", &[]),
        q("5 & 6!", &[7]),
        q("wow*", &[7]),
        q("stars:*", &[7]),
        q("\"phrase\"", &[8]),
        q("'single'", &[8]),
        q("back\\slash", &[8]),
        q("\") OR 1=1 --", &[]),
        q("phrase\" OR \"stars", &[]),
        q("recov", &[12, 9]),
        q("recovery group", &[9]),
        q("tired", &[11]),
        q("content warning", &[11]),
        q("йогу", &[10]),
        q("текст про", &[10]),
        q("नमस्ते", &[13]),
        q("दुनि", &[13]),
        q(&"x".repeat(1000), &[]),
        q(
            &(0..200)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" "),
            &[],
        ),
    ]
}

/// Posts the corpus and answers every query; None when the backend is unavailable.
async fn corpus_answers(backend: Backend) -> Option<Vec<(String, Vec<usize>)>> {
    let app = spawn_app(backend).await?;
    let (alice, _) = app.member("alice").await;
    let mut posted = Vec::new();
    for (text, spoiler) in CORPUS {
        posted.push(
            app.post_status(
                &alice,
                json!({"status": text, "spoiler_text": spoiler, "visibility": "public"}),
            )
            .await,
        );
    }
    let mut answers = Vec::new();
    for (q, _) in queries() {
        let found = status_ids(&app, &alice, &q).await;
        let indexes = found
            .iter()
            .map(|id| posted.iter().position(|p| p == id).unwrap())
            .collect();
        answers.push((q, indexes));
    }
    Some(answers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_gives_the_same_ids_on_both_backends() {
    let sqlite = corpus_answers(Backend::Sqlite).await.unwrap();
    for ((q, got), (_, want)) in sqlite.iter().zip(queries()) {
        assert_eq!(got, &want, "sqlite: {q:?}");
    }
    if let Some(postgres) = corpus_answers(Backend::Postgres).await {
        for ((q, a), (_, b)) in sqlite.iter().zip(postgres.iter()) {
            assert_eq!(a, b, "sqlite and postgres differ for {q:?}");
        }
    }
}

async fn index_follows_edits_deletes_and_backfill(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let first = app
        .post_status(
            &alice,
            json!({"status": "morning walk", "visibility": "public"}),
        )
        .await;
    let second = app
        .post_status(
            &alice,
            json!({"status": "evening walk", "visibility": "public"}),
        )
        .await;
    assert_eq!(
        status_ids(&app, &alice, "walk").await,
        [second.as_str(), first.as_str()]
    );
    // An edit replaces the words; the old ones no longer find it.
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{first}"),
            Some(&alice),
            json!({"status": "morning swim", "spoiler_text": "sport"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(status_ids(&app, &alice, "walk").await, [second.as_str()]);
    assert_eq!(status_ids(&app, &alice, "swim").await, [first.as_str()]);
    assert_eq!(status_ids(&app, &alice, "sport").await, [first.as_str()]);
    // Boosts are not results: the original is.
    let (bob, _) = app.member("bob").await;
    act(&app, &bob, &format!("/api/v1/statuses/{second}/reblog")).await;
    assert_eq!(status_ids(&app, &bob, "evening").await, [second.as_str()]);
    // A deleted status is gone from the index.
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{second}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(status_ids(&app, &alice, "walk").await.is_empty());
    // Rows from before the search migration (no words yet) are filled in right after
    // the migrations run; on SQLite the FTS index follows through its triggers.
    sql(&app, "UPDATE statuses SET search_text = NULL");
    sql(&app, "UPDATE accounts SET search_name = NULL");
    assert!(status_ids(&app, &alice, "swim").await.is_empty());
    let applied = kindred_db::migrate::run_pending(&app.state.db).unwrap();
    assert_eq!(applied, 0);
    assert_eq!(status_ids(&app, &alice, "swim").await, [first.as_str()]);
    index_is_sound(&app, backend);
}

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// SQLite: the FTS5 index agrees with the statuses it indexes after inserts, edits,
/// deletes and the backfill. PostgreSQL: the match can use the GIN index.
fn index_is_sound(app: &TestApp, backend: Backend) {
    match backend {
        Backend::Sqlite => {
            sql(
                app,
                "INSERT INTO statuses_search (statuses_search, rank) VALUES ('integrity-check', 1)",
            );
        }
        Backend::Postgres => {
            let plan = app
                .state
                .db
                .run_blocking(|c| {
                    diesel::sql_query("SET enable_seqscan = off").execute(c)?;
                    let plan: Vec<PlanLine> = diesel::sql_query(format!(
                        "EXPLAIN SELECT id FROM statuses WHERE {} @@ CAST('swim' AS tsquery)",
                        kindred_db::models::search::PG_WORDS
                    ))
                    .load(c)?;
                    diesel::sql_query("RESET enable_seqscan").execute(c)?;
                    Ok(plan)
                })
                .unwrap();
            let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
            assert!(
                plan.iter().any(|l| l.contains("statuses_search_idx")),
                "the search does not use its index: {plan:?}"
            );
        }
    }
}

async fn search_never_shows_what_the_viewer_may_not_see(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await; // a member with no relation to alice
    let (carol, _) = app.member("carol").await; // mentioned in the direct status
    let (dave, _) = app.member("dave").await; // follows alice
    let (erin, _) = app.member("erin").await; // blocks alice
    let (frank, frank_id) = app.member("frank").await; // blocked by alice
    let (gina, _) = app.member("gina").await; // mutes alice
    act(&app, &dave, &format!("/api/v1/accounts/{alice_id}/follow")).await;
    let private = app
        .post_status(
            &alice,
            json!({"status": "secretword one #privatetag", "visibility": "private"}),
        )
        .await;
    let direct = app
        .post_status(
            &alice,
            json!({"status": "@carol secretword two #directtag", "visibility": "direct"}),
        )
        .await;
    let local = app
        .post_status(
            &alice,
            json!({"status": "secretword three #localtag", "visibility": "local"}),
        )
        .await;
    let public = app
        .post_status(
            &alice,
            json!({"status": "secretword four #publictag", "visibility": "public"}),
        )
        .await;
    act(&app, &erin, &format!("/api/v1/accounts/{alice_id}/block")).await;
    act(&app, &alice, &format!("/api/v1/accounts/{frank_id}/block")).await;
    act(&app, &gina, &format!("/api/v1/accounts/{alice_id}/mute")).await;

    assert_eq!(
        status_ids(&app, &alice, "secretword").await,
        [
            public.as_str(),
            local.as_str(),
            direct.as_str(),
            private.as_str()
        ],
        "the author finds all her own"
    );
    assert_eq!(
        status_ids(&app, &bob, "secretword").await,
        [public.as_str(), local.as_str()],
        "a stranger: no private, no direct"
    );
    assert_eq!(
        status_ids(&app, &carol, "secretword").await,
        [public.as_str(), local.as_str(), direct.as_str()],
        "mentioned: the direct one, not the private one"
    );
    assert_eq!(
        status_ids(&app, &dave, "secretword").await,
        [public.as_str(), local.as_str(), private.as_str()],
        "a follower: the private one, not the direct one"
    );
    for (who, token) in [("blocker", &erin), ("blocked", &frank), ("muter", &gina)] {
        assert!(
            status_ids(&app, token, "secretword").await.is_empty(),
            "{who} finds alice's statuses"
        );
    }
    // Anonymous and app-only callers search no statuses at all (local-only included).
    let (status, v) = search(&app, None, &[("q", "secretword")]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["statuses"], json!([]));
    let (status, v) = search(
        &app,
        None,
        &[("q", "secretword three"), ("type", "statuses")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["statuses"], json!([]));
    let app_token = {
        let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
        let resp = app
            .client
            .post(app.url("/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
                ("scope", "read"),
            ])
            .send()
            .await
            .unwrap();
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    };
    let (status, v) = search(&app, Some(&app_token), &[("q", "secretword")]).await;
    assert_eq!(status, 200);
    assert_eq!(v["statuses"], json!([]));

    // Hashtags only from statuses the caller may see: a tag is itself content.
    let tags = |token: Option<String>| {
        let app = &app;
        async move {
            let mut all = Vec::new();
            for prefix in ["privatet", "directt", "localt", "publict"] {
                let (status, v) =
                    search(app, token.as_deref(), &[("q", &format!("#{prefix}"))]).await;
                assert_eq!(status, 200, "{v}");
                all.extend(names(&v));
            }
            all
        }
    };
    let (status, v) = search(&app, Some(&bob), &[("q", "#")]).await;
    assert_eq!(status, 200);
    assert_eq!(v, json!({"accounts": [], "statuses": [], "hashtags": []}));
    assert_eq!(tags(None).await, ["publictag"]);
    assert_eq!(tags(Some(bob.clone())).await, ["localtag", "publictag"]);
    assert_eq!(
        tags(Some(carol.clone())).await,
        ["directtag", "localtag", "publictag"]
    );
    assert_eq!(
        tags(Some(dave.clone())).await,
        ["privatetag", "localtag", "publictag"]
    );
    assert!(tags(Some(erin.clone())).await.is_empty());

    // Blocked either way: no account either.
    for token in [&erin, &frank] {
        let (_, v) = search(&app, Some(token), &[("q", "alice"), ("type", "accounts")]).await;
        assert_eq!(v["accounts"], json!([]));
    }
    let (_, v) = search(&app, Some(&bob), &[("q", "alice"), ("type", "accounts")]).await;
    assert_eq!(ids(&v, "accounts"), [alice_id.as_str()]);

    // Never by email, and no email in any answer.
    app.create_user(
        "zed",
        "zed's long password",
        Some("zed.secret@example.org"),
        kindred_domain::Role::Member,
    )
    .await;
    for q in [
        "zed.secret@example.org",
        "@zed.secret@example.org",
        "zed.secret",
        "example.org",
        "secret@example.org",
    ] {
        for token in [None, Some(bob.as_str())] {
            let (status, v) = search(&app, token, &[("q", q)]).await;
            assert_eq!(status, 200, "{q}: {v}");
            assert_eq!(v["accounts"], json!([]), "{q} found an account");
            assert_no_email(&v, "zed.secret@example.org");
        }
        let (status, v) = search_at(&app, "/api/v1/accounts/search", Some(&bob), &[("q", q)]).await;
        assert_eq!(status, 200, "{q}: {v}");
        assert_eq!(v, json!([]), "{q} found an account");
    }
    let (_, v) = search(&app, Some(&bob), &[("q", "zed")]).await;
    assert_eq!(usernames(&v["accounts"]), ["zed"]);
    assert_no_email(&v, "zed.secret@example.org");
}

async fn set_profile(app: &TestApp, token: &str, body: Value) {
    let (status, v) = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(token),
            body,
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

async fn accounts_by_name_with_discoverability_and_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (viewer, _) = app.member("viewer").await;
    let (sam, _) = app.member("sam").await; // not discoverable (the default)
    let (samwise, _) = app.member("samwise").await;
    let (samantha, samantha_id) = app.member("samantha").await;
    let (_, sammy_id) = app.member("sammy").await; // not discoverable, but followed
    let (_, sa_b_id) = app.member("sa_b").await;
    set_profile(&app, &samwise, json!({"discoverable": true})).await;
    set_profile(
        &app,
        &samantha,
        json!({"discoverable": true, "display_name": "Zoë Example-Person"}),
    )
    .await;
    set_profile(&app, &sam, json!({"display_name": "Hidden Name"})).await;
    act(
        &app,
        &viewer,
        &format!("/api/v1/accounts/{samantha_id}/follow"),
    )
    .await;
    act(
        &app,
        &viewer,
        &format!("/api/v1/accounts/{sammy_id}/follow"),
    )
    .await;
    let _ = sa_b_id;

    let accounts = |q: &'static str, extra: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let viewer = viewer.clone();
        async move {
            let mut params = vec![("q", q)];
            params.extend_from_slice(extra);
            let (status, v) =
                search_at(app, "/api/v1/accounts/search", Some(&viewer), &params).await;
            assert_eq!(status, 200, "{q}: {v}");
            usernames(&v)
        }
    };
    // Exact first, then followed, then by name; `sam` shows only on the exact name.
    assert_eq!(
        accounts("sam", &[]).await,
        ["sam", "samantha", "sammy", "samwise"]
    );
    assert_eq!(accounts("@Sam", &[]).await, accounts("sam", &[]).await);
    assert_eq!(accounts("sa", &[]).await, ["samantha", "sammy", "samwise"]);
    // `_` is a username character, not a LIKE wildcard; `%` finds nothing.
    assert!(accounts("s_", &[]).await.is_empty());
    assert!(accounts("%", &[]).await.is_empty());
    // Display names by word beginnings, accents folded; hidden for non-discoverable.
    assert_eq!(accounts("zoe", &[]).await, ["samantha"]);
    assert_eq!(accounts("ZOË EXAM", &[]).await, ["samantha"]);
    assert_eq!(accounts("person", &[]).await, ["samantha"]);
    assert!(accounts("hidden", &[]).await.is_empty());
    assert!(accounts("xample", &[]).await.is_empty());
    // following=true, limit and offset
    assert_eq!(
        accounts("sam", &[("following", "true")]).await,
        ["samantha", "sammy"]
    );
    assert_eq!(
        accounts("sam", &[("limit", "2"), ("offset", "1")]).await,
        ["samantha", "sammy"]
    );
    // An address: our domain finds that one account, another server nothing.
    let ours = format!("sam@{}", app.domain);
    let (_, v) = search_at(
        &app,
        "/api/v1/accounts/search",
        Some(&viewer),
        &[("q", &ours)],
    )
    .await;
    assert_eq!(usernames(&v), ["sam"]);
    assert!(accounts("sam@elsewhere.example", &[]).await.is_empty());
    // Suspended accounts are never found.
    sql(
        &app,
        "UPDATE accounts SET suspended = TRUE WHERE username_lower = 'samwise'",
    );
    assert_eq!(accounts("sa", &[]).await, ["samantha", "sammy"]);
    // Anonymous (v2): at least three characters for partial matches.
    let (status, v) = search(&app, None, &[("q", "sa"), ("type", "accounts")]).await;
    assert_eq!(status, 200);
    assert_eq!(v["accounts"], json!([]));
    let (_, v) = search(&app, None, &[("q", "sam"), ("type", "accounts")]).await;
    assert_eq!(usernames(&v["accounts"]), ["sam", "samantha"]);
    // v2 with a user token does the same as the v1 account search.
    let (_, v) = search(&app, Some(&viewer), &[("q", "sam")]).await;
    assert_eq!(usernames(&v["accounts"]), ["sam", "samantha", "sammy"]);
}

async fn parameters_auth_and_bad_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let mut mine = Vec::new();
    for i in 0..5 {
        mine.push(
            app.post_status(
                &alice,
                json!({"status": format!("garden note {i} #Gardening"), "visibility": "public"}),
            )
            .await,
        );
    }
    let bobs = app
        .post_status(
            &bob,
            json!({"status": "garden too", "visibility": "public"}),
        )
        .await;
    let newest_first: Vec<String> = std::iter::once(&bobs)
        .chain(mine.iter().rev())
        .cloned()
        .collect();
    assert_eq!(status_ids(&app, &alice, "garden").await, newest_first);
    let page = |params: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let alice = alice.clone();
        async move {
            let mut p = vec![("q", "garden"), ("type", "statuses")];
            p.extend_from_slice(params);
            let (status, v) = search(app, Some(&alice), &p).await;
            assert_eq!(status, 200, "{v}");
            ids(&v, "statuses")
        }
    };
    assert_eq!(page(&[("limit", "2")]).await, newest_first[..2]);
    assert_eq!(
        page(&[("limit", "2"), ("offset", "2")]).await,
        newest_first[2..4]
    );
    let (_, v) = search(
        &app,
        Some(&alice),
        &[
            ("q", "garden"),
            ("type", "statuses"),
            ("account_id", &bob_id),
        ],
    )
    .await;
    assert_eq!(ids(&v, "statuses"), [bobs.as_str()]);
    let (_, v) = search(
        &app,
        Some(&alice),
        &[
            ("q", "garden"),
            ("account_id", &alice_id),
            ("max_id", &mine[3]),
            ("min_id", &mine[0]),
        ],
    )
    .await;
    assert_eq!(ids(&v, "statuses"), [mine[2].as_str(), mine[1].as_str()]);
    // Without a type, offset applies to nothing (Mastodon pages one kind at a time).
    let (_, v) = search(&app, Some(&alice), &[("q", "garden"), ("offset", "3")]).await;
    assert_eq!(ids(&v, "statuses").len(), 6);
    // Hashtags: Tag entities with an (empty) history.
    let (_, v) = search(&app, None, &[("q", "#GARD")]).await;
    assert_eq!(
        v["hashtags"],
        json!([{"name": "gardening", "url": app.url("/tags/gardening"), "history": []}])
    );
    assert_eq!(v["accounts"], json!([]));
    let (_, v) = search(
        &app,
        Some(&alice),
        &[("q", "gardening"), ("type", "hashtags")],
    )
    .await;
    assert_eq!(names(&v), ["gardening"]);

    // Bad input: 4xx with an error, never 500.
    let long = "y".repeat(1001);
    for (params, want) in [
        (vec![], 400),
        (vec![("q", "")], 400),
        (vec![("q", "   ")], 400),
        (vec![("q", long.as_str())], 422),
        (vec![("q", "x"), ("type", "people")], 422),
        (vec![("q", "x"), ("offset", "-1")], 400),
        (vec![("q", "x"), ("offset", "many")], 400),
        (vec![("q", "x"), ("account_id", "abc")], 400),
        (vec![("q", "x"), ("max_id", "abc")], 400),
        (vec![("q", "x"), ("limit", "lots")], 400),
    ] {
        let (status, v) = search(&app, Some(&alice), &params).await;
        assert_eq!(status, want, "{params:?}: {v}");
        assert!(v["error"].is_string(), "{v}");
    }
    let (status, _) = search(&app, Some(&alice), &[("q", "x"), ("limit", "1000")]).await;
    assert_eq!(status, 200, "limit is clamped, as in Mastodon");
    // Anonymous: no offset, no resolve (401), as Mastodon.
    for params in [
        vec![("q", "garden"), ("offset", "0")],
        vec![("q", "garden"), ("type", "accounts"), ("offset", "1")],
        vec![("q", "garden"), ("resolve", "true")],
    ] {
        let (status, v) = search(&app, None, &params).await;
        assert_eq!(status, 401, "{params:?}: {v}");
        assert!(v["error"].is_string());
    }
    let (status, _) = search(&app, None, &[("q", "garden"), ("resolve", "false")]).await;
    assert_eq!(status, 200);
    let (status, _) = search(&app, Some("not a token"), &[("q", "garden")]).await;
    assert_eq!(status, 401);
    // Scopes: read:search for v2, read:accounts for the account search, user token.
    let c = app
        .register_app("read:accounts read:search", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let narrow = |scope: &'static str| {
        let app = &app;
        let c = &c;
        async move {
            let v: Value = app
                .password_token(c, "alice", "alice's password", scope)
                .await
                .json()
                .await
                .unwrap();
            v["access_token"].as_str().unwrap().to_owned()
        }
    };
    let only_accounts = narrow("read:accounts").await;
    let only_search = narrow("read:search").await;
    let (status, _) = search(&app, Some(&only_accounts), &[("q", "garden")]).await;
    assert_eq!(status, 403);
    let (status, v) = search(&app, Some(&only_search), &[("q", "garden")]).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&v, "statuses").len(), 6);
    let (status, _) = search_at(
        &app,
        "/api/v1/accounts/search",
        Some(&only_search),
        &[("q", "bob")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = search_at(&app, "/api/v1/accounts/search", None, &[("q", "bob")]).await;
    assert_eq!(status, 401);
    let (status, v) = search_at(&app, "/api/v1/accounts/search", Some(&only_accounts), &[]).await;
    assert_eq!(status, 400, "{v}");
    // The v1 search was removed from Mastodon and is not offered.
    let (status, _) = search_at(&app, "/api/v1/search", Some(&alice), &[("q", "garden")]).await;
    assert_eq!(status, 404);
}

async fn resolve_finds_local_urls_and_addresses(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let public = app
        .post_status(&alice, json!({"status": "hello", "visibility": "public"}))
        .await;
    let private = app
        .post_status(&alice, json!({"status": "hush", "visibility": "private"}))
        .await;
    let resolve = |q: String| {
        let app = &app;
        let bob = bob.clone();
        async move {
            let (status, v) = search(app, Some(&bob), &[("q", &q), ("resolve", "true")]).await;
            assert_eq!(status, 200, "{q}: {v}");
            v
        }
    };
    for url in [
        app.url(&format!("/@alice/{public}")),
        app.url(&format!("/users/alice/statuses/{public}")),
    ] {
        let v = resolve(url).await;
        assert_eq!(ids(&v, "statuses"), [public.as_str()]);
        assert_eq!(v["accounts"], json!([]));
    }
    // A status the caller may not see resolves to nothing, as if it did not exist.
    let v = resolve(app.url(&format!("/@alice/{private}"))).await;
    assert_eq!(v["statuses"], json!([]));
    // A status URL under the wrong author finds nothing.
    let v = resolve(app.url(&format!("/@bob/{public}"))).await;
    assert_eq!(v["statuses"], json!([]));
    for url in [app.url("/@alice"), app.url("/users/alice")] {
        let v = resolve(url).await;
        assert_eq!(ids(&v, "accounts"), [alice_id.as_str()]);
    }
    for q in [format!("alice@{}", app.domain), "@alice".to_owned()] {
        let v = resolve(q).await;
        assert_eq!(ids(&v, "accounts"), [alice_id.as_str()]);
    }
    // Remote things need federation: nothing yet.
    for q in [
        "https://mastodon.example/@someone".to_owned(),
        "https://mastodon.example/@someone/123".to_owned(),
        "someone@mastodon.example".to_owned(),
    ] {
        let v = resolve(q).await;
        assert_eq!(v, json!({"accounts": [], "statuses": [], "hashtags": []}));
    }
    // `type` narrows what a URL may resolve to.
    let (_, v) = search(
        &app,
        Some(&bob),
        &[
            ("q", &app.url("/@alice")),
            ("resolve", "true"),
            ("type", "statuses"),
        ],
    )
    .await;
    assert_eq!(v, json!({"accounts": [], "statuses": [], "hashtags": []}));
}
