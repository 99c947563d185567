//! The persistent delivery queue against real receivers on loopback: order, signatures,
//! receivers that are down, refuse, throttle or hang, dead instances, several workers
//! on one PostgreSQL database, and a `kindred serve` killed with SIGKILL.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_db::models::deliveries::{self, NewDelivery};
use kindred_db::models::delivery_worker::{self, InstanceQueue};
use kindred_db::schema::{deliveries as deliveries_t, instances};
use kindred_domain::Role;
use kindred_federation::delivery::{Backoff, DeliveryConfig, DeliveryWorker};
use kindred_federation::http::HttpPolicy;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::common::{at_rest_contains, both_backends, spawn_app_with, Backend, TestApp};
use crate::receiver::{Answer, Receiver, Request};

const NO_WORKER: (&str, &str) = ("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "0");

/// An app whose own worker is off: the tests start workers with short timings.
async fn app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[NO_WORKER]).await
}

/// Production behaviour with test-sized timings.
fn fast() -> DeliveryConfig {
    let mut c = DeliveryConfig::new(
        HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        },
        "kindred-test".into(),
    );
    c.poll_interval = Duration::from_millis(100);
    c.backoff = Backoff {
        base: Duration::from_millis(50),
        cap: Duration::from_millis(400),
        retry_after_cap: Duration::from_secs(30),
    };
    c.request_timeout = Duration::from_secs(2);
    c.lease = Duration::from_secs(20);
    c.threads = 2;
    // These tests count every request their receivers get.
    c.software_lookup = false;
    c
}

fn start(app: &TestApp, config: DeliveryConfig) -> DeliveryWorker {
    DeliveryWorker::start(
        app.state.db.clone(),
        app.state.urls.clone(),
        &app.state.delivery,
        config,
    )
    .unwrap()
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// One activity for one receiver; its id says which (`tag`, `n`).
fn item(app: &TestApp, r: &Receiver, tag: &str, n: usize, signer: Option<i64>) -> NewDelivery {
    let activity_id = format!("https://kindred.test/activities/{tag}/{n}");
    NewDelivery {
        id: app.state.ids.next(),
        domain: r.domain.clone(),
        inbox_url: r.inbox(),
        signer_account_id: signer,
        body: serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": activity_id,
            "type": "Create",
            "n": n,
        })
        .to_string(),
        activity_id,
        next_attempt_at: now(),
        created_at: now(),
        traffic: "announcements".into(),
    }
}

fn ids(tag: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range
        .map(|n| format!("https://kindred.test/activities/{tag}/{n}"))
        .collect()
}

/// Queues in one transaction, as the code that makes a change does, then wakes.
async fn enqueue(app: &TestApp, items: Vec<NewDelivery>) {
    app.state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| deliveries::enqueue(c, &items, now()))
        })
        .await
        .unwrap();
    app.state.delivery.wake();
}

async fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn stats(app: &TestApp) -> HashMap<String, InstanceQueue> {
    app.state
        .db
        .run(|c| delivery_worker::queue_stats(c, true))
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.domain.clone(), q))
        .collect()
}

async fn backlog(app: &TestApp) -> i64 {
    app.state
        .db
        .run(deliveries::backlog)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// Waits until the queue is empty: the receiver records an activity a moment before
/// the worker removes it from the queue.
async fn wait_empty(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while backlog(app).await > 0 {
        assert!(Instant::now() < deadline, "the queue never emptied");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Checks a request's signature the way `activitypub_federation` does, against the
/// actor's public key, and its digest against the body.
fn assert_signed(req: &Request, key_id: &str, public_pem: &str) {
    let digest = format!(
        "SHA-256={}",
        BASE64.encode(Sha256::digest(req.body.as_bytes()))
    );
    assert_eq!(req.headers.get("digest"), Some(&digest), "digest");
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/activity+json")
    );
    let config = http_signature_normalization::Config::new()
        .set_expiration(Duration::from_secs(3600))
        .require_digest();
    let unverified = config
        .begin_verify("POST", &req.path, req.headers.clone())
        .expect("a signature header covering (request-target) host date digest");
    assert_eq!(unverified.key_id(), key_id);
    let key = RsaPublicKey::from_public_key_pem(public_pem).unwrap();
    assert!(
        unverified.verify(|sig, signing| {
            let sig = BASE64.decode(sig).unwrap();
            key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing.as_bytes()),
                &sig,
            )
            .is_ok()
        }),
        "signature verifies"
    );
}

