//! Polls through the Mastodon API (issue 28): creating one (form and JSON), voting
//! once, the author's own poll, hidden totals, an ended poll, the `poll` notice when
//! it ends, and a poll that follows its post's audience. Who voted for what is never
//! in any answer, the author's included.

use chrono::{Duration, Utc};
use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, Backend, TestApp};

both_backends!(
    polls_are_created_voted_once_and_told_when_ended,
    a_poll_follows_its_posts_audience,
    bad_polls_are_refused_and_store_nothing,
);

async fn poll_of(app: &TestApp, id: &str, token: Option<&str>) -> (u16, Value) {
    app.get_json(&format!("/api/v1/polls/{id}"), token).await
}

async fn vote(app: &TestApp, id: &str, token: &str, choices: Value) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/polls/{id}/votes"),
        token,
        json!({ "choices": choices }),
    )
    .await
}

/// Ends a poll now, as if its time had passed.
async fn end_poll(app: &TestApp, id: &str) {
    let id: i64 = id.parse().unwrap();
    let past = (Utc::now() - Duration::seconds(1)).naive_utc();
    app.state
        .db
        .run(move |c| kindred_db::models::polls::set_expires_at(c, id, Some(past)))
        .await
        .unwrap();
}

async fn notices(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let (status, v) = app
        .get_json("/api/v1/notifications?limit=40", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == kind)
        .cloned()
        .collect()
}

/// Every key of a Poll entity: nothing that could name a voter.
fn assert_poll_keys(p: &Value) {
    let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let allowed = [
        "emojis",
        "expired",
        "expires_at",
        "id",
        "multiple",
        "options",
        "own_votes",
        "voted",
        "voters_count",
        "votes_count",
    ];
    assert!(keys.iter().all(|k| allowed.contains(k)), "{keys:?}");
    for o in p["options"].as_array().unwrap() {
        let mut keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["title", "votes_count"]);
    }
}

