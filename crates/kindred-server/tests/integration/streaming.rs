//! The streaming API over real WebSocket (and server-sent-event) connections. Privacy
//! first: to show that something does NOT arrive, a later visible "sentinel" post is
//! sent and must be the very next event.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kindred_domain::Role;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use crate::common::{assert_no_email, both_backends, spawn_app, spawn_app_with, Backend, TestApp};

both_backends!(
    home_and_public_streams_follow_visibility,
    direct_statuses_reach_only_the_mentioned,
    notifications_reach_only_their_owner,
    local_only_never_reaches_anonymous_streams,
    blocked_and_muted_authors_never_arrive,
    edits_deletes_and_boosts,
    refusals_and_bad_messages,
    revoked_tokens_close_the_stream,
    pending_accounts_cannot_stream,
    server_sent_events,
    list_streams_and_filters,
    group_posts_stream_to_members_only,
);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

fn request(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
) -> tungstenite::handshake::client::Request {
    let mut req = format!("ws://{}/api/v1/streaming{query}", app.domain)
        .into_client_request()
        .unwrap();
    if let Some(t) = token {
        req.headers_mut()
            .insert("Authorization", format!("Bearer {t}").parse().unwrap());
    }
    req
}

async fn connect(app: &TestApp, query: &str, token: Option<&str>) -> Ws {
    let (ws, resp) = connect_async(request(app, query, token))
        .await
        .expect("websocket connects");
    assert_eq!(resp.status(), 101);
    ws
}

