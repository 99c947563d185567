//! A member's erasure and the retention of group discussion posts (issue 26):
//! deletion needs the password; once erased the account is gone for everyone at
//! once, its rows (posts, favourites, memberships, email) are purged by the job and
//! nothing of them remains at rest, on SQLite (file and WAL) or PostgreSQL (every
//! row); the name stays reserved; an admin purges only a suspended account; the
//! retention job removes exactly the discussion posts past their group's limit.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use kindred_api::services::{erasure, retention};
use kindred_db::schema::{accounts, group_posts, statuses};
use kindred_domain::{EmailAddress, Role};
use serde_json::{json, Value};

use crate::common::{at_rest_contains, both_backends, spawn_app, spawn_app_with, Backend, TestApp};
use crate::meetings::logs;

both_backends!(
    deletion_needs_the_password,
    an_erased_member_is_gone_and_purged,
    admins_purge_only_suspended_accounts,
    retention_removes_exactly_what_is_past_the_limit,
    an_export_is_built_for_its_owner_only,
    a_report_outlives_the_erased_member,
    an_erased_owners_group_passes_to_a_facilitator,
);

async fn user(app: &TestApp, name: &str, role: Role, email: Option<&str>) -> (String, String) {
    let password = format!("{name}'s password");
    app.create_user(name, &password, email, role).await;
    let token = app.login(name, &password).await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    (token, me["id"].as_str().unwrap().to_owned())
}

async fn delete_account(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    app.post_json(
        "/api/v1/kindred/account/delete",
        token,
        json!({ "password": password }),
    )
    .await
}

async fn public_group(app: &TestApp, fac: &str, name: &str, extra: Value) -> String {
    let mut body = json!({"username": name, "display_name": name, "visibility": "public"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let g = app.post_ok("/api/v1/groups", fac, body).await;
    g["id"].as_str().unwrap().to_owned()
}

async fn deletion_needs_the_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, id) = app.member("wren").await;
    let (status, v) = delete_account(&app, &token, "not wren's password").await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = app
        .post_json("/api/v1/kindred/account/delete", &token, json!({}))
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error_code"], "password_required");
    // Nothing changed: the token works, the account is there.
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
    assert_eq!(status, 200);
    // An app token without a user cannot delete anyone.
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/kindred/account/delete",
            None,
            json!({"password": "x"}),
        )
        .await;
    assert_eq!(status, 401);
    // The positive control: the right password deletes.
    let (status, v) = delete_account(&app, &token, "wren's password").await;
    assert_eq!(status, 200, "{v}");
}

