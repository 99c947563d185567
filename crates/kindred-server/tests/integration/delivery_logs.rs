//! What the delivery worker writes to the log about an activity it could not
//! deliver: the delivery's own id and the receiving domain, never the activity id.
//! Our activity ids name the member (`…/users/NAME#joins/MEETING` links a pseudonym
//! to a meeting), so a log line with one would tie the two together.

use std::time::Duration;

use chrono::NaiveDateTime;
use kindred_db::models::deliveries::{self, NewDelivery};
use kindred_federation::delivery::{DeliveryConfig, DeliveryWorker};
use kindred_federation::http::HttpPolicy;

use crate::common::{both_backends, spawn_app_with, Backend, TestApp};
use crate::receiver::{Answer, Receiver};

both_backends!(failed_deliveries_are_logged_without_activity_ids);

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A `Join` of a member to a meeting, as `outbox/rsvp.rs` names it, for `r`.
fn join(app: &TestApp, r: &Receiver, meeting: u32, created_at: NaiveDateTime) -> NewDelivery {
    let activity_id = format!("{}#joins/{meeting}", app.state.urls.actor("wrenlow"));
    NewDelivery {
        id: app.state.ids.next(),
        domain: r.domain.clone(),
        inbox_url: r.inbox(),
        signer_account_id: None,
        body: serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": activity_id,
            "type": "Join",
        })
        .to_string(),
        activity_id,
        next_attempt_at: now(),
        created_at,
        traffic: "rsvps".into(),
    }
}

/// Lines of the captured log that mention `needle`.
fn lines_with(needle: &str) -> Vec<String> {
    let logs = crate::meetings::logs();
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    text.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

async fn failed_deliveries_are_logged_without_activity_ids(backend: Backend) {
    crate::meetings::logs();
    let Some(app) = spawn_app_with(
        backend,
        &[("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "0")],
    )
    .await
    else {
        return;
    };
    // One refused by its receiver, one past the retry window when it fails again.
    let refusing = Receiver::start();
    refusing.set(Answer::Status(410));
    let failing = Receiver::start();
    failing.set(Answer::Status(503));
    let refused = join(&app, &refusing, 4242, now());
    let expired = join(&app, &failing, 4343, now() - chrono::Duration::hours(2));
    let (refused_id, expired_id) = (refused.id, expired.id);
    let items = vec![refused, expired];
    app.state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| deliveries::enqueue(c, &items, now()))
        })
        .await
        .unwrap();

    let mut config = DeliveryConfig::new(
        HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        },
        "kindred-test".into(),
    );
    config.poll_interval = Duration::from_millis(100);
    config.max_age = Duration::from_secs(3600);
    config.software_lookup = false;
    // Signed as the instance actor: a key the app has.
    let worker = DeliveryWorker::start(
        app.state.db.clone(),
        app.state.urls.clone(),
        &app.state.delivery,
        config,
    )
    .unwrap();
    app.state.delivery.wake();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let warned = |domain: &str, what: &str| {
        lines_with(domain)
            .into_iter()
            .filter(|l| l.contains("WARN") && l.contains(what))
            .collect::<Vec<_>>()
    };
    // Positive control: the capture has both warnings, found by their receivers.
    let (refused_lines, expired_lines) = loop {
        let r = warned(&refusing.domain, "refused by the receiver");
        let e = warned(&failing.domain, "past the retry window");
        if !r.is_empty() && !e.is_empty() {
            break (r, e);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no warnings captured: {r:?} {e:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    worker.shutdown().await;
    // Each names its delivery ...
    assert!(
        refused_lines
            .iter()
            .all(|l| l.contains(&format!("delivery_id={refused_id}"))),
        "{refused_lines:?}"
    );
    assert!(
        expired_lines
            .iter()
            .all(|l| l.contains(&format!("delivery_id={expired_id}"))),
        "{expired_lines:?}"
    );
    // ... and the member's name and the meeting appear in no line at all.
    for needle in ["wrenlow", "#joins/4242", "#joins/4343"] {
        assert_eq!(lines_with(needle), Vec::<String>::new(), "{needle}");
    }
}
