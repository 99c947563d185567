//! Timeline load benchmark: a seeded community (10 000 members, up to a million
//! statuses) behind a real in-process server over loopback, with 64 concurrent
//! keep-alive connections reading home and local timelines and posting statuses.
//! Prints req/s, p50 and p99 per scenario and scale, and CPU time per request: the
//! server's (this process minus the load client's own runtime threads) and, for a
//! PostgreSQL on this machine, its processes'. On a shared machine CPU per request is
//! the steadier figure. Asserts nothing about speed.
//!
//!   cargo bench -p kindred-server --bench timelines                      # SQLite
//!   KINDRED_BENCH_POSTGRES=1 cargo bench -p kindred-server --bench timelines
//!   KINDRED_BENCH_DATABASE_URL=postgres://user@host/empty_db cargo bench ...
//!
//! Scale and load (environment):
//!   KINDRED_BENCH_STATUSES     scales to measure, ascending   (100000,1000000)
//!   KINDRED_BENCH_ACCOUNTS     members                        (10000)
//!   KINDRED_BENCH_TOKENS       members who make requests      (1000)
//!   KINDRED_BENCH_CONCURRENCY  connections                    (64)
//!   KINDRED_BENCH_REQUESTS     measured requests per scenario (10000; 0 seeds only)
//!   KINDRED_BENCH_KEEP=1       keep the SQLite file and say where it is
//!   KINDRED_BENCH_REUSE=1      with KINDRED_BENCH_DATABASE_URL: a database this bench
//!                              seeded and kept (same ACCOUNTS and TOKENS); resumes
//!   KINDRED_BENCH_PROFILE_SQL=1  after each scenario, the statements that took longest
//!                              (timing every statement slows the run: not for figures)
//!
//! `KINDRED_BENCH_POSTGRES=1` starts a throwaway PostgreSQL cluster the way the
//! integration tests do (or uses KINDRED_TEST_POSTGRES_URL). A database given by
//! KINDRED_BENCH_DATABASE_URL must be empty. Results go in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod load;
#[path = "../../tests/integration/pg.rs"]
#[allow(dead_code)]
mod pg;
mod world;

use std::sync::Arc;
use std::time::Instant;

use kindred_db::bench::{profile, seed};
use kindred_server::config;
use kindred_server::startup::Application;
use serde_json::Value;

use load::{pick, Figures};
use world::{World, CHUNK};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The statements that took longest since the last report, when profiling.
fn sql_report(profiling: bool) {
    if !profiling {
        return;
    }
    for q in profile::report().into_iter().take(10) {
        let ms = q.total.as_secs_f64() * 1000.0;
        println!(
            "      {ms:>8.1} ms total {:>7} x {:>7.3} ms  ({} prepared)  {}",
            q.executions,
            ms / q.executions.max(1) as f64,
            q.cached,
            q.sql
        );
    }
    profile::reset();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or_else(|| "? GiB".into(), |kb| format!("{} GiB", kb / 1024 / 1024));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}, {mem} RAM")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Generates on a second thread while this one writes, so seeding costs about as long
/// as the slower of the two.
async fn seed_statuses(
    state: &kindred_api::AppState,
    mut world: World,
    count: u64,
) -> (World, std::time::Duration) {
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<seed::Batch>(2);
    let gen = std::thread::spawn(move || {
        let mut left = count;
        while left > 0 {
            let n = left.min(CHUNK as u64);
            left -= n;
            if tx.send(world.statuses(n as usize)).is_err() {
                break;
            }
        }
        world
    });
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    loop {
        let rx = rx.clone();
        let batch = tokio::task::spawn_blocking(move || rx.lock().unwrap().recv().ok())
            .await
            .unwrap();
        let Some(batch) = batch else { break };
        state
            .db
            .run(move |c| seed::insert(c, &batch))
            .await
            .expect("seed statuses");
    }
    let world = gen.join().unwrap();
    state.db.run(seed::settle).await.expect("settle");
    (world, started.elapsed())
}

/// A GET of `path` as the member holding `token`; returns the HTTP status.
async fn get(client: reqwest::Client, url: String, token: String) -> u16 {
    let r = client.get(url).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    r.bytes().await.unwrap();
    status
}

fn main() {
    // The load client gets a runtime of its own with named threads, so its CPU time
    // can be subtracted from the process's: what is left is the server's.
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(load::CLIENT_THREAD)
        .enable_all()
        .build()
        .unwrap();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    server_rt.block_on(bench(client_rt.handle().clone()));
    client_rt.shutdown_background();
    server_rt.shutdown_background();
}