both_backends!(
    delivers_in_order_signed_by_the_right_actor,
    receiver_down_then_back_gets_all_500_in_order,
    final_refusal_drops_only_that_activity,
    retry_after_is_honoured,
    hung_receiver_does_not_delay_others,
    dead_after_three_days_and_revived_by_probe,
    server_worker_wakes_on_enqueue,
    admin_queue_command,
    no_body_kept_after_delivery,
);

async fn delivers_in_order_signed_by_the_right_actor(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    app.create_user(
        "sender",
        "sender's password",
        Some("sender@mail.test"),
        Role::Member,
    )
    .await;
    let account = app
        .state
        .db
        .run(|c| kindred_db::accounts::find_local_by_username(c, "sender"))
        .await
        .unwrap()
        .unwrap();
    let actor = app
        .state
        .db
        .run(kindred_db::instance_actor::get)
        .await
        .unwrap()
        .unwrap();
    let (a, b) = (Receiver::start(), Receiver::start());
    let mut items = Vec::new();
    for n in 0..20 {
        // Alternate signers: the member, then the instance actor.
        let signer = (n % 2 == 0).then_some(account.id);
        items.push(item(&app, &a, "order", n, signer));
        items.push(item(&app, &b, "order", n, signer));
    }
    let worker = start(&app, fast());
    enqueue(&app, items).await;
    wait_for("both receivers", Duration::from_secs(20), || {
        a.accepted().len() == 20 && b.accepted().len() == 20
    })
    .await;
    for r in [&a, &b] {
        assert_eq!(r.accepted(), ids("order", 0..20), "in order, once each");
        for req in r.requests() {
            assert_eq!(req.path, "/inbox");
            assert_eq!(req.headers.get("host"), Some(&r.domain));
            let n: usize = req
                .activity_id()
                .rsplit('/')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            if n.is_multiple_of(2) {
                assert_signed(
                    &req,
                    &format!("{}#main-key", app.state.urls.actor("sender")),
                    &account.public_key_pem,
                );
            } else {
                assert_signed(
                    &req,
                    &app.state.urls.instance_actor_key_id(),
                    &actor.public_key_pem,
                );
            }
            assert!(!req.body.contains("sender@mail.test"));
        }
    }
    wait_empty(&app).await;
    let s = stats(&app).await;
    for r in [&a, &b] {
        let q = &s[&r.domain];
        assert!(q.last_success_at.is_some() && q.failures == 0 && q.dead_since.is_none());
    }
    worker.shutdown().await;
    // Leases are given back on shutdown.
    assert!(stats(&app).await.values().all(|q| q.leased_by.is_none()));
}

