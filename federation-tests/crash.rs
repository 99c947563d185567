//! Scenario 3: the sending instance runs as a separate `kindred serve` process and is
//! killed with SIGKILL in the middle of delivering 1,000 posts to three Kindred
//! instances. After a restart each instance has all 1,000, once each: what the
//! killed process had sent but not yet marked delivered is sent again, and the
//! receivers absorb it by activity-id de-duplication.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use kindred_db::schema::deliveries;
use serde_json::json;

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{
    arrivals, backlog, count_from, eventually, eventually_within, instance_with, instances,
    recording_follower, resolve, statuses_from, wait_following, Serve, NO_WORKER,
};

const POSTS: usize = 1000;
/// The shortest lease the configuration allows: how long the instances stay with
/// the killed process before the restarted one may take them.
const LEASE: (&str, &str) = ("KINDRED__FEDERATION__DELIVERY_LEASE_SECONDS", "20");
const WORKER_ON: (&str, &str) = ("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "128");

/// Deliveries still queued at the sender, per receiving domain.
fn queued(sender: &TestApp, domain: &str) -> i64 {
    let domain = domain.to_owned();
    sender
        .state
        .db
        .run_blocking(move |c| {
            Ok(deliveries::table
                .filter(deliveries::domain.eq(domain))
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

/// Activity ids still queued at the sender for `domain`.
fn queued_ids(sender: &TestApp, domain: &str) -> std::collections::HashSet<String> {
    let domain = domain.to_owned();
    sender
        .state
        .db
        .run_blocking(move |c| {
            Ok(deliveries::table
                .filter(deliveries::domain.eq(domain))
                .select(deliveries::activity_id)
                .load::<String>(c)?)
        })
        .unwrap()
        .into_iter()
        .collect()
}

async fn total_from(receivers: &[TestApp], sender: &TestApp) -> i64 {
    let mut total = 0;
    for r in receivers {
        total += count_from(r, sender).await;
    }
    total
}

async fn sigkill_mid_delivery(backend: Backend) {
    // The sender first runs in-process without a worker: members, follows and the
    // 1,000 posts go through the real API and queue; nothing is sent yet.
    let Some(mut sender) = instance_with(backend, &[NO_WORKER]).await else {
        return;
    };
    let Some(receivers) = instances(backend, 3).await else {
        return;
    };
    let (writer, _) = sender.member("writer").await;
    let mut tokens = Vec::new();
    for (i, r) in receivers.iter().enumerate() {
        let (token, _) = r.member(&format!("reader{i}")).await;
        let id = resolve(r, &token, &format!("writer@{}", sender.domain)).await;
        let (status, v) = r
            .post_json(&format!("/api/v1/accounts/{id}/follow"), &token, json!({}))
            .await;
        assert_eq!(status, 200, "{v}");
        tokens.push((token, id));
    }
    // A recording server follows too: it counts on the wire what the receivers'
    // de-duplication would absorb.
    let rec = recording_follower(&sender, "writer").await;
    let (_, me) = sender
        .get_json("/api/v1/accounts/verify_credentials", Some(&writer))
        .await;
    let me = format!("/api/v1/accounts/{}", me["id"].as_str().unwrap());
    eventually("four followers at the sender", || async {
        let (_, v) = sender.get_json(&me, Some(&writer)).await;
        (v["followers_count"] == 4).then_some(())
    })
    .await;

    // Through the API, four clients at a time: the order of the posts does not
    // matter here (the outage scenario checks order), the time does.
    let started = Instant::now();
    let clients = (0..4).map(|k| {
        let (sender, writer) = (&sender, &writer);
        async move {
            for n in (k..POSTS).step_by(4) {
                sender
                    .post_status(
                        writer,
                        json!({ "status": format!("crash test {n}"), "visibility": "public" }),
                    )
                    .await;
            }
        }
    });
    futures_util::future::join_all(clients).await;
    let posting = started.elapsed();
    // Four Accepts and 4 × 1,000 Creates wait.
    assert_eq!(backlog(&sender).await, 4 + 4 * POSTS as i64);

    // Now the same instance as a process, on the same port and database.
    sender.stop_server().await;
    let process = Serve::start(&sender, &[WORKER_ON, LEASE]).await;
    let delivering = Instant::now();
    eventually_within("half delivered", Duration::from_secs(90), || async {
        (total_from(&receivers, &sender).await >= 3 * POSTS as i64 / 2).then_some(())
    })
    .await;
    let first_half = delivering.elapsed();
    process.kill();
    let killed_at = Instant::now();
    // Let requests that were in flight at the kill finish at the receivers.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut at_kill = Vec::new();
    let mut resent = 0;
    for r in &receivers {
        let got = count_from(r, &sender).await;
        let left = queued(&sender, &r.domain);
        // Nothing lost: what arrived plus what is still queued covers every post;
        // any excess was received but not yet marked delivered, and will be sent
        // again.
        assert!(
            got + left >= POSTS as i64,
            "{}: {got} received + {left} queued",
            r.domain
        );
        resent += got + left - POSTS as i64;
        at_kill.push(got);
    }
    // At the recorder: what had arrived, and what was still queued for it (sent
    // but not marked delivered, or not sent yet).
    let arrived_at_kill = arrivals(&rec);
    let queued_at_kill = queued_ids(&sender, &format!("localhost:{}", rec.port));

    let process = Serve::start(&sender, &[WORKER_ON, LEASE]).await;
    let total_at_kill = total_from(&receivers, &sender).await;
    let resumed = eventually_within("deliveries to resume", Duration::from_secs(60), || async {
        (total_from(&receivers, &sender).await > total_at_kill).then(|| killed_at.elapsed())
    })
    .await;
    eventually_within(
        "every post at every instance after the restart",
        Duration::from_secs(120),
        || async {
            let mut all = true;
            for r in &receivers {
                all &= count_from(r, &sender).await >= POSTS as i64;
            }
            (all && backlog(&sender).await == 0).then_some(())
        },
    )
    .await;
    let recovered = killed_at.elapsed();
    process.kill();

    // On the wire: every Create reached the recorder, and only one in flight at
    // the kill (arrived before it, still queued at it) arrived twice.
    let arrived = arrivals(&rec);
    let mut twice = 0;
    for (_, uri) in statuses_from(&sender, &sender) {
        let id = format!("{uri}/activity");
        let n = arrived.get(&id).map_or(0, Vec::len);
        assert!(n >= 1, "{id} never arrived");
        if n > 1 {
            assert_eq!(n, 2, "{id} arrived {n} times");
            assert!(
                arrived_at_kill.contains_key(&id) && queued_at_kill.contains(&id),
                "{id} sent again but was not in flight at the kill"
            );
            twice += 1;
        }
    }

    let mut sent: Vec<String> = statuses_from(&sender, &sender)
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    sent.sort();
    assert_eq!(sent.len(), POSTS);
    for (r, (token, id)) in receivers.iter().zip(&tokens) {
        // Once each (a second row for a URI would show here), and all of them.
        let mut got: Vec<String> = statuses_from(r, &sender)
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        got.sort();
        assert_eq!(got, sent, "{}: all 1,000, once each", r.domain);
        // The Accept came first, so the follow stands.
        wait_following(r, token, id).await;
    }
    eprintln!(
        "{backend:?} SIGKILL: {POSTS} posted in {posting:?}; half delivered in {first_half:?}, \
         {at_kill:?} at the receivers when killed; deliveries resumed {resumed:?} after the kill \
         (lease 20 s), all there {recovered:?} after it; {resent} sent twice and absorbed, \
         {twice} twice at the recorder"
    );
}

both_backends!(sigkill_mid_delivery);