/// The HTTP status of a refused handshake.
async fn refused(req: tungstenite::handshake::client::Request) -> (u16, Value) {
    match connect_async(req).await {
        Err(tungstenite::Error::Http(resp)) => {
            let body = resp.body().clone().unwrap_or_default();
            (
                resp.status().as_u16(),
                serde_json::from_slice(&body).unwrap_or(Value::Null),
            )
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the handshake was accepted"),
    }
}

/// The next event (or error message) as JSON; pings are skipped.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = timeout(WAIT, ws.next())
            .await
            .expect("a message within the wait")
            .expect("the socket is open")
            .expect("a valid frame");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

fn payload(event: &Value) -> Value {
    serde_json::from_str(event["payload"].as_str().unwrap()).unwrap()
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Subscribes, then waits until the server has handled it: client messages are
/// handled in order, so the error answer to a bad message marks the point.
async fn subscribe(ws: &mut Ws, v: Value) {
    send(ws, v).await;
    send(ws, json!({"type": "barrier"})).await;
    let answer = next(ws).await;
    assert_eq!(answer["status"], 400, "{answer}");
}

/// The next event must be an `update` of this status on these streams.
async fn expect_update(ws: &mut Ws, id: &str, streams: &[Value]) {
    for stream in streams {
        let ev = next(ws).await;
        assert_eq!(ev["event"], "update", "{ev}");
        assert_eq!(&ev["stream"], stream, "{ev}");
        assert_eq!(payload(&ev)["id"], id, "{ev}");
    }
}

async fn follow(app: &TestApp, token: &str, id: &str) {
    let (status, _) = app
        .post_json(&format!("/api/v1/accounts/{id}/follow"), token, json!({}))
        .await;
    assert_eq!(status, 200);
}

async fn home_and_public_streams_follow_visibility(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    follow(&app, &bob, &alice_id).await;
    let mut bob_user = connect(&app, "?stream=user", Some(&bob)).await;
    let mut carol_user = connect(&app, "?stream=user", Some(&carol)).await;
    // One multiplexed socket for carol's public streams.
    let mut carol_public = connect(&app, "", Some(&carol)).await;
    for sub in [
        json!({"type": "subscribe", "stream": "public"}),
        json!({"type": "subscribe", "stream": "public:local"}),
        json!({"type": "subscribe", "stream": "hashtag", "tag": "Calm"}),
        json!({"type": "subscribe", "stream": "hashtag:local", "tag": "calm"}),
    ] {
        subscribe(&mut carol_public, sub).await;
    }

    let private = app
        .post_status(
            &alice,
            json!({"status": "only for my followers #calm", "visibility": "private"}),
        )
        .await;
    let unlisted = app
        .post_status(
            &alice,
            json!({"status": "quietly #calm", "visibility": "unlisted"}),
        )
        .await;
    // The follower sees both on the home stream, as the home timeline would.
    let ev = next(&mut bob_user).await;
    assert_eq!(ev["stream"], json!(["user"]));
    assert_eq!(ev["event"], "update");
    let status = payload(&ev);
    assert_eq!(status["id"], private.as_str());
    assert_eq!(status["visibility"], "private");
    assert!(status["content"]
        .as_str()
        .unwrap()
        .contains("only for my followers"));
    assert_eq!(status["account"]["id"], alice_id.as_str());
    expect_update(&mut bob_user, &unlisted, &[json!(["user"])]).await;

    // A non-follower: neither on public, local, hashtag streams nor at home. The
    // sentinel is the next thing each of carol's sockets hears.
    let sentinel = app
        .post_status(
            &alice,
            json!({"status": "hello all #calm", "visibility": "public"}),
        )
        .await;
    expect_update(
        &mut carol_public,
        &sentinel,
        &[
            json!(["public"]),
            json!(["public:local"]),
            json!(["hashtag", "calm"]),
            json!(["hashtag:local", "calm"]),
        ],
    )
    .await;
    let own = app
        .post_status(
            &carol,
            json!({"status": "carol's own", "visibility": "private"}),
        )
        .await;
    expect_update(&mut carol_user, &own, &[json!(["user"])]).await;
    expect_update(&mut bob_user, &sentinel, &[json!(["user"])]).await;

    // Unsubscribing stops a stream; the others go on.
    subscribe(
        &mut carol_public,
        json!({"type": "unsubscribe", "stream": "public"}),
    )
    .await;
    subscribe(
        &mut carol_public,
        json!({"type": "unsubscribe", "stream": "hashtag", "tag": "calm"}),
    )
    .await;
    subscribe(
        &mut carol_public,
        json!({"type": "unsubscribe", "stream": "hashtag:local", "tag": "calm"}),
    )
    .await;
    let later = app
        .post_status(
            &alice,
            json!({"status": "later #calm", "visibility": "public"}),
        )
        .await;
    expect_update(&mut carol_public, &later, &[json!(["public:local"])]).await;
    // public:remote carries no local status. Judged on one socket that also
    // carries public:local: events reach a socket in the order of their statuses,
    // so once a later status (the barrier) has arrived on public:local, anything
    // public:remote would have carried of the earlier one has arrived too.
    let mut remote = connect(&app, "?stream=public:remote", Some(&carol)).await;
    subscribe(
        &mut remote,
        json!({"type": "subscribe", "stream": "public:local"}),
    )
    .await;
    let again = app
        .post_status(
            &alice,
            json!({"status": "local again", "visibility": "public"}),
        )
        .await;
    let barrier = app
        .post_status(
            &alice,
            json!({"status": "the barrier", "visibility": "public"}),
        )
        .await;
    // Positive control: both arrive on public:local, in order.
    expect_update(&mut remote, &again, &[json!(["public:local"])]).await;
    expect_update(&mut remote, &barrier, &[json!(["public:local"])]).await;
}

async fn direct_statuses_reach_only_the_mentioned(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    // carol follows alice, yet a direct status to bob is not hers to see.
    follow(&app, &carol, &alice_id).await;
    let mut bob_user = connect(&app, "?stream=user", Some(&bob)).await;
    let mut carol_user = connect(&app, "?stream=user", Some(&carol)).await;
    let mut carol_notes = connect(&app, "?stream=user:notification", Some(&carol)).await;
    let direct = app
        .post_status(
            &alice,
            json!({"status": "@bob just between us", "visibility": "direct"}),
        )
        .await;
    let ev = next(&mut bob_user).await;
    assert_eq!(ev["event"], "notification", "{ev}");
    assert_eq!(ev["stream"], json!(["user"]));
    let note = payload(&ev);
    assert_eq!(note["type"], "mention");
    assert_eq!(note["status"]["id"], direct.as_str());
    assert_eq!(note["status"]["visibility"], "direct");

    let sentinel = app
        .post_status(
            &alice,
            json!({"status": "@carol followers only", "visibility": "private"}),
        )
        .await;
    expect_update(&mut carol_user, &sentinel, &[json!(["user"])]).await;
    let ev = next(&mut carol_user).await;
    assert_eq!(ev["event"], "notification");
    assert_eq!(payload(&ev)["status"]["id"], sentinel.as_str());
    let ev = next(&mut carol_notes).await;
    assert_eq!(ev["stream"], json!(["user:notification"]));
    assert_eq!(payload(&ev)["status"]["id"], sentinel.as_str());
}

async fn notifications_reach_only_their_owner(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    app.create_user(
        "erin",
        "erin's password",
        Some("erin@example.org"),
        Role::Member,
    )
    .await;
    let erin = app.login("erin", "erin's password").await;
    let (bob, bob_id) = app.member("bob").await;
    let mut bob_notes = connect(&app, "?stream=user:notification", Some(&bob)).await;
    let mut erin_notes = connect(&app, "?stream=user:notification", Some(&erin)).await;
    let bobs = app
        .post_status(
            &bob,
            json!({"status": "bob's news", "visibility": "public"}),
        )
        .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{bobs}/favourite"),
            &erin,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let ev = next(&mut bob_notes).await;
    let note = payload(&ev);
    assert_eq!(note["type"], "favourite");
    assert_eq!(note["status"]["id"], bobs.as_str());
    assert_no_email(&ev, "erin@example.org");
    // erin's own favourite is nothing to erin; the next thing erin hears is a follow.
    follow(&app, &alice, &bob_id).await;
    let ev = next(&mut bob_notes).await;
    assert_eq!(payload(&ev)["type"], "follow");
    assert_eq!(payload(&ev)["account"]["id"], alice_id.as_str());
    let erin_id = {
        let (_, me) = app
            .get_json("/api/v1/accounts/verify_credentials", Some(&erin))
            .await;
        me["id"].as_str().unwrap().to_owned()
    };
    follow(&app, &alice, &erin_id).await;
    let ev = next(&mut erin_notes).await;
    assert_eq!(payload(&ev)["type"], "follow");
    assert_eq!(payload(&ev)["account"]["id"], alice_id.as_str());
    assert_no_email(&ev, "erin@example.org");
    // Statuses never reach user:notification; the next event is the boost's notice.
    app.post_status(&alice, json!({"status": "plain", "visibility": "public"}))
        .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{bobs}/reblog"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let ev = next(&mut bob_notes).await;
    assert_eq!(ev["event"], "notification");
    assert_eq!(payload(&ev)["type"], "reblog");
}

async fn local_only_never_reaches_anonymous_streams(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        &[("KINDRED__INSTANCE__PUBLIC_TIMELINE_PREVIEW", "true")],
    )
    .await
    else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let mut anon = connect(&app, "?stream=public:local", None).await;
    let mut anon_tag = connect(&app, "?stream=hashtag&tag=news", None).await;
    let mut member = connect(&app, "?stream=public:local", Some(&bob)).await;
    // Anonymous sockets may not reach a member's circle.
    send(&mut anon, json!({"type": "subscribe", "stream": "user"})).await;
    let err = next(&mut anon).await;
    assert_eq!(err["status"], 401, "{err}");
    let members_only = app
        .post_status(
            &alice,
            json!({"status": "members only #news", "visibility": "local"}),
        )
        .await;
    expect_update(&mut member, &members_only, &[json!(["public:local"])]).await;
    let sentinel = app
        .post_status(
            &alice,
            json!({"status": "for everyone #news", "visibility": "public"}),
        )
        .await;
    expect_update(&mut anon, &sentinel, &[json!(["public:local"])]).await;
    expect_update(&mut anon_tag, &sentinel, &[json!(["hashtag", "news"])]).await;
    expect_update(&mut member, &sentinel, &[json!(["public:local"])]).await;
    // The deletion of a local-only status is not announced to anonymous streams.
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{members_only}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let ev = next(&mut member).await;
    assert_eq!(ev["event"], "delete");
    assert_eq!(ev["payload"], members_only.as_str());
    let sentinel = app
        .post_status(
            &alice,
            json!({"status": "again #news", "visibility": "public"}),
        )
        .await;
    expect_update(&mut anon, &sentinel, &[json!(["public:local"])]).await;
}

async fn blocked_and_muted_authors_never_arrive(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    let (dave, dave_id) = app.member("dave").await;
    // bob follows everyone, then alice blocks bob and bob mutes dave.
    for id in [&alice_id, &carol_id, &dave_id] {
        follow(&app, &bob, id).await;
    }
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/block"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_json(&format!("/api/v1/accounts/{dave_id}/mute"), &bob, json!({}))
        .await;
    assert_eq!(status, 200);
    let mut bob_user = connect(&app, "?stream=user", Some(&bob)).await;
    let mut bob_public = connect(&app, "?stream=public", Some(&bob)).await;
    subscribe(
        &mut bob_public,
        json!({"type": "subscribe", "stream": "hashtag", "tag": "x"}),
    )
    .await;
    let mut bob_notes = connect(&app, "?stream=user:notification", Some(&bob)).await;
    app.post_status(
        &alice,
        json!({"status": "@bob not for you #x", "visibility": "public"}),
    )
    .await;
    app.post_status(
        &dave,
        json!({"status": "@bob muted #x", "visibility": "public"}),
    )
    .await;
    // carol boosts dave: a boost of a muted account is left out of home, too.
    let daves = app
        .post_status(
            &dave,
            json!({"status": "worth sharing", "visibility": "public"}),
        )
        .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{daves}/reblog"),
            &carol,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let sentinel = app
        .post_status(
            &carol,
            json!({"status": "@bob hi #x", "visibility": "public"}),
        )
        .await;
    expect_update(&mut bob_user, &sentinel, &[json!(["user"])]).await;
    expect_update(
        &mut bob_public,
        &sentinel,
        &[json!(["public"]), json!(["hashtag", "x"])],
    )
    .await;
    let ev = next(&mut bob_notes).await;
    assert_eq!(payload(&ev)["status"]["id"], sentinel.as_str());
    // A block made while the stream is open takes effect at once.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{carol_id}/block"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    app.post_status(
        &carol,
        json!({"status": "after the block #x", "visibility": "public"}),
    )
    .await;
    let bob_is_fine = app
        .post_status(&bob, json!({"status": "bob #x", "visibility": "public"}))
        .await;
    expect_update(
        &mut bob_public,
        &bob_is_fine,
        &[json!(["public"]), json!(["hashtag", "x"])],
    )
    .await;
}

