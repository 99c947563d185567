//! Account moderation across instances (issue 24): a moderator on A suspends
//! alice; B, where bob follows her, is told as Mastodon tells it (`Update` of her
//! actor with `suspended`) and shows her as suspended, her posts gone; the
//! unsuspension restores her there too.

use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{drained, eventually, follow, instances};

async fn home_has(app: &TestApp, token: &str, text: &str) -> bool {
    let (s, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .any(|s| s["content"].as_str().unwrap_or("").contains(text))
}

async fn account_at(app: &TestApp, token: &str, id: &str) -> Value {
    let (s, v) = app
        .get_json(&format!("/api/v1/accounts/{id}"), Some(token))
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn suspension_reaches_other_servers(backend: Backend) {
    let Some([a, b]) = instances(backend, 2)
        .await
        .map(|v| <[TestApp; 2]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let moderator = a
        .user_with_token(
            "mo",
            kindred_domain::Role::Moderator,
            "read write follow admin:read admin:write",
        )
        .await;
    let (alice, alice_id) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let alice_at_b = follow(&b, &bob, &a, "alice").await;
    a.post_status(
        &alice,
        json!({"status": "hello from alice", "visibility": "public"}),
    )
    .await;
    // Positive control: the post arrives, and she is an ordinary account at B.
    eventually("alice's post at B", || async {
        home_has(&b, &bob, "hello from alice").await.then_some(())
    })
    .await;
    assert_eq!(
        account_at(&b, &bob, &alice_at_b).await["suspended"],
        Value::Null
    );

    let (s, v) = a
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/action"),
            &moderator,
            json!({"type": "suspend", "text": "harassment"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    eventually("alice suspended at B", || async {
        (account_at(&b, &bob, &alice_at_b).await["suspended"] == true).then_some(())
    })
    .await;
    assert!(!home_has(&b, &bob, "hello from alice").await);
    let v = account_at(&b, &bob, &alice_at_b).await;
    assert_eq!(v["display_name"], "", "{v}");

    let (s, v) = a
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/unsuspend"),
            &moderator,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    eventually("alice restored at B", || async {
        (account_at(&b, &bob, &alice_at_b).await["suspended"] == Value::Null).then_some(())
    })
    .await;
    assert!(home_has(&b, &bob, "hello from alice").await);
    drained(&[&a, &b]).await;
}

both_backends!(suspension_reaches_other_servers);
