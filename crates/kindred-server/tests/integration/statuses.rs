//! Statuses and timelines through the Mastodon API, with the visibility rules'
//! negative cases.

use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, spawn_app_with, Backend};

both_backends!(
    post_read_edit_delete,
    visibility_rules_hide_what_they_should,
    bad_input_changes_nothing,
    timelines_and_pagination,
    favourite_boost_bookmark_pin_and_notifications,
    anonymous_public_timeline_follows_the_setting,
    status_outputs_carry_no_email,
);

async fn post_read_edit_delete(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (status, v) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "Hello @bob, see #Tuesday <b>x</b> https://example.org/a", "spoiler_text": "cw: hello", "visibility": "public", "language": "en"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["spoiler_text"], "cw: hello");
    assert_eq!(v["sensitive"], true);
    assert_eq!(v["visibility"], "public");
    assert_eq!(v["account"]["username"], "alice");
    assert_eq!(v["mentions"][0]["id"], bob_id.as_str());
    assert_eq!(v["tags"][0]["name"], "tuesday");
    let content = v["content"].as_str().unwrap();
    assert!(content.contains("class=\"u-url mention\""), "{content}");
    assert!(
        content.contains("&lt;b&gt;"),
        "markup is escaped: {content}"
    );
    assert!(content.contains("href=\"https://example.org/a\""));
    // Idempotency-Key: the same key gives the same status, once.
    let send = |key: &'static str| {
        app.client
            .post(app.url("/api/v1/statuses"))
            .bearer_auth(&alice)
            .header("Idempotency-Key", key)
            .form(&[("status", "only once")])
            .send()
    };
    let a: Value = send("k1").await.unwrap().json().await.unwrap();
    let b: Value = send("k1").await.unwrap().json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    // bob reads it and its context; a reply from bob
    let (status, got) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&bob))
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["id"], id.as_str());
    let reply = app
        .post_status(
            &bob,
            json!({"status": "@alice thanks", "in_reply_to_id": id}),
        )
        .await;
    let (_, ctx) = app
        .get_json(&format!("/api/v1/statuses/{id}/context"), Some(&alice))
        .await;
    assert_eq!(ctx["descendants"][0]["id"], reply.as_str());
    let (_, ctx) = app
        .get_json(&format!("/api/v1/statuses/{reply}/context"), Some(&alice))
        .await;
    assert_eq!(ctx["ancestors"][0]["id"], id.as_str());
    // edit, history, source
    let (status, edited) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({"status": "Hello again", "spoiler_text": ""}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert!(edited["edited_at"].is_string());
    let (_, history) = app
        .get_json(&format!("/api/v1/statuses/{id}/history"), Some(&bob))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 2);
    let (_, source) = app
        .get_json(&format!("/api/v1/statuses/{id}/source"), Some(&alice))
        .await;
    assert_eq!(source["text"], "Hello again");
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{id}/source"), Some(&bob))
        .await;
    assert_eq!(status, 404, "only the author sees the source");
    // bob cannot edit or delete alice's status
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{id}"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            Some(&bob),
            json!({"status": "hijacked"}),
        )
        .await;
    assert_eq!(status, 404);
    // delete returns the source for redraft
    let (status, deleted) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["text"], "Hello again");
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&alice))
        .await;
    assert_eq!(status, 404);
}

