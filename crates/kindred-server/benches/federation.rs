//! Federation figures, printed (nothing is asserted about speed):
//!
//! 1. the cost of one RSA-2048 signature and verification in our build — AWS-LC
//!    (`aws-lc-rs`: our delivery signer, and our inbox's verifier with each key
//!    parsed once) and the `rsa` crate (what activitypub_federation signs and
//!    verifies with);
//! 2. inbox throughput: signed `Create(Note)` activities accepted per second by one
//!    instance, sent by the members of a second real instance (whose actor
//!    documents the receiver fetches once);
//! 3. fan-out: time from posting a public status to the last delivery, to followers
//!    on 100 and 1,000 remote instances (lightweight receivers on loopback).
//!
//!   cargo bench -p kindred-server --bench federation-perf                   # SQLite
//!   KINDRED_BENCH_POSTGRES=1 cargo bench -p kindred-server --bench federation-perf
//!   KINDRED_BENCH_DATABASE_URL=postgres://USER@HOST:PORT/postgres \
//!     cargo bench -p kindred-server --bench federation-perf                 # PostgreSQL
//!
//! `KINDRED_BENCH_POSTGRES=1` starts a throwaway PostgreSQL cluster as the
//! integration tests do (`tests/integration/pg.rs`); with a PostgreSQL URL,
//! throwaway databases are created next to the one named.
//!
//! The load client and the fan-out's receivers run on a runtime of their own with
//! named threads, so CPU time is split between them and the instances (server) as in
//! the timelines bench; PostgreSQL's processes are read from /proc when local.
//! `KINDRED_BENCH_ONLY=inbox|fanout|crypto` runs one part; `KINDRED_BENCH_INBOX_TOTAL=N`
//! sends N activities to the inbox instead of 4,000. `KINDRED_BENCH_SQL=1`
//! also prints the inbox's SQL statements per activity by kind of thread
//! (`federation/sql_census.rs`).
//! Results go in docs/performance.md with the machine, backend and load average.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "timelines/load.rs"]
#[allow(dead_code)]
mod load;
#[path = "../tests/integration/pg.rs"]
#[allow(dead_code)]
mod pg;
#[path = "federation/sql_census.rs"]
mod sql_census;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kindred_db::models::{accounts, remote_accounts, social};
use kindred_db::{AnyConnection, Db, DbSettings};
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::http_signatures::verify::PublicKey;
use kindred_server::config;
use kindred_server::startup::Application;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

const CONCURRENCY: usize = 64;

/// The load client's (and the fan-out receivers') runtime, apart from the instances'.
fn client_rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(load::CLIENT_THREAD)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The load average, printed with every figure (the machine is shared).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// CPU time (ms) of this process's threads whose name starts with `prefix`.
fn threads_cpu_ms(prefix: &str) -> f64 {
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter_map(|line| {
            load::stat_cpu(&line).and_then(|(name, ms)| name.starts_with(prefix).then_some(ms))
        })
        .sum()
}

/// Time (ms) this process's live threads have spent runnable but waiting for a
/// core (/proc/self/task/*/schedstat, second field, ns): how much of a wall time is
/// the machine's other load rather than our own waiting.
fn runqueue_wait_ms() -> f64 {
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e6
}

/// CPU time so far: whole process, load client, delivery worker, PostgreSQL.
struct CpuSnapshot {
    total: f64,
    client: f64,
    delivery: f64,
    writer: f64,
    runqueue: f64,
    db: Option<std::collections::HashMap<String, f64>>,
}

fn cpu_snapshot(db_cpu: &Option<load::DbCpu>) -> CpuSnapshot {
    let (total, client) = load::own_cpu_ms();
    CpuSnapshot {
        total,
        client,
        delivery: threads_cpu_ms("kindred-deliver"),
        writer: threads_cpu_ms("db-group-commit"),
        runqueue: runqueue_wait_ms(),
        db: db_cpu.as_ref().and_then(|f| f()),
    }
}

