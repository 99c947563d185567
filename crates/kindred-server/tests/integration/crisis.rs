//! Issue 24, crisis resources: the list admins keep (API and CLI), where everyone
//! finds it (public list, instance rules, extended description), and the opt-in
//! gentle notice, which reaches the author of a matching post and nobody else.

use std::time::{Duration, Instant};

use kindred_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app_with, Backend, TempDir, TestApp};
use crate::remote_groups::{activity, Peer};

both_backends!(
    admins_keep_the_list_and_everyone_reads_it,
    the_notice_reaches_the_author_alone,
    with_the_notice_off_nothing_happens,
);

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";
const LIST: &str = "/api/v1/admin/kindred/crisis_resources";
const NOTICE: &str = "kindred.crisis_resources";

fn one(id: &str) -> String {
    format!("{LIST}/{id}")
}

async fn user(app: &TestApp, name: &str, role: Role) -> (String, String) {
    let token = app.user_with_token(name, role, ADMIN_SCOPES).await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    (token, me["id"].as_str().unwrap().to_owned())
}

async fn samaritans(app: &TestApp, admin: &str) -> Value {
    app.post_ok(
        LIST,
        admin,
        json!({"name": "Samaritans", "phone": "116 123", "hours": "24/7",
               "region": "UK", "language": "en"}),
    )
    .await
}

fn texts(rules: &Value) -> Vec<String> {
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn admins_keep_the_list_and_everyone_reads_it(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__INSTANCE__RULES", "[Be kind]")]).await
    else {
        return;
    };
    let (admin, _) = user(&app, "ada", Role::Admin).await;
    let (moderator, _) = user(&app, "moe", Role::Moderator).await;
    let (facilitator, _) = user(&app, "fay", Role::Facilitator).await;
    let (member, _) = user(&app, "mem", Role::Member).await;

    // Nothing yet: the configured rule alone, an empty public list.
    let (status, rules) = app.get_json("/api/v1/instance/rules", None).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&rules), ["Be kind"]);
    let (status, list) = app.get_json("/api/v1/kindred/crisis_resources", None).await;
    assert_eq!((status, list), (200, json!([])));

    // Bad input: a clear error, nothing stored.
    for (body, why) in [
        (json!({"name": "Nobody"}), "a way to reach it"),
        (
            json!({"name": "X", "url": "javascript:alert(1)"}),
            "http or https",
        ),
        (json!({"name": "X".repeat(101), "phone": "112"}), "too long"),
        (json!({"name": "X", "phone": "call me"}), "phone"),
        (json!({"phone": "112"}), "name"),
    ] {
        let (status, e) = app.post_json(LIST, &admin, body).await;
        assert_eq!(status, 422, "{e}");
        assert_eq!(e["error_code"], "invalid_crisis_resource", "{e}");
        assert!(e["error"].as_str().unwrap().contains(why), "{e}");
    }
    // Members, facilitators and moderators may not write; members and facilitators
    // may not read the admin list either.
    for token in [&member, &facilitator, &moderator] {
        let (status, _) = app
            .post_json(LIST, token, json!({"name": "X", "phone": "112"}))
            .await;
        assert_eq!(status, 403);
    }
    for token in [&member, &facilitator] {
        let (status, _) = app.get_json(LIST, Some(token)).await;
        assert_eq!(status, 403);
    }
    let (status, _) = app.get_json(LIST, None).await;
    assert_eq!(status, 401);
    let (_, list) = app.get_json(LIST, Some(&admin)).await;
    assert_eq!(list, json!([]), "refusals stored nothing");

    let first = samaritans(&app, &admin).await;
    let second = app
        .post_ok(
            LIST,
            &admin,
            json!({"name": "Mind", "url": "https://help.example.org/chat",
                   "text": "SHOUT to 85258"}),
        )
        .await;
    let (a, b) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );
    assert_eq!(first["phone"], "116 123");
    assert_eq!(second["text"], "SHOUT to 85258");
    assert!(first["position"].as_i64() < second["position"].as_i64());

    // Moderators read; the public reads without signing in, in order.
    let (status, list) = app.get_json(LIST, Some(&moderator)).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, shown) = app.get_json(&one(&a), Some(&moderator)).await;
    assert_eq!((status, shown["name"].clone()), (200, json!("Samaritans")));
    let (status, public) = app.get_json("/api/v1/kindred/crisis_resources", None).await;
    assert_eq!(status, 200);
    assert_eq!(public[0]["name"], "Samaritans");
    assert_eq!(public[1]["url"], "https://help.example.org/chat");

    // The rules end with the resources, in every instance entity; the extended
    // description lists them.
    let (_, rules) = app.get_json("/api/v1/instance/rules", None).await;
    let t = texts(&rules);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0], "Be kind");
    assert!(
        t[1].starts_with("If you are in crisis")
            && t[1].contains("Samaritans: call 116 123 (24/7; UK; en)")
            && t[1].contains("Mind: text SHOUT to 85258, https://help.example.org/chat"),
        "{t:?}"
    );
    assert_eq!(rules[1]["id"], "2");
    for path in ["/api/v1/instance", "/api/v2/instance"] {
        let (_, inst) = app.get_json(path, None).await;
        assert_eq!(inst["rules"], rules, "{path}");
    }
    let (status, ext) = app
        .get_json("/api/v1/instance/extended_description", None)
        .await;
    assert_eq!(status, 200);
    let html = ext["content"].as_str().unwrap();
    assert!(
        html.contains("If you are in crisis") && html.contains("Samaritans: call 116 123"),
        "{html}"
    );
    assert!(html.contains("https://help.example.org/chat"), "{html}");

    // Changes: a field at a time; the last way to reach it can't be blanked.
    let changed = app
        .send_ok(
            Method::PUT,
            &one(&a),
            Some(&admin),
            json!({"phone": "116 124"}),
        )
        .await;
    assert_eq!(changed["phone"], "116 124");
    assert_eq!(changed["hours"], "24/7");
    let (status, e) = app
        .send_json(Method::PUT, &one(&a), Some(&admin), json!({"phone": ""}))
        .await;
    assert_eq!(status, 422, "{e}");
    for token in [&member, &facilitator, &moderator] {
        let (status, _) = app
            .send_json(Method::PUT, &one(&a), Some(token), json!({"phone": "1"}))
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .send_json(Method::DELETE, &one(&a), Some(token), json!({}))
            .await;
        assert_eq!(status, 403);
    }
    let (_, shown) = app.get_json(&one(&a), Some(&admin)).await;
    assert_eq!(shown["phone"], "116 124", "refusals changed nothing");

    app.send_ok(Method::DELETE, &one(&a), Some(&admin), json!({}))
        .await;
    let (status, _) = app
        .send_json(Method::DELETE, &one(&a), Some(&admin), json!({}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.get_json(&one("abc"), Some(&admin)).await;
    assert_eq!(status, 404);
    let (_, public) = app.get_json("/api/v1/kindred/crisis_resources", None).await;
    assert_eq!(public.as_array().unwrap().len(), 1);
    app.send_ok(Method::DELETE, &one(&b), Some(&admin), json!({}))
        .await;
    let (_, rules) = app.get_json("/api/v1/instance/rules", None).await;
    assert_eq!(texts(&rules), ["Be kind"], "no resources, no crisis rule");
}

/// The account's notifications of every type.
async fn notifications(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, v) = app
        .get_json("/api/v1/notifications?limit=80", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn of_type<'a>(notes: &'a [Value], kind: &str) -> Vec<&'a Value> {
    notes.iter().filter(|n| n["type"] == kind).collect()
}