async fn visibility_rules_hide_what_they_should(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        &[("KINDRED__INSTANCE__PUBLIC_TIMELINE_PREVIEW", "true")],
    )
    .await
    else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    // bob follows alice; carol does not
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let private = app
        .post_status(
            &alice,
            json!({"status": "followers only", "visibility": "private"}),
        )
        .await;
    let direct = app
        .post_status(
            &alice,
            json!({"status": "@carol just you", "visibility": "direct"}),
        )
        .await;
    let local = app
        .post_status(
            &alice,
            json!({"status": "members only", "visibility": "local"}),
        )
        .await;
    let path = |id: &str| format!("/api/v1/statuses/{id}");
    // private: follower yes, stranger and anonymous no
    assert_eq!(app.get_json(&path(&private), Some(&bob)).await.0, 200);
    assert_eq!(app.get_json(&path(&private), Some(&carol)).await.0, 404);
    assert_eq!(app.get_json(&path(&private), None).await.0, 404);
    // direct: the mentioned account only, not even a follower
    assert_eq!(app.get_json(&path(&direct), Some(&carol)).await.0, 200);
    assert_eq!(app.get_json(&path(&direct), Some(&bob)).await.0, 404);
    assert_eq!(app.get_json(&path(&direct), None).await.0, 404);
    // local-only: members yes, anonymous no, and never in anonymous timelines
    let (_, v) = app.get_json(&path(&local), Some(&carol)).await;
    assert_eq!(v["local_only"], true);
    assert_eq!(v["visibility"], "public");
    assert_eq!(app.get_json(&path(&local), None).await.0, 404);
    let (_, anon) = app.get_json("/api/v1/timelines/public", None).await;
    assert!(anon
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["id"] != local.as_str()));
    let (_, member) = app.get_json("/api/v1/timelines/public", Some(&carol)).await;
    assert!(member
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == local.as_str()));
    // an account's statuses: a stranger sees neither private nor direct
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/statuses"),
            Some(&carol),
        )
        .await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&private.as_str()));
    assert!(ids.contains(&direct.as_str()), "carol is mentioned in it");
    let (_, listed) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}/statuses"), None)
        .await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&private.as_str())
            && !ids.contains(&direct.as_str())
            && !ids.contains(&local.as_str())
    );
    // private and direct statuses cannot be boosted; the reply to a hidden status fails
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{private}/reblog"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &carol,
            json!({"status": "sneaky", "in_reply_to_id": private}),
        )
        .await;
    assert_eq!(status, 404);
    // a reply is never more public than its parent
    let (_, r) = app
        .post_json(
            "/api/v1/statuses",
            &bob,
            json!({"status": "reply", "in_reply_to_id": private, "visibility": "public"}),
        )
        .await;
    assert_eq!(r["visibility"], "private");
    // blocks: alice blocks carol → carol cannot see alice's public statuses at all
    let public = app
        .post_status(
            &alice,
            json!({"status": "hello all", "visibility": "public"}),
        )
        .await;
    // context leaves out replies the viewer may not see
    let hidden_reply = app
        .post_status(
            &bob,
            json!({"status": "for my followers", "in_reply_to_id": public, "visibility": "private"}),
        )
        .await;
    let (_, ctx) = app
        .get_json(&format!("/api/v1/statuses/{public}/context"), Some(&carol))
        .await;
    assert_eq!(ctx["descendants"], json!([]), "{ctx}");
    let (_, ctx) = app
        .get_json(&format!("/api/v1/statuses/{public}/context"), Some(&bob))
        .await;
    assert_eq!(ctx["descendants"][0]["id"], hidden_reply.as_str());
    let (_, carol_me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&carol))
        .await;
    let carol_id = carol_me["id"].as_str().unwrap();
    let (status, rel) = app
        .post_json(
            &format!("/api/v1/accounts/{carol_id}/block"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rel["blocking"], true);
    assert_eq!(app.get_json(&path(&public), Some(&carol)).await.0, 404);
    let (_, tl) = app.get_json("/api/v1/timelines/public", Some(&carol)).await;
    assert!(tl
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["account"]["id"] != alice_id.as_str()));
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            &carol,
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "a blocked account cannot follow");
}

async fn bad_input_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__INSTANCE__MAX_STATUS_CHARS", "50")]).await
    else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (_, inst) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(inst["configuration"]["statuses"]["max_characters"], 50);
    for (body, want) in [
        (json!({"status": "x".repeat(51)}), 422),
        (json!({"status": ""}), 422),
        (json!({"status": "hi", "visibility": "friends"}), 422),
        (json!({"status": "hi", "in_reply_to_id": "99999999"}), 404),
        (
            json!({"status": "hi", "in_reply_to_id": "not-a-number"}),
            404,
        ),
        (json!({"status": "hi", "media_ids": ["1"]}), 422),
    ] {
        let (status, v) = app
            .post_json("/api/v1/statuses", &alice, body.clone())
            .await;
        assert_eq!(status, want, "{body} → {v}");
        assert!(v["error"].is_string(), "{v}");
    }
    // a URL counts as 23 characters, so this long link fits in 50
    let long = format!("see https://example.org/{}", "a".repeat(100));
    let (status, _) = app
        .post_json("/api/v1/statuses", &alice, json!({"status": long}))
        .await;
    assert_eq!(status, 200);
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/statuses"),
            Some(&alice),
        )
        .await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the valid post exists"
    );
    // malformed pagination and ids
    let (status, v) = app
        .get_json("/api/v1/timelines/home?max_id=abc", Some(&alice))
        .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        app.get_json("/api/v1/statuses/abc", Some(&alice)).await.0,
        404
    );
    assert_eq!(app.get_json("/api/v1/statuses/1", None).await.0, 404);
    // write without a token or with a read-only token
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/statuses",
            None,
            json!({"status": "x"}),
        )
        .await;
    assert_eq!(status, 401);
    let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let resp = app
        .password_token(&c, "alice", "alice's password", "read")
        .await;
    let v: Value = resp.json().await.unwrap();
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            v["access_token"].as_str().unwrap(),
            json!({"status": "x"}),
        )
        .await;
    assert_eq!(status, 403);
}