async fn edits_deletes_and_boosts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    follow(&app, &bob, &alice_id).await;
    follow(&app, &carol, &bob_id).await;
    let mut bob_user = connect(&app, "?stream=user", Some(&bob)).await;
    let mut carol_user = connect(&app, "?stream=user", Some(&carol)).await;
    let mut public = connect(&app, "?stream=public", Some(&carol)).await;
    let id = app
        .post_status(
            &alice,
            json!({"status": "first draft", "visibility": "public"}),
        )
        .await;
    expect_update(&mut bob_user, &id, &[json!(["user"])]).await;
    expect_update(&mut public, &id, &[json!(["public"])]).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({"status": "second draft"}),
        )
        .await;
    assert_eq!(status, 200);
    let ev = next(&mut bob_user).await;
    assert_eq!(ev["event"], "status.update");
    assert!(payload(&ev)["content"]
        .as_str()
        .unwrap()
        .contains("second draft"));
    assert_eq!(next(&mut public).await["event"], "status.update");
    // bob boosts it: carol, who follows bob, sees the boost at home.
    let (status, boost) = app
        .post_json(&format!("/api/v1/statuses/{id}/reblog"), &bob, json!({}))
        .await;
    assert_eq!(status, 200);
    let boost_id = boost["id"].as_str().unwrap().to_owned();
    let ev = next(&mut carol_user).await;
    assert_eq!(ev["event"], "update");
    assert_eq!(payload(&ev)["id"], boost_id.as_str());
    assert_eq!(payload(&ev)["reblog"]["id"], id.as_str());
    // bob's own boost is in his home too
    expect_update(&mut bob_user, &boost_id, &[json!(["user"])]).await;
    let (status, _) = app
        .post_json(&format!("/api/v1/statuses/{id}/unreblog"), &bob, json!({}))
        .await;
    assert_eq!(status, 200);
    let ev = next(&mut carol_user).await;
    assert_eq!(ev["event"], "delete");
    assert_eq!(ev["payload"], boost_id.as_str());
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    for ws in [&mut bob_user, &mut public] {
        // bob_user also heard of his own boost's removal first
        let mut ev = next(ws).await;
        if ev["payload"] == boost_id.as_str() {
            ev = next(ws).await;
        }
        assert_eq!(ev["event"], "delete", "{ev}");
        assert_eq!(ev["payload"], id.as_str());
    }
}