async fn an_erased_member_is_gone_and_purged(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    const EMAIL: &str = "ivy.erasable@example.org";
    const WORD: &str = "quokkalantern";
    const GROUP_WORD: &str = "marmotlighthouse";
    let (fac, _) = user(&app, "fenna", Role::Facilitator, None).await;
    let (other, _) = app.member("otto").await;
    let (ivy, ivy_id) = user(&app, "ivy", Role::Member, Some(EMAIL)).await;
    let gid = public_group(&app, &fac, "quietcircle", json!({})).await;
    app.post_ok(&format!("/api/v1/groups/{gid}/join"), &ivy, json!({}))
        .await;
    let public = app
        .post_status(
            &ivy,
            json!({"status": format!("{WORD} at dawn"), "visibility": "public"}),
        )
        .await;
    let discussion = app
        .post_status(
            &ivy,
            json!({"status": format!("@quietcircle {GROUP_WORD} tonight")}),
        )
        .await;
    let others = app
        .post_status(
            &other,
            json!({"status": "a post ivy likes", "visibility": "public"}),
        )
        .await;
    app.post_ok(
        &format!("/api/v1/statuses/{others}/favourite"),
        &ivy,
        json!({}),
    )
    .await;
    let lookup = app
        .state
        .secrets
        .email
        .lookup(&EmailAddress::parse(EMAIL).unwrap());

    // Positive controls, by the same methods as the checks below.
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{public}"), Some(&other))
        .await;
    assert_eq!(status, 200);
    let rest = app.at_rest().await;
    for s in [WORD, GROUP_WORD, lookup.as_str()] {
        assert!(at_rest_contains(&rest, s), "{s} should be stored before");
    }

    let (status, receipt) = delete_account(&app, &ivy, "ivy's password").await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["kind"], "kindred-deletion-receipt");
    assert_eq!(receipt["account_id"], ivy_id.as_str());
    assert_eq!(receipt["deleted"]["posts"], 2);
    assert_eq!(receipt["deleted"]["favourites"], 1);
    assert_eq!(receipt["deleted"]["group_memberships"], 1);
    assert!(receipt["servers_told"].as_array().unwrap().is_empty());
    assert!(!receipt.to_string().contains(EMAIL));

    // Gone at once for everyone here.
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&ivy))
        .await;
    assert_eq!(status, 401);
    for token in [None, Some(other.as_str()), Some(fac.as_str())] {
        let (status, _) = app
            .get_json(&format!("/api/v1/accounts/{ivy_id}"), token)
            .await;
        assert_eq!(status, 404);
    }
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{public}"), Some(&other))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{discussion}"), Some(&fac))
        .await;
    assert_eq!(status, 404);
    let (_, wf) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:ivy@{}", app.domain),
            None,
        )
        .await;
    assert!(wf.get("subject").is_none(), "{wf}");
    // Someone else's post the member liked stays.
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{others}"), Some(&other))
        .await;
    assert_eq!(status, 200);

    // The job purges its rows (here called directly rather than waiting a minute).
    let purged = erasure::purge_due(&app.state, Utc::now()).await.unwrap();
    assert_eq!(purged, 1);
    let rest = app.at_rest().await;
    for s in [WORD, GROUP_WORD, lookup.as_str()] {
        assert!(
            !at_rest_contains(&rest, s),
            "{s} remains at rest after the purge"
        );
    }
    // The name stays taken.
    let (status, v) = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/accounts",
            Some(&app_token(&app).await),
            json!({"username": "ivy", "password": "a new password 123", "agreement": true,
                   "locale": "en"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error_code"], "username_taken");
    let purged = erasure::purge_due(&app.state, Utc::now()).await.unwrap();
    assert_eq!(purged, 0);

    // Logs: the erasure by id, never the name, the email or the content.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    assert_logged_by_id(
        &text,
        "account erased",
        &[
            EMAIL,
            WORD,
            GROUP_WORD,
            "ivy's password",
            "ivy",
            "quietcircle",
        ],
    );
    assert_logged_by_id(&text, "erased account purged", &[]);
}

/// A token of an app alone (client credentials), as sign-up takes.
async fn app_token(app: &TestApp) -> String {
    let c = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn admins_purge_only_suspended_accounts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app
        .user_with_token("ada", Role::Admin, "read write admin:read admin:write")
        .await;
    let (member, _) = app.member("milo").await;
    let (_, target) = app.member("tess").await;
    let path = format!("/api/v1/admin/accounts/{target}");
    // Not a moderator: refused.
    let (status, _) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&member), json!({}))
        .await;
    assert_eq!(status, 403);
    // Not suspended: refused, nothing changed.
    let (status, v) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&admin), json!({}))
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = app
        .get_json(&format!("/api/v1/accounts/{target}"), None)
        .await;
    assert_eq!(status, 200);
    let id: i64 = target.parse().unwrap();
    app.state
        .db
        .run(move |c| {
            diesel::update(accounts::table.find(id))
                .set(accounts::suspended.eq(true))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, receipt) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&admin), json!({}))
        .await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["account_id"], target.as_str());
    // Once only.
    let (status, _) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&admin), json!({}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(erasure::purge_due(&app.state, Utc::now()).await.unwrap(), 1);
    let (status, _) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&admin), json!({}))
        .await;
    assert_eq!(status, 404);
}

