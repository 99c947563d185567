//! Lists, filters, announcements, conversations and followed hashtags through the
//! Mastodon API, with the negative cases: nobody reaches another member's lists,
//! filters or conversations, and bad input changes nothing.

use kindred_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{assert_no_email, both_backends, spawn_app, Backend, TestApp};

both_backends!(
    lists_hold_followed_accounts_and_have_a_timeline,
    filters_warn_hide_and_stay_private,
    announcements_are_written_by_admins_and_read_by_members,
    conversations_group_direct_messages,
    hashtags_can_be_followed,
    home_feed_follows_tags_and_exclusive_lists,
);

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array: {v}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    app.send_json(Method::PUT, path, Some(token), body).await
}

async fn delete(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    app.send_json(Method::DELETE, path, Some(token), body).await
}

async fn lists_hold_followed_accounts_and_have_a_timeline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    let (mallory, _) = app.member("mallory").await;
    for id in [&bob_id, &carol_id] {
        let (s, _) = app
            .post_json(&format!("/api/v1/accounts/{id}/follow"), &alice, json!({}))
            .await;
        assert_eq!(s, 200);
    }
    let (s, list) = app
        .post_json("/api/v1/lists", &alice, json!({"title": " Tuesday group "}))
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["title"], "Tuesday group");
    assert_eq!(list["replies_policy"], "list");
    assert_eq!(list["exclusive"], false);
    let list_id = list["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/lists/{list_id}");

    // Only followed accounts may be added; a refused request adds nobody.
    let (_, mallory_me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&mallory))
        .await;
    let mallory_id = mallory_me["id"].as_str().unwrap();
    let (s, _) = app
        .post_json(
            &format!("{base}/accounts"),
            &alice,
            json!({"account_ids": [bob_id, mallory_id]}),
        )
        .await;
    assert_eq!(s, 404);
    let (_, members) = app
        .get_json(&format!("{base}/accounts"), Some(&alice))
        .await;
    assert_eq!(members, json!([]));
    let (s, _) = app
        .post_json(
            &format!("{base}/accounts"),
            &alice,
            json!({"account_ids": [bob_id]}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, members) = app
        .get_json(&format!("{base}/accounts"), Some(&alice))
        .await;
    assert_eq!(ids(&members), vec![bob_id.clone()]);
    let (_, lists) = app
        .get_json(&format!("/api/v1/accounts/{bob_id}/lists"), Some(&alice))
        .await;
    assert_eq!(ids(&lists), vec![list_id.clone()]);

    // The list timeline: bob's posts (followers-only too), not carol's, not bob's
    // direct messages to others.
    let public = app
        .post_status(
            &bob,
            json!({"status": "bob public", "visibility": "public"}),
        )
        .await;
    let private = app
        .post_status(
            &bob,
            json!({"status": "bob private", "visibility": "private"}),
        )
        .await;
    let direct = app
        .post_status(
            &bob,
            json!({"status": "@carol just you", "visibility": "direct"}),
        )
        .await;
    let from_carol = app
        .post_status(
            &carol,
            json!({"status": "carol public", "visibility": "public"}),
        )
        .await;
    let reply_to_carol = app
        .post_status(
            &bob,
            json!({"status": "@carol reply", "in_reply_to_id": from_carol, "visibility": "public"}),
        )
        .await;
    let (s, tl) = app
        .get_json(&format!("/api/v1/timelines/list/{list_id}"), Some(&alice))
        .await;
    assert_eq!(s, 200, "{tl}");
    let got = ids(&tl);
    assert!(got.contains(&public) && got.contains(&private), "{got:?}");
    assert!(!got.contains(&direct) && !got.contains(&from_carol));
    // replies_policy=list: a reply to carol (not in the list) is left out...
    assert!(!got.contains(&reply_to_carol));
    // ...followed: it is shown, as alice follows carol.
    let (s, updated) = put(
        &app,
        &base,
        &alice,
        json!({"title": "Tuesdays", "replies_policy": "followed", "exclusive": true}),
    )
    .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["exclusive"], true);
    let (_, tl) = app
        .get_json(&format!("/api/v1/timelines/list/{list_id}"), Some(&alice))
        .await;
    assert!(ids(&tl).contains(&reply_to_carol));

    // Nobody else reaches alice's list.
    for path in [
        base.clone(),
        format!("{base}/accounts"),
        format!("/api/v1/timelines/list/{list_id}"),
    ] {
        let (s, _) = app.get_json(&path, Some(&mallory)).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = put(&app, &base, &mallory, json!({"title": "mine now"})).await;
    assert_eq!(s, 404);
    let (s, _) = delete(&app, &base, &mallory, json!({})).await;
    assert_eq!(s, 404);
    let (_, lists) = app.get_json("/api/v1/lists", Some(&mallory)).await;
    assert_eq!(lists, json!([]));

    // Bad input changes nothing.
    for body in [
        json!({"title": "  "}),
        json!({"title": "x", "replies_policy": "everyone"}),
    ] {
        let (s, v) = app.post_json("/api/v1/lists", &alice, body).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"].is_string());
    }
    let (s, _) = put(&app, &base, &alice, json!({"title": ""})).await;
    assert_eq!(s, 422);
    let (s, _) = app
        .get_json("/api/v1/lists/not-a-number", Some(&alice))
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .post_json(
            &format!("{base}/accounts"),
            &alice,
            json!({"account_ids": []}),
        )
        .await;
    assert_eq!(s, 422);
    let (_, lists) = app.get_json("/api/v1/lists", Some(&alice)).await;
    assert_eq!(lists.as_array().unwrap().len(), 1);
    assert_eq!(lists[0]["title"], "Tuesdays");

    // Unfollowing takes the account out of the owner's lists.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/unfollow"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, members) = app
        .get_json(&format!("{base}/accounts"), Some(&alice))
        .await;
    assert_eq!(members, json!([]));
    let (_, tl) = app
        .get_json(&format!("/api/v1/timelines/list/{list_id}"), Some(&alice))
        .await;
    assert!(!ids(&tl).contains(&private), "no longer a follower");

    let (s, _) = delete(&app, &base, &alice, json!({})).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json(&base, Some(&alice)).await;
    assert_eq!(s, 404);
}

