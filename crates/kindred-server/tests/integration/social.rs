//! Follows, follow requests, relationships, blocks and hidden collections.

use serde_json::json;

use crate::common::{both_backends, spawn_app, Backend};

both_backends!(
    locked_accounts_and_follow_requests,
    collections_and_relationships,
);

async fn locked_accounts_and_follow_requests(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&alice),
            json!({"locked": true}),
        )
        .await;
    assert_eq!(status, 200);
    let private = app
        .post_status(
            &alice,
            json!({"status": "followers only", "visibility": "private"}),
        )
        .await;
    let (status, rel) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rel["requested"], true);
    assert_eq!(rel["following"], false);
    // a request is not a follow: the private status stays hidden
    let path = format!("/api/v1/statuses/{private}");
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 404);
    let (_, reqs) = app.get_json("/api/v1/follow_requests", Some(&alice)).await;
    assert_eq!(reqs[0]["id"], bob_id.as_str());
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(notes[0]["type"], "follow_request");
    // only alice can authorize requests to alice
    let (status, _) = app
        .post_json(
            &format!("/api/v1/follow_requests/{bob_id}/authorize"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, rel) = app
        .post_json(
            &format!("/api/v1/follow_requests/{bob_id}/authorize"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rel["followed_by"], true);
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 200);
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(notes[0]["type"], "follow");
    // unfollow hides it again; a rejected request leaves nothing behind
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/unfollow"),
        &bob,
        json!({}),
    )
    .await;
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 404);
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &bob,
        json!({}),
    )
    .await;
    let (status, rel) = app
        .post_json(
            &format!("/api/v1/follow_requests/{bob_id}/reject"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rel["requested_by"], false);
    let (_, reqs) = app.get_json("/api/v1/follow_requests", Some(&alice)).await;
    assert_eq!(reqs, json!([]));
}

async fn collections_and_relationships(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    let (status, rel) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            &bob,
            json!({"reblogs": false, "notify": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rel["following"], true);
    assert_eq!(rel["showing_reblogs"], false);
    assert_eq!(rel["notifying"], true);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "no following oneself");
    let (_, rels) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={alice_id}&id[]=999999"),
            Some(&bob),
        )
        .await;
    assert_eq!(rels.as_array().unwrap().len(), 1);
    assert_eq!(rels[0]["following"], true);
    // `notify`: bob hears about alice's new posts
    app.post_status(&alice, json!({"status": "news"})).await;
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&bob)).await;
    assert_eq!(notes[0]["type"], "status");
    // collections are hidden by default (hide_collections): totals too
    let (_, list) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/followers"),
            Some(&carol),
        )
        .await;
    assert_eq!(list, json!([]));
    let (_, a) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}"), Some(&carol))
        .await;
    assert_eq!(a["followers_count"], 0);
    let (_, own) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/followers"),
            Some(&alice),
        )
        .await;
    assert_eq!(own[0]["id"], bob_id.as_str());
    // shown once the account chooses to show them
    app.send_ok(
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(&alice),
        json!({"hide_collections": false}),
    )
    .await;
    let (_, list) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/followers"),
            Some(&carol),
        )
        .await;
    assert_eq!(list[0]["id"], bob_id.as_str());
    let (_, a) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}"), Some(&carol))
        .await;
    assert_eq!(a["followers_count"], 1);
    // blocking severs the follow both ways
    app.post_ok(
        &format!("/api/v1/accounts/{bob_id}/block"),
        &alice,
        json!({}),
    )
    .await;
    let (_, rels) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={alice_id}"),
            Some(&bob),
        )
        .await;
    assert_eq!(rels[0]["following"], false);
    assert_eq!(rels[0]["blocked_by"], true);
    let (_, blocks) = app.get_json("/api/v1/blocks", Some(&alice)).await;
    assert_eq!(blocks[0]["id"], bob_id.as_str());
    app.post_ok(
        &format!("/api/v1/accounts/{bob_id}/unblock"),
        &alice,
        json!({}),
    )
    .await;
    let (_, blocks) = app.get_json("/api/v1/blocks", Some(&alice)).await;
    assert_eq!(blocks, json!([]));
}