async fn refusals_and_bad_messages(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (bob, _) = app.member("bob").await;
    // health
    let resp = app
        .client
        .get(app.url("/api/v1/streaming/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(resp.text().await.unwrap(), "OK");
    // a plain GET is not a stream: "same host", as Mastodon's discovery expects
    assert_eq!(app.get_json("/api/v1/streaming", Some(&bob)).await.0, 404);

    // bad tokens are refused before the upgrade, however they come
    let (status, body) = refused(request(&app, "?stream=user", Some("not-a-token"))).await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
    assert_eq!(
        refused(request(&app, "?stream=public&access_token=nope", None))
            .await
            .0,
        401
    );
    let mut req = request(&app, "?stream=user", None);
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "nope".parse().unwrap());
    assert_eq!(refused(req).await.0, 401);
    // no token at all: nothing to stream without public_timeline_preview
    assert_eq!(refused(request(&app, "", None)).await.0, 401);
    assert_eq!(refused(request(&app, "?stream=public", None)).await.0, 401);
    // unknown streams, a hashtag without a tag, a list without its id
    let (status, body) = refused(request(&app, "?stream=bogus", Some(&bob))).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Unknown stream type");
    assert_eq!(
        refused(request(&app, "?stream=hashtag", Some(&bob)))
            .await
            .0,
        400
    );
    assert_eq!(
        refused(request(&app, "?stream=list&list=x", Some(&bob)))
            .await
            .0,
        400
    );
    // a token without the read scope
    let c = app.register_app("write", "urn:ietf:wg:oauth:2.0:oob").await;
    let v: Value = app
        .password_token(&c, "bob", "bob's password", "write")
        .await
        .json()
        .await
        .unwrap();
    let write_only = v["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        refused(request(&app, "?stream=user", Some(&write_only)))
            .await
            .0,
        403
    );

    // the token as query parameter and as sub-protocol (echoed, as browsers require)
    let mut ws = connect(&app, &format!("?stream=user&access_token={bob}"), None).await;
    let mut req = request(&app, "?stream=user", None);
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", bob.parse().unwrap());
    let (mut by_protocol, resp) = connect_async(req).await.expect("protocol token");
    assert_eq!(resp.headers()["sec-websocket-protocol"], bob.as_str());

    // bad messages get an error and the socket stays up
    for (msg, status) in [
        (json!("not an object"), 400),
        (json!({"type": "subscribe", "stream": "nope"}), 400),
        (json!({"type": "subscribe", "stream": "hashtag"}), 400),
        (json!({"type": "subscribe", "stream": "list"}), 400),
        (json!({"type": "dance", "stream": "user"}), 400),
    ] {
        send(&mut ws, msg.clone()).await;
        let err = next(&mut ws).await;
        assert_eq!(err["status"], status, "{msg} -> {err}");
        assert!(err["error"].is_string());
    }
    ws.send(Message::Text("{".into())).await.unwrap();
    assert_eq!(next(&mut ws).await["status"], 400);
    let list = {
        send(
            &mut ws,
            json!({"type": "subscribe", "stream": "list", "list": "not a number"}),
        )
        .await;
        next(&mut ws).await
    };
    assert!(list["error"].as_str().unwrap().contains("list"));
    let id = app
        .post_status(
            &bob,
            json!({"status": "still here", "visibility": "private"}),
        )
        .await;
    expect_update(&mut ws, &id, &[json!(["user"])]).await;
    expect_update(&mut by_protocol, &id, &[json!(["user"])]).await;

    // at most 8 streams per token
    let mut more = Vec::new();
    for _ in 0..6 {
        more.push(connect(&app, "?stream=user", Some(&bob)).await);
    }
    let (status, body) = refused(request(&app, "?stream=user", Some(&bob))).await;
    assert_eq!(status, 429);
    assert!(body["error"].is_string());
    // closing one frees its place
    let mut one = more.pop().unwrap();
    one.close(None).await.unwrap();
    drop(one);
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok((ws, _)) = connect_async(request(&app, "?stream=user", Some(&bob))).await {
            reopened = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "a place came free");
}

async fn revoked_tokens_close_the_stream(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    app.create_user("bob", "bob's long password", None, Role::Member)
        .await;
    let v: Value = app
        .password_token(&c, "bob", "bob's long password", "read")
        .await
        .json()
        .await
        .unwrap();
    let bob = v["access_token"].as_str().unwrap().to_owned();
    let mut ws = connect(&app, "?stream=public", Some(&bob)).await;
    let first = app
        .post_status(&alice, json!({"status": "one", "visibility": "public"}))
        .await;
    expect_update(&mut ws, &first, &[json!(["public"])]).await;
    let resp = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("token", bob.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    app.post_status(&alice, json!({"status": "two", "visibility": "public"}))
        .await;
    // The next event finds the token gone: a close frame, never the status.
    loop {
        match timeout(WAIT, ws.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(frame))) => {
                let frame = frame.expect("a close reason");
                assert_eq!(u16::from(frame.code), 1008);
                break;
            }
            Some(Ok(Message::Ping(_))) => continue,
            None | Some(Err(_)) => break,
            Some(Ok(other)) => panic!("unexpected {other:?}"),
        }
    }
}