/// "cpu per <unit>: server (delivery) client postgres" between two snapshots.
fn cpu_line(a: &CpuSnapshot, b: &CpuSnapshot, n: usize, unit: &str) -> String {
    let per = |ms: f64| ms / n.max(1) as f64;
    let db = match (&a.db, &b.db) {
        (Some(x), Some(y)) => format!(", postgres {:.2} ms", per(load::cpu_between(x, y))),
        _ => String::new(),
    };
    format!(
        "cpu per {unit}: server {:.2} ms (of which delivery worker {:.2}, group-commit writer {:.2}), client {:.2} ms{db}; threads waited {:.0} ms in all for a core; load average {}",
        per(b.total - a.total - (b.client - a.client)),
        per(b.delivery - a.delivery),
        per(b.writer - a.writer),
        per(b.client - a.client),
        b.runqueue - a.runqueue,
        loadavg()
    )
}

fn db_cpu_reader(i: &Instance, url: &str) -> Option<load::DbCpu> {
    load::postgres_cpu(&i.state.db, url)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0)
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database next to
/// the one in KINDRED_BENCH_DATABASE_URL.
fn database(name: &str) -> String {
    if std::env::var("KINDRED_BENCH_POSTGRES").is_ok_and(|v| v == "1") {
        return pg::new_database().expect("throwaway PostgreSQL cluster");
    }
    match std::env::var("KINDRED_BENCH_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let db = Db::connect(&DbSettings {
                url: url.clone(),
                max_connections: 1,
            })
            .unwrap();
            let dbname = format!("kindred_bench_{name}_{}", std::process::id());
            db.run_blocking(|c| {
                use diesel::RunQueryDsl;
                diesel::sql_query(format!("CREATE DATABASE {dbname}")).execute(c)?;
                Ok(())
            })
            .unwrap();
            let mut u = Url::parse(&url).unwrap();
            u.set_path(&format!("/{dbname}"));
            u.to_string()
        }
        _ => {
            let dir = std::env::temp_dir()
                .join(format!("kindred-bench-fed-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/bench.sqlite", dir.display())
        }
    }
}

struct Instance {
    base: String,
    domain: String,
    state: actix_web::web::Data<kindred_api::AppState>,
}

