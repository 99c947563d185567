//! Issue 27, "Keep data safe": `kindred admin backup`, `restore` and
//! `copy-database`, run as an operator runs them, against `kindred serve`
//! processes.

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{both_backends, database_url, free_port, Backend, TempDir, TEST_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_kindred");

both_backends!(posts_acknowledged_before_a_backup_survive_its_restore);

/// A `kindred serve` process and the settings it runs with; the same settings run
/// the admin commands. Killed when dropped, so a failing test leaves nothing running.
struct Server {
    dir: TempDir,
    port: u16,
    env: Vec<(String, String)>,
    child: Option<Child>,
    client: reqwest::Client,
}

impl Server {
    fn new(database_url: String, dir: TempDir) -> Self {
        let port = free_port();
        let env = vec![
            ("KINDRED__SERVER__BIND".into(), format!("127.0.0.1:{port}")),
            ("KINDRED__SERVER__WORKERS".into(), "2".into()),
            ("KINDRED__SERVER__SHUTDOWN_TIMEOUT".into(), "1".into()),
            ("KINDRED__SERVER__RATE_LIMITS".into(), "false".into()),
            (
                "KINDRED__INSTANCE__DOMAIN".into(),
                format!("localhost:{port}"),
            ),
            ("KINDRED__DATABASE__URL".into(), database_url),
            ("KINDRED__DATABASE__MAX_CONNECTIONS".into(), "4".into()),
            ("KINDRED__REGISTRATION__MODE".into(), "open".into()),
            ("KINDRED__SECURITY__SECRET_KEY".into(), TEST_SECRET.into()),
            ("KINDRED__FEDERATION__ALLOW_HTTP".into(), "true".into()),
            (
                "KINDRED__FEDERATION__ALLOW_PRIVATE_NETWORKS".into(),
                "true".into(),
            ),
            (
                "KINDRED__FEDERATION__DELIVERY_CONCURRENCY".into(),
                "0".into(),
            ),
            ("KINDRED__LOG__LEVEL".into(), "error".into()),
        ];
        Self {
            dir,
            port,
            env,
            child: None,
            client: reqwest::Client::new(),
        }
    }

    /// The same port and domain on another database.
    fn with_database(&self, database_url: String, dir: TempDir) -> Self {
        let mut env = self.env.clone();
        env.retain(|(k, _)| k != "KINDRED__DATABASE__URL");
        env.push(("KINDRED__DATABASE__URL".into(), database_url));
        Self {
            dir,
            port: self.port,
            env,
            child: None,
            client: reqwest::Client::new(),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(&self.dir.0)
            .env_clear()
            .envs(self.env.clone());
        if let Ok(path) = std::env::var("PATH") {
            c.env("PATH", path);
        }
        c
    }

    /// An admin command; its output, whatever the outcome.
    fn admin(&self, args: &[&str]) -> Output {
        self.command()
            .arg("admin")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// An admin command that must succeed; its standard output.
    fn admin_ok(&self, args: &[&str]) -> String {
        let out = self.admin(args);
        assert!(
            out.status.success(),
            "kindred admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    async fn start(&mut self) {
        let child = self
            .command()
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let health = self.url("/healthz");
        let client = self.client.clone();
        eventually("kindred serve to answer", || async {
            let ok = client.get(&health).send().await.ok()?;
            ok.status().is_success().then_some(())
        })
        .await;
    }

    /// SIGTERM, then waits for the process to end (its connections closed).
    async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
    }

    /// A user made with `kindred admin create-user`, and a read/write/follow token.
    async fn user(&self, name: &str, role: &str) -> (String, String) {
        let password = format!("{name}'s password, long enough");
        let mut child = self
            .command()
            .args([
                "admin",
                "create-user",
                name,
                "--role",
                role,
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        assert!(child.wait().unwrap().success(), "create-user {name}");
        let (_, app) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/apps",
                None,
                json!({"client_name": "backup test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                       "scopes": "read write follow"}),
            )
            .await;
        let (status, token) = self
            .send(
                reqwest::Method::POST,
                "/oauth/token",
                None,
                json!({"grant_type": "password", "client_id": app["client_id"],
                       "client_secret": app["client_secret"], "username": name,
                       "password": password, "scope": "read write follow"}),
            )
            .await;
        assert_eq!(status, 200, "{token}");
        let token = token["access_token"].as_str().unwrap().to_owned();
        let (_, me) = self
            .get("/api/v1/accounts/verify_credentials", Some(&token))
            .await;
        (token, me["id"].as_str().unwrap().to_owned())
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, self.url(path)).json(&body);
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

    async fn post_ok(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, v) = self
            .send(reqwest::Method::POST, path, Some(token), body)
            .await;
        assert!((200..300).contains(&status), "POST {path}: {status} {v}");
        v
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
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
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A member keeps posting through the API while `kindred admin backup` runs; the
/// backup is restored into a fresh database (SQLite: `kindred admin restore` into a
/// new directory; PostgreSQL: `pg_restore` into a new database), a server starts on
/// it, and every post acknowledged before the backup began is there, word for word.
async fn posts_acknowledged_before_a_backup_survive_its_restore(backend: Backend) {
    let dir = TempDir::new("kindred-backup");
    let Some(url) = database_url(backend, &dir) else {
        return;
    };
    let mut server = Server::new(url, dir);
    server.start().await;
    let (token, _) = server.user("mia", "member").await;
    let server = Arc::new(server);

    // Two writers; each acknowledged post is recorded with its text.
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        let (server, acked, stop, token) =
            (server.clone(), acked.clone(), stop.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let text = format!("writer {w} post {i}");
                let (status, v) = server
                    .send(
                        reqwest::Method::POST,
                        "/api/v1/statuses",
                        Some(&token),
                        json!({"status": text, "visibility": "public"}),
                    )
                    .await;
                assert_eq!(status, 200, "{v}");
                acked
                    .lock()
                    .unwrap()
                    .push((v["id"].as_str().unwrap().to_owned(), text));
                i += 1;
            }
        }));
    }
    let count = || acked.lock().unwrap().len();
    eventually("posts before the backup", || async {
        (count() >= 30).then_some(())
    })
    .await;

    let before: Vec<(String, String)> = acked.lock().unwrap().clone();
    let dest = server.dir.0.join("backup-1");
    let dest_arg = dest.to_str().unwrap().to_owned();
    let out = {
        let server = server.clone();
        tokio::task::spawn_blocking(move || server.admin_ok(&["backup", &dest_arg]))
            .await
            .unwrap()
    };
    let during = count() - before.len();
    assert!(out.contains("backup written to"), "{out}");
    assert!(out.contains("NOT in this backup"), "{out}");
    eventually("posts after the backup", || async {
        (count() >= before.len() + during + 10).then_some(())
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let mut server = Arc::into_inner(server).unwrap();
    server.stop().await;

    // Restored into a fresh database, served on the same port and domain.
    let fresh = TempDir::new("kindred-restored");
    let restored_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", fresh.0.join("data/kindred.sqlite").display()),
        Backend::Postgres => crate::pg::new_database().unwrap(),
    };
    let mut restored = server.with_database(restored_url.clone(), fresh);
    match backend {
        Backend::Sqlite => {
            let out = restored.admin_ok(&["restore", dest.to_str().unwrap()]);
            assert!(out.contains("restored"), "{out}");
        }
        Backend::Postgres => {
            let out = Command::new("pg_restore")
                .args(["--no-owner", "--dbname", &restored_url])
                .arg(dest.join("database.pgdump"))
                .output()
                .unwrap();
            assert!(out.status.success(), "pg_restore: {}", stderr(&out));
        }
    }
    restored.start().await;
    for (id, text) in &before {
        let (status, v) = restored
            .get(&format!("/api/v1/statuses/{id}"), Some(&token))
            .await;
        assert_eq!(
            status, 200,
            "post {id} ({text}) acknowledged before the backup: {v}"
        );
        assert_eq!(v["content"], format!("<p>{text}</p>"), "{v}");
    }
    restored.stop().await;
}

/// What must not happen: a backup over an existing path, a restore over a database
/// that holds data (without `--force`), a restore under a running server, a restore
/// of a backup from a newer Kindred. Each refusal changes nothing; each comes after
/// the same command has succeeded once (the positive control).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_refuse_to_overwrite() {
    let dir = TempDir::new("kindred-backup-refusals");
    let url = format!("sqlite://{}", dir.0.join("kindred.sqlite").display());
    let mut server = Server::new(url, dir);
    server.start().await;
    let (token, _) = server.user("mia", "member").await;
    let kept = server
        .post_ok("/api/v1/statuses", &token, json!({"status": "kept"}))
        .await;
    let dest = server.dir.0.join("backup");
    let dest_arg = dest.to_str().unwrap();
    server.admin_ok(&["backup", dest_arg]);
    let mode = |p: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(&dest), 0o700);
    assert_eq!(mode(&dest.join("database.sqlite")), 0o600);
    let first = std::fs::read(dest.join("database.sqlite")).unwrap();

    // The same destination again: refused, the first backup untouched.
    let out = server.admin(&["backup", dest_arg]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dest.join("database.sqlite")).unwrap(), first);

    // Under the running server, even with --force: refused.
    let out = server.admin(&["restore", dest_arg, "--force"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("in use"), "{}", stderr(&out));

    // Without --force over a database with data: refused, data unchanged.
    let later = server
        .post_ok(
            "/api/v1/statuses",
            &token,
            json!({"status": "after the backup"}),
        )
        .await;
    server.stop().await;
    let out = server.admin(&["restore", dest_arg]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    server.start().await;
    let later_id = later["id"].as_str().unwrap();
    let (status, _) = server
        .get(&format!("/api/v1/statuses/{later_id}"), Some(&token))
        .await;
    assert_eq!(status, 200, "the refused restore changed nothing");
    server.stop().await;

    // A backup from a newer Kindred (a migration this binary lacks): refused.
    let newer = server.dir.0.join("newer.sqlite");
    std::fs::copy(dest.join("database.sqlite"), &newer).unwrap();
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::sqlite::SqliteConnection::establish(newer.to_str().unwrap()).unwrap();
        c.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000001')",
        )
        .unwrap();
    }
    let out = server.admin(&["restore", newer.to_str().unwrap(), "--force"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("29991231000001"), "{}", stderr(&out));

    // With --force and the server stopped: the backup's state comes back.
    let out = server.admin_ok(&["restore", dest_arg, "--force"]);
    assert!(out.contains("restored"), "{out}");
    server.start().await;
    let kept_id = kept["id"].as_str().unwrap();
    let (status, _) = server
        .get(&format!("/api/v1/statuses/{kept_id}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .get(&format!("/api/v1/statuses/{later_id}"), Some(&token))
        .await;
    assert_eq!(status, 404, "a post from after the backup is gone");
    server.stop().await;
}

/// The tables `schema.rs` declares (an alias, `#[sql_name = ...]`, names its
/// table), less SQLite's FTS5 index, a virtual table that exists only there
/// (PostgreSQL indexes `statuses.search_text`, which is copied).
fn schema_tables() -> Vec<String> {
    let schema = include_str!("../../../kindred-db/src/schema.rs");
    let mut tables = Vec::new();
    for block in schema.split("diesel::table! {").skip(1) {
        let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap();
        let name = match first.strip_prefix("#[sql_name = \"") {
            Some(rest) => rest.split('"').next().unwrap(),
            None => first.split([' ', '(']).next().unwrap(),
        };
        if name != "statuses_search" && !tables.iter().any(|t| t == name) {
            tables.push(name.to_owned());
        }
    }
    assert!(tables.len() > 40, "{tables:?}");
    tables
}

/// A populated SQLite instance — accounts, public posts and a group discussion
/// post, a group and its members, a meeting with a private place and an accepted
/// attendee, follows, favourites, notifications — answers a fixed set of requests;
/// `copy-database` moves it into an empty PostgreSQL database (printing every
/// table of schema.rs with equal counts); the server started on PostgreSQL, same
/// port and domain, gives the same answers, byte for byte. Then a second copy
/// into the now full database, and one into a database with a table of its own,
/// are refused and change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_database_moves_an_instance_to_postgres_unchanged() {
    let dir = TempDir::new("kindred-copy");
    let Some(pg_url) = database_url(Backend::Postgres, &dir) else {
        return;
    };
    let url = format!("sqlite://{}", dir.0.join("kindred.sqlite").display());
    let mut server = Server::new(url, dir);
    server.start().await;
    let (fran, _) = server.user("fran", "facilitator").await;
    let (mia, mia_id) = server.user("mia", "member").await;
    let (noor, noor_id) = server.user("noor", "member").await;
    let (olly, _) = server.user("olly", "member").await;

    let group = server
        .post_ok(
            "/api/v1/groups",
            &fran,
            json!({"username": "leipzigpeers", "display_name": "Leipzig peers",
                   "visibility": "closed"}),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_owned();
    for (token, id) in [(&mia, &mia_id), (&noor, &noor_id)] {
        let v = server
            .post_ok(&format!("/api/v1/groups/{gid}/join"), token, json!({}))
            .await;
        if v["membership"]["state"] == "requested" {
            server
                .post_ok(
                    &format!("/api/v1/groups/{gid}/accounts/{id}/approve"),
                    &fran,
                    json!({}),
                )
                .await;
        }
    }
    let discussion = server
        .post_ok(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@leipzigpeers a hard week, glad you are here", "visibility": "private"}),
        )
        .await;
    let discussion = discussion["id"].as_str().unwrap().to_owned();
    let public = server
        .post_ok(
            "/api/v1/statuses",
            &noor,
            json!({"status": "Sunny walk today #outside", "visibility": "public"}),
        )
        .await;
    let public = public["id"].as_str().unwrap().to_owned();
    server
        .post_ok(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@noor lovely", "in_reply_to_id": public}),
        )
        .await;
    server
        .post_ok(
            &format!("/api/v1/statuses/{public}/favourite"),
            &fran,
            json!({}),
        )
        .await;
    server
        .post_ok(
            &format!("/api/v1/accounts/{noor_id}/follow"),
            &mia,
            json!({}),
        )
        .await;
    let start = crate::common::meeting_at(0, "18:30");
    let end = crate::common::meeting_at(0, "20:00");
    let meeting = server
        .post_ok(
            "/api/v1/pleroma/events",
            &fran,
            json!({"title": "Peer café", "description": "Tea and talk.",
                   "start_time": start, "end_time": end, "time_zone": "Europe/Berlin",
                   "locality": "Leipzig", "country": "Germany", "group_id": gid,
                   "join_mode": "approval", "venue_name": "Back room",
                   "street_address": "Hidden Street 7", "postal_code": "04107",
                   "access_notes": "ring twice"}),
        )
        .await;
    let mid = meeting["id"].as_str().unwrap().to_owned();
    server
        .post_ok(
            &format!("/api/v1/pleroma/events/{mid}/join"),
            &mia,
            json!({}),
        )
        .await;
    server
        .post_ok(
            &format!("/api/v1/pleroma/events/{mid}/participation_requests/{mia_id}/authorize"),
            &fran,
            json!({}),
        )
        .await;

    // The fixed set of requests, asked as each viewer.
    let viewers = [
        ("fran", Some(fran.clone())),
        ("mia", Some(mia.clone())),
        ("noor", Some(noor.clone())),
        ("olly", Some(olly.clone())),
        ("anonymous", None),
    ];
    let paths = [
        "/api/v1/accounts/verify_credentials".to_owned(),
        "/api/v1/timelines/home".to_owned(),
        "/api/v1/timelines/public?local=true".to_owned(),
        "/api/v1/timelines/tag/outside".to_owned(),
        "/api/v1/notifications".to_owned(),
        format!("/api/v1/statuses/{discussion}"),
        format!("/api/v1/statuses/{public}/context"),
        format!("/api/v1/accounts/{mia_id}/statuses"),
        format!("/api/v1/accounts/{noor_id}/followers"),
        format!("/api/v1/accounts/relationships?id[]={noor_id}&id[]={gid}"),
        format!("/api/v1/groups/{gid}"),
        format!("/api/v1/groups/{gid}/members"),
        format!("/api/v1/groups/{gid}/timeline"),
        format!("/api/v1/pleroma/events/{mid}"),
        format!("/api/v1/pleroma/events?group_id={gid}"),
        "/api/v2/instance".to_owned(),
        "/api/v2/search?q=sunny&type=statuses".to_owned(),
        "/users/mia".to_owned(),
        "/users/leipzigpeers".to_owned(),
        format!(
            "/.well-known/webfinger?resource=acct:noor@localhost:{}",
            server.port
        ),
    ];
    let answers = |server: &Server| {
        let viewers = viewers.clone();
        let paths = paths.clone();
        let client = server.client.clone();
        let base = server.url("");
        async move {
            let mut out = Vec::new();
            for (who, token) in &viewers {
                for path in &paths {
                    let mut req = client
                        .get(format!("{base}{path}"))
                        .header("accept", "application/activity+json, application/json");
                    if let Some(t) = token {
                        req = req.bearer_auth(t);
                    }
                    let resp = req.send().await.unwrap();
                    let status = resp.status().as_u16();
                    out.push((format!("{who} {path}"), status, resp.text().await.unwrap()));
                }
            }
            out
        }
    };
    let before = answers(&server).await;
    // Positive controls: the answers hold what the comparison is about.
    let find = |who_path: &str| {
        before
            .iter()
            .find(|(k, _, _)| k == who_path)
            .unwrap_or_else(|| panic!("{who_path}"))
            .clone()
    };
    let (_, status, body) = find(&format!("mia /api/v1/statuses/{discussion}"));
    assert_eq!(status, 200, "{body}");
    let (_, status, _) = find(&format!("olly /api/v1/statuses/{discussion}"));
    assert_eq!(status, 404);
    let (_, _, body) = find(&format!("mia /api/v1/pleroma/events/{mid}"));
    assert!(body.contains("Hidden Street 7"), "{body}");
    let (_, _, body) = find(&format!("olly /api/v1/pleroma/events/{mid}"));
    assert!(!body.contains("Hidden Street 7"), "{body}");
    let (_, _, body) = find("noor /api/v1/notifications");
    assert!(
        body.contains("\"follow\"") && body.contains("\"mention\""),
        "{body}"
    );
    let (_, _, body) = find("anonymous /users/mia");
    assert!(body.contains("publicKeyPem"), "{body}");
    server.stop().await;

    let out = server.admin_ok(&["copy-database", "--to", &pg_url]);
    let counts: std::collections::HashMap<&str, (i64, i64)> = out
        .lines()
        .filter_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            match parts.as_slice() {
                [t, a, b] => Some((*t, (a.parse().ok()?, b.parse().ok()?))),
                _ => None,
            }
        })
        .collect();
    for table in schema_tables() {
        let (sqlite, postgres) = counts
            .get(table.as_str())
            .unwrap_or_else(|| panic!("table {table} of schema.rs was not copied:\n{out}"));
        assert_eq!(sqlite, postgres, "{table}");
    }
    for table in [
        "accounts",
        "users",
        "statuses",
        "groups",
        "group_memberships",
        "group_posts",
        "meetings",
        "meeting_places",
        "meeting_participations",
        "follows",
        "favourites",
        "notifications",
        "oauth_tokens",
        "account_stats",
        "instance_actor",
    ] {
        assert!(counts[table].0 > 0, "{table} was populated: {out}");
    }

    let mut moved = server.with_database(pg_url.clone(), TempDir::new("kindred-copied"));
    moved.start().await;
    let after = answers(&moved).await;
    for ((key, s1, b1), (_, s2, b2)) in before.iter().zip(&after) {
        assert_eq!(
            (s1, b1),
            (s2, b2),
            "{key} answers differently on PostgreSQL"
        );
    }
    assert_eq!(before.len(), after.len());
    moved.stop().await;

    // Copying again into the database that now holds the instance: refused.
    let out = server.admin(&["copy-database", "--to", &pg_url]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    moved.start().await;
    assert_eq!(
        answers(&moved).await,
        after,
        "the refused copy changed nothing"
    );
    moved.stop().await;

    // A database holding a table of its own: refused, and nothing is created.
    let other = crate::pg::new_database().unwrap();
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::pg::PgConnection::establish(&other).unwrap();
        c.batch_execute("CREATE TABLE theirs (x INT); INSERT INTO theirs VALUES (1)")
            .unwrap();
    }
    let out = server.admin(&["copy-database", "--to", &other]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("theirs"), "{}", stderr(&out));
    {
        use diesel::Connection;
        use diesel::RunQueryDsl;
        let mut c = diesel::pg::PgConnection::establish(&other).unwrap();
        let n: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r')",
        ))
        .get_result(&mut c)
        .unwrap();
        assert_eq!(n, 1, "only their own table");
    }
}