async fn polls_are_created_voted_once_and_told_when_ended(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    let (dave, _) = app.member("dave").await;

    // A form-encoded poll, as most apps send it.
    let resp = app
        .client
        .post(app.url("/api/v1/statuses"))
        .bearer_auth(&alice)
        .form(&[
            ("status", "How are you doing this week?"),
            ("visibility", "public"),
            ("poll[options][]", "Good"),
            ("poll[options][]", "So-so"),
            ("poll[options][]", "Hard"),
            ("poll[expires_in]", "86400"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let status: Value = resp.json().await.unwrap();
    let id = status["id"].as_str().unwrap().to_owned();
    let poll = &status["poll"];
    assert_eq!(poll["id"], id.as_str(), "{status}");
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["options"][1]["title"], "So-so");
    assert_eq!(poll["options"][1]["votes_count"], 0);
    // The author may not vote, and sees the poll as voted (Mastodon's way).
    assert_eq!(poll["voted"], true);
    assert_eq!(poll["own_votes"], json!([]));
    assert_poll_keys(poll);

    // Anyone who may see the post sees the poll; an anonymous reader has no `voted`.
    let (code, anon) = poll_of(&app, &id, None).await;
    assert_eq!(code, 200, "{anon}");
    assert!(anon.get("voted").is_none(), "{anon}");
    let (_, mine) = poll_of(&app, &id, Some(&bob)).await;
    assert_eq!(mine["voted"], false);

    // bob votes once; the second time is refused and changes nothing.
    let (code, after) = vote(&app, &id, &bob, json!([1])).await;
    assert_eq!(code, 200, "{after}");
    assert_eq!(after["voted"], true);
    assert_eq!(after["own_votes"], json!([1]));
    assert_eq!(after["options"][1]["votes_count"], 1);
    assert_eq!(after["votes_count"], 1);
    assert_eq!(after["voters_count"], 1);
    let (code, again) = vote(&app, &id, &bob, json!([2])).await;
    assert_eq!(code, 422, "{again}");
    assert_eq!(again["error_code"], "poll_already_voted");
    let (code, own) = vote(&app, &id, &alice, json!([0])).await;
    assert_eq!(code, 422, "{own}");
    assert_eq!(own["error_code"], "poll_self_vote");
    // Two choices in a one-choice poll, an option that is not there: refused.
    let (code, two) = vote(&app, &id, &carol, json!(["0", "2"])).await;
    assert_eq!(
        (code, two["error_code"].as_str()),
        (422, Some("poll_one_choice_only"))
    );
    let (code, none) = vote(&app, &id, &carol, json!([3])).await;
    assert_eq!(
        (code, none["error_code"].as_str()),
        (422, Some("poll_invalid_choice"))
    );
    let (_, still) = poll_of(&app, &id, Some(&carol)).await;
    assert_eq!(still["voters_count"], 1, "{still}");
    assert_eq!(still["voted"], false);

    // A JSON poll with several choices and hidden totals.
    let (code, hidden) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "Which days suit you?", "visibility": "public",
                   "poll": {"options": ["Tue", "Thu"], "expires_in": 3600,
                            "multiple": true, "hide_totals": true}}),
        )
        .await;
    assert_eq!(code, 200, "{hidden}");
    let hid = hidden["id"].as_str().unwrap().to_owned();
    assert_eq!(hidden["poll"]["multiple"], true);
    let (code, v) = vote(&app, &hid, &carol, json!([0, 1])).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["own_votes"], json!([0, 1]));
    // Totals stay hidden from everyone until the end, the author included.
    for token in [&alice, &bob, &carol] {
        let (_, p) = poll_of(&app, &hid, Some(token)).await;
        assert_eq!(p["options"][0]["votes_count"], Value::Null, "{p}");
        assert_eq!(p["voters_count"], 1);
    }

    // The author reads everything there is about the polls: no voter in any answer.
    for path in [
        format!("/api/v1/polls/{id}"),
        format!("/api/v1/polls/{hid}"),
        format!("/api/v1/statuses/{id}"),
        format!("/api/v1/statuses/{id}/context"),
        "/api/v1/notifications".to_owned(),
        "/api/v1/timelines/home".to_owned(),
    ] {
        let (code, v) = app.get_json(&path, Some(&alice)).await;
        assert_eq!(code, 200, "{path}: {v}");
        let text = v.to_string();
        for who in [&bob_id, &carol_id] {
            assert!(
                !text.contains(&format!("\"{who}\"")),
                "{path} names a voter: {text}"
            );
        }
        assert!(
            !text.contains("\"bob\"") && !text.contains("\"carol\""),
            "{path}"
        );
    }

    // Ended: no more votes, the totals show, and the author and voters are told once.
    end_poll(&app, &hid).await;
    end_poll(&app, &id).await;
    let (code, late) = vote(&app, &hid, &dave, json!([0])).await;
    assert_eq!(
        (code, late["error_code"].as_str()),
        (422, Some("poll_expired"))
    );
    let (_, p) = poll_of(&app, &hid, Some(&bob)).await;
    assert_eq!(p["expired"], true);
    assert_eq!(p["options"][0]["votes_count"], 1, "{p}");
    assert_eq!(p["options"][1]["votes_count"], 1);
    // Two passes of the job at once (two processes): each end is told once.
    let (a, b) = tokio::join!(
        kindred_api::services::polls::tell_ended(&app.state, Utc::now()),
        kindred_api::services::polls::tell_ended(&app.state, Utc::now()),
    );
    let told = a.unwrap() + b.unwrap();
    assert!(told >= 1, "the job told nothing");
    assert_eq!(
        kindred_api::services::polls::tell_ended(&app.state, Utc::now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(notices(&app, &alice, "poll").await.len(), 2);
    let bob_told = notices(&app, &bob, "poll").await;
    assert_eq!(bob_told.len(), 1);
    assert_eq!(bob_told[0]["status"]["id"], id.as_str());
    assert_eq!(notices(&app, &carol, "poll").await.len(), 1);
    // dave never voted: not told (judged after the others arrived).
    assert!(notices(&app, &dave, "poll").await.is_empty());
}

async fn a_poll_follows_its_posts_audience(backend: Backend) {
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
    let (mia, _) = app.member("mia").await;
    let (ben, _) = app.member("ben").await;
    let (olly, _) = app.member("olly").await;
    for t in [&mia, &ben] {
        app.post_ok(&format!("/api/v1/accounts/{gid}/follow"), t, json!({}))
            .await;
    }
    let (code, post) = app
        .post_json(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@peers how was your week?",
                   "poll": {"options": ["ok", "not ok"], "expires_in": 600}}),
        )
        .await;
    assert_eq!(code, 200, "{post}");
    let id = post["id"].as_str().unwrap().to_owned();
    // A public post's poll, for the positive control of the same requests.
    let public = app
        .post_status(
            &mia,
            json!({"status": "a public question", "visibility": "public",
                   "poll": {"options": ["a", "b"], "expires_in": 600}}),
        )
        .await;

    // Members see and vote.
    let (code, p) = poll_of(&app, &id, Some(&ben)).await;
    assert_eq!(code, 200, "{p}");
    let (code, v) = vote(&app, &id, &ben, json!([0])).await;
    assert_eq!(code, 200, "{v}");
    // An outsider and an anonymous reader: the discussion poll does not exist; the
    // public one does.
    let (code, _) = poll_of(&app, &public, Some(&olly)).await;
    assert_eq!(code, 200);
    let (code, _) = poll_of(&app, &public, None).await;
    assert_eq!(code, 200);
    let (code, v) = vote(&app, &public, &olly, json!([1])).await;
    assert_eq!(code, 200, "{v}");
    let (code, _) = poll_of(&app, &id, Some(&olly)).await;
    assert_eq!(code, 404);
    let (code, _) = poll_of(&app, &id, None).await;
    assert_eq!(code, 404);
    let (code, v) = vote(&app, &id, &olly, json!([1])).await;
    assert_eq!(code, 404, "{v}");
    let (_, p) = poll_of(&app, &id, Some(&ben)).await;
    assert_eq!(p["voters_count"], 1, "the outsider's vote counted: {p}");
    assert_eq!(p["options"][1]["votes_count"], 0);
}