/// Moves a status (and its group placement) `by` into the past.
async fn age(app: &TestApp, id: &str, by: Duration) {
    let id: i64 = id.parse().unwrap();
    let then = (Utc::now() - by).naive_utc();
    app.state
        .db
        .run(move |c| {
            diesel::update(statuses::table.find(id))
                .set(statuses::created_at.eq(then))
                .execute(c)?;
            diesel::update(group_posts::table.find(id))
                .set(group_posts::created_at.eq(then))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn retention_removes_exactly_what_is_past_the_limit(backend: Backend) {
    // An instance default of 30 days, at most 60.
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__RETENTION__DEFAULT_DAYS", "30"),
            ("KINDRED__RETENTION__MAX_DAYS", "60"),
        ],
    )
    .await
    else {
        return;
    };
    let (fac, _) = user(&app, "faye", Role::Facilitator, None).await;
    let (mia, _) = app.member("mia").await;
    let (out, _) = app.member("olaf").await;
    let short = public_group(&app, &fac, "weekcircle", json!({})).await;
    let default = public_group(&app, &fac, "monthcircle", json!({})).await;
    // A facilitator sets a week; above the maximum is refused; others may not.
    let (status, g) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{short}"),
            Some(&fac),
            json!({"retention_days": "7"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["retention_days"], 7);
    let (status, _) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{short}"),
            Some(&fac),
            json!({"retention_days": "61"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{short}"),
            Some(&out),
            json!({"retention_days": "1"}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, g) = app
        .get_json(&format!("/api/v1/groups/{default}"), Some(&fac))
        .await;
    assert_eq!(g["retention_days"], 30);

    for g in [&short, &default] {
        app.post_ok(&format!("/api/v1/groups/{g}/join"), &mia, json!({}))
            .await;
    }
    let post = |text: &str| json!({ "status": text });
    let old_short = app
        .post_status(&mia, post("@weekcircle oldshortpenguin"))
        .await;
    let reply = app
        .post_status(
            &mia,
            json!({"status": "@weekcircle newreplyotter", "in_reply_to_id": old_short}),
        )
        .await;
    let new_short = app
        .post_status(&mia, post("@weekcircle newshortbadger"))
        .await;
    let old_default = app
        .post_status(&mia, post("@monthcircle olddefaultheron"))
        .await;
    let mid_default = app
        .post_status(&mia, post("@monthcircle middefaultfinch"))
        .await;
    let announcement = app
        .post_status(
            &fac,
            json!({"status": "@weekcircle oldannouncementswan", "visibility": "public"}),
        )
        .await;
    // An hour either side of each limit: a cutoff a day off would be caught.
    let (hour, week, month) = (Duration::hours(1), Duration::days(7), Duration::days(30));
    age(&app, &old_short, week + hour).await;
    age(&app, &announcement, week + hour).await;
    age(&app, &new_short, week - hour).await;
    age(&app, &old_default, month + hour).await;
    age(&app, &mid_default, month - hour).await;
    let fav = app
        .post_ok(
            &format!("/api/v1/statuses/{old_short}/favourite"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(fav["favourited"], true);

    let rest = app.at_rest().await;
    assert!(at_rest_contains(&rest, "oldshortpenguin"), "control");
    let removed = retention::apply(&app.state, Utc::now()).await.unwrap();
    assert_eq!(
        removed, 3,
        "the old post, its reply, the old default-group post"
    );
    for (id, kept) in [
        (&old_short, false),
        (&reply, false),
        (&old_default, false),
        (&new_short, true),
        (&mid_default, true),
        (&announcement, true),
    ] {
        let (status, _) = app
            .get_json(&format!("/api/v1/statuses/{id}"), Some(&mia))
            .await;
        assert_eq!(status, if kept { 200 } else { 404 }, "status {id}");
    }
    let rest = app.at_rest().await;
    assert!(at_rest_contains(&rest, "newshortbadger"), "control");
    for s in ["oldshortpenguin", "newreplyotter", "olddefaultheron"] {
        assert!(!at_rest_contains(&rest, s), "{s} remains at rest");
    }
    assert_eq!(retention::apply(&app.state, Utc::now()).await.unwrap(), 0);
}

/// Polls the member's export until it is no longer pending.
async fn export_when_done(app: &TestApp, token: &str) -> Value {
    for _ in 0..300 {
        let (status, v) = app
            .get_json("/api/v1/kindred/account/export", Some(token))
            .await;
        assert_eq!(status, 200, "{v}");
        if v["state"] != "pending" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the export was not built within 30 s");
}

/// Checks an archive with Python's `zipfile` and `json`: the Mastodon layout,
/// `outbox.json` as ActivityStreams, and what must and must not be inside.
const CHECK_ARCHIVE: &str = r#"
import json, sys, zipfile
path, own, group_word, other = sys.argv[1:5]
z = zipfile.ZipFile(path)
names = set(z.namelist())
for n in ["actor.json", "outbox.json", "likes.json", "bookmarks.json",
          "following_accounts.csv", "blocked_accounts.csv", "muted_accounts.csv",
          "kindred/groups.json", "kindred/group_posts.json", "kindred/meetings.json",
          "kindred/notification_settings.json"]:
    assert n in names, n
outbox = json.loads(z.read("outbox.json"))
assert "https://www.w3.org/ns/activitystreams" in json.dumps(outbox["@context"]), outbox["@context"]
assert outbox["type"] == "OrderedCollection"
assert outbox["totalItems"] == len(outbox["orderedItems"]) >= 1
for item in outbox["orderedItems"]:
    assert item["type"] in ("Create", "Announce"), item
    assert item["actor"].startswith("http")
    if item["type"] == "Create":
        assert item["object"]["type"] == "Note", item
        assert item["object"]["attributedTo"] == item["actor"]
assert any(own in i["object"]["content"] for i in outbox["orderedItems"] if i["type"] == "Create")
actor = json.loads(z.read("actor.json"))
assert actor["type"] == "Person"
assert len(json.loads(z.read("likes.json"))["orderedItems"]) == 1
posts = json.loads(z.read("kindred/group_posts.json"))
assert any(group_word in p["text"] for p in posts), posts
assert group_word not in z.read("outbox.json").decode()
follows = z.read("following_accounts.csv").decode().splitlines()
assert follows[0].startswith("Account address,Show boosts"), follows
assert len(follows) == 2, follows
everything = b"".join(z.read(n) for n in names).decode()
assert other not in everything, "another person's post text is in the archive"
print("archive ok")
"#;

async fn an_export_is_built_for_its_owner_only(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    const OWN: &str = "heronexportword";
    const GROUP_WORD: &str = "wombatexportword";
    const OTHER: &str = "someoneelsesword";
    let (fac, _) = user(&app, "flo", Role::Facilitator, None).await;
    let (nia, _) = app.member("nia").await;
    let (other, other_id) = app.member("oren").await;
    let gid = public_group(&app, &fac, "exportcircle", json!({})).await;
    app.post_ok(&format!("/api/v1/groups/{gid}/join"), &nia, json!({}))
        .await;
    app.post_status(
        &nia,
        json!({"status": format!("{OWN} here"), "visibility": "public"}),
    )
    .await;
    app.post_status(
        &nia,
        json!({"status": format!("@exportcircle {GROUP_WORD}")}),
    )
    .await;
    let others = app
        .post_status(
            &other,
            json!({"status": format!("{OTHER} says hi"), "visibility": "public"}),
        )
        .await;
    app.post_ok(
        &format!("/api/v1/statuses/{others}/favourite"),
        &nia,
        json!({}),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/accounts/{other_id}/follow"),
        &nia,
        json!({}),
    )
    .await;

    // Nothing yet.
    let (status, _) = app
        .get_json("/api/v1/kindred/account/export", Some(&nia))
        .await;
    assert_eq!(status, 404);
    // Started at the issue's name (`/api/v1/kindred/export`); `account/export` is the same.
    let (status, v) = app
        .post_json("/api/v1/kindred/export", &nia, json!({}))
        .await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["state"], "pending");
    assert!(v["url"].is_null());
    let done = export_when_done(&app, &nia).await;
    assert_eq!(done["state"], "ready", "{done}");
    let (status, same) = app.get_json("/api/v1/kindred/export", Some(&nia)).await;
    assert_eq!((status, &same), (200, &done));
    // The member is told it is ready; the other member is not.
    let told = |token: String| {
        let app = &app;
        async move {
            let (_, n) = app.get_json("/api/v1/notifications", Some(&token)).await;
            n.as_array()
                .unwrap()
                .iter()
                .filter(|n| n["type"] == "kindred.export_ready")
                .count()
        }
    };
    assert_eq!(told(nia.clone()).await, 1);
    assert_eq!(told(other.clone()).await, 0);
    let url = done["url"].as_str().unwrap().to_owned();
    let path = url.strip_prefix(&app.base).unwrap().to_owned();

    // Another member, an anonymous visitor, a wrong token: nothing.
    let get = |token: Option<String>, path: String| {
        let app = &app;
        async move {
            let mut req = app.client.get(app.url(&path));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
        }
    };
    let (status, _) = get(Some(other.clone()), path.clone()).await;
    assert_eq!(status, 404);
    let (status, _) = get(None, path.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = get(Some(nia.clone()), format!("{path}x")).await;
    assert_eq!(status, 404);
    // Another member's own status does not show this one's export.
    let (status, _) = app
        .get_json("/api/v1/kindred/account/export", Some(&other))
        .await;
    assert_eq!(status, 404);
    let (status, zip) = get(Some(nia.clone()), path.clone()).await;
    assert_eq!(status, 200);

    let file = app.dir.0.join("check-export.zip");
    std::fs::write(&file, &zip).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", CHECK_ARCHIVE])
        .arg(&file)
        .args([OWN, GROUP_WORD, OTHER])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The archive is in the file store until the member is erased.
    let exports = app.dir.0.join("files/exports");
    let count = || std::fs::read_dir(&exports).map(|d| d.count()).unwrap_or(0);
    assert_eq!(count(), 1);
    let (status, _) = delete_account(&app, &nia, "nia's password").await;
    assert_eq!(status, 200);
    assert_eq!(count(), 0);

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    // Only ids: never the name, the words, the password or the download token.
    let token = path.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 16, "{path}");
    assert_logged_by_id(
        &text,
        "data export built",
        &[
            OWN,
            GROUP_WORD,
            "nia's password",
            &token,
            "nia",
            "exportcircle",
        ],
    );
    assert_logged_by_id(&text, "data export requested", &[]);
}

/// `kindred ARGS` against the app's database, as the operator runs it.
fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kindred"))
        .current_dir(&app.dir.0)
        .env_clear()
        .envs(app.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reports keep their decision after the reported member (or the reporter) is
/// erased and purged, without the erased member's words; the admin API, the
/// moderator's notifications and the command line show an "erased account".
async fn a_report_outlives_the_erased_member(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    const QUOTED: &str = "pangolinmarmalade";
    const OWN: &str = "wombatcandlestick";
    let moder = app
        .user_with_token(
            "consultant",
            Role::Moderator,
            "read write admin:read admin:write",
        )
        .await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&moder))
        .await;
    let moder_id = me["id"].as_str().unwrap().to_owned();
    let (ivy, ivy_id) = user(&app, "ivy", Role::Member, None).await;
    let (bob, bob_id) = app.member("bob").await;
    let sid = app
        .post_status(
            &ivy,
            json!({"status": format!("{QUOTED} is what I say"), "visibility": "public"}),
        )
        .await;
    // Bob reports ivy quoting her; ivy reports bob in her own words.
    let about_ivy = app
        .post_ok(
            "/api/v1/reports",
            &bob,
            json!({"account_id": ivy_id, "status_ids": [sid], "category": "spam",
                   "comment": format!("she wrote {QUOTED}")}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_ivy = app
        .post_ok(
            "/api/v1/reports",
            &ivy,
            json!({"account_id": bob_id, "category": "other",
                   "comment": format!("{OWN} from ivy")}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_ok(
        &format!("/api/v1/admin/reports/{about_ivy}/resolve"),
        &moder,
        json!({}),
    )
    .await;
    // Positive controls, by the same methods as the checks below.
    let (status, r) = app
        .get_json(&format!("/api/v1/admin/reports/{about_ivy}"), Some(&moder))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["target_account"]["id"], ivy_id.as_str(), "{r}");
    assert_eq!(r["statuses"][0]["id"], sid.as_str(), "{r}");
    let rest = app.at_rest().await;
    for s in [QUOTED, OWN] {
        assert!(at_rest_contains(&rest, s), "{s} should be stored before");
    }

    let (status, v) = delete_account(&app, &ivy, "ivy's password").await;
    assert_eq!(status, 200, "{v}");
    // At once, and again once the rows are purged.
    for purged in [false, true] {
        if purged {
            assert_eq!(erasure::purge_due(&app.state, Utc::now()).await.unwrap(), 1);
        }
        let (status, r) = app
            .get_json(&format!("/api/v1/admin/reports/{about_ivy}"), Some(&moder))
            .await;
        assert_eq!(status, 200, "purged {purged}: {r}");
        // The decision stays.
        assert_eq!(r["action_taken"], true, "{r}");
        assert!(r["action_taken_at"].is_string(), "{r}");
        assert_eq!(r["action_taken_by_account"]["id"], moder_id.as_str(), "{r}");
        assert_eq!(r["category"], "spam");
        assert_eq!(r["account"]["id"], bob_id.as_str(), "{r}");
        assert_eq!(r["kindred"]["status_ids"], json!([sid]), "{r}");
        // The erased member and their words do not.
        assert_eq!(r["target_account"]["username"], "erased", "{r}");
        assert_eq!(r["target_account"]["account"]["kindred"]["erased"], true);
        assert_eq!(r["comment"], "", "{r}");
        assert_eq!(r["statuses"], json!([]), "{r}");
        assert!(!r.to_string().contains(&ivy_id), "{r}");
        assert!(!r.to_string().contains("\"ivy\""), "{r}");
        let (status, r) = app
            .get_json(&format!("/api/v1/admin/reports/{by_ivy}"), Some(&moder))
            .await;
        assert_eq!(status, 200, "purged {purged}: {r}");
        assert_eq!(r["account"]["username"], "erased", "{r}");
        assert_eq!(r["target_account"]["id"], bob_id.as_str(), "{r}");
        assert_eq!(r["comment"], "", "{r}");
        // The list and the moderator's notifications show them too.
        let (status, list) = app
            .get_json("/api/v1/admin/reports?resolved=true", Some(&moder))
            .await;
        assert_eq!(status, 200, "{list}");
        assert!(list.to_string().contains(&about_ivy), "{list}");
        let (status, notes) = app.get_json("/api/v1/notifications", Some(&moder)).await;
        assert_eq!(status, 200, "{notes}");
        // (Bob's notice stays; ivy's own, from her, goes with her account.)
        let notice = notes
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["type"] == "admin.report" && n["report"]["id"] == about_ivy.as_str())
            .unwrap_or_else(|| panic!("no notice of the report: {notes}"));
        assert_eq!(
            notice["report"]["target_account"]["username"], "erased",
            "{notice}"
        );
        assert_eq!(notice["report"]["comment"], "", "{notice}");
        // The command line names no one.
        let (ok, out, err) = cli(
            &app,
            &["admin", "reports", "show", &about_ivy, "--as", "consultant"],
        );
        assert!(ok, "{err}");
        assert!(out.contains("about (erased account) by @bob"), "{out}");
        assert!(!out.contains("ivy") && !out.contains(QUOTED), "{out}");
    }
    let rest = app.at_rest().await;
    for s in [QUOTED, OWN] {
        assert!(!at_rest_contains(&rest, s), "{s} remains at rest");
    }
    let rid: i64 = about_ivy.parse().unwrap();
    let target = app
        .state
        .db
        .run(move |c| {
            Ok(kindred_db::models::reports::find(c, rid)?
                .unwrap()
                .target_account_id)
        })
        .await
        .unwrap();
    assert_eq!(target, None);
    // Filing, handling and erasing logged ids only: no name, no comment.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    assert_logged_by_id(&text, "report handled", &[QUOTED, OWN, "ivy", "bob"]);
    assert_logged_by_id(&text, "account erased", &[]);
    assert_logged_by_id(&text, "report filed", &[]);
}

/// The roles in a group's member list, by account id.
async fn roles(app: &TestApp, gid: &str, token: &str) -> Vec<(String, String)> {
    let (status, members) = app
        .get_json(&format!("/api/v1/groups/{gid}/members"), Some(token))
        .await;
    assert_eq!(status, 200, "{members}");
    let mut out: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account"]["id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A group whose owner is erased passes to its longest-serving facilitator (not to
/// a plain member who joined earlier); one with no facilitator is left for the
/// admins, and both are in the audit log under the erased owner's opaque id.
async fn an_erased_owners_group_passes_to_a_facilitator(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app
        .user_with_token("ada", Role::Admin, "read write admin:read admin:write")
        .await;
    let (fenna, fenna_id) = user(&app, "fenna", Role::Facilitator, None).await;
    let (mia, mia_id) = app.member("mia").await;
    let (gail, gail_id) = user(&app, "gail", Role::Facilitator, None).await;
    let (hugo, hugo_id) = user(&app, "hugo", Role::Facilitator, None).await;
    let staffed = public_group(&app, &fenna, "staffedcircle", json!({})).await;
    let alone = public_group(&app, &fenna, "lonecircle", json!({})).await;
    // Mia joins first; gail, then hugo, are made facilitators.
    for token in [&mia, &gail, &hugo] {
        app.post_ok(&format!("/api/v1/groups/{staffed}/join"), token, json!({}))
            .await;
    }
    app.post_ok(&format!("/api/v1/groups/{alone}/join"), &mia, json!({}))
        .await;
    for id in [&hugo_id, &gail_id] {
        app.post_ok(
            &format!("/api/v1/groups/{staffed}/accounts/{id}/promote"),
            &fenna,
            json!({}),
        )
        .await;
    }
    // Hugo was promoted first, but gail joined first: she has served longer.
    let s = |a: &str, r: &str| (a.to_owned(), r.to_owned());
    let mut before = vec![
        s(&fenna_id, "owner"),
        s(&mia_id, "member"),
        s(&gail_id, "facilitator"),
        s(&hugo_id, "facilitator"),
    ];
    before.sort();
    assert_eq!(roles(&app, &staffed, &fenna).await, before);
    let alone_id: i64 = alone.parse().unwrap();
    let moderating = app
        .state
        .db
        .run(move |c| kindred_db::models::groups::facilitators(c, alone_id))
        .await
        .unwrap();
    assert_eq!(moderating, vec![fenna_id.parse::<i64>().unwrap()]);

    let (status, v) = delete_account(&app, &fenna, "fenna's password").await;
    assert_eq!(status, 200, "{v}");
    let mut after = [
        s(&mia_id, "member"),
        s(&gail_id, "owner"),
        s(&hugo_id, "facilitator"),
    ];
    after.sort();
    let now = roles(&app, &staffed, &gail).await;
    assert!(
        after.iter().all(|r| now.contains(r)),
        "gail should own the group: {now:?}"
    );
    assert!(
        !now.contains(&s(&fenna_id, "owner")),
        "the erased owner still owns it: {now:?}"
    );
    // The new owner acts as one: she makes mia a facilitator.
    app.post_ok(
        &format!("/api/v1/groups/{staffed}/accounts/{mia_id}/promote"),
        &gail,
        json!({}),
    )
    .await;
    // The group without a facilitator has no owner now, for the admins to settle
    // (mia, a plain member, is not made its owner).
    let moderating = app
        .state
        .db
        .run(move |c| kindred_db::models::groups::facilitators(c, alone_id))
        .await
        .unwrap();
    assert!(moderating.is_empty(), "{moderating:?}");
    let (status, _) = app
        .get_json(&format!("/api/v1/groups/{alone}/members"), Some(&mia))
        .await;
    assert_eq!(status, 403, "mia became a moderator of the lone group");
    erasure::purge_due(&app.state, Utc::now()).await.unwrap();
    let (status, log) = app
        .get_json("/api/v1/admin/kindred/audit_log?kind=group.", Some(&admin))
        .await;
    assert_eq!(status, 200, "{log}");
    let entries = log.as_array().unwrap();
    let entry = |kind: &str| {
        entries
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {log}"))
    };
    let passed = entry("group.owner_passed");
    assert_eq!(passed["target_account_id"], staffed.as_str(), "{log}");
    assert_eq!(passed["new_value"], format!("owner {gail_id}"), "{log}");
    let ownerless = entry("group.ownerless");
    assert_eq!(ownerless["target_account_id"], alone.as_str(), "{log}");
    for e in [passed, ownerless] {
        assert_ne!(e["actor_id"], fenna_id.as_str(), "{log}");
        assert!(!e.to_string().contains("fenna"), "{log}");
    }
    assert_eq!(entries.len(), 2, "{log}");
}

/// Whether `word` stands in `text` as a word of its own (a name such as `nia`
/// inside `California` does not count).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The captured log holds the control line `control` and, anywhere, none of
/// `never` (names as whole words, emails, words written, tokens); and the lines
/// naming `control` carry no client address.
pub(crate) fn assert_logged_by_id(text: &str, control: &str, never: &[&str]) {
    assert!(text.contains(control), "control: {control:?} is logged");
    for s in never {
        assert!(!has_word(text, s), "{s:?} in the logs");
    }
    for line in text.lines().filter(|l| l.contains(control)) {
        for address in ["127.0.0.1", "::1", "ip=", "addr="] {
            assert!(!line.contains(address), "an address in: {line}");
        }
    }
}