async fn instance(db_url: String) -> Instance {
    let port = free_port();
    let env: Vec<(String, String)> = [
        ("KINDRED__SERVER__BIND", format!("127.0.0.1:{port}")),
        ("KINDRED__SERVER__WORKERS", cores().max(1).to_string()),
        ("KINDRED__INSTANCE__DOMAIN", format!("localhost:{port}")),
        ("KINDRED__DATABASE__URL", db_url),
        ("KINDRED__DATABASE__MAX_CONNECTIONS", "16".into()),
        ("KINDRED__REGISTRATION__MODE", "open".into()),
        ("KINDRED__SECURITY__SECRET_KEY", "11".repeat(32)),
        ("KINDRED__FEDERATION__ALLOW_HTTP", "true".into()),
        ("KINDRED__FEDERATION__ALLOW_PRIVATE_NETWORKS", "true".into()),
        ("KINDRED__LOG__LEVEL", "error".into()),
        ("KINDRED__SERVER__RATE_LIMITS", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = config::load(None, &env).unwrap();
    let app = Application::build(&settings).await.unwrap();
    let state = app.state.clone();
    tokio::spawn(app.server);
    Instance {
        base: format!("http://localhost:{port}"),
        domain: format!("localhost:{port}"),
        state,
    }
}

async fn member(i: &Instance, name: &str) -> (i64, String) {
    kindred_server::admin::create_user(
        &i.state,
        kindred_server::admin::CreateUser {
            username: name.into(),
            role: "member".into(),
            email: None,
            password_stdin: true,
        },
        &mut std::io::Cursor::new(b"bench password 123\n".to_vec()),
    )
    .await
    .unwrap();
    let n = name.to_owned();
    i.state
        .db
        .run(move |c| {
            let a = accounts::find_local_by_username(c, &n)?.unwrap();
            let u = accounts::find_user(c, a.id)?.unwrap();
            Ok((a.id, u.private_key_pem))
        })
        .await
        .unwrap()
}

async fn token(i: &Instance, name: &str) -> String {
    let client = reqwest::Client::new();
    let app: Value = client
        .post(format!("{}/api/v1/apps", i.base))
        .form(&[
            ("client_name", "bench"),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
            ("scopes", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t: Value = client
        .post(format!("{}/oauth/token", i.base))
        .form(&[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", name),
            ("password", "bench password 123"),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["access_token"].as_str().unwrap().to_owned()
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// One thread, `n` operations.
fn time<F: FnMut()>(n: usize, mut f: F) -> Duration {
    let s = Instant::now();
    for _ in 0..n {
        f();
    }
    s.elapsed()
}

fn crypto() {
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
    use sha2::{Digest, Sha256};

    let keys = kindred_federation::keys::generate_keypair().unwrap();
    let signer = Signer::new(
        &keys.private_key_pem,
        "https://a.example/users/x#main-key".into(),
    )
    .unwrap();
    let url = Url::parse("https://b.example/inbox").unwrap();
    let body = br#"{"type":"Create"}"#;
    let n = 1000;
    let our_sign = time(n, || {
        signer
            .sign("POST", &url, Some(body), SystemTime::now())
            .unwrap();
    });
    let private = RsaPrivateKey::from_pkcs8_pem(&keys.private_key_pem).unwrap();
    let message = Sha256::digest(b"(request-target): post /inbox\nhost: b.example");
    let rsa_n = 200;
    let rsa_sign = time(rsa_n, || {
        private
            .sign(Pkcs1v15Sign::new::<Sha256>(), &message)
            .unwrap();
    });
    let signature = private
        .sign(Pkcs1v15Sign::new::<Sha256>(), &message)
        .unwrap();
    // As activitypub_federation verifies: the PEM is parsed on every verification.
    let verify = time(n, || {
        let public = RsaPublicKey::from_public_key_pem(&keys.public_key_pem).unwrap();
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &message, &signature)
            .unwrap();
    });
    let public = RsaPublicKey::from_public_key_pem(&keys.public_key_pem).unwrap();
    let verify_parsed = time(n, || {
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &message, &signature)
            .unwrap();
    });
    // Our inbox: the actor's key parsed once (cached), AWS-LC verifying.
    let ours = PublicKey::parse(&keys.public_key_pem).unwrap();
    let unhashed = b"(request-target): post /inbox\nhost: b.example";
    let ours_n = 10 * n;
    let verify_ours = time(ours_n, || {
        assert!(ours.verify(unhashed, &signature));
    });
    println!("RSA-2048, one thread:");
    println!(
        "  sign   aws-lc-rs (our delivery signer, incl. digest + headers) {:>8.0} /s",
        rate(n, our_sign)
    );
    println!(
        "  sign   rsa crate (activitypub_federation's signer)              {:>8.0} /s",
        rate(rsa_n, rsa_sign)
    );
    println!(
        "  verify aws-lc-rs, key parsed once (our inbox path)               {:>8.0} /s",
        rate(ours_n, verify_ours)
    );
    println!(
        "  verify rsa crate, PEM parsed each time (activitypub_federation)  {:>8.0} /s",
        rate(n, verify)
    );
    println!(
        "  verify rsa crate, key parsed once                                {:>8.0} /s",
        rate(n, verify_parsed)
    );
}

struct Latencies(Vec<Duration>);

impl Latencies {
    fn pct(&mut self, p: f64) -> f64 {
        self.0.sort();
        let i = ((self.0.len() as f64 * p) as usize).min(self.0.len().saturating_sub(1));
        self.0[i].as_secs_f64() * 1000.0
    }
}

fn create_note(sender: &Instance, name: &str, n: usize, mention: &str) -> Value {
    let actor = format!("{}/users/{name}", sender.base);
    let note_id = format!("{actor}/statuses/bench{n}");
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{actor}/followers"), mention],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{actor}/followers"), mention],
            "content": format!("<p>Benchmark note {n} for <a href=\"{mention}\" class=\"mention\">@alice</a> #peersupport</p>"),
            "tag": [{"type": "Mention", "href": mention, "name": "@alice"}],
        },
    })
}

async fn inbox_throughput() {
    const ACTORS: usize = 20;
    // `KINDRED_BENCH_INBOX_TOTAL` lengthens the measured window (for profiling, or
    // steadier figures on a machine whose speed drifts); 4,000 by default.
    let total: usize = std::env::var("KINDRED_BENCH_INBOX_TOTAL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let receiver_url = database("inbox_receiver");
    let receiver = instance(receiver_url.clone()).await;
    let db_cpu = db_cpu_reader(&receiver, &receiver_url);
    let sender = instance(database("inbox_sender")).await;
    let backend = receiver.state.db.backend().as_str();
    member(&receiver, "alice").await;
    let alice = format!("{}/users/alice", receiver.base);
    let mut signers = Vec::new();
    for i in 0..ACTORS {
        let name = format!("m{i}");
        let (_, key) = member(&sender, &name).await;
        let key_id = format!("{}/users/{name}#main-key", sender.base);
        signers.push((name, Signer::new(&key, key_id).unwrap()));
    }
    let inbox = Url::parse(&format!("{}/inbox", receiver.base)).unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let post = |body: String, signer: &Signer| {
        let h = signer
            .sign("POST", &inbox, Some(body.as_bytes()), SystemTime::now())
            .unwrap();
        let mut req = client
            .post(inbox.clone())
            .header("Content-Type", "application/activity+json");
        for (k, v) in h.pairs() {
            if k != "host" {
                req = req.header(k, v);
            }
        }
        req.body(body)
    };
    // Warm-up: the receiver fetches each actor once.
    for (i, (name, signer)) in signers.iter().enumerate() {
        let body = create_note(&sender, name, 1_000_000 + i, &alice).to_string();
        let r = post(body, signer).send().await.unwrap();
        assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    }
    // Signed in advance, so the client's signing is not on the clock.
    let requests: Vec<reqwest::Request> = (0..total)
        .map(|n| {
            let (name, signer) = &signers[n % ACTORS];
            post(create_note(&sender, name, n, &alice).to_string(), signer)
                .build()
                .unwrap()
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(requests));
    // A marker for attaching a profiler to the measured part only.
    println!("  measuring the inbox now (pid {})", std::process::id());
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    let cpu_before = cpu_snapshot(&db_cpu);
    sql_census::reset();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (queue, client) = (queue.clone(), client.clone());
        tasks.push(client_rt().spawn(async move {
            let mut lat = Vec::new();
            loop {
                let Some(req) = queue.lock().unwrap().pop() else {
                    break;
                };
                let s = Instant::now();
                let r = client.execute(req).await.unwrap();
                assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
                lat.push(s.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let took = started.elapsed();
    let cpu_after = cpu_snapshot(&db_cpu);
    sql_census::print(total, "activity");
    let mut lat = Latencies(all);
    let stored = receiver
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::statuses::dsl::*;
            Ok(statuses
                .filter(local.eq(false))
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    println!(
        "inbox ({backend}, {CONCURRENCY} connections, {ACTORS} actors): {total} signed Create(Note) in {:.2} s = {:.0} activities/s, p50 {:.1} ms, p99 {:.1} ms; {stored} statuses stored",
        took.as_secs_f64(),
        rate(total, took),
        lat.pct(0.5),
        lat.pct(0.99)
    );
    println!("  {}", cpu_line(&cpu_before, &cpu_after, total, "activity"));
}

/// A remote instance that answers every request with 202 and counts the requests
/// that carry `marker` in their body.
async fn receiver(marker: &'static str, hits: Arc<AtomicUsize>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    client_rt().spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        while let Ok((mut stream, _)) = listener.accept().await {
            let hits = hits.clone();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(8192);
                loop {
                    // One request: headers, then Content-Length bytes.
                    let mut chunk = [0u8; 8192];
                    let (head_end, len) = loop {
                        if let Some(end) = find(&buf, b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                            let len = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, len);
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    while buf.len() < head_end + len {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    if find(&buf[head_end..head_end + len], marker.as_bytes()).is_some() {
                        hits.fetch_add(1, Ordering::SeqCst);
                    }
                    buf.drain(..head_end + len);
                    if stream
                        .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn add_remote_follower(c: &mut AnyConnection, poster: i64, n: usize, port: u16) {
    let now = chrono::Utc::now().naive_utc();
    let domain = format!("localhost:{port}");
    let base = format!("http://{domain}");
    let profile = remote_accounts::RemoteProfile {
        uri: format!("{base}/users/r{n}"),
        username: format!("r{n}"),
        domain,
        display_name: String::new(),
        note: String::new(),
        public_key_pem: String::new(),
        locked: false,
        bot: false,
        discoverable: false,
        inbox_url: format!("{base}/users/r{n}/inbox"),
        shared_inbox_url: Some(format!("{base}/inbox")),
        followers_url: None,
        url: None,
        actor_type: "Person".into(),
    };
    let id = 1_000_000_000 + n as i64;
    let (account, _) = remote_accounts::upsert(c, id, &profile, now).unwrap();
    social::follow(c, id + 500_000_000, account.id, poster, true, false, now).unwrap();
}

async fn fanout() {
    let url = database("fanout");
    let sender = instance(url.clone()).await;
    let db_cpu = db_cpu_reader(&sender, &url);
    let backend = sender.state.db.backend().as_str();
    let (poster, _) = member(&sender, "poster").await;
    let token = token(&sender, "poster").await;
    let client = reqwest::Client::new();
    let mut receivers: Vec<Arc<AtomicUsize>> = Vec::new();
    let mut done = 0;
    // The last round posts again to the same 1 000: every instance known, its
    // software already read — the steady state of a server with followers.
    for size in [100usize, 1000, 1000] {
        let mut ports = Vec::new();
        while receivers.len() < size {
            let hits = Arc::new(AtomicUsize::new(0));
            ports.push(receiver("fanout-marker", hits.clone()).await);
            receivers.push(hits);
        }
        let first = done;
        let new = ports.len();
        sender
            .state
            .db
            .run(move |c| {
                for (i, port) in ports.into_iter().enumerate() {
                    add_remote_follower(c, poster, first + i, port);
                }
                Ok(())
            })
            .await
            .unwrap();
        done = size;
        for r in &receivers {
            r.store(0, Ordering::SeqCst);
        }
        let cpu_before = cpu_snapshot(&db_cpu);
        let started = Instant::now();
        let r = client
            .post(format!("{}/api/v1/statuses", sender.base))
            .bearer_auth(&token)
            .json(&json!({ "status": format!("fanout-marker {size}"), "visibility": "public" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let posted = started.elapsed();
        let deadline = Instant::now() + Duration::from_secs(120);
        let waiting = receivers.clone();
        client_rt()
            .spawn(async move {
                while waiting.iter().any(|r| r.load(Ordering::SeqCst) == 0) {
                    assert!(Instant::now() < deadline, "fan-out did not finish");
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
            .await
            .unwrap();
        let took = started.elapsed();
        // The bookkeeping after the last delivery is part of the work: wait until the
        // queue is empty too.
        let queued = loop {
            let n = sender
                .state
                .db
                .run(|c| {
                    use diesel::prelude::*;
                    Ok(kindred_db::schema::deliveries::table
                        .count()
                        .get_result::<i64>(c)?)
                })
                .await
                .unwrap();
            if n == 0 || Instant::now() > deadline {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        let drained = started.elapsed();
        let cpu_after = cpu_snapshot(&db_cpu);
        println!(
            "fan-out ({backend}): one public post to followers on {size} instances ({new} new to us): API answered in {:.0} ms, last delivery after {:.0} ms, queue empty after {:.0} ms ({queued} left)",
            posted.as_secs_f64() * 1000.0,
            took.as_secs_f64() * 1000.0,
            drained.as_secs_f64() * 1000.0
        );
        println!("  {}", cpu_line(&cpu_before, &cpu_after, size, "delivery"));
    }
    let _ = sender.domain;
}

#[tokio::main]
async fn main() {
    println!(
        "kindred federation bench: cores={}, load average {}",
        cores(),
        loadavg()
    );
    let only = std::env::var("KINDRED_BENCH_ONLY").unwrap_or_default();
    let run = |part: &str| only.is_empty() || only == part;
    sql_census::install();
    if run("crypto") {
        crypto();
    }
    if run("inbox") {
        inbox_throughput().await;
    }
    if run("fanout") {
        fanout().await;
    }
}
