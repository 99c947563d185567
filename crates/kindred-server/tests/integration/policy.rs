//! The federation policy between two real instances: a suspension severs follows,
//! refuses the domain's inbox traffic before its signature is checked, drops what
//! was queued for it and stops fetches; lifting it restores traffic; allowlist mode
//! refuses strangers both ways and partner scopes limit the kinds of traffic.

use std::time::{Duration, Instant};

use kindred_api::services::federation_policy::{self as policy, BlockRequest};
use serde_json::json;

use crate::common::{both_backends, spawn_app_with, Backend, TestApp};

async fn instance(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[("KINDRED__SERVER__RATE_LIMITS", "false")]).await
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn resolve(app: &TestApp, token: &str, handle: &str) -> Option<String> {
    let (status, v) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                handle.replace('@', "%40").replace(':', "%3A")
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["accounts"][0]["id"].as_str().map(str::to_owned)
}

async fn following(app: &TestApp, token: &str, id: &str) -> bool {
    let (_, r) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    r[0]["following"] == true
}

async fn home_has(app: &TestApp, token: &str, text: &str) -> bool {
    let (_, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
    v.to_string().contains(text)
}

async fn backlog(app: &TestApp) -> i64 {
    app.state
        .db
        .run(kindred_db::models::deliveries::backlog)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// An unsigned POST to the shared inbox claiming to come from `actor`.
async fn unsigned_post(app: &TestApp, actor: &str, kind: &str) -> (u16, serde_json::Value) {
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}#x-{}", rand::random::<u32>()),
        "type": kind,
        "actor": actor,
        "object": { "id": format!("{actor}/statuses/1"), "type": "Note", "to": ["https://www.w3.org/ns/activitystreams#Public"] },
    });
    let resp = app
        .client
        .post(app.url("/inbox"))
        .header("Content-Type", "application/activity+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

async fn suspend_lift_and_allowlist(backend: Backend) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let bob_at_a = resolve(&a, &alice, &format!("bob@{}", b.domain))
        .await
        .expect("bob resolves");
    a.post_json(
        &format!("/api/v1/accounts/{bob_at_a}/follow"),
        &alice,
        json!({}),
    )
    .await;
    eventually("alice follows bob", || following(&a, &alice, &bob_at_a)).await;

    // Suspend B, spelled differently from how accounts store it.
    let (host, port) = b.domain.split_once(':').unwrap();
    let spelled = format!("{}.:{port}", host.to_uppercase());
    let block = policy::block(
        &a.state,
        "test",
        BlockRequest {
            domain: spelled.clone(),
            severity: Some("suspend".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(block.domain, b.domain, "stored normalized ({spelled})");
    assert!(
        !following(&a, &alice, &bob_at_a).await,
        "the follow is severed"
    );

    // B's inbox traffic is refused before any signature check.
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error_code"], "domain_blocked");
    // What bob posts does not arrive (B's delivery is refused and dropped).
    b.post_status(
        &bob,
        json!({ "status": "while suspended", "visibility": "public" }),
    )
    .await;
    eventually("B's queue drains", || async { backlog(&b).await == 0 }).await;
    assert!(!home_has(&a, &alice, "while suspended").await);
    // A delivery queued for B after the block is dropped, never sent.
    let alice_id = a
        .state
        .db
        .run(|c| {
            Ok(
                kindred_db::models::accounts::find_local_by_username(c, "alice")?
                    .unwrap()
                    .id,
            )
        })
        .await
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let item = kindred_db::models::deliveries::NewDelivery {
        id: rand::random::<i64>().abs(),
        domain: b.domain.clone(),
        inbox_url: b.url("/inbox"),
        signer_account_id: Some(alice_id),
        activity_id: a.url("/users/alice#queued-before"),
        body: json!({ "id": a.url("/users/alice#queued-before"), "type": "Like", "actor": a.url("/users/alice"), "object": b.url("/users/bob") }).to_string(),
        next_attempt_at: now,
        created_at: now,
    };
    a.state
        .db
        .run(move |c| kindred_db::models::deliveries::enqueue(c, &[item], now))
        .await
        .unwrap();
    a.state.delivery.wake();
    eventually("A drops the queued delivery", || async {
        backlog(&a).await == 0
    })
    .await;
    // Fetches are refused too: an unknown account of B is not found.
    b.member("carol").await;
    assert_eq!(
        resolve(&a, &alice, &format!("carol@{}", b.domain)).await,
        None
    );

    // Lifting the block restores traffic.
    policy::unblock(&a.state, "test", block.id).await.unwrap();
    a.post_json(
        &format!("/api/v1/accounts/{bob_at_a}/follow"),
        &alice,
        json!({}),
    )
    .await;
    eventually("alice follows bob again", || {
        following(&a, &alice, &bob_at_a)
    })
    .await;
    b.post_status(
        &bob,
        json!({ "status": "after the block", "visibility": "public" }),
    )
    .await;
    eventually("the post arrives", || {
        home_has(&a, &alice, "after the block")
    })
    .await;

    // Allowlist mode: B is a stranger until allowed, then only for its scope.
    policy::set_mode(&a.state, "test", "allowlist")
        .await
        .unwrap();
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("domain_blocked"))
    );
    policy::allow(&a.state, "test", &b.domain, Some("follows"))
        .await
        .unwrap();
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("traffic_not_allowed"))
    );
    // A Follow is in scope: it passes the policy (and fails later, unsigned).
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Follow").await;
    assert_eq!(status, 401, "{v}");

    // Every change is in the audit log.
    let log = a
        .state
        .db
        .run(|c| kindred_db::models::domain_policy::audit_log(c, 10))
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["allow", "mode", "unblock", "block"]);
    assert!(log.iter().all(|e| e.actor == "test"));
}

both_backends!(suspend_lift_and_allowlist);
