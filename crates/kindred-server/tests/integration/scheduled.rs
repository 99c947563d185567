//! Scheduled posts and featured hashtags through the Mastodon API (issue 28): a post
//! scheduled at least five minutes ahead, seen and changed only by its author,
//! published once even by two claimers at the same moment, and not published when
//! its author can no longer post it; featured tags counting public posts only.

use chrono::{Duration, SecondsFormat, Utc};
use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, Backend, TestApp};

both_backends!(
    scheduled_posts_are_published_once,
    a_scheduled_post_is_not_published_after_leaving_the_group,
    featured_tags_count_public_posts_only,
);

fn ahead(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Makes a scheduled post due now, as if its time had come.
async fn make_due(app: &TestApp, id: &str) {
    let id: i64 = id.parse().unwrap();
    let past = (Utc::now() - Duration::seconds(1)).naive_utc();
    app.state
        .db
        .run(move |c| kindred_db::models::scheduled_statuses::set_scheduled_at(c, id, past))
        .await
        .unwrap();
}

async fn state_of(app: &TestApp, id: &str) -> Option<String> {
    let id: i64 = id.parse().unwrap();
    app.state
        .db
        .run(move |c| kindred_db::models::scheduled_statuses::find(c, id))
        .await
        .unwrap()
        .map(|r| r.state)
}

async fn own_statuses(app: &TestApp, account: &str, token: &str) -> Vec<Value> {
    let (code, v) = app
        .get_json(&format!("/api/v1/accounts/{account}/statuses"), Some(token))
        .await;
    assert_eq!(code, 200, "{v}");
    v.as_array().unwrap().clone()
}

/// The contents of a group's timeline, as its facilitator reads it.
async fn group_posts(app: &TestApp, gid: &str, token: &str) -> Vec<String> {
    let (code, v) = app
        .get_json(&format!("/api/v1/groups/{gid}/timeline"), Some(token))
        .await;
    assert_eq!(code, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn scheduled_posts_are_published_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;

    // Less than five minutes ahead is refused; nothing is stored.
    let (code, v) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "too soon", "scheduled_at": ahead(2)}),
        )
        .await;
    assert_eq!(
        (code, v["error_code"].as_str()),
        (422, Some("scheduled_too_soon")),
        "{v}"
    );
    // An empty text is refused when scheduled, not when due.
    let (code, _) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": " ", "scheduled_at": ahead(10)}),
        )
        .await;
    assert_eq!(code, 422);

    let (code, s) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "Thursday café is on!", "visibility": "public",
                   "scheduled_at": ahead(10),
                   "poll": {"options": ["coming", "not this time"], "expires_in": 3600}}),
        )
        .await;
    assert_eq!(code, 200, "{s}");
    let id = s["id"].as_str().unwrap().to_owned();
    assert_eq!(s["params"]["text"], "Thursday café is on!");
    assert_eq!(s["params"]["poll"]["options"][1], "not this time");
    assert!(s["scheduled_at"].is_string());
    // Not posted yet.
    assert!(own_statuses(&app, &alice_id, &alice).await.is_empty());

    // The author sees and moves it; nobody else finds it.
    let (code, list) = app
        .get_json("/api/v1/scheduled_statuses", Some(&alice))
        .await;
    assert_eq!(code, 200);
    assert_eq!(list[0]["id"], id.as_str(), "{list}");
    let (_, theirs) = app.get_json("/api/v1/scheduled_statuses", Some(&bob)).await;
    assert_eq!(theirs, json!([]));
    let path = format!("/api/v1/scheduled_statuses/{id}");
    let (code, _) = app.get_json(&path, Some(&bob)).await;
    assert_eq!(code, 404);
    let (code, _) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&bob), json!({}))
        .await;
    assert_eq!(code, 404);
    let (code, _) = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&bob),
            json!({"scheduled_at": ahead(30)}),
        )
        .await;
    assert_eq!(code, 404);
    let (code, v) = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&alice),
            json!({"scheduled_at": ahead(1)}),
        )
        .await;
    assert_eq!(
        (code, v["error_code"].as_str()),
        (422, Some("scheduled_too_soon"))
    );
    let (code, moved) = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&alice),
            json!({"scheduled_at": ahead(60)}),
        )
        .await;
    assert_eq!(code, 200, "{moved}");
    let (code, shown) = app.get_json(&path, Some(&alice)).await;
    assert_eq!(code, 200);
    assert_eq!(shown["scheduled_at"], moved["scheduled_at"]);

    // Not due: the job publishes nothing.
    let publish = || kindred_api::services::scheduled::publish_due(&app.state, Utc::now());
    assert_eq!(publish().await.unwrap(), 0);
    // Due, and two processes' jobs at the same moment: published once.
    make_due(&app, &id).await;
    let (a, b) = tokio::join!(publish(), publish());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(publish().await.unwrap(), 0);
    let posted = own_statuses(&app, &alice_id, &alice).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0]["content"], "<p>Thursday café is on!</p>");
    assert_eq!(posted[0]["poll"]["options"][0]["title"], "coming");
    assert_eq!(state_of(&app, &id).await, None, "a published row stays");
    let (_, list) = app
        .get_json("/api/v1/scheduled_statuses", Some(&alice))
        .await;
    assert_eq!(list, json!([]));

    // A deleted one is never published.
    let gone = app
        .post_ok(
            "/api/v1/statuses",
            &alice,
            json!({"status": "never mind", "scheduled_at": ahead(10)}),
        )
        .await;
    let gone = gone["id"].as_str().unwrap().to_owned();
    app.send_ok(
        reqwest::Method::DELETE,
        &format!("/api/v1/scheduled_statuses/{gone}"),
        Some(&alice),
        json!({}),
    )
    .await;
    assert_eq!(state_of(&app, &gone).await, None);
    assert_eq!(publish().await.unwrap(), 0);
    assert_eq!(own_statuses(&app, &alice_id, &alice).await.len(), 1);
}