async fn timelines_and_pagination(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &bob,
        json!({}),
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.post_status(
                &alice,
                json!({"status": format!("post {i} #garden"), "visibility": "public"}),
            )
            .await,
        );
    }
    let strangers = app
        .post_status(
            &carol,
            json!({"status": "not followed", "visibility": "public"}),
        )
        .await;
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=2", Some(&bob))
        .await;
    let got: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[4].as_str(), ids[3].as_str()]);
    let resp = app
        .client
        .get(app.url("/api/v1/timelines/home?limit=2"))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    let link = resp.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains(&format!("max_id={}", ids[3])), "{link}");
    assert!(link.contains(&format!("min_id={}", ids[4])), "{link}");
    assert!(link.contains("limit=2"), "{link}");
    let (_, page2) = app
        .get_json(
            &format!("/api/v1/timelines/home?limit=2&max_id={}", ids[3]),
            Some(&bob),
        )
        .await;
    assert_eq!(page2[0]["id"], ids[2].as_str());
    let (_, newer) = app
        .get_json(
            &format!("/api/v1/timelines/home?limit=2&min_id={}", ids[0]),
            Some(&bob),
        )
        .await;
    let got: Vec<&str> = newer
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        vec![ids[2].as_str(), ids[1].as_str()],
        "min_id: the oldest after it, newest first"
    );
    let (_, since) = app
        .get_json(
            &format!("/api/v1/timelines/home?since_id={}", ids[2]),
            Some(&bob),
        )
        .await;
    assert_eq!(since.as_array().unwrap().len(), 2);
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&bob)).await;
    assert!(home
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["id"] != strangers.as_str()));
    // muting alice empties bob's home of her
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/mute"),
        &bob,
        json!({"duration": 3600}),
    )
    .await;
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&bob)).await;
    assert!(home
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["account"]["id"] != alice_id.as_str()));
    let (_, mutes) = app.get_json("/api/v1/mutes", Some(&bob)).await;
    assert_eq!(mutes[0]["id"], alice_id.as_str());
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/unmute"),
        &bob,
        json!({}),
    )
    .await;
    // tag and public timelines, local filter
    let (_, tag) = app
        .get_json("/api/v1/timelines/tag/Garden", Some(&carol))
        .await;
    assert_eq!(tag.as_array().unwrap().len(), 5);
    let (_, public) = app
        .get_json("/api/v1/timelines/public?local=true", Some(&carol))
        .await;
    assert_eq!(public.as_array().unwrap().len(), 6);
    let (_, remote) = app
        .get_json("/api/v1/timelines/public?remote=true", Some(&carol))
        .await;
    assert_eq!(remote.as_array().unwrap().len(), 0);
    // instance totals count local statuses (totals only)
    let (_, inst) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(inst["stats"]["status_count"], 6);
    let (_, ni) = app.get_json("/nodeinfo/2.1", None).await;
    assert_eq!(ni["usage"]["localPosts"], 6);
    // account counts
    let (_, a) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}"), Some(&bob))
        .await;
    assert_eq!(a["statuses_count"], 5);
    let _ = (bob_id, carol_id);
}

