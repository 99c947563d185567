//! Two real Kindred instances on loopback, each with its own database, talking
//! ActivityPub to each other with real signatures through the persistent delivery
//! queue: what one member does reaches the other instance, and what must stay home
//! does not.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app_with, Backend, TestApp};

/// An instance without client rate limits (these tests poll).
pub async fn instance(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[("KINDRED__SERVER__RATE_LIMITS", "false")]).await
}

/// Polls `check` until it returns `Some`, for at most 20 s.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Looks `handle` up from `app` with `resolve=true`; returns the local id there.
pub async fn resolve(app: &TestApp, token: &str, handle: &str) -> String {
    let (status, v) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                urlencode(handle)
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{v}");
    accounts[0]["id"].as_str().unwrap().to_owned()
}

fn urlencode(s: &str) -> String {
    s.replace('@', "%40").replace(':', "%3A")
}

async fn timeline_texts(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let (status, v) = app.get_json(path, Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn notifications(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let (status, v) = app.get_json("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap().to_owned(),
                n["account"]["acct"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn count_statuses(app: &TestApp) -> i64 {
    app.state
        .db
        .run_blocking(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::statuses::dsl::*;
            Ok(statuses.count().get_result::<i64>(c)?)
        })
        .unwrap()
}

async fn queue_empty(app: &TestApp) -> bool {
    app.state
        .db
        .run(kindred_db::models::deliveries::backlog)
        .await
        .unwrap()
        .iter()
        .all(|(_, n)| *n == 0)
}

/// Follow across instances, then post, reply, favourite, boost, edit and delete:
/// each arrives; followers-only reaches the follower; local-only and direct-to-local
/// never leave.
async fn two_instances(backend: Backend) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let (carol, _) = b.member("carol").await;
    let bob_at_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await;

    // Follow: requested at once, following after bob's instance accepts.
    let (status, rel) = a
        .post_json(
            &format!("/api/v1/accounts/{bob_at_a}/follow"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["requested"], true, "{rel}");
    eventually("the Accept", || async {
        let (_, r) = a
            .get_json(
                &format!("/api/v1/accounts/relationships?id[]={bob_at_a}"),
                Some(&alice),
            )
            .await;
        (r[0]["following"] == true).then_some(())
    })
    .await;
    let alice_handle = format!("alice@{}", a.domain);
    assert!(notifications(&b, &bob)
        .await
        .contains(&("follow".to_owned(), alice_handle.clone())));

    // A public post reaches alice's home timeline.
    let post = b
        .post_status(
            &bob,
            json!({ "status": "Hello from B #tea", "visibility": "public" }),
        )
        .await;
    let remote_post = eventually("the Create", || async {
        let (_, v) = a.get_json("/api/v1/timelines/home", Some(&alice)).await;
        v.as_array()
            .unwrap()
            .iter()
            .find(|s| s["content"].as_str().unwrap_or("").contains("Hello from B"))
            .cloned()
    })
    .await;
    assert_eq!(remote_post["account"]["acct"], format!("bob@{}", b.domain));
    let remote_id = remote_post["id"].as_str().unwrap().to_owned();

    // Reply, favourite and boost from A reach bob as notifications.
    let (status, v) = a
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({
                "status": format!("@bob@{} welcome!", b.domain),
                "in_reply_to_id": remote_id,
                "visibility": "public",
            }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    for action in ["favourite", "reblog"] {
        let (status, v) = a
            .post_json(
                &format!("/api/v1/statuses/{remote_id}/{action}"),
                &alice,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{action}: {v} {remote_post}");
    }
    eventually("mention, favourite and boost at B", || async {
        let n = notifications(&b, &bob).await;
        let has = |t: &str| n.contains(&(t.to_owned(), alice_handle.clone()));
        (has("mention") && has("favourite") && has("reblog")).then_some(())
    })
    .await;
    let (_, ctx) = b
        .get_json(&format!("/api/v1/statuses/{post}/context"), Some(&bob))
        .await;
    assert_eq!(ctx["descendants"].as_array().unwrap().len(), 1, "{ctx}");

    // An edit and a delete follow the post.
    let (status, v) = b
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{post}"),
            Some(&bob),
            json!({ "status": "Hello again from B" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the Update", || async {
        let (_, v) = a
            .get_json(&format!("/api/v1/statuses/{remote_id}"), Some(&alice))
            .await;
        v["content"]
            .as_str()
            .is_some_and(|c| c.contains("Hello again"))
            .then_some(())
    })
    .await;

    // Followers-only reaches the follower; local-only and a direct message to a
    // local member do not leave B.
    b.post_status(
        &bob,
        json!({ "status": "for followers", "visibility": "private" }),
    )
    .await;
    b.post_status(&bob, json!({ "status": "stays home", "local_only": true }))
        .await;
    b.post_status(
        &bob,
        json!({ "status": "only here", "visibility": "local" }),
    )
    .await;
    b.post_status(
        &bob,
        json!({ "status": "@carol just us", "visibility": "direct" }),
    )
    .await;
    let _ = carol;
    eventually("the followers-only post", || async {
        let texts = timeline_texts(&a, &alice, "/api/v1/timelines/home").await;
        texts
            .iter()
            .any(|t| t.contains("for followers"))
            .then_some(())
    })
    .await;
    eventually("B's queue drained", || async {
        queue_empty(&b).await.then_some(())
    })
    .await;
    let texts = timeline_texts(&a, &alice, "/api/v1/timelines/home").await;
    for secret in ["stays home", "only here", "just us"] {
        assert!(!texts.iter().any(|t| t.contains(secret)), "{secret} left B");
    }
    let before = count_statuses(&a);

    // The followers-only post cannot be fetched without a signature.
    let (status, _) = b.get_json("/api/v1/statuses/x", None).await;
    assert_eq!(status, 404);

    let (status, v) = b
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{post}"),
            Some(&bob),
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the Delete", || async {
        let (status, _) = a
            .get_json(&format!("/api/v1/statuses/{remote_id}"), Some(&alice))
            .await;
        (status == 404).then_some(())
    })
    .await;
    assert!(count_statuses(&a) < before);

    // Unfollow: bob's next post does not arrive.
    let (status, v) = a
        .post_json(
            &format!("/api/v1/accounts/{bob_at_a}/unfollow"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the Undo(Follow)", || async {
        let (_, v) = b
            .get_json(
                &format!("/api/v1/accounts/{}/followers", b_id(&b, "bob").await),
                Some(&bob),
            )
            .await;
        v.as_array().unwrap().is_empty().then_some(())
    })
    .await;
}

async fn b_id(app: &TestApp, name: &str) -> String {
    let (_, v) = app
        .get_json(&format!("/api/v1/accounts/lookup?acct={name}"), None)
        .await;
    v["id"].as_str().unwrap().to_owned()
}

both_backends!(two_instances);
