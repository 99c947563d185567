//! `/metrics`: Prometheus text on its own listener, read back with the reference
//! parser (`prometheus_client.parser`, tests/metrics/parse_prometheus.py); the series
//! change with what the server does; no label value carries a name, an id, a path or
//! an address; the public port has no `/metrics`.
//!
//! The metrics recorder is one per process, so other tests' servers in this process
//! add to the same counters once it is installed: every check here compares this
//! test's own before and after, and the privacy check covers everyone's labels.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use kindred_api::services::accounts::{create_local_account, NewLocalAccount};
use kindred_domain::{Password, Role, Username};
use serde_json::{json, Value};

use crate::common::{both_backends, free_port, spawn_app_with, Backend, TestApp};

both_backends!(
    metrics_are_served_apart_and_change,
    metrics_are_off_by_default
);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A Python with the reference parser: .venv's (scripts/test.sh fills it), or the
/// system's.
fn python() -> Option<String> {
    [
        std::env::var("KINDRED_TEST_PYTHON").ok(),
        Some(
            repo_root()
                .join(".venv/bin/python")
                .to_string_lossy()
                .into_owned(),
        ),
        Some("python3".to_owned()),
    ]
    .into_iter()
    .flatten()
    .find(|p| {
        Command::new(p)
            .args(["-c", "import prometheus_client.parser"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[derive(Debug)]
struct Sample {
    name: String,
    labels: serde_json::Map<String, Value>,
    value: f64,
}

struct Scrape {
    types: serde_json::Map<String, Value>,
    samples: Vec<Sample>,
}

impl Scrape {
    /// The value of the sample `name` whose labels include `labels` (0 if none).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).and_then(Value::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    }

    fn has(&self, name: &str) -> bool {
        self.samples.iter().any(|s| s.name == name)
    }
}

/// Fetches `/metrics` from `addr` and parses it with the reference parser.
async fn scrape(app: &TestApp, python: &str, addr: &str) -> Scrape {
    let resp = app
        .client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = resp.text().await.unwrap();
    let mut child = Command::new(python)
        .arg(repo_root().join("tests/metrics/parse_prometheus.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Prometheus parser refused the output: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let samples = parsed["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Sample {
            name: s["name"].as_str().unwrap().to_owned(),
            labels: s["labels"].as_object().unwrap().clone(),
            value: s["value"].as_f64().unwrap_or(f64::INFINITY),
        })
        .collect();
    Scrape {
        types: parsed["types"].as_object().unwrap().clone(),
        samples,
    }
}

async fn metrics_are_served_apart_and_change(backend: Backend) {
    let Some(python) = python() else {
        if std::env::var("KINDRED_REQUIRE_CLIENT_TESTS").is_ok_and(|v| v == "1") {
            panic!(
                "prometheus_client is required (KINDRED_REQUIRE_CLIENT_TESTS=1) but not installed"
            );
        }
        eprintln!("\n*** SKIPPED /metrics test: prometheus_client is not installed. Run scripts/test.sh, which installs it. ***\n");
        return;
    };
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__METRICS__ENABLED", "true"),
            ("KINDRED__METRICS__BIND", &metrics_addr),
            // No delivery worker: a queued delivery stays due, for the gauge.
            ("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "0"),
        ],
    )
    .await
    else {
        return;
    };

    let before = scrape(&app, &python, &metrics_addr).await;
    for family in [
        "kindred_deliveries",
        "kindred_delivery_oldest_age_seconds",
        "kindred_instances",
        "kindred_sign_ups_waiting",
        "kindred_reports_waiting",
    ] {
        assert!(before.has(family), "{family} missing");
        assert_eq!(before.types[family], "gauge");
    }

    // A member, a post, and look-ups by id and by name.
    let (token, id) = app.member("willowmetrics").await;
    let status_id = app
        .post_status(
            &token,
            json!({"status": "hello from the metrics test", "visibility": "public"}),
        )
        .await;
    let account_route = "/api/v1/accounts/{id}";
    for _ in 0..3 {
        let (status, _) = app
            .get_json(&format!("/api/v1/accounts/{id}"), Some(&token))
            .await;
        assert_eq!(status, 200);
    }
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{status_id}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_json("/api/v1/accounts/999999999999", Some(&token))
        .await;
    assert_eq!(status, 404);
    // A sign-up waiting for approval.
    create_local_account(
        &app.state,
        NewLocalAccount {
            username: Username::parse("hazelwaiting").unwrap(),
            email: None,
            password: Password::parse("hazel's password, long").unwrap(),
            role: Role::Member,
            approved: false,
            reason: None,
            invite_id: None,
        },
    )
    .await
    .unwrap();
    // A report waiting for a moderator.
    let (reporter, _) = app.member("rowanreporter").await;
    let (status, report) = app
        .post_json(
            "/api/v1/reports",
            &reporter,
            json!({"account_id": id, "status_ids": [status_id], "comment": "metrics test"}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    // An inbox refusal: no signature.
    let resp = app
        .client
        .post(app.url("/inbox"))
        .header("content-type", "application/activity+json")
        .json(&json!({"id": "https://elsewhere.example/a/1", "type": "Follow", "actor": "https://elsewhere.example/users/oak"}))
        .send()
        .await
        .unwrap();
    let refusal: Value = resp.json().await.unwrap();
    let reason = refusal["error_code"]
        .as_str()
        .or(refusal["code"].as_str())
        .map(str::to_owned);
    // A delivery waiting in the queue.
    let now = chrono::Utc::now().naive_utc();
    let delivery = kindred_db::models::deliveries::NewDelivery {
        id: app.state.ids.next(),
        domain: "metrics.example".into(),
        inbox_url: "https://metrics.example/inbox".into(),
        signer_account_id: None,
        activity_id: format!("{}/metrics-test/1", app.base),
        body: "{}".into(),
        next_attempt_at: now,
        created_at: now,
        traffic: "announcements".into(),
    };
    app.state
        .db
        .run(move |c| kindred_db::models::deliveries::enqueue(c, &[delivery], now))
        .await
        .unwrap();

    let after = scrape(&app, &python, &metrics_addr).await;
    let requests = |s: &Scrape, code: &str| {
        s.value(
            "kindred_http_requests_total",
            &[
                ("method", "GET"),
                ("route", account_route),
                ("status", code),
            ],
        )
    };
    assert!(
        requests(&after, "200") >= requests(&before, "200") + 3.0,
        "requests by route pattern and status"
    );
    assert!(requests(&after, "404") >= requests(&before, "404") + 1.0);
    assert_eq!(
        after.types["kindred_http_request_duration_seconds"],
        "histogram"
    );
    assert!(
        after.value(
            "kindred_http_request_duration_seconds_count",
            &[("route", account_route)]
        ) >= 4.0
    );
    assert_eq!(
        after.value("kindred_sign_ups_waiting", &[]),
        before.value("kindred_sign_ups_waiting", &[]) + 1.0,
        "sign-ups waiting"
    );
    assert_eq!(
        after.value("kindred_reports_waiting", &[]),
        before.value("kindred_reports_waiting", &[]) + 1.0,
        "reports waiting"
    );
    assert_eq!(
        after.value("kindred_deliveries", &[("state", "due")]),
        before.value("kindred_deliveries", &[("state", "due")]) + 1.0,
        "the delivery queue by state"
    );
    assert!(after.has("kindred_instances"));
    let reason = reason.expect("the inbox says why it refused");
    assert!(
        after.value("kindred_inbox_refused_total", &[("reason", &reason)])
            >= before.value("kindred_inbox_refused_total", &[("reason", &reason)]) + 1.0,
        "inbox refusals by reason ({reason})"
    );
    assert!(after.value("kindred_db_pool_wait_seconds_count", &[]) > 0.0);
    assert_eq!(after.types["kindred_db_pool_wait_seconds"], "histogram");

    // No label value holds a name, an id, a raw path, a domain or an address; the
    // same labels do hold route patterns (the positive control).
    let mut saw_pattern = false;
    for s in &after.samples {
        for (key, value) in &s.labels {
            let value = value.as_str().unwrap_or_default();
            saw_pattern |= value == account_route;
            for leak in [
                "willowmetrics",
                "hazelwaiting",
                "rowanreporter",
                id.as_str(),
                status_id.as_str(),
                "999999999999",
                "metrics.example",
                "elsewhere.example",
                "127.0.0.1",
                "localhost",
            ] {
                assert!(
                    !value.contains(leak),
                    "{}{{{key}={value:?}}} carries {leak:?}",
                    s.name
                );
            }
        }
    }
    assert!(saw_pattern, "route patterns are labels");

    // The public port has no /metrics (the positive control: the metrics port had).
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 404, "/metrics on the public port");
}

async fn metrics_are_off_by_default(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[]).await else {
        return;
    };
    let (status, _) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(status, 200, "the server answers");
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}