async fn favourite_boost_bookmark_pin_and_notifications(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let id = app
        .post_status(
            &alice,
            json!({"status": "a thought", "visibility": "public"}),
        )
        .await;
    let act = |what: &'static str, token: String| {
        let id = id.clone();
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/statuses/{id}/{what}"), &token, json!({}))
                .await
        }
    };
    let (status, v) = act("favourite", bob.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(v["favourited"], true);
    assert_eq!(v["favourites_count"], 1);
    let (_, v) = act("favourite", bob.clone()).await;
    assert_eq!(
        v["favourites_count"], 1,
        "a second favourite changes nothing"
    );
    let (status, boost) = act("reblog", bob.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(boost["reblog"]["id"], id.as_str());
    assert_eq!(boost["reblogged"], true);
    let (_, v) = act("bookmark", bob.clone()).await;
    assert_eq!(v["bookmarked"], true);
    let (_, by) = app
        .get_json(
            &format!("/api/v1/statuses/{id}/favourited_by"),
            Some(&alice),
        )
        .await;
    assert_eq!(by[0]["id"], bob_id.as_str());
    let (_, by) = app
        .get_json(&format!("/api/v1/statuses/{id}/reblogged_by"), Some(&alice))
        .await;
    assert_eq!(by[0]["id"], bob_id.as_str());
    let (_, favs) = app.get_json("/api/v1/favourites", Some(&bob)).await;
    assert_eq!(favs[0]["id"], id.as_str());
    let (_, marks) = app.get_json("/api/v1/bookmarks", Some(&bob)).await;
    assert_eq!(marks[0]["id"], id.as_str());
    // bob cannot pin alice's status; alice can pin hers
    let (status, _) = act("pin", bob.clone()).await;
    assert_eq!(status, 422);
    let (status, v) = act("pin", alice.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(v["pinned"], true);
    let (_, pinned) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/statuses?pinned=true"),
            Some(&bob),
        )
        .await;
    assert_eq!(pinned.as_array().unwrap().len(), 1);
    // notifications for alice: favourite and reblog from bob, a mention, a follow
    app.post_status(&bob, json!({"status": "hi @alice"})).await;
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &bob,
        json!({}),
    )
    .await;
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    let kinds: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["follow", "mention", "reblog", "favourite"],
        "{notes}"
    );
    let (_, only) = app
        .get_json("/api/v1/notifications?types[]=mention", Some(&alice))
        .await;
    assert_eq!(only.as_array().unwrap().len(), 1);
    let (_, ex) = app
        .get_json(
            "/api/v1/notifications?exclude_types[]=follow&exclude_types[]=mention",
            Some(&alice),
        )
        .await;
    assert_eq!(ex.as_array().unwrap().len(), 2);
    let (_, count) = app
        .get_json("/api/v1/notifications/unread_count", Some(&alice))
        .await;
    assert_eq!(count["count"], 4);
    let first = notes[0]["id"].as_str().unwrap().to_owned();
    let (status, m) = app
        .post_json(
            "/api/v1/markers",
            &alice,
            json!({"notifications": {"last_read_id": first}}),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    let (_, m) = app
        .get_json("/api/v1/markers?timeline[]=notifications", Some(&alice))
        .await;
    assert_eq!(m["notifications"]["last_read_id"], first.as_str());
    let (_, count) = app
        .get_json("/api/v1/notifications/unread_count", Some(&alice))
        .await;
    assert_eq!(count["count"], 0);
    // bob cannot read or dismiss alice's notification
    assert_eq!(
        app.get_json(&format!("/api/v1/notifications/{first}"), Some(&bob))
            .await
            .0,
        404
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/notifications/{first}/dismiss"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/notifications/{first}/dismiss"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    // undo: unfavourite retracts the notification, unreblog removes the boost
    act("unfavourite", bob.clone()).await;
    act("unreblog", bob.clone()).await;
    let (_, v) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&bob))
        .await;
    assert_eq!(v["favourites_count"], 0);
    assert_eq!(v["reblogs_count"], 0);
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    app.post_ok("/api/v1/notifications/clear", &alice, json!({}))
        .await;
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(notes, json!([]));
    let (_, prefs) = app.get_json("/api/v1/preferences", Some(&alice)).await;
    assert!(prefs["posting:default:visibility"].is_string());
    let (_, trends) = app.get_json("/api/v1/trends/tags", Some(&alice)).await;
    assert_eq!(trends, json!([]));
}

