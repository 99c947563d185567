//! What the scenarios share: instances, waiting, following across instances,
//! counting rows, signing requests as a member or as an instance (with keys read
//! from that instance's database), and `kindred serve` processes.

use std::collections::HashMap;
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use diesel::prelude::*;
use kindred_db::schema::statuses;
use kindred_federation::http_signatures::sign::Signer;
use serde_json::{json, Value};
use url::Url;

use crate::common::{spawn_app_with, Backend, TestApp};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The worker of an instance off (another process, or a test worker, delivers).
pub const NO_WORKER: (&str, &str) = ("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "0");

/// An instance without client rate limits (the scenarios poll).
pub async fn instance(backend: Backend) -> Option<TestApp> {
    instance_with(backend, &[]).await
}

pub async fn instance_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    logs();
    let mut settings = vec![("KINDRED__SERVER__RATE_LIMITS", "false")];
    settings.extend_from_slice(extra);
    spawn_app_with(backend, &settings).await
}

/// Every log line the in-process instances of this test process write, from
/// Kindred's crates at every level (others from warn), captured from the first
/// instance on. Shared by the scenarios running at once: each searches it for
/// strings only it uses.
pub fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buf.clone());
        let filter = tracing_subscriber::EnvFilter::new(
            "warn,kindred_api=trace,kindred_db=trace,kindred_domain=trace,kindred_federation=trace,kindred_server=trace",
        );
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        // Another subscriber already set would capture nothing here: make it loud.
        tracing::subscriber::set_global_default(subscriber).expect("capture logs");
        buf
    })
    .clone()
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// No log line of the instances carries any of `secrets` (emails, tokens, member
/// names, addresses). The capture's positive controls first: a line written the
/// way Kindred writes its own (a `tracing` event of one of its crates) is found,
/// and so is `expected`, something the scenario made Kindred itself log.
pub fn assert_logs_clean(expected: &str, secrets: &[&str]) {
    let marker = format!("log-capture-control-{:016x}", rand::random::<u64>());
    tracing::info!(target: "kindred_federation::test", control = %marker, "capture control");
    let text = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(text.contains(&marker), "the log capture works");
    assert!(
        text.contains(expected),
        "{expected:?} (logged by Kindred) is in the capture"
    );
    for secret in secrets {
        assert!(
            !crate::common::contains_secret(&text, secret),
            "{secret:?} in the logs: {}",
            text.lines()
                .filter(|l| l.contains(secret))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// `n` instances, or None when the backend is unavailable.
pub async fn instances(backend: Backend, n: usize) -> Option<Vec<TestApp>> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(instance(backend).await?);
    }
    Some(v)
}

/// Polls `check` until it returns `Some`, for at most `timeout`.
pub async fn eventually_within<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls for at most 30 s (two cores, several instances, two backends at once).
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(what, Duration::from_secs(30), check).await
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Looks `handle` (`user@domain`) up from `app` with `resolve=true` (WebFinger);
/// returns its local id there.
/// A facilitator, `fran`, on `app` with a public group, `cafe`: her token and the
/// group's id — the host side of most meeting scenarios.
pub async fn facilitator_and_cafe(app: &TestApp) -> (String, i64) {
    app.create_user(
        "fran",
        "fran's password",
        None,
        kindred_domain::Role::Facilitator,
    )
    .await;
    let fran = app.login("fran", "fran's password").await;
    let cafe = crate::groups::create_group(app, &fran, "cafe", "public")
        .await
        .parse()
        .expect("a group id");
    (fran, cafe)
}

pub async fn resolve(app: &TestApp, token: &str, handle: &str) -> String {
    let (status, v) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                urlencode(handle)
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{v}");
    accounts[0]["id"].as_str().unwrap().to_owned()
}

/// Looks a remote status up by its URL from `app` (a signed fetch by `app`'s
/// instance actor); returns its local id there.
pub async fn resolve_status(app: &TestApp, token: &str, url: &str) -> String {
    let (status, v) = app
        .get_json(
            &format!(
                "/api/v2/search?type=statuses&resolve=true&q={}",
                urlencode(url)
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let found = v["statuses"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{v}");
    found[0]["id"].as_str().unwrap().to_owned()
}

/// The member of `from` with `token` follows `name` on `to`, and the Accept comes
/// back. Returns `name`'s account id at `from`.
pub async fn follow(from: &TestApp, token: &str, to: &TestApp, name: &str) -> String {
    let id = resolve(from, token, &format!("{name}@{}", to.domain)).await;
    let (status, rel) = from
        .post_json(&format!("/api/v1/accounts/{id}/follow"), token, json!({}))
        .await;
    assert_eq!(status, 200, "{rel}");
    wait_following(from, token, &id).await;
    id
}

pub async fn wait_following(app: &TestApp, token: &str, id: &str) {
    eventually("the Accept", || async {
        let (_, r) = app
            .get_json(
                &format!("/api/v1/accounts/relationships?id[]={id}"),
                Some(token),
            )
            .await;
        (r[0]["following"] == true).then_some(())
    })
    .await;
}

/// A recording server (`receiver.rs`) whose actor `rec` follows `name` on `app`:
/// what `app` sends that member's followers is then seen on the wire, each request
/// as it arrived. The Follow is accepted at once; the Accept comes when `app`'s
/// queue is delivered.
pub async fn recording_follower(app: &TestApp, name: &str) -> crate::receiver::Receiver {
    let r = crate::receiver::Receiver::start();
    let base = format!("http://localhost:{}", r.port);
    let rec = format!("{base}/users/rec");
    let keys = kindred_federation::keys::generate_keypair().unwrap();
    r.serve_doc(
        "/users/rec",
        &json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": rec,
            "type": "Person",
            "preferredUsername": "rec",
            "inbox": format!("{rec}/inbox"),
            "outbox": format!("{rec}/outbox"),
            "followers": format!("{rec}/followers"),
            "endpoints": { "sharedInbox": format!("{base}/inbox") },
            "publicKey": { "id": format!("{rec}#main-key"), "owner": rec, "publicKeyPem": keys.public_key_pem },
        }),
    );
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{base}/follows/1"),
        "type": "Follow",
        "actor": rec,
        "object": app.url(&format!("/users/{name}")),
    });
    let signer = Signer::new(&keys.private_key_pem, format!("{rec}#main-key")).unwrap();
    let (status, v) = deliver(app, &signer, &follow).await;
    assert_eq!(status, 202, "{v}");
    r
}

