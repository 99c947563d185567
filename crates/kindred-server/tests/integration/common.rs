//! The test harness: a real `kindred` HTTP server per test (in-process, on a free
//! loopback port) over a fresh SQLite file or a fresh PostgreSQL database.

use std::path::PathBuf;

use actix_web::web;
use kindred_api::services::accounts::{create_local_account, NewLocalAccount};
use kindred_api::AppState;
use kindred_domain::{EmailAddress, Password, Role, Username};
use kindred_server::config;
use kindred_server::startup::{Application, StartupError};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per backend.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::common::Backend::Postgres).await
            }
        }
    )*};
}
pub(crate) use both_backends;

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "{prefix}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // An empty path is a directory handed on by `take`.
        if !self.0.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TempDir {
    /// Hands the directory on; this value no longer removes it.
    #[allow(dead_code)] // federation-tests/
    pub fn take(&mut self) -> TempDir {
        TempDir(std::mem::take(&mut self.0))
    }
}

/// A database URL for the backend, or None when PostgreSQL is unavailable (reported
/// loudly; a hard failure when KINDRED_REQUIRE_POSTGRES=1, as in CI).
pub fn database_url(backend: Backend, dir: &TempDir) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!(
            "sqlite://{}",
            dir.0.join("kindred.sqlite").display()
        )),
        Backend::Postgres => match crate::pg::new_database() {
            Ok(url) => Some(url),
            Err(why) => {
                if std::env::var("KINDRED_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("PostgreSQL is required (KINDRED_REQUIRE_POSTGRES=1) but unavailable: {why}");
                }
                eprintln!("\n*** SKIPPED PostgreSQL test: {why} ***\n*** Install the PostgreSQL server (see README) to run it. ***\n");
                None
            }
        },
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct TestApp {
    pub base: String,
    pub domain: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub dir: TempDir,
    handle: actix_web::dev::ServerHandle,
    /// The KINDRED__* settings it was started with (a restart reuses them: same
    /// port, same database).
    pub env: Vec<(String, String)>,
    delivery: Option<kindred_federation::delivery::DeliveryWorker>,
    /// The `/metrics` listener, with `metrics.enabled`.
    metrics: Option<actix_web::dev::ServerHandle>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the future only waits for completion.
        drop(self.handle.stop(false));
        if let Some(metrics) = &self.metrics {
            drop(metrics.stop(false));
        }
    }
}

pub const TEST_SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// Starts an app; `extra` adds or overrides KINDRED__* settings.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let dir = TempDir::new("kindred-test");
    let url = database_url(backend, &dir)?;
    // `free_port` gives the port back before the server binds it, so another test
    // may take it in between: a failed bind is retried on a new port.
    let mut dir = dir;
    for attempt in 0.. {
        let port = free_port();
        let domain = format!("localhost:{port}");
        let mut env: Vec<(String, String)> = vec![
            ("KINDRED__SERVER__BIND".into(), format!("127.0.0.1:{port}")),
            ("KINDRED__SERVER__WORKERS".into(), "2".into()),
            ("KINDRED__SERVER__SHUTDOWN_TIMEOUT".into(), "1".into()),
            ("KINDRED__INSTANCE__DOMAIN".into(), domain.clone()),
            ("KINDRED__INSTANCE__NAME".into(), "Kindred test".into()),
            ("KINDRED__DATABASE__URL".into(), url.clone()),
            ("KINDRED__DATABASE__MAX_CONNECTIONS".into(), "4".into()),
            ("KINDRED__REGISTRATION__MODE".into(), "open".into()),
            ("KINDRED__SECURITY__SECRET_KEY".into(), TEST_SECRET.into()),
            ("KINDRED__FEDERATION__ALLOW_HTTP".into(), "true".into()),
            (
                "KINDRED__FEDERATION__ALLOW_PRIVATE_NETWORKS".into(),
                "true".into(),
            ),
            ("KINDRED__LOG__LEVEL".into(), "warn".into()),
            (
                "KINDRED__FILES__DIRECTORY".into(),
                dir.0.join("files").display().to_string(),
            ),
        ];
        for (k, v) in extra {
            env.retain(|(ek, _)| ek != k);
            env.push((k.to_string(), v.to_string()));
        }
        match try_start_app(env, dir).await {
            Ok(app) => return Some(app),
            Err((StartupError::Bind { .. }, d)) if attempt < 5 => dir = d,
            Err((e, _)) => panic!("app starts: {e:?}"),
        }
    }
    unreachable!()
}

