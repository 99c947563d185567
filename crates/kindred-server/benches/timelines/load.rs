//! Closed-loop load: N tasks, each sending its next request as soon as the last one
//! answered, over keep-alive connections. Latency is measured per request, from send
//! to the full body read.

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
    /// CPU time of this whole process (server, SQLite and client) per request: steadier
    /// than req/s on a shared machine. PostgreSQL's own processes are not included.
    pub cpu_ms: f64,
}

/// User + system CPU time of this process so far, from /proc (Linux), in ms.
fn process_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are 14 and 15.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks * 10.0) // USER_HZ is 100 on Linux
        })
        .unwrap_or(0.0)
}

/// Runs `warmup` unrecorded requests, then `total` recorded ones, `concurrency` at a
/// time. `make(i)` sends request number i and returns its HTTP status.
pub async fn measure<F, Fut>(
    name: &str,
    concurrency: usize,
    warmup: usize,
    total: usize,
    make: F,
) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send,
{
    let make = Arc::new(make);
    run(concurrency, warmup, make.clone(), 1_000_000_000).await;
    let started = Instant::now();
    let cpu_before = process_cpu_ms();
    let (mut lat, errors) = run(concurrency, total, make, 0).await;
    let elapsed = started.elapsed();
    let cpu_ms = (process_cpu_ms() - cpu_before) / total.max(1) as f64;
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let f = Figures {
        name: name.to_owned(),
        requests: lat.len(),
        errors,
        per_second: lat.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        cpu_ms,
    };
    println!(
        "  {:<46} {:>6} req {:>7.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  cpu {:>5.2} ms/req{}",
        f.name,
        f.requests,
        f.per_second,
        f.p50_ms,
        f.p99_ms,
        f.cpu_ms,
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
