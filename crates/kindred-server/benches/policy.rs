//! Federation-policy figures, printed (nothing is asserted about speed): does the
//! inbox still refuse a blocked domain in constant time however many blocks there
//! are?
//!
//! 1. `Policy::decide` alone, in memory, with 1, 1,001 and 10,001 rules: a
//!    subdomain of a blocked domain (refused) and an unlisted domain (allowed);
//! 2. the time to import a blocklist through the same service as
//!    `kindred admin federation import` (1,000 and 10,000 new lines);
//! 3. inbox refusals: activities from `sub.blocked.example`, with realistic
//!    signature headers (never verified: the policy refuses first), POSTed to a real
//!    instance with the blocked domain's own block plus 0, 1,000 and 10,000 others in
//!    place — refusals per second over 64 connections, and the latency of one
//!    request at a time.
//!
//!   cargo bench -p kindred-server --bench policy                            # SQLite
//!   KINDRED_BENCH_POSTGRES=1 cargo bench -p kindred-server --bench policy   # throwaway PostgreSQL cluster
//!   KINDRED_BENCH_DATABASE_URL=postgres://USER@HOST:PORT/postgres cargo bench ...
//!
//! With a PostgreSQL URL, throwaway databases are created next to the one named.
//! Results go in docs/performance.md with the machine, backend and load.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/integration/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kindred_api::services::federation_policy as policy;
use kindred_db::{Db, DbSettings};
use kindred_domain::federation_policy::{BlockRule, Mode, Policy, PolicyDomain, Severity};
use kindred_server::config;
use kindred_server::startup::Application;
use serde_json::json;
use url::Url;

const CONCURRENCY: usize = 64;
const REFUSALS: usize = 20_000;
const SEQUENTIAL: usize = 2_000;
const SIZES: [usize; 3] = [0, 1_000, 10_000];

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
        .unwrap_or(1)
}

/// A fresh database: SQLite in a temp dir, a throwaway cluster's database, or a new
/// database next to KINDRED_BENCH_DATABASE_URL.
fn database(name: &str) -> String {
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
        _ if std::env::var("KINDRED_BENCH_POSTGRES").is_ok_and(|v| v == "1") => {
            pg::new_database().expect("throwaway PostgreSQL cluster")
        }
        _ => {
            let dir = std::env::temp_dir().join(format!(
                "kindred-bench-policy-{}-{name}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/bench.sqlite", dir.display())
        }
    }
}

struct Instance {
    base: String,
    state: actix_web::web::Data<kindred_api::AppState>,
}

async fn instance(db_url: String) -> Instance {
    let port = free_port();
    let env: Vec<(String, String)> = [
        ("KINDRED__SERVER__BIND", format!("127.0.0.1:{port}")),
        ("KINDRED__SERVER__WORKERS", cores().to_string()),
        ("KINDRED__INSTANCE__DOMAIN", format!("localhost:{port}")),
        ("KINDRED__DATABASE__URL", db_url),
        ("KINDRED__DATABASE__MAX_CONNECTIONS", "16".into()),
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
        state,
    }
}

fn blocklist(from: usize, to: usize) -> String {
    let mut s = String::from("#domain,#severity\n");
    for i in from..to {
        s.push_str(&format!("spam{i}.example,suspend\n"));
    }
    s
}

fn rule(severity: Severity) -> BlockRule {
    BlockRule {
        severity,
        reject_media: false,
        reject_reports: false,
    }
}

