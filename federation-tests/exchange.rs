//! Scenario 1: three instances. Members follow across instances; a post, a reply,
//! a favourite, a boost, an edit and a delete arrive where they should, at both
//! followers' instances; followers-only reaches the followers; local-only, local
//! and direct-to-local never leave; an unfollow stops the flow to that instance only.

use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{count_from, drained, eventually, follow, instances, resolve};

async fn timeline_texts(app: &TestApp, token: &str) -> Vec<String> {
    let (status, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The status in `token`'s home timeline whose content contains `text`.
async fn arrives(app: &TestApp, token: &str, text: &str) -> Value {
    eventually(&format!("{text:?} at {}", app.domain), || async {
        let (_, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
        v.as_array()?
            .iter()
            .find(|s| s["content"].as_str().unwrap_or("").contains(text))
            .cloned()
    })
    .await
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

async fn account_id(app: &TestApp, name: &str) -> String {
    let (_, v) = app
        .get_json(&format!("/api/v1/accounts/lookup?acct={name}"), None)
        .await;
    v["id"].as_str().unwrap().to_owned()
}

async fn exchange(backend: Backend) {
    let Some([a, b, c]) = instances(backend, 3)
        .await
        .map(|v| <[TestApp; 3]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let (carol, _) = b.member("carol").await;
    let (dave, _) = c.member("dave").await;

    // Follow: requested at once, following after bob's instance accepts.
    let bob_at_a = resolve(&a, &alice, &format!("bob@{}", b.domain)).await;
    let (status, rel) = a
        .post_json(
            &format!("/api/v1/accounts/{bob_at_a}/follow"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["requested"], true, "{rel}");
    crate::support::wait_following(&a, &alice, &bob_at_a).await;
    let alice_handle = format!("alice@{}", a.domain);
    assert!(notifications(&b, &bob)
        .await
        .contains(&("follow".to_owned(), alice_handle.clone())));
    // dave, on a third instance, follows bob too.
    follow(&c, &dave, &b, "bob").await;

    // A public post reaches both followers' home timelines.
    let post = b
        .post_status(
            &bob,
            json!({ "status": "Hello from B #tea", "visibility": "public" }),
        )
        .await;
    let remote_post = arrives(&a, &alice, "Hello from B").await;
    let at_c = arrives(&c, &dave, "Hello from B").await;
    for s in [&remote_post, &at_c] {
        assert_eq!(s["account"]["acct"], format!("bob@{}", b.domain));
        assert_eq!(s["tags"][0]["name"], "tea", "{s}");
    }
    let remote_id = remote_post["id"].as_str().unwrap().to_owned();
    let c_id = at_c["id"].as_str().unwrap().to_owned();

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
    let (_, s) = b
        .get_json(&format!("/api/v1/statuses/{post}"), Some(&bob))
        .await;
    assert_eq!(
        (s["favourites_count"].as_i64(), s["reblogs_count"].as_i64()),
        (Some(1), Some(1)),
        "{s}"
    );

    // An edit follows the post to both instances.
    let (status, v) = b
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{post}"),
            Some(&bob),
            json!({ "status": "Hello again from B" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    for (app, token, id) in [(&a, &alice, &remote_id), (&c, &dave, &c_id)] {
        eventually("the Update", || async {
            let (_, v) = app
                .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
                .await;
            v["content"]
                .as_str()
                .is_some_and(|c| c.contains("Hello again"))
                .then_some(())
        })
        .await;
    }

    // Followers-only reaches both followers; local-only, local and a direct
    // message to a local member do not leave B.
    for (text, extra) in [
        (
            "stays home",
            json!({ "local_only": true, "visibility": "public" }),
        ),
        ("only here", json!({ "visibility": "local" })),
        ("@carol just us", json!({ "visibility": "direct" })),
        ("for followers", json!({ "visibility": "private" })),
    ] {
        let mut body = extra;
        body["status"] = json!(text);
        b.post_status(&bob, body).await;
    }
    let _ = carol;
    arrives(&a, &alice, "for followers").await;
    arrives(&c, &dave, "for followers").await;
    drained(&[&b]).await;
    for (app, token) in [(&a, &alice), (&c, &dave)] {
        let texts = timeline_texts(app, token).await;
        for secret in ["stays home", "only here", "just us"] {
            assert!(!texts.iter().any(|t| t.contains(secret)), "{secret} left B");
        }
    }
    let (before_a, before_c) = (count_from(&a, &b).await, count_from(&c, &b).await);

    // A delete removes the post at both instances.
    let (status, v) = b
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{post}"),
            Some(&bob),
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    for (app, token, id) in [(&a, &alice, &remote_id), (&c, &dave, &c_id)] {
        eventually("the Delete", || async {
            let (status, _) = app
                .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
                .await;
            (status == 404).then_some(())
        })
        .await;
    }
    assert_eq!(count_from(&a, &b).await, before_a - 1);
    assert_eq!(count_from(&c, &b).await, before_c - 1);

    // alice unfollows: bob's next post reaches dave's instance, not alice's.
    let (status, v) = a
        .post_json(
            &format!("/api/v1/accounts/{bob_at_a}/unfollow"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let bob_id = account_id(&b, "bob").await;
    eventually("the Undo(Follow)", || async {
        let (_, v) = b
            .get_json(&format!("/api/v1/accounts/{bob_id}/followers"), Some(&bob))
            .await;
        (v.as_array()?.len() == 1).then_some(())
    })
    .await;
    b.post_status(
        &bob,
        json!({ "status": "after the unfollow", "visibility": "private" }),
    )
    .await;
    arrives(&c, &dave, "after the unfollow").await;
    drained(&[&b]).await;
    let texts = timeline_texts(&a, &alice).await;
    assert!(!texts.iter().any(|t| t.contains("after the unfollow")));
    assert_eq!(count_from(&a, &b).await, before_a - 1);

    // The senders learnt what their peers run, from NodeInfo, and the admin command
    // shows it.
    let expected = format!("kindred {}", kindred_api::KINDRED_VERSION);
    let peer = b.domain.clone();
    eventually("B's software recorded at A", || {
        let peer = peer.clone();
        let expected = expected.clone();
        let a = &a;
        async move {
            let software = a
                .state
                .db
                .run(kindred_db::models::domain_policy::instance_software)
                .await
                .unwrap();
            (software.get(&peer)?.as_deref()? == expected).then_some(())
        }
    })
    .await;
    let listed = kindred_server::admin_federation::run(
        &a.state,
        kindred_server::cli::FederationCommand::Instances,
    )
    .await
    .unwrap();
    assert!(
        listed
            .iter()
            .any(|l| l.contains(&b.domain) && l.contains(&expected)),
        "{listed:?}"
    );
}

both_backends!(exchange);