async fn a_scheduled_post_is_not_published_after_leaving_the_group(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let password = "fran's password";
    app.create_user("fran", password, None, Role::Facilitator)
        .await;
    let fran = app.login("fran", password).await;
    let g = app
        .post_ok(
            "/api/v1/groups",
            &fran,
            json!({"username": "peers", "display_name": "Peers", "visibility": "public"}),
        )
        .await;
    let gid = g["id"].as_str().unwrap().to_owned();
    let (mia, mia_id) = app.member("mia").await;
    app.post_ok(&format!("/api/v1/accounts/{gid}/follow"), &mia, json!({}))
        .await;
    let schedule = |text: &'static str| {
        app.post_ok(
            "/api/v1/statuses",
            &mia,
            json!({"status": text, "scheduled_at": ahead(10)}),
        )
    };
    // Positive control: while a member, a scheduled group post is published.
    let first = schedule("@peers see you Thursday").await;
    let first = first["id"].as_str().unwrap().to_owned();
    let second = schedule("@peers see you next week").await;
    let second = second["id"].as_str().unwrap().to_owned();
    make_due(&app, &first).await;
    assert_eq!(
        kindred_api::services::scheduled::publish_due(&app.state, Utc::now())
            .await
            .unwrap(),
        1
    );
    // A discussion post is not on a profile; the group's facilitator reads it.
    let posted = group_posts(&app, &gid, &fran).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(posted[0].contains("see you Thursday"), "{posted:?}");

    // mia leaves; her next post, due now, is refused by the group rule and marked.
    app.post_ok(&format!("/api/v1/accounts/{gid}/unfollow"), &mia, json!({}))
        .await;
    make_due(&app, &second).await;
    assert_eq!(
        kindred_api::services::scheduled::publish_due(&app.state, Utc::now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(state_of(&app, &second).await.as_deref(), Some("failed"));
    assert_eq!(group_posts(&app, &gid, &fran).await.len(), 1);
    assert!(own_statuses(&app, &mia_id, &mia).await.is_empty());
}

async fn featured_tags_count_public_posts_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    app.post_status(
        &alice,
        json!({"status": "a #walk today", "visibility": "public"}),
    )
    .await;
    app.post_status(
        &alice,
        json!({"status": "quiet #walk", "visibility": "private"}),
    )
    .await;
    app.post_status(
        &alice,
        json!({"status": "#drawing time", "visibility": "unlisted"}),
    )
    .await;

    let (code, sugg) = app
        .get_json("/api/v1/featured_tags/suggestions", Some(&alice))
        .await;
    assert_eq!(code, 200, "{sugg}");
    let names: Vec<&str> = sugg
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["drawing", "walk"]);

    let t = app
        .post_ok("/api/v1/featured_tags", &alice, json!({"name": "#Walk"}))
        .await;
    assert_eq!(t["name"], "walk");
    // The followers-only post is not counted.
    assert_eq!(t["statuses_count"], 1, "{t}");
    assert!(t["last_status_at"].is_string());
    let (code, again) = app
        .post_json("/api/v1/featured_tags", &alice, json!({"name": "walk"}))
        .await;
    assert_eq!(
        (code, again["error_code"].as_str()),
        (422, Some("already_featured"))
    );
    let (code, _) = app
        .post_json(
            "/api/v1/featured_tags",
            &alice,
            json!({"name": "not a tag!"}),
        )
        .await;
    assert_eq!(code, 422);

    let (_, mine) = app.get_json("/api/v1/featured_tags", Some(&alice)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (code, shown) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}/featured_tags"), None)
        .await;
    assert_eq!(code, 200);
    assert_eq!(shown[0]["name"], "walk");
    let (_, sugg) = app
        .get_json("/api/v1/featured_tags/suggestions", Some(&alice))
        .await;
    assert_eq!(sugg[0]["name"], "drawing", "{sugg}");
    assert_eq!(sugg.as_array().unwrap().len(), 1);

    // Only the owner removes it.
    let path = format!("/api/v1/featured_tags/{}", t["id"].as_str().unwrap());
    let (code, _) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&bob), json!({}))
        .await;
    assert_eq!(code, 404);
    app.send_ok(reqwest::Method::DELETE, &path, Some(&alice), json!({}))
        .await;
    let (_, mine) = app.get_json("/api/v1/featured_tags", Some(&alice)).await;
    assert_eq!(mine, json!([]));
}