async fn receiver_down_then_back_gets_all_500_in_order(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let r = Receiver::start();
    r.go_down().await;
    let worker = start(&app, fast());
    enqueue(
        &app,
        (0..500).map(|n| item(&app, &r, "down", n, None)).collect(),
    )
    .await;
    // The connection is refused, again and again, with backoff.
    let mut s = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s
        .get(&r.domain)
        .is_none_or(|q: &InstanceQueue| q.failures < 3)
    {
        assert!(Instant::now() < deadline, "no failures recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
        s = stats(&app).await;
    }
    let q = &s[&r.domain];
    assert_eq!(q.backlog, 500);
    assert!(q.failing_since.is_some() && q.dead_since.is_none());
    let head: (i32, Option<String>) = app
        .state
        .db
        .run(|c| {
            Ok(deliveries_t::table
                .order(deliveries_t::id.asc())
                .select((deliveries_t::attempts, deliveries_t::last_error))
                .first(c)?)
        })
        .await
        .unwrap();
    assert!(head.0 >= 3, "attempts on the head: {}", head.0);
    assert_eq!(head.1.as_deref(), Some("connection failed"));
    // Only the head was tried: the others wait their turn.
    let tried: i64 = app
        .state
        .db
        .run(|c| {
            Ok(deliveries_t::table
                .filter(deliveries_t::attempts.gt(0))
                .count()
                .get_result(c)?)
        })
        .await
        .unwrap();
    assert_eq!(tried, 1);

    r.come_back().await;
    wait_for(
        "all 500 after the receiver came back",
        Duration::from_secs(60),
        || r.accepted().len() >= 500,
    )
    .await;
    // An empty queue: every row was answered and removed, none can be sent again.
    wait_empty(&app).await;
    assert_eq!(
        r.accepted(),
        ids("down", 0..500),
        "all, in order, no duplicates"
    );
    wait_empty(&app).await;
    let q = &stats(&app).await[&r.domain];
    assert_eq!(q.failures, 0);
    assert!(q.failing_since.is_none() && q.last_success_at.is_some());
    worker.shutdown().await;
}

async fn final_refusal_drops_only_that_activity(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let r = Receiver::start();
    let gone = ids("refuse", 2..3).remove(0);
    let bad = ids("refuse", 4..5).remove(0);
    r.answer_for(&gone, 410);
    r.answer_for(&bad, 400);
    let worker = start(&app, fast());
    enqueue(
        &app,
        (0..7).map(|n| item(&app, &r, "refuse", n, None)).collect(),
    )
    .await;
    wait_for("the rest", Duration::from_secs(20), || {
        r.accepted().len() == 5
    })
    .await;
    // An empty queue: every row was answered and removed, none can be sent again.
    wait_empty(&app).await;
    let mut expected = ids("refuse", 0..7);
    expected.retain(|id| *id != gone && *id != bad);
    assert_eq!(r.accepted(), expected);
    // Each refused activity was tried exactly once, in its turn.
    let order: Vec<String> = r.requests().iter().map(Request::activity_id).collect();
    assert_eq!(order, ids("refuse", 0..7));
    wait_empty(&app).await;
    let q = &stats(&app).await[&r.domain];
    assert_eq!(q.failures, 0, "a refusal is an answer, not an outage");
    worker.shutdown().await;
}

async fn retry_after_is_honoured(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let r = Receiver::start();
    r.script([Answer::TooMany("2".into())]);
    let worker = start(&app, fast());
    enqueue(
        &app,
        (0..3)
            .map(|n| item(&app, &r, "throttle", n, None))
            .collect(),
    )
    .await;
    wait_for("all three", Duration::from_secs(20), || {
        r.accepted().len() == 3
    })
    .await;
    let reqs = r.requests();
    assert_eq!(reqs[0].answered, Some(429));
    assert_eq!(
        reqs[0].activity_id(),
        reqs[1].activity_id(),
        "the same one again"
    );
    let waited = reqs[1].at - reqs[0].at;
    // Backoff alone would retry within 0.4 s here.
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}"
    );
    assert_eq!(r.accepted(), ids("throttle", 0..3));
    worker.shutdown().await;
}

async fn hung_receiver_does_not_delay_others(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (hung, fine) = (Receiver::start(), Receiver::start());
    hung.set(Answer::Hang);
    let mut config = fast();
    config.request_timeout = Duration::from_secs(8);
    let worker = start(&app, config);
    let mut items = Vec::new();
    for n in 0..30 {
        items.push(item(&app, &hung, "hang", n, None));
        items.push(item(&app, &fine, "hang", n, None));
    }
    let started = Instant::now();
    enqueue(&app, items).await;
    wait_for("the healthy receiver", Duration::from_secs(20), || {
        fine.accepted().len() == 30
    })
    .await;
    let took = started.elapsed();
    // Everything reached the healthy receiver while the first request to the hung
    // one was still waiting for an answer.
    assert_eq!(hung.posts(), 1, "after {took:?}");
    assert!(hung.accepted().is_empty());
    assert_eq!(fine.accepted(), ids("hang", 0..30));
    let hung_first = hung.requests()[0].at;
    let fine_last = fine.requests().iter().map(|q| q.at).max().unwrap();
    assert!(
        fine_last < hung_first + Duration::from_secs(8),
        "the healthy receiver got everything before the hung request timed out"
    );

    // Once it answers again (after the hung request times out) it gets everything.
    hung.set(Answer::Accept);
    wait_for(
        "the hung receiver to recover",
        Duration::from_secs(30),
        || hung.accepted().len() == 30,
    )
    .await;
    assert_eq!(hung.accepted(), ids("hang", 0..30));
    // Its second request came only after the first timed out: the ordering above
    // was not luck.
    let hung_posts: Vec<Instant> = hung
        .requests()
        .iter()
        .filter(|q| q.method == "POST")
        .map(|q| q.at)
        .collect();
    assert!(fine_last < hung_posts[1]);
    wait_empty(&app).await;
    worker.shutdown().await;
}

