//! HTTP throughput and latency of the foundation endpoints, against a real in-process
//! server over loopback. Prints figures; asserts nothing about speed.
//!
//!   cargo bench -p kindred-server --bench http
//!   KINDRED_BENCH_DATABASE_URL=postgres://... cargo bench -p kindred-server --bench http
//!
//! Results go in docs/performance.md with the machine and backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kindred_server::config;
use kindred_server::startup::Application;
use serde_json::Value;

const CONCURRENCY: usize = 16;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn measure<F, Fut>(name: &str, total: usize, make: F)
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let started = Instant::now();
    let per_task = total / CONCURRENCY;
    let mut tasks = Vec::new();
    for t in 0..CONCURRENCY {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            for i in 0..per_task {
                let s = Instant::now();
                let status = make(t * per_task + i).await;
                assert!(status < 400, "request failed with {status}");
                lat.push(s.elapsed());
            }
            lat
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{name:<44} {:>6} req  {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99)
    );
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("kindred-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("KINDRED_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.sqlite", dir.display()));
    let port = free_port();
    let env: Vec<(String, String)> = [
        ("KINDRED__SERVER__BIND", format!("127.0.0.1:{port}")),
        ("KINDRED__INSTANCE__DOMAIN", format!("localhost:{port}")),
        ("KINDRED__DATABASE__URL", url.clone()),
        ("KINDRED__DATABASE__MAX_CONNECTIONS", "8".into()),
        ("KINDRED__REGISTRATION__MODE", "open".into()),
        ("KINDRED__SECURITY__SECRET_KEY", "11".repeat(32)),
        ("KINDRED__FEDERATION__ALLOW_HTTP", "true".into()),
        ("KINDRED__LOG__LEVEL", "error".into()),
        ("KINDRED__SERVER__RATE_LIMITS", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = config::load(None, &env).unwrap();
    let app = Application::build(&settings).await.unwrap();
    let backend = app.state.db.backend().as_str();
    let state = app.state.clone();
    tokio::spawn(app.server);
    let base = format!("http://localhost:{port}");
    println!(
        "kindred bench: backend={backend}, concurrency={CONCURRENCY}, cores={}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    // Fixtures: one member, one app, one token.
    kindred_server::admin::create_user(
        &state,
        kindred_server::admin::CreateUser {
            username: "bench".into(),
            role: "member".into(),
            email: Some("bench@example.org".into()),
            password_stdin: true,
        },
        &mut std::io::Cursor::new(b"bench password 123\n".to_vec()),
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let app_json: Value = client
        .post(format!("{base}/api/v1/apps"))
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
    let (cid, secret) = (
        app_json["client_id"].as_str().unwrap().to_owned(),
        app_json["client_secret"].as_str().unwrap().to_owned(),
    );
    let token_json: Value = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", &cid),
            ("client_secret", &secret),
            ("username", "bench"),
            ("password", "bench password 123"),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token_json["access_token"].as_str().unwrap().to_owned();

    let (c, b, t) = (client.clone(), base.clone(), token.clone());
    measure("GET /api/v1/accounts/verify_credentials", 8000, move |_| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            c.get(format!("{b}/api/v1/accounts/verify_credentials"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let (c, b) = (client.clone(), base.clone());
    let resource = format!("acct:bench@localhost:{port}");
    measure("GET /.well-known/webfinger", 8000, move |_| {
        let (c, b, r) = (c.clone(), b.clone(), resource.clone());
        async move {
            c.get(format!("{b}/.well-known/webfinger"))
                .query(&[("resource", r)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let (c, b) = (client.clone(), base.clone());
    measure("GET /users/bench (activity+json)", 8000, move |_| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            c.get(format!("{b}/users/bench"))
                .header("Accept", "application/activity+json")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let (c, b) = (client.clone(), base.clone());
    measure("GET /api/v2/instance", 8000, move |_| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            c.get(format!("{b}/api/v2/instance"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let (c, b) = (client.clone(), base.clone());
    measure(
        "POST /oauth/token (password grant, argon2id)",
        320,
        move |_| {
            let (c, b, cid, secret) = (c.clone(), b.clone(), cid.clone(), secret.clone());
            async move {
                c.post(format!("{b}/oauth/token"))
                    .form(&[
                        ("grant_type", "password"),
                        ("client_id", &cid),
                        ("client_secret", &secret),
                        ("username", "bench"),
                        ("password", "bench password 123"),
                        ("scope", "read"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        },
    )
    .await;
    let (c, b) = (client.clone(), base.clone());
    measure("POST /api/v1/apps (insert)", 4000, move |_| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            c.post(format!("{b}/api/v1/apps"))
                .form(&[
                    ("client_name", "bench"),
                    ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