async fn pending_accounts_cannot_stream(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "approval")]).await
    else {
        return;
    };
    let c = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let v: Value = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app_token = v["access_token"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post_json(
            "/api/v1/accounts",
            &app_token,
            json!({"username": "hazel", "password": "hazel's password", "agreement": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let pending = body["access_token"].as_str().unwrap().to_owned();
    for stream in ["user", "public"] {
        let (status, body) =
            refused(request(&app, &format!("?stream={stream}"), Some(&pending))).await;
        assert_eq!(status, 403, "{stream}");
        assert!(body["error"].as_str().unwrap().contains("pending approval"));
    }
    // an app token has no user: no user stream, and no public one without preview
    assert_eq!(
        refused(request(&app, "?stream=user", Some(&app_token)))
            .await
            .0,
        401
    );
    assert_eq!(
        refused(request(&app, "?stream=public", Some(&app_token)))
            .await
            .0,
        401
    );
}

/// Reads a server-sent-event body until an event with this name arrives.
async fn next_sse(resp: &mut reqwest::Response, buf: &mut String) -> (String, String) {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut event = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = Some(e.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = Some(d.to_owned());
                }
            }
            if let (Some(e), Some(d)) = (event, data) {
                return (e, d);
            }
            continue;
        }
        let chunk = timeout(WAIT, resp.chunk())
            .await
            .expect("data in time")
            .unwrap()
            .expect("the stream is open");
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        // Comment lines (heartbeats) end with a single newline; drop them.
        while buf.starts_with(':') {
            match buf.find('\n') {
                Some(i) => {
                    buf.drain(..=i);
                }
                None => break,
            }
        }
    }
}

