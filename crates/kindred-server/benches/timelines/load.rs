//! Closed-loop load: N tasks, each sending its next request as soon as the last one
//! answered, over keep-alive connections. Latency is measured per request, from send
//! to the full body read. CPU time is read from /proc (Linux) around each scenario and
//! split between the server and the load client by thread name.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One scenario's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: String,
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// CPU time of the server per request: this process (actix workers, diesel,
    /// SQLite) minus the load client's threads. Steadier than req/s on a shared machine.
    pub server_cpu_ms: f64,
    /// CPU time of the load client per request (reqwest, on its own runtime).
    pub client_cpu_ms: f64,
    /// CPU time of the PostgreSQL server processes per request, when they can be read.
    pub db_cpu_ms: Option<f64>,
}

/// Name of the load client's runtime threads, so their CPU time can be told apart from
/// the server's (Linux keeps the first 15 bytes of a thread name).
pub const CLIENT_THREAD: &str = "bench-client";

/// USER_HZ: the unit of utime and stime in /proc (100 on every Linux platform).
const MS_PER_TICK: f64 = 10.0;

/// utime + stime in ms from a /proc stat line, and the command (thread) name.
pub fn stat_cpu(line: &str) -> Option<(&str, f64)> {
    let (head, rest) = line.rsplit_once(')')?;
    let name = head.split_once('(')?.1;
    // Fields after the parenthesised name, from field 3 on: utime is 14, stime 15.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some((name, ticks * MS_PER_TICK))
}

/// CPU time in ms of process `pid`, or None when it cannot be read.
pub fn pid_cpu_ms(pid: &str) -> Option<f64> {
    let line = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_cpu(&line).map(|(_, ms)| ms)
}

/// (whole process, load client threads) CPU time so far, in ms. Threads of the client
/// runtime live for the whole run, so none of their time leaves with an ended thread.
pub fn own_cpu_ms() -> (f64, f64) {
    let total = pid_cpu_ms("self").unwrap_or(0.0);
    let client = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter_map(|line| {
            stat_cpu(&line).and_then(|(name, ms)| name.starts_with(CLIENT_THREAD).then_some(ms))
        })
        .sum();
    (total, client)
}

/// The database server's processes and their CPU time so far (ms), when they can be
/// read; measured around each scenario like the process's own.
pub type DbCpu = Arc<dyn Fn() -> Option<HashMap<String, f64>> + Send + Sync>;

/// CPU spent by processes between two snapshots: those that started in between count
/// from zero, those that ended in between are lost (the pool keeps its connections,
/// so these are rare).
pub fn cpu_between(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, ms)| ms - before.get(pid).copied().unwrap_or(0.0))
        .sum()
}

/// Runs `warmup` unrecorded requests, then `total` recorded ones, `concurrency` at a
/// time. `make(i)` sends request number i and returns its HTTP status. Call it on the
/// client runtime.
pub async fn measure<F, Fut>(
    name: String,
    concurrency: usize,
    warmup: usize,
    total: usize,
    db_cpu: DbCpu,
    make: F,
) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send,
{
    let make = Arc::new(make);
    run(concurrency, warmup, make.clone(), 1_000_000_000).await;
    let db_before = tokio::task::spawn_blocking({
        let d = db_cpu.clone();
        move || d()
    })
    .await
    .unwrap_or(None);
    let started = Instant::now();
    let (cpu_before, client_before) = own_cpu_ms();
    let (mut lat, errors) = run(concurrency, total, make, 0).await;
    let elapsed = started.elapsed();
    let (cpu_after, client_after) = own_cpu_ms();
    let db_after = tokio::task::spawn_blocking(move || db_cpu())
        .await
        .unwrap_or(None);
    let per = |ms: f64| ms / total.max(1) as f64;
    let client_ms = client_after - client_before;
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let f = Figures {
        name,
        requests: lat.len(),
        errors,
        per_second: lat.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        server_cpu_ms: per(cpu_after - cpu_before - client_ms),
        client_cpu_ms: per(client_ms),
        db_cpu_ms: db_before
            .zip(db_after)
            .map(|(b, a)| per(cpu_between(&b, &a))),
    };
    println!(
        "  {:<46} {:>6} req {:>7.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  \
         cpu/req server {:>5.2}{} client {:>5.2} ms{}",
        f.name,
        f.requests,
        f.per_second,
        f.p50_ms,
        f.p99_ms,
        f.server_cpu_ms,
        f.db_cpu_ms
            .map_or(String::new(), |d| format!(" postgres {d:>5.2}")),
        f.client_cpu_ms,
        if errors > 0 {
            format!("  ({errors} errors)")
        } else {
            String::new()
        }
    );
    f
}

async fn run<F, Fut>(
    concurrency: usize,
    total: usize,
    make: Arc<F>,
    offset: usize,
) -> (Vec<Duration>, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send,
{
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (make, next) = (make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let s = Instant::now();
                let status = make(offset + i).await;
                if status >= 400 {
                    errors += 1;
                }
                lat.push(s.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::with_capacity(total);
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.expect("load task");
        all.extend(lat);
        errors += e;
    }
    (all, errors)
}

/// A cheap, deterministic spread of request numbers over `n` items.
pub fn pick(i: usize, n: usize) -> usize {
    (i.wrapping_mul(2_654_435_761) >> 7) % n.max(1)
}

/// When the database is a PostgreSQL server on this machine: a reader of its
/// processes' CPU time (every process `pg_stat_activity` lists, read from /proc).
pub fn postgres_cpu(db: &kindred_db::Db, url: &str) -> Option<DbCpu> {
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let host = url.split('@').nth(1).unwrap_or(url);
    let local = ["127.0.0.1", "localhost", "[::1]", "/"]
        .iter()
        .any(|h| host.starts_with(h));
    if db.backend() != kindred_db::Backend::Postgres || !local {
        return None;
    }
    let db = db.clone();
    let read: DbCpu = std::sync::Arc::new(move || {
        let pids: Vec<Pid> = db
            .run_blocking(|c| {
                use diesel::RunQueryDsl;
                Ok(diesel::sql_query("SELECT pid FROM pg_stat_activity").load(c)?)
            })
            .ok()?;
        Some(
            pids.into_iter()
                .filter_map(|p| {
                    let pid = p.pid.to_string();
                    pid_cpu_ms(&pid).map(|ms| (pid, ms))
                })
                .collect(),
        )
    });
    // Only when the processes can be read: a server in a container looks local too.
    read().filter(|m| !m.is_empty())?;
    Some(read)
}