async fn anonymous_public_timeline_follows_the_setting(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    app.post_status(&alice, json!({"status": "hello", "visibility": "public"}))
        .await;
    // Without a visibility, a status takes the account's default: followers only
    // here, so nothing reaches the public timeline by accident.
    let (_, v) = app
        .post_json("/api/v1/statuses", &alice, json!({"status": "quiet"}))
        .await;
    assert_eq!(v["visibility"], "private");
    let (status, v) = app.get_json("/api/v1/timelines/public", None).await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = app.get_json("/api/v1/timelines/tag/x", None).await;
    assert_eq!(status, 422);
    let (status, v) = app.get_json("/api/v1/timelines/public", Some(&alice)).await;
    assert_eq!(status, 200);
    assert_eq!(v.as_array().unwrap().len(), 1);
}

/// Statuses, timelines, notifications and account lists are built from rows that hold
/// no email; this checks the JSON of each for the address of a member who has one.
async fn status_outputs_carry_no_email(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "willow.private@example.org";
    app.create_user(
        "willow",
        "willow's password",
        Some(email),
        kindred_domain::Role::Member,
    )
    .await;
    let willow = app.login("willow", "willow's password").await;
    let (bob, bob_id) = app.member("bob").await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&willow))
        .await;
    let willow_id = me["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &format!("/api/v1/accounts/{willow_id}/follow"),
        &bob,
        json!({}),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/accounts/{bob_id}/follow"),
        &willow,
        json!({}),
    )
    .await;
    let id = app
        .post_status(
            &willow,
            json!({"status": "hello @bob #tea", "visibility": "public"}),
        )
        .await;
    app.post_ok(&format!("/api/v1/statuses/{id}/favourite"), &bob, json!({}))
        .await;
    let reply = app
        .post_status(&bob, json!({"status": "@willow hi", "in_reply_to_id": id}))
        .await;
    // The search can say yes: the address planted in an answer is found.
    let planted = json!({"account": {"username": "willow", "note": email}});
    assert!(std::panic::catch_unwind(|| crate::common::assert_no_email(&planted, email)).is_err());
    // Each answer carries what it is about (its positive control): willow's
    // account, or bob's where he is the answer.
    let willow_acct = "\"acct\":\"willow\"";
    let bob_acct = "\"acct\":\"bob\"";
    for (path, token, expected) in [
        (format!("/api/v1/statuses/{id}"), &bob, willow_acct),
        (format!("/api/v1/statuses/{id}/context"), &bob, bob_acct),
        (format!("/api/v1/statuses/{reply}"), &willow, willow_acct),
        ("/api/v1/timelines/home".to_owned(), &bob, willow_acct),
        ("/api/v1/timelines/public".to_owned(), &bob, willow_acct),
        ("/api/v1/timelines/tag/tea".to_owned(), &bob, willow_acct),
        ("/api/v1/notifications".to_owned(), &willow, bob_acct),
        (
            format!("/api/v1/accounts/{willow_id}/statuses"),
            &bob,
            willow_acct,
        ),
        (
            format!("/api/v1/accounts/{bob_id}/followers"),
            &bob,
            willow_acct,
        ),
        (
            format!("/api/v1/statuses/{id}/favourited_by"),
            &willow,
            bob_acct,
        ),
        (
            format!("/api/v1/accounts/relationships?id[]={willow_id}"),
            &bob,
            "\"following\":true",
        ),
    ] {
        let (status, v) = app.get_json(&path, Some(token)).await;
        assert_eq!(status, 200, "{path}: {v}");
        assert!(v.to_string().contains(expected), "{path}: {v}");
        crate::common::assert_no_email(&v, email);
    }
    // Deleting the status takes its boosts and favourites with it.
    app.post_ok(&format!("/api/v1/statuses/{id}/reblog"), &bob, json!({}))
        .await;
    app.send_ok(
        reqwest::Method::DELETE,
        &format!("/api/v1/statuses/{id}"),
        Some(&willow),
        json!({}),
    )
    .await;
    let (_, favs) = app.get_json("/api/v1/favourites", Some(&bob)).await;
    assert_eq!(favs, json!([]));
    let (bob_n, id_n): (i64, i64) = (bob_id.parse().unwrap(), id.parse().unwrap());
    let boost = app
        .state
        .db
        .run(move |c| kindred_db::models::statuses::find_reblog(c, bob_n, id_n))
        .await
        .unwrap();
    assert!(boost.is_none(), "the boost row went with the status");
}