async fn home_has(app: &TestApp, token: &str, status_id: &str) -> bool {
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    home.as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == status_id)
}

/// A remote person following `username`, the follow accepted.
async fn remote_follower(app: &TestApp, peer: &mut Peer, username: &str) {
    let carol = peer.url("/u/rita");
    peer.person(&carol, "rita");
    let follow_id = peer.url(&format!("/activities/follow-{username}"));
    let follow = activity(
        follow_id.clone(),
        "Follow",
        &carol,
        json!(app.url(&format!("/users/{username}"))),
    );
    let (status, v) = peer.deliver(app, &carol, &follow).await;
    assert_eq!(status, 202, "{v}");
    arrived(peer, "the Accept", |b| {
        b.contains("\"Accept\"") && b.contains(&follow_id)
    })
    .await;
}

/// Waits until the peer received a POST whose body `matches`.
async fn arrived(peer: &Peer, what: &str, matches: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !peer
        .r
        .requests()
        .iter()
        .any(|r| r.method == "POST" && matches(&r.body))
    {
        assert!(Instant::now() < deadline, "{what} never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Notices stored, for anyone.
async fn stored_notices(app: &TestApp) -> i64 {
    app.state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::notifications as n;
            Ok(n::table
                .filter(n::kind.eq(NOTICE))
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

fn logs_text() -> String {
    String::from_utf8_lossy(&crate::meetings::logs().lock().unwrap()).to_lowercase()
}

async fn the_notice_reaches_the_author_alone(backend: Backend) {
    let _ = crate::meetings::logs();
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__CRISIS__NOTICE_ENABLED", "true"),
            (
                "KINDRED__CRISIS__PHRASES",
                "[want to vanish forever, no way out of here]",
            ),
        ],
    )
    .await
    else {
        return;
    };
    let (admin, _) = user(&app, "ada", Role::Admin).await;
    samaritans(&app, &admin).await;
    let (moderator, _) = user(&app, "moe", Role::Moderator).await;
    let (fac, _) = user(&app, "fran", Role::Facilitator).await;
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    let (dave, _) = app.member("dave").await;
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &bob,
        json!({}),
    )
    .await;
    let group = app
        .post_ok(
            "/api/v1/groups",
            &fac,
            json!({"username": "peers", "display_name": "Peers", "visibility": "public"}),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_owned();
    for t in [&bob, &carol] {
        app.post_ok(&format!("/api/v1/groups/{gid}/join"), t, json!({}))
            .await;
    }
    let mut peer = Peer::start();
    remote_follower(&app, &mut peer, "alice").await;

    // Alice's own public post matches (case, punctuation aside).
    let first = app
        .post_status(
            &alice,
            json!({"status": "@moe Some days I WANT to vanish, forever... no: want to vanish forever.",
                   "visibility": "public"}),
        )
        .await;
    let notes = notifications(&app, &alice).await;
    let notices = of_type(&notes, NOTICE);
    assert_eq!(notices.len(), 1, "{notes:?}");
    let n = notices[0];
    assert_eq!(
        n["account"]["id"],
        alice_id.as_str(),
        "from the member alone"
    );
    assert!(n.get("status").is_none(), "the notice names no post: {n}");
    let carried = &n["kindred"]["crisis_resources"];
    assert_eq!(carried["resources"][0]["name"], "Samaritans", "{n}");
    assert_eq!(carried["resources"][0]["phone"], "116 123", "{n}");
    assert!(carried["message"].as_str().unwrap().contains("Only you"));
    // Asked for by type, it is there too.
    let (_, typed) = app
        .get_json(
            &format!("/api/v1/notifications?types[]={NOTICE}"),
            Some(&alice),
        )
        .await;
    assert_eq!(typed.as_array().unwrap().len(), 1, "{typed}");

    // A follower sees the post and is told nothing; the mentioned moderator hears
    // of the mention and nothing else.
    assert!(home_has(&app, &bob, &first).await);
    assert!(of_type(&notifications(&app, &bob).await, NOTICE).is_empty());
    let moe_notes = notifications(&app, &moderator).await;
    assert_eq!(of_type(&moe_notes, "mention").len(), 1, "{moe_notes:?}");
    assert!(of_type(&moe_notes, NOTICE).is_empty(), "{moe_notes:?}");

    // A group discussion post: its author alone; members and facilitators read it.
    let in_group = app
        .post_status(
            &carol,
            json!({"status": "@peers there is No way out of here", "visibility": "public"}),
        )
        .await;
    assert_eq!(of_type(&notifications(&app, &carol).await, NOTICE).len(), 1);
    assert!(home_has(&app, &bob, &in_group).await);
    assert!(of_type(&notifications(&app, &bob).await, NOTICE).is_empty());
    assert!(home_has(&app, &fac, &in_group).await);
    assert!(of_type(&notifications(&app, &fac).await, NOTICE).is_empty());

    // A direct message: the sender alone; the recipient hears of the mention only.
    app.post_status(
        &dave,
        json!({"status": "@bob I want to vanish forever", "visibility": "direct"}),
    )
    .await;
    assert_eq!(of_type(&notifications(&app, &dave).await, NOTICE).len(), 1);
    let bob_notes = notifications(&app, &bob).await;
    assert_eq!(of_type(&bob_notes, "mention").len(), 1, "{bob_notes:?}");
    assert!(of_type(&bob_notes, NOTICE).is_empty());

    // At most one a day: a second matching post brings no second notice.
    app.post_status(
        &alice,
        json!({"status": "still want to vanish forever", "visibility": "private"}),
    )
    .await;
    let notices = of_type(&notifications(&app, &alice).await, NOTICE).len();
    assert_eq!(notices, 1);

    // Nothing reaches the other server: its copy of the first post arrives (the
    // control), then a later post; only then is the absence judged.
    arrived(&peer, "alice's first post", |b| b.contains(&first)).await;
    let later = app
        .post_status(
            &alice,
            json!({"status": "later, a walk", "visibility": "public"}),
        )
        .await;
    arrived(&peer, "alice's later post", |b| b.contains(&later)).await;
    for r in peer.r.requests() {
        for secret in [
            "Samaritans",
            "116 123",
            "crisis_resources",
            "Only you",
            "no way out",
        ] {
            assert!(
                !r.body.contains(secret),
                "{secret:?} reached the peer: {}",
                r.body
            );
        }
    }

    // A remote post never brings a notice: bob hears of rita's mention (the
    // control), and no notice is stored for anyone.
    let rita = peer.url("/u/rita");
    let note = json!({
        "id": peer.url("/notes/1"),
        "type": "Note",
        "attributedTo": rita,
        "to": ["https://www.w3.org/ns/activitystreams#Public", app.url("/users/bob")],
        "cc": [],
        "tag": [{"type": "Mention", "href": app.url("/users/bob"), "name": "@bob"}],
        "content": "<p>@bob I want to vanish forever</p>",
        "published": "2026-11-20T10:00:00Z",
    });
    let create = activity(peer.url("/activities/create/1"), "Create", &rita, note);
    let (status, v) = peer.deliver(&app, &rita, &create).await;
    assert_eq!(status, 202, "{v}");
    let bob_notes = notifications(&app, &bob).await;
    assert_eq!(of_type(&bob_notes, "mention").len(), 2, "{bob_notes:?}");
    assert_eq!(
        stored_notices(&app).await,
        3,
        "alice's, carol's and dave's only"
    );

    // Dismissing removes it: nothing of it is kept.
    let id = of_type(&notifications(&app, &alice).await, NOTICE)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_ok(
        &format!("/api/v1/notifications/{id}/dismiss"),
        &alice,
        json!({}),
    )
    .await;
    let (status, _) = app
        .get_json(&format!("/api/v1/notifications/{id}"), Some(&alice))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        stored_notices(&app).await,
        2,
        "carol's and dave's remain, alice's is gone"
    );

    // No log line holds a phrase or the post's words; the control: a line about
    // the very post.
    let logs = logs_text();
    assert!(
        logs.contains(&format!("status_id={first}")),
        "logs captured"
    );
    for secret in ["vanish", "no way out", "some days", "of here"] {
        assert!(!logs.contains(secret), "{secret:?} in the logs");
    }
}

async fn with_the_notice_off_nothing_happens(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        // The phrases alone, without the switch, do nothing.
        &[("KINDRED__CRISIS__PHRASES", "[want to vanish forever]")],
    )
    .await
    else {
        return;
    };
    let (admin, _) = user(&app, "ada", Role::Admin).await;
    samaritans(&app, &admin).await;
    let (alice, _) = app.member("alice").await;
    let (_bob, _) = app.member("bob").await;
    let (moderator, _) = user(&app, "moe", Role::Moderator).await;
    app.post_status(
        &alice,
        json!({"status": "@bob I want to vanish forever", "visibility": "public"}),
    )
    .await;
    // A later notification to alice (the control) arrives; the notice never came.
    app.post_status(&moderator, json!({"status": "@alice are you ok?"}))
        .await;
    let notes = notifications(&app, &alice).await;
    assert_eq!(of_type(&notes, "mention").len(), 1, "{notes:?}");
    assert!(of_type(&notes, NOTICE).is_empty(), "{notes:?}");
}

fn crisis_resources_from_the_command_line(backend: Backend) {
    let dir = TempDir::new("kindred-cli");
    let Some(db) = crate::cli::database(backend, &dir) else {
        return;
    };
    let db: Vec<(&str, &str)> = db.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| {
        let mut all = vec!["admin", "crisis"];
        all.extend_from_slice(args);
        let out = crate::cli::kindred(&dir, &db).args(&all).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["list"]);
    assert!(ok && out.contains("no crisis resources"), "{out}{err}");
    let (ok, out, err) = run(&[
        "add",
        "--name",
        "Samaritans",
        "--phone",
        "116 123",
        "--hours",
        "24/7",
        "--region",
        "UK",
        "--language",
        "en",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Samaritans") && out.contains("116 123"),
        "{out}"
    );
    let id = out
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("added crisis resource "))
        .unwrap()
        .to_owned();
    // Bad input is refused, nothing stored.
    let (ok, _, err) = run(&["add", "--name", "Nobody"]);
    assert!(!ok && err.contains("a way to reach it"), "{err}");
    let (ok, _, err) = run(&["add", "--name", "X", "--url", "ftp://example.org/"]);
    assert!(!ok && err.contains("http or https"), "{err}");
    let (ok, out, _) = run(&["add", "--name", "Mind", "--text", "SHOUT to 85258"]);
    assert!(ok, "{out}");
    let (ok, out, _) = run(&["list"]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&id) && lines[0].contains("phone 116 123"),
        "{out}"
    );
    assert!(lines[1].contains("Mind") && lines[1].contains("text SHOUT to 85258"));
    let (ok, out, _) = run(&["remove", &id]);
    assert!(ok && out.contains(&id), "{out}");
    let (ok, _, err) = run(&["remove", &id]);
    assert!(!ok && err.contains("no crisis resource"), "{err}");
    let (ok, out, _) = run(&["list"]);
    assert!(
        ok && out.lines().count() == 1 && out.contains("Mind"),
        "{out}"
    );
}

mod crisis_resources_from_the_command_line {
    #[test]
    fn sqlite() {
        super::crisis_resources_from_the_command_line(crate::common::Backend::Sqlite)
    }
    #[test]
    fn postgres() {
        super::crisis_resources_from_the_command_line(crate::common::Backend::Postgres)
    }
}