async fn dead_after_three_days_and_revived_by_probe(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let r = Receiver::start();
    r.set(Answer::Status(500));
    let worker = start(&app, fast());
    enqueue(
        &app,
        (0..3).map(|n| item(&app, &r, "dead", n, None)).collect(),
    )
    .await;
    wait_for("a failure", Duration::from_secs(20), || r.posts() >= 1).await;

    // Pretend it has been failing for four days; the next failure marks it dead.
    let domain = r.domain.clone();
    let four_days_ago = now() - chrono::Duration::days(4);
    app.state
        .db
        .run(move |c| {
            diesel::update(instances::table.find(&domain))
                .set(instances::failing_since.eq(four_days_ago))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let mut s = stats(&app).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while s[&r.domain].dead_since.is_none() {
        assert!(Instant::now() < deadline, "never marked dead");
        tokio::time::sleep(Duration::from_millis(50)).await;
        s = stats(&app).await;
    }
    let q = &s[&r.domain];
    assert_eq!(q.backlog, 3, "nothing is dropped, only paused");
    let last_error: Option<String> = app
        .state
        .db
        .run(|c| {
            Ok(deliveries_t::table
                .order(deliveries_t::id.asc())
                .select(deliveries_t::last_error)
                .first(c)?)
        })
        .await
        .unwrap();
    assert_eq!(
        last_error.as_deref(),
        Some("HTTP 500"),
        "no response body kept"
    );

    // Dead: no deliveries and no probes although work is due.
    r.set(Answer::Accept);
    let posts = r.posts();
    let domain = r.domain.clone();
    app.state
        .db
        .run(move |c| {
            diesel::update(deliveries_t::table.filter(deliveries_t::domain.eq(&domain)))
                .set(deliveries_t::next_attempt_at.eq(now()))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    // A healthy instance's delivery, queued after that work was due, arrives: the
    // worker has looked at the queue since, and left the dead one alone.
    let control = Receiver::start();
    enqueue(&app, vec![item(&app, &control, "control", 0, None)]).await;
    wait_for("the control delivery", Duration::from_secs(20), || {
        control.accepted().len() == 1
    })
    .await;
    assert_eq!(r.posts(), posts);
    assert_eq!(r.probes(), 0);

    // Six hours later a probe is due; it answers, and deliveries resume in order.
    let domain = r.domain.clone();
    let seven_hours_ago = now() - chrono::Duration::hours(7);
    app.state
        .db
        .run(move |c| {
            diesel::update(instances::table.find(&domain))
                .set(instances::last_failure_at.eq(seven_hours_ago))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    wait_for("delivery after the probe", Duration::from_secs(20), || {
        r.accepted().len() == 3
    })
    .await;
    assert_eq!(r.probes(), 1);
    assert_eq!(r.accepted(), ids("dead", 0..3));
    // The receiver has the last activity a moment before the worker records it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let q = &stats(&app).await[&r.domain];
        if q.dead_since.is_none() && q.failures == 0 && q.backlog == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "success never recorded: {q:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A probe that fails keeps it dead and waits another interval.
    r.set(Answer::Status(503));
    let domain = r.domain.clone();
    app.state
        .db
        .run(move |c| {
            diesel::update(instances::table.find(&domain))
                .set((
                    instances::dead_since.eq(now()),
                    instances::last_failure_at.eq(seven_hours_ago),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    enqueue(&app, vec![item(&app, &r, "dead", 3, None)]).await;
    wait_for("a second probe", Duration::from_secs(20), || {
        r.probes() == 2
    })
    .await;
    // Queued after the failed probe, a healthy instance's delivery arrives: the
    // worker has looked at the queue since, and did not probe again.
    enqueue(&app, vec![item(&app, &control, "control", 1, None)]).await;
    wait_for(
        "the second control delivery",
        Duration::from_secs(20),
        || control.accepted().len() == 2,
    )
    .await;
    assert_eq!(r.probes(), 2, "probed once per interval");
    let q = &stats(&app).await[&r.domain];
    assert!(q.dead_since.is_some() && q.backlog == 1);
    worker.shutdown().await;
}

/// The worker the server starts itself (production settings) delivers when woken.
async fn server_worker_wakes_on_enqueue(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[NO_WORKER]).await else {
        return;
    };
    // The server's own worker settings, but looking for work only once an hour:
    // a prompt delivery can only come from the wake-up.
    let settings = kindred_server::config::load(None, &app.env).unwrap();
    let mut config = kindred_server::startup::delivery_config(&settings, &app.state.urls);
    config.poll_interval = Duration::from_secs(3600);
    config.software_lookup = false;
    let r = Receiver::start();
    // Queued before the worker starts: its first look finds it. Once delivered and
    // the instance let go, the worker has nothing to do for an hour.
    enqueue(&app, vec![item(&app, &r, "first", 0, None)]).await;
    let worker = start(&app, config);
    wait_for("the first look", Duration::from_secs(20), || {
        r.accepted().len() == 1
    })
    .await;
    let domain = r.domain.clone();
    eventually_released(&app, &domain).await;
    let started = Instant::now();
    enqueue(
        &app,
        (0..3).map(|n| item(&app, &r, "wake", n, None)).collect(),
    )
    .await;
    wait_for("delivery", Duration::from_secs(20), || {
        r.accepted().len() == 4
    })
    .await;
    assert_eq!(r.accepted()[1..], ids("wake", 0..3));
    eprintln!("server worker: enqueue to delivery {:?}", started.elapsed());
    worker.shutdown().await;
}

/// Waits until no worker holds `domain`'s lease (its task has finished).
async fn eventually_released(app: &TestApp, domain: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let d = domain.to_owned();
        let held = app
            .state
            .db
            .run(move |c| {
                Ok(instances::table
                    .find(&d)
                    .select(instances::leased_by)
                    .first::<Option<String>>(c)?)
            })
            .await
            .unwrap();
        if held.is_none() {
            return;
        }
        assert!(Instant::now() < deadline, "{domain} still leased");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn admin_queue_command(backend: Backend) {
    let dir = crate::common::TempDir::new("kindred-queue-cli");
    let Some(url) = crate::common::database_url(backend, &dir) else {
        return;
    };
    let Some(app) = spawn_app_with(backend, &[NO_WORKER, ("KINDRED__DATABASE__URL", &url)]).await
    else {
        return;
    };
    let (waiting, dead) = (Receiver::down(), Receiver::down());
    let mut items: Vec<NewDelivery> = (0..3)
        .map(|n| item(&app, &waiting, "cli", n, None))
        .collect();
    items.push(item(&app, &dead, "cli", 9, None));
    enqueue(&app, items).await;
    let domain = dead.domain.clone();
    app.state
        .db
        .run(move |c| {
            diesel::update(instances::table.find(&domain))
                .set((instances::dead_since.eq(now()), instances::failures.eq(17)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kindred"))
        .current_dir(&dir.0)
        .env_clear()
        .env("KINDRED__DATABASE__URL", &url)
        .env("KINDRED__SECURITY__SECRET_KEY", crate::common::TEST_SECRET)
        .env("KINDRED__LOG__LEVEL", "warn")
        .args(["admin", "federation", "queue"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("DOMAIN") && lines[0].contains("BACKLOG"),
        "{stdout}"
    );
    let line = |d: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(d))
            .unwrap_or_else(|| panic!("{d} missing: {stdout}"))
    };
    let w = line(&waiting.domain);
    assert!(
        w.contains(" 3 ") && w.ends_with("alive") && w.contains("never"),
        "{w}"
    );
    let d = line(&dead.domain);
    assert!(
        d.contains(" 1 ") && d.contains(" 17 ") && d.contains("dead since"),
        "{d}"
    );
    assert!(
        stdout.contains("2 instance(s), 4 delivery(ies) waiting, 1 dead"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("kindred.test/activities"),
        "no activity contents"
    );
}

/// Two worker processes (two supervisors with their own process ids) on one
/// PostgreSQL database deliver 1,000 activities to each of 3 receivers: nothing
/// missing, nothing accepted twice, every receiver in order. Receivers answer 503 to
/// a tenth of the requests at random, so instances change hands all the time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_one_postgres_database() {
    let Some(app) = app(Backend::Postgres).await else {
        return;
    };
    let receivers: Vec<Receiver> = (0..3).map(|_| Receiver::start()).collect();
    for r in &receivers {
        r.set(Answer::Flaky(10));
    }
    let workers: Vec<DeliveryWorker> = ["a", "b"]
        .iter()
        .map(|name| {
            let mut c = fast();
            c.process_id = format!("worker-{name}");
            c.user_agent = format!("kindred-test-{name}");
            c.max_instances = 2;
            c.backoff.cap = Duration::from_millis(100);
            start(&app, c)
        })
        .collect();
    let mut items = Vec::new();
    for n in 0..1000 {
        for r in &receivers {
            items.push(item(&app, r, "shared", n, None));
        }
    }
    let started = Instant::now();
    enqueue(&app, items).await;
    wait_for("3 × 1,000 deliveries", Duration::from_secs(180), || {
        receivers.iter().all(|r| r.accepted().len() >= 1000)
    })
    .await;
    let took = started.elapsed();
    // An empty queue: every row was answered and removed, none can be sent again.
    wait_empty(&app).await;
    let mut by_worker: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused = 0;
    for r in &receivers {
        assert_eq!(
            r.accepted(),
            ids("shared", 0..1000),
            "complete, in order, once"
        );
        for req in r.requests() {
            if req.answered == Some(202) {
                *by_worker
                    .entry(req.headers["user-agent"].clone())
                    .or_default() += 1;
            } else {
                refused += 1;
            }
        }
    }
    eprintln!("two workers: {took:?}; accepted per worker {by_worker:?}; 503 answers {refused}");
    assert_eq!(by_worker.values().sum::<usize>(), 3000);
    assert_eq!(by_worker.len(), 2, "both workers delivered: {by_worker:?}");
    wait_empty(&app).await;
    for w in workers {
        w.shutdown().await;
    }
}

/// `kindred serve` killed with SIGKILL in the middle of delivering 1,000 activities to
/// each of three receivers; after a restart every receiver has all 1,000. The
/// receivers count duplicates (an activity accepted again because the process died
/// between the answer and removing it from the queue); nothing may be missing.
async fn sigkill_mid_delivery(backend: Backend) {
    let dir = crate::common::TempDir::new("kindred-sigkill");
    let Some(url) = crate::common::database_url(backend, &dir) else {
        return;
    };
    // The test process migrates the database and queues; it does not deliver.
    let Some(app) = spawn_app_with(backend, &[NO_WORKER, ("KINDRED__DATABASE__URL", &url)]).await
    else {
        return;
    };
    let receivers: Vec<Receiver> = (0..3).map(|_| Receiver::start()).collect();
    let mut items = Vec::new();
    for n in 0..1000 {
        for r in &receivers {
            items.push(item(&app, r, "crash", n, None));
        }
    }
    enqueue(&app, items).await;

    let serve = || {
        let port = crate::common::free_port();
        std::process::Command::new(env!("CARGO_BIN_EXE_kindred"))
            .current_dir(&dir.0)
            .env_clear()
            .env("KINDRED__DATABASE__URL", &url)
            .env("KINDRED__SECURITY__SECRET_KEY", crate::common::TEST_SECRET)
            .env("KINDRED__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("KINDRED__INSTANCE__DOMAIN", &app.domain)
            .env("KINDRED__FEDERATION__ALLOW_HTTP", "true")
            .env("KINDRED__FEDERATION__ALLOW_PRIVATE_NETWORKS", "true")
            .env("KINDRED__FEDERATION__DELIVERY_LEASE_SECONDS", "20")
            .env("KINDRED__LOG__LEVEL", "warn")
            .arg("serve")
            .spawn()
            .unwrap()
    };
    let total = |rs: &[Receiver]| rs.iter().map(|r| r.accepted().len()).sum::<usize>();

    let mut first = serve();
    wait_for("some deliveries", Duration::from_secs(60), || {
        total(&receivers) >= 600
    })
    .await;
    // SIGKILL: no shutdown, no lease release.
    first.kill().unwrap();
    first.wait().unwrap();
    let at_kill = total(&receivers);
    let killed_at = Instant::now();

    let mut second = serve();
    let all_there = |rs: &[Receiver]| {
        rs.iter().all(|r| {
            let got: HashSet<String> = r.accepted().into_iter().collect();
            got.len() == 1000
        })
    };
    wait_for(
        "every activity after the restart",
        Duration::from_secs(120),
        || all_there(&receivers),
    )
    .await;
    let recovered = killed_at.elapsed();
    second.kill().unwrap();
    second.wait().unwrap();

    let mut resent = 0;
    for r in &receivers {
        let accepted = r.accepted();
        let mut seen = HashSet::new();
        let mut firsts = Vec::new();
        for id in &accepted {
            if seen.insert(id.clone()) {
                firsts.push(id.clone());
            } else {
                resent += 1;
            }
        }
        assert_eq!(
            firsts,
            ids("crash", 0..1000),
            "all, first arrivals in order"
        );
    }
    eprintln!(
        "{backend:?} SIGKILL: {at_kill} accepted before the kill; all 3,000 present {recovered:?} later \
         (lease 20 s); {resent} re-sent (accepted twice)"
    );
    assert!(
        resent <= 3,
        "at most the one in flight per instance: {resent}"
    );
    assert_eq!(backlog(&app).await, 0);
}

both_backends!(sigkill_mid_delivery);

/// Deliveries whose body holds `marker` (an `Accept` of an RSVP carries the
/// attendee's full meeting address).
async fn bodies_with(app: &TestApp, marker: &'static str) -> i64 {
    app.state
        .db
        .run(move |c| {
            Ok(deliveries_t::table
                .filter(deliveries_t::body.like(format!("%{marker}%")))
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

/// A delivery's body is kept only until it is final: delivered, refused for good,
/// unsendable, or given up past the retry window — after that no row holds it.
async fn no_body_kept_after_delivery(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    const PLACE: &str = "Secret Street 12, back door code 4711";
    let r = Receiver::start();
    let with_place = |mut d: NewDelivery| {
        let mut body: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        body["object"] = serde_json::json!({ "location": { "address": PLACE } });
        d.body = body.to_string();
        d
    };
    let ids = ids("place", 0..4);
    r.answer_for(&ids[1], 410);
    r.answer_for(&ids[3], 500);
    let mut items: Vec<NewDelivery> = (0..4)
        .map(|n| with_place(item(&app, &r, "place", n, None)))
        .collect();
    // No such signer: cannot be sent, dropped.
    items[2].signer_account_id = Some(987_654_321);
    // Queued 15 days ago: its failure is its last attempt.
    items[3].created_at = now() - chrono::Duration::days(15);
    enqueue(&app, items).await;
    assert_eq!(bodies_with(&app, "Secret Street").await, 4);
    // The positive control of the search at rest below: queued, it is found.
    assert!(at_rest_contains(&app.at_rest().await, PLACE));
    let worker = start(&app, fast());
    wait_for("the delivered one", Duration::from_secs(20), || {
        r.accepted() == ids[..1]
    })
    .await;
    wait_empty(&app).await;
    assert_eq!(bodies_with(&app, "Secret Street").await, 0);
    assert_eq!(backlog(&app).await, 0);
    worker.shutdown().await;
    // Nor at rest. SQLite's file: it overwrites what it deletes (`secure_delete`),
    // so once the write-ahead log is folded in, no byte of the address is left.
    // PostgreSQL: no row of any table holds it.
    if matches!(backend, Backend::Sqlite) {
        #[derive(QueryableByName)]
        struct Checkpoint {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            busy: i32,
        }
        // The `Db`'s own checkpoint thread may hold the checkpoint lock for a
        // moment; a checkpoint that found it taken says so (`busy`) and is retried.
        let mut folded = false;
        for _ in 0..100 {
            let busy = app
                .state
                .db
                .run(|c| {
                    Ok(diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .get_result::<Checkpoint>(c)?
                        .busy)
                })
                .await
                .unwrap();
            if busy == 0 {
                folded = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(folded, "the write-ahead log could not be checkpointed");
    }
    assert!(
        !at_rest_contains(&app.at_rest().await, PLACE),
        "the address is still stored"
    );
}