async fn filters_warn_hide_and_stay_private(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (mallory, _) = app.member("mallory").await;
    app.post_ok(
        &format!("/api/v1/accounts/{bob_id}/follow"),
        &alice,
        json!({}),
    )
    .await;
    let trigger = app
        .post_status(
            &bob,
            json!({"status": "Feeling ANXIOUS about tomorrow", "visibility": "public"}),
        )
        .await;
    let partial = app
        .post_status(
            &bob,
            json!({"status": "anxiousness is different", "visibility": "public"}),
        )
        .await;
    let calm = app
        .post_status(
            &bob,
            json!({"status": "a calm walk", "visibility": "public"}),
        )
        .await;
    let own = app
        .post_status(
            &alice,
            json!({"status": "I am anxious too", "visibility": "public"}),
        )
        .await;

    // Form-encoded, as apps send it: keywords_attributes[][keyword].
    let resp = app
        .client
        .post(app.url("/api/v2/filters"))
        .bearer_auth(&alice)
        .form(&[
            ("title", "Anxiety"),
            ("context[]", "home"),
            ("context[]", "thread"),
            ("filter_action", "warn"),
            ("keywords_attributes[][keyword]", "anxious"),
            ("keywords_attributes[][whole_word]", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let filter: Value = resp.json().await.unwrap();
    assert_eq!(filter["context"], json!(["home", "thread"]));
    assert_eq!(filter["keywords"][0]["keyword"], "anxious");
    assert_eq!(filter["keywords"][0]["whole_word"], true);
    let filter_id = filter["id"].as_str().unwrap().to_owned();

    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    let by_id = |tl: &Value, id: &str| {
        tl.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
    };
    let warned = by_id(&home, &trigger).expect("warned statuses are still listed");
    assert_eq!(warned["filtered"][0]["filter"]["id"], filter_id.as_str());
    assert_eq!(warned["filtered"][0]["keyword_matches"], json!(["anxious"]));
    assert_eq!(
        by_id(&home, &partial).unwrap()["filtered"],
        json!([]),
        "whole word"
    );
    assert_eq!(by_id(&home, &calm).unwrap()["filtered"], json!([]));
    assert_eq!(
        by_id(&home, &own).unwrap()["filtered"],
        json!([]),
        "own posts are never filtered"
    );

    // hide: gone from home; the public timeline is another context.
    let (s, _) = put(
        &app,
        &format!("/api/v2/filters/{filter_id}"),
        &alice,
        json!({"filter_action": "hide"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    assert!(by_id(&home, &trigger).is_none());
    assert!(by_id(&home, &calm).is_some());
    let (_, public) = app.get_json("/api/v1/timelines/public", Some(&alice)).await;
    assert!(by_id(&public, &trigger).is_some());
    // Other people's timelines are untouched.
    let (_, bob_home) = app.get_json("/api/v1/timelines/home", Some(&bob)).await;
    assert!(by_id(&bob_home, &trigger).is_some());

    // Keyword endpoints.
    let (s, kw) = app
        .post_json(
            &format!("/api/v2/filters/{filter_id}/keywords"),
            &alice,
            json!({"keyword": "calm", "whole_word": false}),
        )
        .await;
    assert_eq!(s, 200, "{kw}");
    let kw_id = kw["id"].as_str().unwrap().to_owned();
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    assert!(by_id(&home, &calm).is_none());
    let (s, _) = put(
        &app,
        &format!("/api/v2/filters/keywords/{kw_id}"),
        &alice,
        json!({"keyword": "stormy"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    assert!(by_id(&home, &calm).is_some());
    let (s, _) = delete(
        &app,
        &format!("/api/v2/filters/keywords/{kw_id}"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(s, 200);

    // Status filters, in the thread context.
    let (s, fs) = app
        .post_json(
            &format!("/api/v2/filters/{filter_id}/statuses"),
            &alice,
            json!({"status_id": calm}),
        )
        .await;
    assert_eq!(s, 200, "{fs}");
    let reply = app
        .post_status(
            &bob,
            json!({"status": "replying", "in_reply_to_id": calm, "visibility": "public"}),
        )
        .await;
    let (_, ctx) = app
        .get_json(&format!("/api/v1/statuses/{reply}/context"), Some(&alice))
        .await;
    assert_eq!(
        ctx["ancestors"],
        json!([]),
        "the filtered status is hidden in threads"
    );
    let (_, listed) = app
        .get_json(
            &format!("/api/v2/filters/{filter_id}/statuses"),
            Some(&alice),
        )
        .await;
    assert_eq!(listed[0]["status_id"], calm.as_str());

    // v1 view for older apps.
    let (s, v1) = app.get_json("/api/v1/filters", Some(&alice)).await;
    assert_eq!(s, 200);
    assert_eq!(v1[0]["phrase"], "anxious");
    assert_eq!(v1[0]["irreversible"], true);

    // Notifications context: a hidden mention is left out of the list.
    let (s, _) = app
        .post_json("/api/v2/filters", &alice, json!({"title": "n", "context": ["notifications"], "filter_action": "hide", "keywords_attributes": [{"keyword": "relapse"}]}))
        .await;
    assert_eq!(s, 200);
    app.post_status(
        &bob,
        json!({"status": "@alice talking about relapse", "visibility": "public"}),
    )
    .await;
    app.post_status(
        &bob,
        json!({"status": "@alice hello", "visibility": "public"}),
    )
    .await;
    let (_, notes) = app
        .get_json("/api/v1/notifications?types[]=mention", Some(&alice))
        .await;
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");

    // Private to the owner; a hidden status cannot be added by id.
    let hidden = app
        .post_status(
            &bob,
            json!({"status": "followers only", "visibility": "private"}),
        )
        .await;
    let (mallory_filter_status, mallory_filter) = app
        .post_json(
            "/api/v2/filters",
            &mallory,
            json!({"title": "m", "context": ["home"]}),
        )
        .await;
    assert_eq!(mallory_filter_status, 200);
    let mf = mallory_filter["id"].as_str().unwrap();
    let (s, _) = app
        .post_json(
            &format!("/api/v2/filters/{mf}/statuses"),
            &mallory,
            json!({"status_id": hidden}),
        )
        .await;
    assert_eq!(s, 404);
    for path in [
        format!("/api/v2/filters/{filter_id}"),
        format!("/api/v2/filters/{filter_id}/keywords"),
    ] {
        let (s, _) = app.get_json(&path, Some(&mallory)).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = delete(
        &app,
        &format!("/api/v2/filters/{filter_id}"),
        &mallory,
        json!({}),
    )
    .await;
    assert_eq!(s, 404);
    let (_, mine) = app.get_json("/api/v2/filters", Some(&mallory)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // Bad input: clear errors, nothing stored.
    for body in [
        json!({"title": "", "context": ["home"]}),
        json!({"title": "x", "context": []}),
        json!({"title": "x", "context": ["everywhere"]}),
        json!({"title": "x", "context": ["home"], "filter_action": "explode"}),
        json!({"title": "x", "context": ["home"], "expires_in": "soon"}),
        json!({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": "  "}]}),
    ] {
        let (s, v) = app.post_json("/api/v2/filters", &alice, body.clone()).await;
        assert_eq!(s, 422, "{body} → {v}");
        assert!(v["error"].is_string());
    }
    let (_, all) = app.get_json("/api/v2/filters", Some(&alice)).await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Expiry: a filter that has expired applies no more.
    let (s, f) = app
        .post_json("/api/v2/filters", &alice, json!({"title": "soon gone", "context": ["home"], "expires_in": 3600, "keywords_attributes": [{"keyword": "walk"}]}))
        .await;
    assert_eq!(s, 200);
    assert!(f["expires_at"].is_string());
    let (s, _) = delete(
        &app,
        &format!("/api/v2/filters/{}", f["id"].as_str().unwrap()),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
}

async fn announcements_are_written_by_admins_and_read_by_members(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "boss",
        "boss's password",
        Some("boss@example.org"),
        Role::Admin,
    )
    .await;
    let c = app
        .register_app(
            "read write admin:read admin:write",
            "urn:ietf:wg:oauth:2.0:oob",
        )
        .await;
    let resp = app
        .password_token(
            &c,
            "boss",
            "boss's password",
            "read write admin:read admin:write",
        )
        .await;
    let boss: Value = resp.json().await.unwrap();
    let boss = boss["access_token"].as_str().unwrap().to_owned();
    let (alice, _) = app.member("alice").await;

    // A member may not publish, even with an admin-scoped token.
    app.create_user("eve", "eve's password", None, Role::Member)
        .await;
    let resp = app
        .password_token(
            &c,
            "eve",
            "eve's password",
            "read write admin:read admin:write",
        )
        .await;
    let eve: Value = resp.json().await.unwrap();
    let eve = eve["access_token"].as_str().unwrap().to_owned();
    let (s, _) = app
        .post_json(
            "/api/v1/admin/announcements",
            &eve,
            json!({"text": "fake news"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .get_json("/api/v1/admin/announcements", Some(&eve))
        .await;
    assert_eq!(s, 403);
    // An admin without the admin scope neither.
    let boss_plain = app.login("boss", "boss's password").await;
    let (s, _) = app
        .post_json(
            "/api/v1/admin/announcements",
            &boss_plain,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(s, 403);

    let (s, a) = app
        .post_json(
            "/api/v1/admin/announcements",
            &boss,
            json!({"text": "Crisis line: call 116 123 <script>x</script> https://example.org/help #support"}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let a_id = a["id"].as_str().unwrap().to_owned();
    let content = a["content"].as_str().unwrap();
    assert!(content.contains("&lt;script&gt;") && !content.contains("<script>"));
    assert!(content.contains("href=\"https://example.org/help\""));
    let (s, draft) = app
        .post_json(
            "/api/v1/admin/announcements",
            &boss,
            json!({"text": "draft", "published": false}),
        )
        .await;
    assert_eq!(s, 200);
    let draft_id = draft["id"].as_str().unwrap().to_owned();
    let (s, ended) = app
        .post_json("/api/v1/admin/announcements", &boss, json!({"text": "over", "starts_at": "2020-01-01T10:00:00Z", "ends_at": "2020-01-01T12:00:00Z"}))
        .await;
    assert_eq!(s, 200, "{ended}");

    let (s, list) = app.get_json("/api/v1/announcements", Some(&alice)).await;
    assert_eq!(s, 200);
    assert_eq!(
        ids(&list),
        vec![a_id.clone()],
        "drafts and ended ones are not shown"
    );
    assert_eq!(list[0]["read"], false);
    assert!(list[0].get("text").is_none(), "source is for admins");
    assert_no_email(&list, "boss@example.org");
    let (s, _) = app
        .post_json(
            &format!("/api/v1/announcements/{draft_id}/dismiss"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "drafts are invisible to members");

    // Reactions.
    let path = format!("/api/v1/announcements/{a_id}/reactions/%F0%9F%92%9A");
    let (s, _) = put(&app, &path, &alice, json!({})).await;
    assert_eq!(s, 200);
    let (_, list) = app.get_json("/api/v1/announcements", Some(&alice)).await;
    assert_eq!(list[0]["reactions"][0]["name"], "💚");
    assert_eq!(list[0]["reactions"][0]["count"], 1);
    assert_eq!(list[0]["reactions"][0]["me"], true);
    let (s, v) = put(
        &app,
        &format!("/api/v1/announcements/{a_id}/reactions/lol"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = delete(&app, &path, &alice, json!({})).await;
    assert_eq!(s, 200);
    let (_, list) = app.get_json("/api/v1/announcements", Some(&alice)).await;
    assert_eq!(list[0]["reactions"], json!([]));

    // Dismiss.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/announcements/{a_id}/dismiss"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, list) = app.get_json("/api/v1/announcements", Some(&alice)).await;
    assert_eq!(list, json!([]));
    let (_, list) = app
        .get_json("/api/v1/announcements?with_dismissed=true", Some(&alice))
        .await;
    assert_eq!(list[0]["read"], true);

    // Admin list, update, publish, delete; bad input changes nothing.
    let (_, all) = app
        .get_json("/api/v1/admin/announcements", Some(&boss))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[0]["text"], "over");
    for body in [
        json!({"text": " "}),
        json!({"starts_at": "tomorrow"}),
        json!({"starts_at": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
               "ends_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
    ] {
        let (s, v) = put(
            &app,
            &format!("/api/v1/admin/announcements/{draft_id}"),
            &boss,
            body.clone(),
        )
        .await;
        assert_eq!(s, 422, "{body} → {v}");
    }
    let (s, v) = put(
        &app,
        &format!("/api/v1/admin/announcements/{draft_id}"),
        &boss,
        json!({"published": true, "text": "now live"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["published_at"].is_string());
    let (_, list) = app.get_json("/api/v1/announcements", Some(&alice)).await;
    assert_eq!(list[0]["content"], "<p>now live</p>");
    let (s, _) = delete(
        &app,
        &format!("/api/v1/admin/announcements/{draft_id}"),
        &boss,
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = delete(
        &app,
        &format!("/api/v1/admin/announcements/{draft_id}"),
        &boss,
        json!({}),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = app.get_json("/api/v1/announcements", None).await;
    assert_eq!(s, 401);
}

async fn conversations_group_direct_messages(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    let first = app
        .post_status(
            &alice,
            json!({"status": "@bob how are you?", "visibility": "direct"}),
        )
        .await;
    let answer = app
        .post_status(&bob, json!({"status": "@alice better, thanks", "in_reply_to_id": first, "visibility": "direct"}))
        .await;
    // Public posts are not conversations.
    app.post_status(
        &alice,
        json!({"status": "@bob public hello", "visibility": "public"}),
    )
    .await;

    let (s, convs) = app.get_json("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(s, 200, "{convs}");
    assert_eq!(convs.as_array().unwrap().len(), 1, "{convs}");
    let conv = &convs[0];
    assert_eq!(conv["last_status"]["id"], answer.as_str());
    assert_eq!(ids(&conv["accounts"]), vec![bob_id.clone()]);
    assert_eq!(conv["unread"], true);
    let conv_id = conv["id"].as_str().unwrap().to_owned();
    // For bob, who wrote the last message, it is read.
    let (_, bobs) = app.get_json("/api/v1/conversations", Some(&bob)).await;
    assert_eq!(bobs[0]["id"], conv_id.as_str());
    assert_eq!(bobs[0]["unread"], false);
    assert_eq!(ids(&bobs[0]["accounts"]), vec![alice_id.clone()]);
    // Not for anyone else.
    let (_, carols) = app.get_json("/api/v1/conversations", Some(&carol)).await;
    assert_eq!(carols, json!([]));
    let (s, _) = app
        .post_json(
            &format!("/api/v1/conversations/{conv_id}/read"),
            &carol,
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = delete(
        &app,
        &format!("/api/v1/conversations/{conv_id}"),
        &carol,
        json!({}),
    )
    .await;
    assert_eq!(s, 404);

    let (s, read) = app
        .post_json(
            &format!("/api/v1/conversations/{conv_id}/read"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{read}");
    assert_eq!(read["unread"], false);
    let (_, convs) = app.get_json("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(convs[0]["unread"], false);

    // Removed from the list until a newer message arrives.
    let (s, _) = delete(
        &app,
        &format!("/api/v1/conversations/{conv_id}"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, convs) = app.get_json("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(convs, json!([]));
    let again = app
        .post_status(&bob, json!({"status": "@alice are you there?", "in_reply_to_id": answer, "visibility": "direct"}))
        .await;
    let (_, convs) = app.get_json("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(convs[0]["id"], conv_id.as_str());
    assert_eq!(convs[0]["last_status"]["id"], again.as_str());
    assert_eq!(convs[0]["unread"], true);

    // A block hides the conversation.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/block"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, convs) = app.get_json("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(convs, json!([]));
    let (s, _) = app
        .get_json("/api/v1/conversations?max_id=abc", Some(&alice))
        .await;
    assert_eq!(s, 400);
}

async fn hashtags_can_be_followed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (s, _) = app.get_json("/api/v1/tags/recovery", Some(&alice)).await;
    assert_eq!(s, 404, "unknown tag");
    let (s, t) = app
        .post_json("/api/v1/tags/Recovery/follow", &alice, json!({}))
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["name"], "recovery");
    assert_eq!(t["following"], true);
    assert!(t["url"].as_str().unwrap().ends_with("/tags/recovery"));
    let (s, again) = app
        .post_json("/api/v1/tags/recovery/follow", &alice, json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(again["id"], t["id"]);
    let (_, shown) = app.get_json("/api/v1/tags/recovery", Some(&alice)).await;
    assert_eq!(shown["following"], true);
    let (_, shown) = app.get_json("/api/v1/tags/recovery", Some(&bob)).await;
    assert_eq!(shown["following"], false, "following is per member");
    let (s, list) = app.get_json("/api/v1/followed_tags", Some(&alice)).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "recovery");
    let (_, list) = app.get_json("/api/v1/followed_tags", Some(&bob)).await;
    assert_eq!(list, json!([]));
    for bad in ["bad%20tag", "%23", "a-b"] {
        let (s, _) = app
            .post_json(&format!("/api/v1/tags/{bad}/follow"), &alice, json!({}))
            .await;
        assert_eq!(s, 404, "{bad}");
    }
    let (s, t) = app
        .post_json("/api/v1/tags/recovery/unfollow", &alice, json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(t["following"], false);
    let (_, list) = app.get_json("/api/v1/followed_tags", Some(&alice)).await;
    assert_eq!(list, json!([]));
}

async fn home_feed_follows_tags_and_exclusive_lists(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    let (dave, _) = app.member("dave").await;
    app.post_ok(
        &format!("/api/v1/accounts/{bob_id}/follow"),
        &alice,
        json!({}),
    )
    .await;
    let (s, _) = app
        .post_json("/api/v1/tags/peersupport/follow", &alice, json!({}))
        .await;
    assert_eq!(s, 200);
    // carol is not followed: only her public #peersupport posts reach alice's home.
    let mut expected = Vec::new();
    for i in 0..3 {
        expected.push(
            app.post_status(
                &bob,
                json!({"status": format!("bob {i}"), "visibility": "public"}),
            )
            .await,
        );
        expected.push(
            app.post_status(
                &carol,
                json!({"status": format!("carol {i} #PeerSupport"), "visibility": "public"}),
            )
            .await,
        );
    }
    let unlisted = app
        .post_status(
            &carol,
            json!({"status": "quiet #peersupport", "visibility": "unlisted"}),
        )
        .await;
    let private = app
        .post_status(
            &carol,
            json!({"status": "followers #peersupport", "visibility": "private"}),
        )
        .await;
    let untagged = app
        .post_status(&carol, json!({"status": "no tag", "visibility": "public"}))
        .await;
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&alice))
        .await;
    let got = ids(&home);
    expected.reverse();
    assert_eq!(
        got, expected,
        "bob's posts and carol's public tagged posts, newest first"
    );
    for hidden in [&unlisted, &private, &untagged] {
        assert!(!got.contains(hidden));
    }
    // Paging through the merged feed: no gaps, no repeats.
    let mut paged = Vec::new();
    let mut max_id: Option<String> = None;
    loop {
        let path = match &max_id {
            Some(m) => format!("/api/v1/timelines/home?limit=2&max_id={m}"),
            None => "/api/v1/timelines/home?limit=2".to_owned(),
        };
        let (_, page) = app.get_json(&path, Some(&alice)).await;
        let page = ids(&page);
        if page.is_empty() {
            break;
        }
        max_id = page.last().cloned();
        paged.extend(page);
    }
    assert_eq!(paged, expected);
    let (_, newer) = app
        .get_json(
            &format!("/api/v1/timelines/home?limit=2&min_id={}", expected[5]),
            Some(&alice),
        )
        .await;
    assert_eq!(ids(&newer), vec![expected[3].clone(), expected[4].clone()]);
    // Blocking carol removes her tagged posts; dave's still come.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/accounts/{carol_id}/block"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let from_dave = app
        .post_status(
            &dave,
            json!({"status": "#peersupport tonight", "visibility": "public"}),
        )
        .await;
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&alice))
        .await;
    let got = ids(&home);
    assert!(got.contains(&from_dave));
    assert_eq!(
        got.iter().filter(|id| expected.contains(id)).count(),
        3,
        "only bob's remain"
    );

    // An exclusive list takes its members out of home.
    let (_, list) = app
        .post_json(
            "/api/v1/lists",
            &alice,
            json!({"title": "bob only", "exclusive": true}),
        )
        .await;
    let list_id = list["id"].as_str().unwrap();
    app.post_ok(
        &format!("/api/v1/lists/{list_id}/accounts"),
        &alice,
        json!({"account_ids": [bob_id]}),
    )
    .await;
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&alice))
        .await;
    assert_eq!(ids(&home), vec![from_dave.clone()]);
    let (_, listed) = app
        .get_json(&format!("/api/v1/timelines/list/{list_id}"), Some(&alice))
        .await;
    assert_eq!(ids(&listed).len(), 3, "bob's posts are in the list instead");
    put(
        &app,
        &format!("/api/v1/lists/{list_id}"),
        &alice,
        json!({"exclusive": false}),
    )
    .await;
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&alice))
        .await;
    assert_eq!(ids(&home).len(), 4);
}