async fn server_sent_events(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    follow(&app, &bob, &alice_id).await;
    let open = |path: &str, token: &str| app.client.get(app.url(path)).bearer_auth(token).send();
    let mut bob_user = open("/api/v1/streaming/user", &bob).await.unwrap();
    assert_eq!(bob_user.status(), 200);
    assert!(bob_user.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut carol_tag = open("/api/v1/streaming/hashtag/local?tag=calm", &carol)
        .await
        .unwrap();
    assert_eq!(carol_tag.status(), 200);
    let bad = open("/api/v1/streaming/nope", &bob).await.unwrap();
    assert_eq!(bad.status(), 400);
    let unauthorized = app
        .client
        .get(app.url("/api/v1/streaming/user"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);

    let private = app
        .post_status(
            &alice,
            json!({"status": "followers #calm", "visibility": "private"}),
        )
        .await;
    let public = app
        .post_status(
            &alice,
            json!({"status": "everyone #calm", "visibility": "public"}),
        )
        .await;
    let (mut b, mut c) = (String::new(), String::new());
    let (event, data) = next_sse(&mut bob_user, &mut b).await;
    assert_eq!(event, "update");
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap()["id"],
        private.as_str()
    );
    let (_, data) = next_sse(&mut bob_user, &mut b).await;
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap()["id"],
        public.as_str()
    );
    // the private status never reached carol's hashtag stream
    let (event, data) = next_sse(&mut carol_tag, &mut c).await;
    assert_eq!(event, "update");
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap()["id"],
        public.as_str()
    );
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{public}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        next_sse(&mut carol_tag, &mut c).await,
        ("delete".to_owned(), public.clone())
    );
    // A client that goes away gives its place back (seen at the next heartbeat).
    assert_eq!(app.state.streaming.open_streams(), 2);
    drop(bob_user);
    let started = std::time::Instant::now();
    while app.state.streaming.open_streams() > 1 {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the stream was not released"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn list_streams_and_filters(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, alice_id) = app.member("alice").await;
    let (bob, bob_id) = app.member("bob").await;
    let (carol, carol_id) = app.member("carol").await;
    let (mallory, _) = app.member("mallory").await;
    follow(&app, &alice, &bob_id).await;
    follow(&app, &alice, &carol_id).await;
    let (_, list) = app
        .post_json("/api/v1/lists", &alice, json!({"title": "bob"}))
        .await;
    let list_id = list["id"].as_str().unwrap().to_owned();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/lists/{list_id}/accounts"),
            &alice,
            json!({"account_ids": [bob_id]}),
        )
        .await;
    assert_eq!(s, 200);
    // A hide filter on the home context applies to the list stream; a warn filter on
    // the user stream marks the event.
    let (s, _) = app
        .post_json(
            "/api/v2/filters",
            &alice,
            json!({"title": "h", "context": ["home"], "filter_action": "hide", "keywords_attributes": [{"keyword": "relapse"}]}),
        )
        .await;
    assert_eq!(s, 200);

    let mut ws = connect(&app, "", Some(&alice)).await;
    subscribe(
        &mut ws,
        json!({"type": "subscribe", "stream": "list", "list": list_id}),
    )
    .await;
    // Someone else's list admits nothing, silently.
    let mut spy = connect(&app, "", Some(&mallory)).await;
    subscribe(
        &mut spy,
        json!({"type": "subscribe", "stream": "list", "list": list_id}),
    )
    .await;
    send(&mut ws, json!({"type": "subscribe", "stream": "list"})).await;
    assert_eq!(
        next(&mut ws).await["status"],
        400,
        "a list stream needs the list id"
    );

    app.post_status(
        &carol,
        json!({"status": "carol is not in the list", "visibility": "public"}),
    )
    .await;
    app.post_status(
        &bob,
        json!({"status": "thinking about relapse", "visibility": "private"}),
    )
    .await;
    let sentinel = app
        .post_status(
            &bob,
            json!({"status": "bob, followers only", "visibility": "private"}),
        )
        .await;
    let ev = next(&mut ws).await;
    assert_eq!(ev["event"], "update", "{ev}");
    assert_eq!(ev["stream"], json!(["list", list_id]), "{ev}");
    assert_eq!(
        payload(&ev)["id"],
        sentinel.as_str(),
        "carol's and the hidden post never came"
    );

    // Mallory's socket stayed silent: her next event is her own post on her own stream.
    subscribe(&mut spy, json!({"type": "subscribe", "stream": "user"})).await;
    let own = app
        .post_status(&mallory, json!({"status": "mine", "visibility": "public"}))
        .await;
    let ev = next(&mut spy).await;
    assert_eq!(ev["stream"], json!(["user"]), "{ev}");
    assert_eq!(payload(&ev)["id"], own.as_str());
    let _ = alice_id;
}

