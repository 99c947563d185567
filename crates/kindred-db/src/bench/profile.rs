//! Time spent per SQL statement, summed over every pooled connection opened after
//! [`install`]: what a benchmark needs to see which query dominates a request.
//! Formatting each statement costs time itself, so figures taken with it on are for
//! finding the heavy query, not for reporting.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};

use crate::DbError;

/// Normalised SQL → (executions, total time, times prepared into the statement cache).
type Times = HashMap<String, (u64, Duration, u64)>;
static TIMES: Mutex<Option<Times>> = Mutex::new(None);

#[derive(Default)]
struct Timer {
    started: Option<Instant>,
}

impl Instrumentation for Timer {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => self.started = Some(Instant::now()),
            InstrumentationEvent::CacheQuery { sql, .. } => {
                if let Ok(mut guard) = TIMES.lock() {
                    let entry = guard
                        .get_or_insert_with(HashMap::new)
                        .entry(normalise(sql))
                        .or_default();
                    entry.2 += 1;
                }
            }
            InstrumentationEvent::FinishQuery { query, .. } => {
                let Some(started) = self.started.take() else {
                    return;
                };
                let took = started.elapsed();
                let sql = normalise(&query.to_string());
                if let Ok(mut guard) = TIMES.lock() {
                    let entry = guard
                        .get_or_insert_with(HashMap::new)
                        .entry(sql)
                        .or_default();
                    entry.0 += 1;
                    entry.1 += took;
                }
            }
            _ => {}
        }
    }
}

/// SQL without its bind values, lists of placeholders folded into one, cut short.
fn normalise(sql: &str) -> String {
    let sql = sql.split(" -- binds").next().unwrap_or(sql);
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        // PostgreSQL numbers its placeholders; SQLite's are all `?`.
        if c == '$' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    while out.contains("?, ?") || out.contains("$, $") {
        out = out.replace("?, ?", "?").replace("$, $", "$");
    }
    let arms = out.matches(" UNION ALL ").count();
    if out.len() > 160 {
        let mut cut = 160;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    if arms > 0 {
        out.push_str(&format!(" [{} arms]", arms + 1));
    }
    out
}

/// Starts timing statements on connections opened from now on.
pub fn install() -> Result<(), DbError> {
    set_default_instrumentation(|| Some(Box::new(Timer::default())))?;
    Ok(())
}

/// Forgets what was timed so far.
pub fn reset() {
    if let Ok(mut guard) = TIMES.lock() {
        *guard = None;
    }
}

/// One statement's figures.
#[derive(Debug, Clone)]
pub struct QueryTime {
    pub sql: String,
    pub executions: u64,
    pub total: Duration,
    /// How often it was prepared and put in a connection's statement cache.
    pub cached: u64,
}

/// Every statement timed since the last reset, the heaviest first.
pub fn report() -> Vec<QueryTime> {
    let mut rows: Vec<QueryTime> = TIMES
        .lock()
        .ok()
        .and_then(|g| g.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|(sql, (executions, total, cached))| QueryTime {
            sql,
            executions,
            total,
            cached,
        })
        .collect();
    rows.sort_by_key(|q| std::cmp::Reverse(q.total));
    rows
}