/// Builds and starts the server described by `env`.
async fn start_app(env: Vec<(String, String)>, dir: TempDir) -> TestApp {
    match try_start_app(env, dir).await {
        Ok(app) => app,
        Err((e, _)) => panic!("app starts: {e:?}"),
    }
}

/// As `start_app`; on failure the error and the directory come back.
async fn try_start_app(
    env: Vec<(String, String)>,
    dir: TempDir,
) -> Result<TestApp, (StartupError, TempDir)> {
    let settings = config::load(None, &env).expect("test configuration");
    let app = match Application::build(&settings).await {
        Ok(app) => app,
        Err(e) => return Err((e, dir)),
    };
    let handle = app.server.handle();
    let state = app.state.clone();
    tokio::spawn(app.server);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let domain = format!("localhost:{}", app.port);
    Ok(TestApp {
        base: format!("http://{domain}"),
        domain,
        client,
        state,
        dir,
        handle,
        env,
        delivery: app.delivery,
        metrics: app.metrics.map(|m| m.handle),
    })
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

pub struct Client {
    pub client_id: String,
    pub client_secret: String,
}

impl TestApp {
    /// Stops the HTTP server (waiting until its port is free), its streams and the
    /// delivery worker (giving its leases back). The database stays, and `state` still reaches it.
    #[allow(dead_code)] // federation-tests/
    pub async fn stop_server(&mut self) {
        // Ends its streams and its streaming relay's listener (PostgreSQL), as a
        // stopped process's would end.
        self.state.streaming.shut_down();
        self.handle.stop(true).await;
        if let Some(worker) = self.delivery.take() {
            worker.shutdown().await;
        }
    }

    /// Stops the server and starts a new one on the same port and database, with
    /// the same settings.
    #[allow(dead_code)] // federation-tests/
    pub async fn restart(mut self) -> TestApp {
        self.stop_server().await;
        let (env, dir) = (self.env.clone(), self.dir.take());
        drop(self);
        start_app(env, dir).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an approved local account directly through the service layer.
    pub async fn create_user(&self, name: &str, password: &str, email: Option<&str>, role: Role) {
        create_local_account(
            &self.state,
            NewLocalAccount {
                username: Username::parse(name).unwrap(),
                email: email.map(|e| EmailAddress::parse(e).unwrap()),
                password: Password::parse(password).unwrap(),
                role,
                approved: true,
                reason: None,
                invite_id: None,
            },
        )
        .await
        .expect("create user");
    }

    pub async fn register_app(&self, scopes: &str, redirect: &str) -> Client {
        let resp = self
            .client
            .post(self.url("/api/v1/apps"))
            .form(&[
                ("client_name", "test app"),
                ("redirect_uris", redirect),
                ("scopes", scopes),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        Client {
            client_id: v["client_id"].as_str().unwrap().to_owned(),
            client_secret: v["client_secret"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn password_token(
        &self,
        c: &Client,
        login: &str,
        password: &str,
        scope: &str,
    ) -> reqwest::Response {
        self.client
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", &c.client_id),
                ("client_secret", &c.client_secret),
                ("username", login),
                ("password", password),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap()
    }

    /// A user token with read write follow.
    pub async fn login(&self, name: &str, password: &str) -> String {
        let c = self
            .register_app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
            .await;
        let resp = self
            .password_token(&c, name, password, "read write follow")
            .await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
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

impl TestApp {
    /// A user of `role` with a token of exactly `scope` (admins' scopes, say), in
    /// one step; the password is "NAME's password".
    pub async fn user_with_token(&self, name: &str, role: Role, scope: &str) -> String {
        let password = format!("{name}'s password");
        self.create_user(name, &password, None, role).await;
        let c = self.register_app(scope, "urn:ietf:wg:oauth:2.0:oob").await;
        let resp = self.password_token(&c, name, &password, scope).await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// A user with a read/write/follow token, in one step.
    pub async fn member(&self, name: &str) -> (String, String) {
        let password = format!("{name}'s password");
        self.create_user(name, &password, None, Role::Member).await;
        let token = self.login(name, &password).await;
        let (_, me) = self
            .get_json("/api/v1/accounts/verify_credentials", Some(&token))
            .await;
        (token, me["id"].as_str().unwrap().to_owned())
    }

    pub async fn send_json(
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

    pub async fn post_json(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, Some(token), body)
            .await
    }

    /// A setup step that must succeed (a 2xx), its answer: a step that failed
    /// silently would let the checks after it pass over nothing.
    pub async fn post_ok(&self, path: &str, token: &str, body: Value) -> Value {
        self.send_ok(reqwest::Method::POST, path, Some(token), body)
            .await
    }

    /// As `post_ok`, with any method.
    pub async fn send_ok(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Value {
        let (status, v) = self.send_json(method.clone(), path, token, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    /// Everything the database keeps, for leak searches at rest (search it with
    /// `at_rest_contains`): on SQLite the bytes of the file and its write-ahead log,
    /// free pages included; on PostgreSQL every row of every table, as text.
    pub async fn at_rest(&self) -> Vec<u8> {
        let sqlite = self
            .env
            .iter()
            .any(|(k, v)| k == "KINDRED__DATABASE__URL" && v.starts_with("sqlite:"));
        if sqlite {
            let mut out = Vec::new();
            for file in ["kindred.sqlite", "kindred.sqlite-wal"] {
                out.extend(std::fs::read(self.dir.0.join(file)).unwrap_or_default());
            }
            return out;
        }
        #[derive(diesel::QueryableByName)]
        struct Table {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        #[derive(diesel::QueryableByName)]
        struct Rows {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            rows: Option<String>,
        }
        self.state
            .db
            .run(|c| {
                use diesel::RunQueryDsl;
                let tables = diesel::sql_query(
                    "SELECT table_name AS name FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .load::<Table>(c)?;
                let mut out = Vec::new();
                for t in tables {
                    // A row cast to text holds every column; bytea shows as hex.
                    let rows = diesel::sql_query(format!(
                        "SELECT string_agg(t::text, E'\\n') AS rows FROM \"{}\" t",
                        t.name
                    ))
                    .get_result::<Rows>(c)?;
                    out.extend(rows.rows.unwrap_or_default().into_bytes());
                    out.push(b'\n');
                }
                Ok(out)
            })
            .await
            .unwrap()
    }

    /// Posts a status and returns its id.
    pub async fn post_status(&self, token: &str, body: Value) -> String {
        let (status, v) = self.post_json("/api/v1/statuses", token, body).await;
        assert_eq!(status, 200, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }
}

/// A meeting day that is always ahead: the first Tuesday of March next year, plus
/// `days`. A fixed date turns into a failure once it has passed (a weekly series from
/// 2027-03-02 with COUNT=10 is over in May 2027). March's first week is winter time
/// in Europe, so Berlin is UTC+1 and expected UTC times stay put.
pub fn meeting_day(days: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let march = chrono::NaiveDate::from_ymd_opt(chrono::Utc::now().year() + 1, 3, 1).unwrap();
    let to_tuesday = (9 - i64::from(march.weekday().number_from_monday())) % 7;
    march + chrono::Duration::days(to_tuesday + days)
}

/// `meeting_day(days)` at `time` (`HH:MM`), as the events API takes it.
pub fn meeting_at(days: i64, time: &str) -> String {
    format!("{}T{time}", meeting_day(days))
}

/// Whether `needle` is in what `TestApp::at_rest` read: as itself, or hex-encoded
/// (how PostgreSQL prints a bytea column).
pub fn at_rest_contains(rest: &[u8], needle: &str) -> bool {
    let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
    [needle.as_bytes(), hex.as_bytes()]
        .iter()
        .any(|n| rest.windows(n.len()).any(|w| w == *n))
}

/// Asserts that no key or string anywhere in `v` carries an email address or the
/// field name "email" with a value.
pub fn assert_no_email(v: &Value, email: &str) {
    let text = v.to_string();
    assert!(
        !text.to_lowercase().contains(&email.to_lowercase()),
        "email leaked in {text}"
    );
    fn walk(v: &Value) {
        match v {
            Value::Object(m) => {
                for (k, val) in m {
                    if k.contains("email") {
                        assert!(
                            val.as_str().is_none_or(|s| s.is_empty()) || k == "email" && val == "",
                            "email-like key {k} with a value"
                        );
                    }
                    walk(val);
                }
            }
            Value::Array(a) => a.iter().for_each(walk),
            _ => {}
        }
    }
    walk(v);
}

/// Whether `secret` is in `text` as itself: not inside a longer run of digits, so
/// that a postal code is not "found" in an id, a port or a timestamp's
/// microseconds (`…42.904107Z` holds `04107`); a leaked code is set off from its
/// neighbours (`"04107"`, `04107 Leipzig`).
pub fn contains_secret(text: &str, secret: &str) -> bool {
    let digit_at = |i: Option<char>| i.is_some_and(|c| c.is_ascii_digit());
    text.match_indices(secret).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        let starts_with_digit = secret.starts_with(|c: char| c.is_ascii_digit());
        let ends_with_digit = secret.ends_with(|c: char| c.is_ascii_digit());
        !(starts_with_digit && digit_at(before) || ends_with_digit && digit_at(after))
    })
}
