//! `KINDRED_BENCH_SQL=1`: counts the SQL statements each kind of thread runs
//! (diesel's instrumentation) and how many diesel put in its statement cache in
//! the window, so that "statements per activity" can be read next to the CPU
//! figures. SQLite's own re-preparing of a cached statement is not seen here (count
//! `sqlite3Prepare` calls with a `perf probe` for that, see docs/performance.md).

use std::collections::HashMap;
use std::sync::Mutex;

use diesel::connection::{Instrumentation, InstrumentationEvent};

#[derive(Default, Clone, Copy)]
struct Count {
    run: u64,
    cached: u64,
}

static COUNTS: Mutex<Option<HashMap<(String, String), Count>>> = Mutex::new(None);

struct Census;

/// The thread's name without its number (`tokio-rt-worker`, `db-group-commit`).
fn thread_kind() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
        .to_owned()
}

/// The statement's text without its bind values.
fn sql_of(text: &str) -> String {
    let sql = text.split("-- binds").next().unwrap_or(text).trim();
    let mut short: String = sql.chars().take(150).collect();
    if sql.len() > short.len() {
        short.push('…');
    }
    short
}

impl Instrumentation for Census {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let (sql, cached) = match event {
            InstrumentationEvent::StartQuery { query, .. } => (sql_of(&query.to_string()), false),
            InstrumentationEvent::CacheQuery { sql, .. } => (sql_of(sql), true),
            _ => return,
        };
        let mut counts = COUNTS.lock().unwrap();
        let Some(map) = counts.as_mut() else { return };
        let c = map.entry((thread_kind(), sql)).or_default();
        if cached {
            c.cached += 1;
        } else {
            c.run += 1;
        }
    }
}

/// Installs the census for connections opened from now on (when asked for).
pub fn install() {
    if std::env::var_os("KINDRED_BENCH_SQL").is_none() {
        return;
    }
    diesel::connection::set_default_instrumentation(|| Some(Box::new(Census))).unwrap();
    *COUNTS.lock().unwrap() = Some(HashMap::new());
}

/// Starts counting afresh (the measured window begins).
pub fn reset() {
    if let Some(map) = COUNTS.lock().unwrap().as_mut() {
        map.clear();
    }
}

/// Prints the statements run per `per` unit, by thread kind, most frequent first.
pub fn print(per: usize, unit: &str) {
    let counts = COUNTS.lock().unwrap();
    let Some(map) = counts.as_ref() else { return };
    let mut by_kind: HashMap<&str, Vec<(&String, Count)>> = HashMap::new();
    for ((kind, sql), c) in map {
        by_kind.entry(kind).or_default().push((sql, *c));
    }
    for (kind, mut rows) in by_kind {
        rows.sort_by_key(|(_, c)| std::cmp::Reverse(c.run));
        let total: u64 = rows.iter().map(|(_, c)| c.run).sum();
        let prepared: u64 = rows.iter().map(|(_, c)| c.cached).sum();
        println!(
            "  sql on {kind}: {:.1} statements per {unit} ({} distinct texts, {prepared} put in diesel's cache)",
            total as f64 / per as f64,
            rows.len()
        );
        for (sql, c) in rows.iter().take(25) {
            println!(
                "    {:>6.2}/{unit}  cached {:>4}x  {sql}",
                c.run as f64 / per as f64,
                c.cached
            );
        }
    }
}
