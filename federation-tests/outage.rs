//! Scenario 2: a receiving Kindred instance is down while 500 activities are sent
//! to it; once it is back (a new server on the same port and database) it has all
//! of them, once each, in the order they were sent.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use kindred_db::models::delivery_worker;
use kindred_db::schema::received_activities;
use kindred_federation::delivery::{Backoff, DeliveryConfig, DeliveryWorker};
use kindred_federation::http::HttpPolicy;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{
    arrivals, count_from, drained, eventually, eventually_within, follow, instance, instance_with,
    recording_follower, statuses_from, NO_WORKER,
};

const POSTS: usize = 500;

/// The production worker with test-sized timings (retries within 0.4 s, not after
/// 10 s, 20 s, 40 s ...), so the scenario measures recovery, not the backoff.
fn fast_worker(app: &TestApp) -> DeliveryWorker {
    let mut c = DeliveryConfig::new(
        HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        },
        "kindred-federation-test".into(),
    );
    c.poll_interval = Duration::from_millis(100);
    c.backoff = Backoff {
        base: Duration::from_millis(50),
        cap: Duration::from_millis(400),
        retry_after_cap: Duration::from_secs(30),
    };
    c.threads = 2;
    DeliveryWorker::start(
        app.state.db.clone(),
        app.state.urls.clone(),
        &app.state.delivery,
        c,
    )
    .unwrap()
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// When `app` recorded each activity id as processed.
fn received_at(app: &TestApp, ids: &[String]) -> Vec<chrono::NaiveDateTime> {
    let hashes: Vec<String> = ids.iter().map(|i| sha256_hex(i)).collect();
    let by_hash: HashMap<String, chrono::NaiveDateTime> = app
        .state
        .db
        .run_blocking(move |c| {
            let mut out = Vec::new();
            for chunk in hashes.chunks(200) {
                out.extend(
                    received_activities::table
                        .filter(received_activities::id_hash.eq_any(chunk))
                        .select((
                            received_activities::id_hash,
                            received_activities::received_at,
                        ))
                        .load::<(String, chrono::NaiveDateTime)>(c)?,
                );
            }
            Ok(out)
        })
        .unwrap()
        .into_iter()
        .collect();
    ids.iter()
        .map(|i| *by_hash.get(&sha256_hex(i)).expect("recorded as received"))
        .collect()
}

async fn receiver_down_then_back(backend: Backend) {
    let (Some(a), Some(mut b)) = (
        instance_with(backend, &[NO_WORKER]).await,
        instance(backend).await,
    ) else {
        return;
    };
    let worker = fast_worker(&a);
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    follow(&b, &bob, &a, "alice").await;
    // A recording server follows alice too and is down with B: it counts on the
    // wire what B's unique index would absorb.
    let rec = recording_follower(&a, "alice").await;
    drained(&[&a, &b]).await;

    // B goes down; its database stays.
    b.stop_server().await;
    rec.go_down().await;
    let started = Instant::now();
    for n in 0..POSTS {
        a.post_status(
            &alice,
            json!({ "status": format!("post number {n}"), "visibility": "public" }),
        )
        .await;
    }
    let posting = started.elapsed();
    // Every one is waiting, and the worker has been failing to connect.
    let stats = eventually("failed attempts on B", || async {
        let s = a
            .state
            .db
            .run(|c| delivery_worker::queue_stats(c, true))
            .await
            .unwrap();
        s.into_iter()
            .find(|q| q.domain == b.domain && q.failures >= 3)
    })
    .await;
    assert_eq!(stats.backlog, POSTS as i64);
    assert!(stats.failing_since.is_some());
    assert_eq!(count_from(&b, &a).await, 0);

    let down_for = started.elapsed();
    let b = b.restart().await;
    rec.come_back().await;
    let back = Instant::now();
    eventually_within(
        "all 500 at B after its restart",
        Duration::from_secs(90),
        || async { (count_from(&b, &a).await >= POSTS as i64).then_some(()) },
    )
    .await;
    let recovered = back.elapsed();
    // B stores the last one a moment before A removes it from its queue.
    drained(&[&a]).await;

    // Once each, and in the sender's order: B's ids sort as A's do, and B
    // processed the Creates one after the other in that order.
    let sent = statuses_from(&a, &a);
    let got = statuses_from(&b, &a);
    assert_eq!(sent.len(), POSTS);
    let sent_uris: Vec<&String> = sent.iter().map(|(_, u)| u).collect();
    let got_uris: Vec<&String> = got.iter().map(|(_, u)| u).collect();
    assert_eq!(got_uris, sent_uris, "all, once each, in order");
    let activity_ids: Vec<String> = sent.iter().map(|(_, u)| format!("{u}/activity")).collect();
    // On the wire: each Create reached the recorder exactly once.
    let arrived = arrivals(&rec);
    for id in &activity_ids {
        let n = arrived.get(id).map_or(0, Vec::len);
        assert_eq!(n, 1, "{id} arrived {n} times");
    }
    let times = received_at(&b, &activity_ids);
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "processed in the order sent"
    );
    // And they reach bob's home timeline, newest first.
    let (_, home) = b
        .get_json("/api/v1/timelines/home?limit=3", Some(&bob))
        .await;
    let texts: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap())
        .collect();
    assert!(texts[0].contains("post number 499"), "{texts:?}");
    assert!(texts[2].contains("post number 497"), "{texts:?}");
    eprintln!(
        "{backend:?} outage: {POSTS} posted in {posting:?}, B down {down_for:?}; all at B {recovered:?} after its restart"
    );
    worker.shutdown().await;
}

both_backends!(receiver_down_then_back);