/// ns per decision, over `n` decisions.
fn per_decision(policy: &Policy, domain: &str, n: usize) -> f64 {
    let d = PolicyDomain::parse(domain).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        black_box(policy.decide(black_box(&d)));
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn decide_alone() {
    println!("Policy::decide alone (one thread, in memory):");
    for others in SIZES {
        let policy = Policy::new(
            Mode::Open,
            std::iter::once((
                PolicyDomain::parse("blocked.example").unwrap(),
                rule(Severity::Suspend),
            ))
            .chain((0..others).map(|i| {
                (
                    PolicyDomain::parse(&format!("spam{i}.example")).unwrap(),
                    rule(Severity::Suspend),
                )
            })),
            [],
        );
        let refused = per_decision(&policy, "sub.blocked.example", 2_000_000);
        let allowed = per_decision(&policy, "friendly.example", 2_000_000);
        // As the inbox asks it: from the actor URL, parsing included.
        let start = Instant::now();
        for _ in 0..200_000 {
            black_box(policy.decide_str(black_box("https://sub.blocked.example/users/x")));
        }
        let from_url = start.elapsed().as_nanos() as f64 / 200_000.0;
        println!(
            "  {:>6} rules: refused {refused:>6.0} ns, allowed {allowed:>6.0} ns, from an actor URL (parse + decide) {from_url:>6.0} ns",
            others + 1
        );
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

/// One request from the blocked domain, with the headers a real sender sends.
fn refused_request(client: &reqwest::Client, inbox: &str, n: usize) -> reqwest::Request {
    let actor = "https://sub.blocked.example/users/spammer";
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/statuses/{n}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": format!("{actor}/statuses/{n}"),
            "type": "Note",
            "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>Buy now</p>",
        },
    })
    .to_string();
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let signature = format!(
        "keyId=\"{actor}#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{}\"",
        "A".repeat(344)
    );
    client
        .post(inbox)
        .header("Content-Type", "application/activity+json")
        .header("Date", date)
        .header(
            "Digest",
            "SHA-256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .header("Signature", signature)
        .body(body)
        .build()
        .unwrap()
}

async fn refusals(i: &Instance, others: usize) {
    let inbox = format!("{}/inbox", i.base);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    // Warm-up, and the answer checked once.
    for n in 0..200 {
        let r = client
            .execute(refused_request(&client, &inbox, n))
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error_code"], "domain_blocked");
    }
    // One at a time: the latency of a refusal.
    let mut one = Vec::with_capacity(SEQUENTIAL);
    for n in 0..SEQUENTIAL {
        let req = refused_request(&client, &inbox, n);
        let s = Instant::now();
        let r = client.execute(req).await.unwrap();
        assert_eq!(r.status(), 403);
        r.bytes().await.unwrap();
        one.push(s.elapsed());
    }
    one.sort();
    // 64 connections, requests built in advance.
    let requests: Vec<reqwest::Request> = (0..REFUSALS)
        .map(|n| refused_request(&client, &inbox, n))
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(requests));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (queue, client) = (queue.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let Some(req) = queue.lock().unwrap().pop() else {
                    break;
                };
                let s = Instant::now();
                let r = client.execute(req).await.unwrap();
                assert_eq!(r.status(), 403);
                r.bytes().await.unwrap();
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
    all.sort();
    println!(
        "  {:>6} blocks: {:>6.0} refusals/s over {CONCURRENCY} connections (p50 {:.2} ms, p99 {:.2} ms); one at a time p50 {:.3} ms, p99 {:.3} ms",
        others + 1,
        REFUSALS as f64 / took.as_secs_f64(),
        pct(&all, 0.5),
        pct(&all, 0.99),
        pct(&one, 0.5),
        pct(&one, 0.99),
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    decide_alone();
    let mut backend = "";
    println!(
        "Inbox refusals of sub.blocked.example (blocked.example suspended, plus N other blocks), {} cores:",
        cores()
    );
    for others in SIZES {
        let i = instance(database(&format!("n{others}"))).await;
        backend = i.state.db.backend().as_str();
        if others > 0 {
            let text = blocklist(0, others);
            let start = Instant::now();
            let list = policy::parse_blocklist(&text).unwrap();
            let report = policy::import(&i.state, "bench", list, false)
                .await
                .unwrap();
            let took = start.elapsed();
            assert_eq!(report.added.len(), others);
            println!(
                "  import of {others} new lines (parse + one transaction): {:.0} ms",
                took.as_secs_f64() * 1000.0
            );
        }
        policy::block(
            &i.state,
            "bench",
            policy::BlockRequest {
                domain: "blocked.example".into(),
                severity: Some("suspend".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        refusals(&i, others).await;
    }
    println!("backend: {backend}");
}