/// A group discussion post reaches members' `user` streams and nothing else: not a
/// follower of the author who is not a member, not the public streams.
async fn group_posts_stream_to_members_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "fran",
        "fran's password",
        None,
        kindred_domain::Role::Facilitator,
    )
    .await;
    let fran = app.login("fran", "fran's password").await;
    let (mia, mia_id) = app.member("mia").await;
    let (olly, _) = app.member("olly").await;
    let (status, group) = app
        .post_json(
            "/api/v1/groups",
            &fran,
            json!({"username": "peers", "display_name": "Peers", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{group}");
    let gid = group["id"].as_str().unwrap().to_owned();
    follow(&app, &mia, &gid).await;
    follow(&app, &olly, &mia_id).await;
    let mut fran_user = connect(&app, "?stream=user", Some(&fran)).await;
    let mut olly_user = connect(&app, "?stream=user", Some(&olly)).await;
    let mut olly_local = connect(&app, "?stream=public:local", Some(&olly)).await;
    let mut olly_public = connect(&app, "?stream=public", Some(&olly)).await;
    let discussion = app
        .post_status(
            &mia,
            json!({"status": "@peers only for you all", "visibility": "public"}),
        )
        .await;
    expect_update(&mut fran_user, &discussion, &[json!(["user"])]).await;
    let sentinel = app
        .post_status(
            &mia,
            json!({"status": "hello everyone", "visibility": "public"}),
        )
        .await;
    // The first thing each of olly's streams carries is the public sentinel.
    expect_update(&mut olly_user, &sentinel, &[json!(["user"])]).await;
    expect_update(&mut olly_local, &sentinel, &[json!(["public:local"])]).await;
    expect_update(&mut olly_public, &sentinel, &[json!(["public"])]).await;
}