async fn bad_polls_are_refused_and_store_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let cases = [
        (
            json!({"options": ["only one"], "expires_in": 600}),
            "poll_too_few_options",
        ),
        (
            json!({"options": ["a", "b", "c", "d", "e"], "expires_in": 600}),
            "poll_too_many_options",
        ),
        (
            json!({"options": ["a", "a"], "expires_in": 600}),
            "poll_duplicate_options",
        ),
        (
            json!({"options": ["a", ""], "expires_in": 600}),
            "poll_blank_option",
        ),
        (
            json!({"options": ["a", "x".repeat(51)], "expires_in": 600}),
            "poll_option_too_long",
        ),
        (json!({"options": ["a", "b"]}), "poll_expiry_missing"),
        (
            json!({"options": ["a", "b"], "expires_in": 60}),
            "poll_expiry_too_short",
        ),
        (
            json!({"options": ["a", "b"], "expires_in": 99_999_999}),
            "poll_expiry_too_long",
        ),
        (
            json!({"options": ["a", "b"], "expires_in": "soon"}),
            "invalid_poll",
        ),
        (json!({"options": "a b", "expires_in": 600}), "invalid_poll"),
        (json!(["a", "b"]), "invalid_poll"),
    ];
    for (poll, code) in cases {
        let (status, v) = app
            .post_json(
                "/api/v1/statuses",
                &alice,
                json!({"status": "question", "poll": poll}),
            )
            .await;
        assert_eq!(status, 422, "{poll}: {v}");
        assert_eq!(v["error_code"], code, "{poll}: {v}");
    }
    let (_, a) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}"), None)
        .await;
    assert_eq!(a["statuses_count"], 0, "a refused poll stored a status");
    // A poll on an id that is no status, or a status with no poll: 404.
    let plain = app.post_status(&alice, json!({"status": "no poll"})).await;
    for id in [plain.as_str(), "123", "nope"] {
        let (code, _) = poll_of(&app, id, Some(&alice)).await;
        assert_eq!(code, 404, "{id}");
    }
}
