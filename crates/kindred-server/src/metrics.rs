//! `/metrics` in Prometheus text format, on a listener of its own (`metrics.bind`),
//! never on the public one. Off by default (`metrics.enabled`).
//!
//! Counters and histograms are recorded where things happen, through the `metrics`
//! facade (HTTP requests in `kindred_api::routes::log_requests`, inbox answers in
//! `kindred_api::handlers::inbox`, pool waits and group-commit batches in
//! `kindred_db`); until a recorder is installed those calls do nothing. Levels (the
//! delivery queue, instances failing and dead, sign-ups waiting) are read from the
//! database at each scrape (`kindred_db::models::gauges`). No label carries a name,
//! a domain, an address or an id: route patterns, methods, status codes and fixed
//! codes only.

use std::net::{SocketAddr, TcpListener};
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use kindred_api::AppState;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::StartupError;

/// The process's recorder: installed once, on the first server started with metrics
/// on (the facade has one global recorder).
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets, in seconds: from a cached read to a slow federation fetch.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Group-commit batch sizes (at most 64 jobs).
const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0, 64.0];

/// The recorder, installed on first use.
fn handle() -> Result<PrometheusHandle, StartupError> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("kindred_db_group_commit_batch_size".into()),
                &BATCH_BUCKETS,
            )
        })
        .map_err(|e| StartupError::Other(format!("metrics: {e}")))?
        .build_recorder();
    let handle = recorder.handle();
    // Another thread may have won the race: then its recorder is the one in use.
    if metrics::set_global_recorder(recorder).is_ok() {
        describe();
        let _ = HANDLE.set(handle);
        let upkeep = HANDLE.get().cloned();
        if let Some(upkeep) = upkeep {
            // Histogram samples are folded into buckets even when nobody scrapes.
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                })
                .map_err(|e| StartupError::Other(format!("metrics: {e}")))?;
        }
    }
    HANDLE
        .get()
        .cloned()
        .ok_or_else(|| StartupError::Other("metrics: another recorder is installed".into()))
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "kindred_http_requests_total",
        "HTTP requests answered, by method, route pattern and status"
    );
    describe_histogram!(
        "kindred_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method and route pattern"
    );
    describe_counter!(
        "kindred_inbox_accepted_total",
        "Activities the inboxes accepted, by outcome (accepted, duplicate, ignored kinds)"
    );
    describe_counter!(
        "kindred_inbox_refused_total",
        "Activities the inboxes refused, by reason (FEDERATION.md lists the codes)"
    );
    describe_histogram!(
        "kindred_db_pool_wait_seconds",
        Unit::Seconds,
        "Time a request waited for a database connection"
    );
    describe_counter!(
        "kindred_db_pool_timeouts_total",
        "Waits for a database connection that gave up"
    );
    describe_histogram!(
        "kindred_db_group_commit_batch_size",
        "Writes committed together by the group-commit writer"
    );
    describe_gauge!(
        "kindred_deliveries",
        "Activities waiting for delivery, by state (due, retrying)"
    );
    describe_gauge!(
        "kindred_delivery_oldest_age_seconds",
        Unit::Seconds,
        "Age of the oldest activity waiting for delivery (0 when none waits)"
    );
    describe_gauge!(
        "kindred_instances",
        "Remote instances by delivery health (failing, dead)"
    );
    describe_gauge!(
        "kindred_sign_ups_waiting",
        "Local sign-ups waiting for an admin's approval"
    );
    describe_gauge!(
        "kindred_reports_waiting",
        "Reports waiting for a moderator (not yet resolved)"
    );
}

/// Binds `bind` and serves `GET /metrics` there (one worker: a scrape every few
/// seconds is all it answers).
pub fn serve(
    bind: SocketAddr,
    state: web::Data<AppState>,
    shutdown_timeout: u64,
) -> Result<(Server, SocketAddr), StartupError> {
    let handle = web::Data::new(handle()?);
    let bind_error = |e: std::io::Error| StartupError::Bind {
        addr: bind.to_string(),
        reason: e.to_string(),
    };
    let listener = TcpListener::bind(bind).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(handle.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)
    .map_err(bind_error)?
    .run();
    tracing::info!(
        port = addr.port(),
        "metrics are served on their own listener"
    );
    Ok((server, addr))
}

/// Reads the levels from the database, then renders every series.
async fn scrape(state: web::Data<AppState>, handle: web::Data<PrometheusHandle>) -> HttpResponse {
    let now = chrono::Utc::now().naive_utc();
    match state
        .db
        .run(move |conn| kindred_db::models::gauges::read(conn, now))
        .await
    {
        Ok(g) => {
            use metrics::gauge;
            gauge!("kindred_deliveries", "state" => "due").set(g.deliveries_due as f64);
            gauge!("kindred_deliveries", "state" => "retrying").set(g.deliveries_retrying as f64);
            gauge!("kindred_delivery_oldest_age_seconds").set(g.oldest_delivery_age_seconds as f64);
            gauge!("kindred_instances", "health" => "failing").set(g.instances_failing as f64);
            gauge!("kindred_instances", "health" => "dead").set(g.instances_dead as f64);
            gauge!("kindred_sign_ups_waiting").set(g.sign_ups_waiting as f64);
            gauge!("kindred_reports_waiting").set(g.reports_waiting as f64);
        }
        // The levels are left as last read; the counters are still worth a scrape.
        Err(e) => tracing::warn!(error = e.code(), "metrics: the levels could not be read"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}