async fn bench(client_rt: tokio::runtime::Handle) {
    let accounts = env_num("KINDRED_BENCH_ACCOUNTS", 10_000);
    let token_count = env_num("KINDRED_BENCH_TOKENS", 1000);
    let concurrency = env_num("KINDRED_BENCH_CONCURRENCY", 64);
    let requests = env_num("KINDRED_BENCH_REQUESTS", 10_000);
    let mut scales: Vec<u64> = std::env::var("KINDRED_BENCH_STATUSES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect();
    scales.sort_unstable();
    scales.dedup();
    let max_statuses = scales.last().copied().unwrap_or(100_000);

    let dir = std::env::temp_dir().join(format!("kindred-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match std::env::var("KINDRED_BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("KINDRED_BENCH_POSTGRES").is_ok_and(|v| v == "1") => {
            pg::new_database().expect("throwaway PostgreSQL cluster")
        }
        Err(_) => format!("sqlite://{}/bench.sqlite", dir.display()),
    };
    let port = free_port();
    let env: Vec<(String, String)> = [
        ("KINDRED__SERVER__BIND", format!("127.0.0.1:{port}")),
        ("KINDRED__INSTANCE__DOMAIN", format!("localhost:{port}")),
        ("KINDRED__DATABASE__URL", url.clone()),
        ("KINDRED__SECURITY__SECRET_KEY", "11".repeat(32)),
        ("KINDRED__FEDERATION__ALLOW_HTTP", "true".into()),
        ("KINDRED__LOG__LEVEL", "warn".into()),
        ("KINDRED__SERVER__RATE_LIMITS", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let profiling = std::env::var("KINDRED_BENCH_PROFILE_SQL").is_ok_and(|v| v == "1");
    if profiling {
        profile::install().expect("query timing");
    }
    let settings = config::load(None, &env).unwrap();
    let app = Application::build(&settings).await.unwrap();
    let backend = app.state.db.backend().as_str();
    let state = app.state.clone();
    tokio::spawn(app.server);
    let base = format!("http://localhost:{port}");
    let workers = match settings.workers {
        0 => "a worker per core".to_owned(),
        n => format!("{n} workers"),
    };
    println!(
        "kindred timeline bench: backend={backend}, {}, {workers}, {} pooled connections",
        machine(),
        settings.max_connections
    );
    println!(
        "  {accounts} accounts, {token_count} requesting members, {concurrency} connections, \
         {requests} requests per scenario, scales {scales:?}"
    );
    let db_cpu: load::DbCpu = match load::postgres_cpu(&state.db, &url) {
        Some(read) => read,
        None => {
            if backend == "postgres" {
                println!("  (PostgreSQL's processes cannot be read here: its CPU is not shown)");
            }
            std::sync::Arc::new(|| None)
        }
    };

    // Members, follow graph, tokens. A kept database (KINDRED_BENCH_REUSE=1) already
    // has them: the same generator gives the same tokens, and seeding resumes.
    let reuse = std::env::var("KINDRED_BENCH_REUSE").is_ok_and(|v| v == "1");
    let started = Instant::now();
    let (mut world, first) = World::new(state.urls.clone(), accounts, max_statuses);
    let follows = first.follows.len();
    let (batch, tokens) = world.tokens(token_count);
    if reuse {
        let stored = state
            .db
            .run(seed::count_statuses)
            .await
            .expect("count statuses");
        let (accounts, tags) = state
            .db
            .run(seed::existing_ids)
            .await
            .expect("existing ids");
        world.adopt_ids(&accounts, &tags);
        world.resume_after(stored.max(0) as u64);
        println!("  reusing {url} with {} statuses", world.statuses);
    } else {
        state
            .db
            .run(move |c| {
                seed::insert(c, &first)?;
                seed::insert(c, &batch)
            })
            .await
            .expect("seed accounts");
        println!(
            "  seeded {accounts} accounts, {follows} follows in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let tokens: Arc<Vec<String>> = Arc::new(tokens.into_iter().map(|(_, t)| t).collect());
    let n = tokens.len();
    let mut results: Vec<(u64, Figures)> = Vec::new();
    for scale in scales.iter().copied() {
        let missing = scale.saturating_sub(world.statuses);
        let (w, took) = seed_statuses(&state, world, missing).await;
        world = w;
        println!(
            "\n{scale} statuses ({missing} seeded in {:.1} s; load average {})",
            took.as_secs_f64(),
            loadavg()
        );
        if requests == 0 {
            continue;
        }
        profile::reset();
        let warmup = (requests / 10).max(concurrency);
        // Each scenario runs on the client runtime; `spawn` hands it there.
        let scenario = |name: &str, make: Box<dyn Fn(usize) -> Pending + Send + Sync>| {
            client_rt.spawn(load::measure(
                name.to_owned(),
                concurrency,
                warmup,
                requests,
                db_cpu.clone(),
                make,
            ))
        };

        let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
        let home = scenario(
            "GET /api/v1/timelines/home?limit=20",
            Box::new(move |i| {
                let k = pick(i, n);
                Box::pin(get(
                    c.clone(),
                    format!("{b}/api/v1/timelines/home?limit=20"),
                    t[k].clone(),
                ))
            }),
        );
        results.push((scale, home.await.unwrap()));
        sql_report(profiling);

        // Where each member's second page starts: the last id of their first page.
        let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
        let max_ids: Vec<String> = client_rt
            .spawn(async move {
                let mut out = Vec::with_capacity(t.len());
                for tok in t.iter() {
                    let page: Value = c
                        .get(format!("{b}/api/v1/timelines/home?limit=20"))
                        .bearer_auth(tok)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    out.push(
                        page.as_array()
                            .and_then(|a| a.last())
                            .and_then(|s| s["id"].as_str())
                            .unwrap_or("")
                            .to_owned(),
                    );
                }
                out
            })
            .await
            .unwrap();
        let max_ids = Arc::new(max_ids);
        let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
        let page2 = scenario(
            "GET /api/v1/timelines/home?limit=20&max_id=…",
            Box::new(move |i| {
                let k = pick(i, n);
                Box::pin(get(
                    c.clone(),
                    format!("{b}/api/v1/timelines/home?limit=20&max_id={}", max_ids[k]),
                    t[k].clone(),
                ))
            }),
        );
        results.push((scale, page2.await.unwrap()));
        sql_report(profiling);

        let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
        let public = scenario(
            "GET /api/v1/timelines/public?local=true",
            Box::new(move |i| {
                Box::pin(get(
                    c.clone(),
                    format!("{b}/api/v1/timelines/public?local=true&limit=20"),
                    t[pick(i, n)].clone(),
                ))
            }),
        );
        results.push((scale, public.await.unwrap()));
        sql_report(profiling);

        // Posting last, and the posts removed afterwards, so the next scale's
        // timelines are made of seeded statuses only.
        let before = state.ids.next();
        let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
        let post = scenario(
            "POST /api/v1/statuses",
            Box::new(move |i| {
                let (c, b, token) = (c.clone(), b.clone(), t[pick(i, n)].clone());
                Box::pin(async move {
                    let visibility = ["public", "public", "unlisted", "private"][i % 4];
                    let text = format!(
                        "benchmark post {i}: one step at a time, thanks for listening #topic{}",
                        i % 7
                    );
                    let r = c
                        .post(format!("{b}/api/v1/statuses"))
                        .bearer_auth(token)
                        .form(&[("status", text.as_str()), ("visibility", visibility)])
                        .send()
                        .await
                        .unwrap();
                    let s = r.status().as_u16();
                    r.bytes().await.unwrap();
                    s
                })
            }),
        );
        results.push((scale, post.await.unwrap()));
        sql_report(profiling);
        let removed = state
            .db
            .run(move |c| seed::delete_statuses_from(c, before))
            .await
            .expect("remove posted statuses");
        println!(
            "  (removed {removed} posted statuses; load average {})",
            loadavg()
        );
    }

    report(backend, &results);
    let keep = std::env::var("KINDRED_BENCH_KEEP").is_ok_and(|v| v == "1");
    if keep {
        println!("\nkept {url}");
    }
    // The temporary directory holds only the default SQLite file.
    if !(keep && url.contains(&*dir.to_string_lossy())) {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A request in flight, as the scenarios make them.
type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>;

/// Markdown tables for docs/performance.md: every figure, then the largest scale
/// against the smallest.
fn report(backend: &str, results: &[(u64, Figures)]) {
    let pg = results.iter().any(|(_, f)| f.db_cpu_ms.is_some());
    println!("\nbackend {backend}");
    println!(
        "\n| Statuses | Request | req/s | p50 ms | p99 ms | server CPU ms/req |{} errors |",
        if pg { " PostgreSQL CPU ms/req |" } else { "" }
    );
    println!(
        "|---:|---|---:|---:|---:|---:|{}---:|",
        if pg { "---:|" } else { "" }
    );
    for (scale, f) in results {
        println!(
            "| {scale} | `{}` | {:.0} | {:.2} | {:.2} | {:.2} |{} {} |",
            f.name,
            f.per_second,
            f.p50_ms,
            f.p99_ms,
            f.server_cpu_ms,
            f.db_cpu_ms.map_or(String::new(), |d| format!(" {d:.2} |")),
            f.errors
        );
    }
    let (Some((small, _)), Some((large, _))) = (results.first(), results.last()) else {
        return;
    };
    if small == large {
        return;
    }
    println!("\n| Request | p50 {large}/{small} | p99 | CPU/req (server + database) | req/s |");
    println!("|---|---:|---:|---:|---:|");
    for (_, a) in results.iter().filter(|(s, _)| s == small) {
        let Some((_, b)) = results.iter().find(|(s, f)| s == large && f.name == a.name) else {
            continue;
        };
        let cpu = |f: &Figures| f.server_cpu_ms + f.db_cpu_ms.unwrap_or(0.0);
        println!(
            "| `{}` | {:.2}x | {:.2}x | {:.2}x | {:.2}x |",
            a.name,
            b.p50_ms / a.p50_ms,
            b.p99_ms / a.p99_ms,
            cpu(b) / cpu(a),
            b.per_second / a.per_second
        );
    }
}