/// When each activity arrived at `r` (POSTs it accepted), by activity id.
pub fn arrivals(r: &crate::receiver::Receiver) -> HashMap<String, Vec<Instant>> {
    let mut out: HashMap<String, Vec<Instant>> = HashMap::new();
    for q in r.requests() {
        if q.method == "POST" && q.answered.is_some_and(|s| s < 300) {
            out.entry(q.activity_id()).or_default().push(q.at);
        }
    }
    out
}

/// Deliveries waiting in `app`'s queue.
pub async fn backlog(app: &TestApp) -> i64 {
    app.state
        .db
        .run(kindred_db::models::deliveries::backlog)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// Waits until every instance's delivery queue is empty.
pub async fn drained(apps: &[&TestApp]) {
    for app in apps {
        eventually(&format!("{}'s queue to drain", app.domain), || async {
            (backlog(app).await == 0).then_some(())
        })
        .await;
    }
}

/// Ids and URIs of the statuses stored at `app` that `origin` made, in id order.
pub fn statuses_from(app: &TestApp, origin: &TestApp) -> Vec<(i64, String)> {
    let prefix = format!("{}/%", origin.base);
    app.state
        .db
        .run_blocking(move |c| {
            Ok(statuses::table
                .filter(statuses::uri.like(prefix))
                .order(statuses::id.asc())
                .select((statuses::id, statuses::uri))
                .load::<(i64, String)>(c)?)
        })
        .unwrap()
}

/// Statuses at `app` made on `origin` (one query, for polling).
pub async fn count_from(app: &TestApp, origin: &TestApp) -> i64 {
    let prefix = format!("{}/%", origin.base);
    app.state
        .db
        .run(move |c| {
            Ok(statuses::table
                .filter(statuses::uri.like(prefix))
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The tables an inbound activity can change.
const TABLES: [&str; 14] = [
    "accounts",
    "remote_accounts",
    "statuses",
    "status_edits",
    "mentions",
    "status_tags",
    "follows",
    "follow_requests",
    "favourites",
    "notifications",
    "deliveries",
    "received_activities",
    "status_conversations",
    "tags",
];

/// Row counts over the tables an activity could change.
pub fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    app.state
        .db
        .run_blocking(|c| {
            let mut out = Vec::new();
            for t in TABLES {
                let n: Count =
                    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}")).get_result(c)?;
                out.push((t, n.n));
            }
            Ok(out)
        })
        .unwrap()
}

/// A local member's private key, as its instance stores it.
pub fn member_private_key(app: &TestApp, name: &str) -> String {
    let name = name.to_owned();
    app.state
        .db
        .run_blocking(move |c| {
            let account = kindred_db::accounts::find_local_by_username(c, &name)?.unwrap();
            let user = kindred_db::models::accounts::find_user(c, account.id)?.unwrap();
            Ok(user.private_key_pem)
        })
        .unwrap()
}

/// Signs as `name` of `app`, with the key from `app`'s database.
pub fn member_signer(app: &TestApp, name: &str) -> Signer {
    Signer::new(
        &member_private_key(app, name),
        format!("{}#main-key", app.state.urls.actor(name)),
    )
    .unwrap()
}

/// Signs as `app`'s instance actor (the fetch signer), with its stored key.
pub fn instance_signer(app: &TestApp) -> Signer {
    let key = app
        .state
        .db
        .run_blocking(kindred_db::instance_actor::get)
        .unwrap()
        .unwrap()
        .private_key_pem;
    Signer::new(&key, app.state.urls.instance_actor_key_id()).unwrap()
}

/// A request as an instance sends it: headers and body.
#[derive(Clone)]
pub struct Signed {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Signed {
    pub fn header(&mut self, name: &str) -> &mut String {
        &mut self.headers.iter_mut().find(|(k, _)| k == name).unwrap().1
    }
}

/// A POST of `body` to `to`'s `path`, signed by `signer` at `at`.
pub fn sign_post(
    to: &TestApp,
    path: &str,
    signer: &Signer,
    body: Vec<u8>,
    at: SystemTime,
) -> Signed {
    let url = Url::parse(&to.url(path)).unwrap();
    let h = signer.sign("POST", &url, Some(&body), at).unwrap();
    Signed {
        headers: h
            .pairs()
            .into_iter()
            // reqwest sets Host itself, to the same value.
            .filter(|(k, _)| *k != "host")
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        body,
    }
}

/// Sends a signed POST; the status and the JSON answer.
pub async fn send(to: &TestApp, path: &str, s: &Signed) -> (u16, Value) {
    let mut req = to
        .client
        .post(to.url(path))
        .header("content-type", "application/activity+json")
        .body(s.body.clone());
    for (k, v) in &s.headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Delivers `activity` to `to`'s shared inbox, signed by `signer` now.
pub async fn deliver(to: &TestApp, signer: &Signer, activity: &Value) -> (u16, Value) {
    let s = sign_post(
        to,
        "/inbox",
        signer,
        serde_json::to_vec(activity).unwrap(),
        SystemTime::now(),
    );
    send(to, "/inbox", &s).await
}

/// A GET of `url` as ActivityPub JSON, signed by `signer` when given, as a Kindred
/// instance signs its fetches (`activitypub_federation`'s way: with the Digest of
/// the empty body).
pub async fn fetch(client: &reqwest::Client, url: &str, signer: Option<&Signer>) -> (u16, Value) {
    get_signed(client, url, signer.map(|s| (s, Some(&b""[..])))).await
}

/// A GET signed as Mastodon signs one: `(request-target) host date`, no Digest.
pub async fn fetch_without_digest(
    client: &reqwest::Client,
    url: &str,
    signer: &Signer,
) -> (u16, Value) {
    get_signed(client, url, Some((signer, None))).await
}

/// A GET signed over the Digest of `body` (which it does not send).
pub async fn fetch_with_digest_of(
    client: &reqwest::Client,
    url: &str,
    signer: &Signer,
    body: &[u8],
) -> (u16, Value) {
    get_signed(client, url, Some((signer, Some(body)))).await
}

async fn get_signed(
    client: &reqwest::Client,
    url: &str,
    signer: Option<(&Signer, Option<&[u8]>)>,
) -> (u16, Value) {
    let mut req = client
        .get(url)
        .header("accept", "application/activity+json");
    if let Some((signer, body)) = signer {
        let h = signer
            .sign("GET", &Url::parse(url).unwrap(), body, SystemTime::now())
            .unwrap();
        for (k, v) in h.pairs() {
            if k != "host" {
                req = req.header(k, v);
            }
        }
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `kindred serve` as a separate process with an instance's settings (same port,
/// database, domain and keys). Killed with SIGKILL when dropped, so a failing test
/// leaves nothing running.
pub struct Serve {
    child: Child,
}

impl Serve {
    /// Starts it with `app`'s settings and `extra` on top, and waits until it answers.
    pub async fn start(app: &TestApp, extra: &[(&str, &str)]) -> Self {
        Self::start_at(app, &app.url("/healthz"), extra).await
    }

    /// Starts another process of `app`'s instance listening on `port` (the
    /// instance's name stays `app.domain`, as behind a proxy), and waits until it
    /// answers there.
    pub async fn start_on(app: &TestApp, port: u16, extra: &[(&str, &str)]) -> Self {
        let bind = format!("127.0.0.1:{port}");
        let mut settings = vec![("KINDRED__SERVER__BIND", bind.as_str())];
        settings.extend_from_slice(extra);
        Self::start_at(app, &format!("http://{bind}/healthz"), &settings).await
    }

    async fn start_at(app: &TestApp, health: &str, extra: &[(&str, &str)]) -> Self {
        let mut env = app.env.clone();
        // Quiet: its start-up warnings (allow_http ...) would go to the test output.
        env.retain(|(k, _)| k != "KINDRED__LOG__LEVEL");
        env.push(("KINDRED__LOG__LEVEL".into(), "error".into()));
        for (k, v) in extra {
            env.retain(|(ek, _)| ek != k);
            env.push((k.to_string(), v.to_string()));
        }
        let child = Command::new(env!("CARGO_BIN_EXE_kindred"))
            .current_dir(&app.dir.0)
            .env_clear()
            .envs(env)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("kindred serve starts");
        let serve = Self { child };
        let client = reqwest::Client::new();
        eventually("kindred serve to answer", || async {
            client
                .get(health)
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .map(|_| ())
        })
        .await;
        serve
    }

    /// SIGKILL: no graceful shutdown, no lease given back.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
