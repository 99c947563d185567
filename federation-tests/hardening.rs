//! Issue 21, item 8: the smaller holes at the federation edges, each tried between
//! real instances. A signed request meant for another server is refused (its `Host`
//! is not ours); an unsigned caller cannot tell which activity ids were seen; a
//! redirect from an allowed server never leads a fetch to a blocked one; a deleted
//! status's queued `Create`/`Update` (and a group's relays of them) are withdrawn
//! before anything sends them.

use std::time::{Duration, SystemTime};

use diesel::prelude::*;
use kindred_db::models::{deliveries as deliveries_model, delivery_worker, outbound};
use kindred_db::schema::deliveries;
use kindred_domain::Role;
use kindred_federation::delivery::{DeliveryConfig, DeliveryWorker};
use kindred_federation::http::HttpPolicy;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::groups::{create_group, Remote};
use crate::receiver::Receiver;
use crate::support::{
    backlog, count_from, counts, deliver, eventually, instance, instance_with, instances,
    member_signer, resolve, send, sign_post, NO_WORKER, PUBLIC,
};

both_backends!(
    requests_for_another_host_are_refused,
    seen_ids_are_not_told_to_unsigned_callers,
    redirects_to_a_blocked_domain_are_not_followed,
    deleting_a_status_withdraws_its_queued_copies,
    deleting_withdraws_a_groups_queued_relays,
);

fn note(id: &str, author: &str, content: &str) -> Value {
    json!({
        "id": id,
        "type": "Note",
        "attributedTo": author,
        "to": [PUBLIC],
        "cc": [],
        "content": content,
        "published": "2026-11-20T10:00:00Z",
    })
}

fn activity(id: &str, kind: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "object": object,
    })
}

/// A request M signed for another server (`Host: kindred.example`), replayed to T
/// with that `Host`: the signature verifies over what was sent, but it was never
/// meant for T.
async fn requests_for_another_host_are_refused(backend: Backend) {
    let Some([t, m]) = instances(backend, 2)
        .await
        .map(|v| <[TestApp; 2]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    m.member("mallory").await;
    let mallory = m.url("/users/mallory");
    let create = activity(
        &format!("{mallory}#host/create"),
        "Create",
        &mallory,
        note(&format!("{mallory}/notes/host"), &mallory, "<p>hello</p>"),
    );
    let body = serde_json::to_vec(&create).unwrap();
    let signer = member_signer(&m, "mallory");
    let elsewhere = "kindred.example";
    let url = url::Url::parse(&format!("http://{elsewhere}/inbox")).unwrap();
    let headers = signer
        .sign("POST", &url, Some(&body), SystemTime::now())
        .unwrap();
    let before = counts(&t);
    let mut req = t
        .client
        .post(t.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(body.clone());
    for (k, v) in headers.pairs() {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        (status, v["error_code"].as_str()),
        (401, Some("host_mismatch")),
        "{v}"
    );
    assert_eq!(counts(&t), before, "a refusal changes nothing");
    // Positive control: the same activity signed for T is taken.
    let s = sign_post(&t, "/inbox", &signer, body, SystemTime::now());
    let (status, v) = send(&t, "/inbox", &s).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("accepted")),
        "{v}"
    );
}

/// An unsigned (forged) request for an activity id T has processed is answered as
/// one for an id T never saw: the answer says nothing about what T received.
async fn seen_ids_are_not_told_to_unsigned_callers(backend: Backend) {
    let Some([t, m]) = instances(backend, 2)
        .await
        .map(|v| <[TestApp; 2]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = t.member("alice").await;
    m.member("mallory").await;
    let alice_status = t
        .post_status(&alice, json!({ "status": "mine", "visibility": "public" }))
        .await;
    let alice_uri = t.url(&format!("/users/alice/statuses/{alice_status}"));
    let mallory = m.url("/users/mallory");
    let signer = member_signer(&m, "mallory");
    // A `Create` (de-duplicated where it is stored) and a `Like` (before processing).
    let seen = [
        activity(
            &format!("{mallory}#seen/create"),
            "Create",
            &mallory,
            note(&format!("{mallory}/notes/seen"), &mallory, "<p>seen</p>"),
        ),
        activity(
            &format!("{mallory}#seen/like"),
            "Like",
            &mallory,
            json!(alice_uri),
        ),
    ];
    for a in &seen {
        let (status, v) = deliver(&t, &signer, a).await;
        assert_eq!(
            (status, v["status"].as_str()),
            (202, Some("accepted")),
            "{v}"
        );
    }
    let forged = |a: &Value| {
        let mut s = sign_post(
            &t,
            "/inbox",
            &signer,
            serde_json::to_vec(a).unwrap(),
            SystemTime::now(),
        );
        let sig = s.header("signature");
        let start = sig.find("signature=\"").unwrap() + "signature=\"".len();
        sig.replace_range(start..start + 8, "AAAAAAAA");
        s
    };
    for a in &seen {
        let mut unseen = a.clone();
        unseen["id"] = json!(format!("{}-never", a["id"].as_str().unwrap()));
        let answer_unseen = send(&t, "/inbox", &forged(&unseen)).await;
        assert_eq!(answer_unseen.0, 401, "{}", answer_unseen.1);
        let answer_seen = send(&t, "/inbox", &forged(a)).await;
        assert_eq!(answer_seen, answer_unseen, "{}", a["type"]);
        // Positive control: signed (a new signature: another Date), the seen id is
        // still absorbed as a duplicate.
        let again = sign_post(
            &t,
            "/inbox",
            &signer,
            serde_json::to_vec(a).unwrap(),
            SystemTime::now() - Duration::from_secs(7),
        );
        let (status, v) = send(&t, "/inbox", &again).await;
        assert_eq!(
            (status, v["status"].as_str()),
            (202, Some("duplicate")),
            "{v}"
        );
    }
}

/// An allowed server redirects T's fetch to a domain T blocks: the blocked server
/// is never asked. The same redirect to a domain T does not block is followed.
async fn redirects_to_a_blocked_domain_are_not_followed(backend: Backend) {
    let Some(t) = instance(backend).await else {
        return;
    };
    let admin = t
        .user_with_token("boss", Role::Admin, "read write admin:read admin:write")
        .await;
    let allowed = Receiver::start();
    let open = Receiver::start();
    let blocked = Receiver::start();
    let at = |r: &Receiver, path: &str| format!("http://localhost:{}{path}", r.port);
    let (s, v) = t
        .post_json(
            "/api/v1/admin/domain_blocks",
            &admin,
            json!({ "domain": format!("localhost:{}", blocked.port), "severity": "suspend" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    allowed.serve_redirect("/users/open", &at(&open, "/users/open"));
    allowed.serve_redirect("/users/closed", &at(&blocked, "/users/closed"));
    let search = |path: String| {
        let t = &t;
        let admin = &admin;
        async move {
            let q: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            t.get_json(&format!("/api/v2/search?resolve=true&q={q}"), Some(admin))
                .await
        }
    };
    let asked = |r: &Receiver, path: &str| r.requests().iter().filter(|q| q.path == path).count();
    // Positive control: the redirect to a server T does not block is followed.
    let (s, v) = search(at(&allowed, "/users/open")).await;
    assert_eq!(s, 200, "{v}");
    assert!(asked(&allowed, "/users/open") >= 1);
    assert!(
        asked(&open, "/users/open") >= 1,
        "the redirect was followed"
    );
    // The blocked server is never contacted, though the allowed one was asked.
    let (s, v) = search(at(&allowed, "/users/closed")).await;
    assert_eq!(s, 200, "{v}");
    assert!(asked(&allowed, "/users/closed") >= 1);
    assert!(blocked.requests().is_empty(), "{:?}", blocked.requests());
}

/// Rows of `app`'s delivery queue: activity id and body.
fn queued(app: &TestApp) -> Vec<(String, String)> {
    app.state
        .db
        .run_blocking(|c| {
            Ok(deliveries::table
                .order(deliveries::id.asc())
                .select((deliveries::activity_id, deliveries::body))
                .load::<(String, String)>(c)?)
        })
        .unwrap()
}

/// T's worker is off while alice posts, edits and deletes a status that bob on B
/// follows: the delete withdraws the queued `Create` and `Update` with their text,
/// and once T delivers, B receives the kept status and the `Delete` only.
async fn deleting_a_status_withdraws_its_queued_copies(backend: Backend) {
    let Some(t) = instance_with(backend, &[NO_WORKER]).await else {
        return;
    };
    let Some(b) = instance(backend).await else {
        return;
    };
    let (alice, alice_id) = t.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let at_b = resolve(&b, &bob, &format!("alice@{}", t.domain)).await;
    let (s, v) = b
        .post_json(&format!("/api/v1/accounts/{at_b}/follow"), &bob, json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    eventually("bob following alice at T", || async {
        let (_, f) = t
            .get_json(
                &format!("/api/v1/accounts/{alice_id}/followers"),
                Some(&alice),
            )
            .await;
        (f.as_array().is_some_and(|a| a.len() == 1)).then_some(())
    })
    .await;

    let kept = t
        .post_status(
            &alice,
            json!({ "status": "kept words", "visibility": "public" }),
        )
        .await;
    let gone = t
        .post_status(
            &alice,
            json!({ "status": "withdrawn words", "visibility": "public" }),
        )
        .await;
    let (s, v) = t
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{gone}"),
            Some(&alice),
            json!({ "status": "withdrawn words, edited" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let gone_uri = t.url(&format!("/users/alice/statuses/{gone}"));
    // Positive control: the text waits in the queue, in a Create and an Update.
    let rows = queued(&t);
    let with_text = |rows: &[(String, String)]| {
        rows.iter()
            .filter(|(_, body)| body.contains("withdrawn words"))
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>()
    };
    let before = with_text(&rows);
    assert!(
        before
            .iter()
            .any(|id| id == &format!("{gone_uri}/activity"))
            && before
                .iter()
                .any(|id| id.starts_with(&format!("{gone_uri}#updates/"))),
        "{before:?}"
    );

    let (s, v) = t
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{gone}"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let rows = queued(&t);
    assert_eq!(with_text(&rows), Vec::<String>::new(), "{rows:?}");
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert!(
        ids.contains(&format!("{gone_uri}#delete").as_str()),
        "{ids:?}"
    );
    let kept_uri = t.url(&format!("/users/alice/statuses/{kept}"));
    assert!(
        ids.contains(&format!("{kept_uri}/activity").as_str()),
        "{ids:?}"
    );

    // T delivers now: B gets the kept status, and never the withdrawn words.
    let mut config = DeliveryConfig::new(
        HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        },
        "kindred-test".into(),
    );
    config.poll_interval = Duration::from_millis(100);
    let worker = DeliveryWorker::start(
        t.state.db.clone(),
        t.state.urls.clone(),
        &t.state.delivery,
        config,
    )
    .unwrap();
    eventually("T's queue delivered to B", || async {
        (backlog(&t).await == 0 && count_from(&b, &t).await == 1).then_some(())
    })
    .await;
    worker.shutdown().await;
    let (s, v) = b
        .get_json(&format!("/api/v1/accounts/{at_b}/statuses"), Some(&bob))
        .await;
    assert_eq!(s, 200, "{v}");
    let text = v.to_string();
    assert!(text.contains("kept words"), "{text}");
    assert!(!text.contains("withdrawn"), "{text}");
}

/// Ids of queued rows whose body contains `text`.
fn queued_with(rows: &[(String, String)], text: &str) -> Vec<String> {
    rows.iter()
        .filter(|(_, body)| body.contains(text))
        .map(|(id, _)| id.clone())
        .collect()
}

/// T's worker is off. T's public group has a follower on a Lemmy-like server (it
/// reads the group's wrapped `Announce`s); fran announces, mia replies publicly in
/// the announcement's thread, and both edit: the group's wrapped `Create` and
/// `Update` of each wait in the queue with their text. Deleting the reply withdraws
/// the group's thread relays of it (the reply is not a group post itself), and
/// deleting the announcement the group's relays of it; each `Delete` relay stays.
async fn deleting_withdraws_a_groups_queued_relays(backend: Backend) {
    let Some(t) = instance_with(backend, &[NO_WORKER]).await else {
        return;
    };
    t.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = t.login("fran", "fran's password").await;
    let (mia, _) = t.member("mia").await;
    let peers = create_group(&t, &fran, "peers", "public").await;
    let (s, v) = t
        .post_json(&format!("/api/v1/groups/{peers}/join"), &mia, json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let lem = Remote::start(Some("lemmy"));
    let (s, v) = lem.follow(&t, 1, "peers").await;
    assert_eq!(s, 202, "{v}");
    let follow_id = format!("{}/follows/1", lem.base);
    eventually("the group's Accept queued", || async {
        queued(&t)
            .iter()
            .any(|(_, body)| body.contains("\"Accept\"") && body.contains(&follow_id))
            .then_some(())
    })
    .await;
    // No worker, so no NodeInfo look-up: record what discovery would have found.
    let domain = lem.domain();
    let software = t
        .state
        .db
        .run_blocking(move |c| {
            let now = chrono::Utc::now().naive_utc();
            deliveries_model::ensure_instances(c, &[domain.as_str()], now)?;
            delivery_worker::set_software(c, &domain, "lemmy 0.19.5")?;
            outbound::software_of(c, &[domain])
        })
        .unwrap();
    assert_eq!(software.len(), 1, "{software:?}");

    let edit = |id: String, token: String, text: &'static str| {
        let t = &t;
        async move {
            let (s, v) = t
                .send_json(
                    reqwest::Method::PUT,
                    &format!("/api/v1/statuses/{id}"),
                    Some(&token),
                    json!({ "status": text }),
                )
                .await;
            assert_eq!(s, 200, "{v}");
        }
    };
    let delete = |id: String, token: String| {
        let t = &t;
        async move {
            let (s, v) = t
                .send_json(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/statuses/{id}"),
                    Some(&token),
                    json!({}),
                )
                .await;
            assert_eq!(s, 200, "{v}");
        }
    };
    let announcement = t
        .post_status(
            &fran,
            json!({ "status": "@peers announced words: a walk", "visibility": "public" }),
        )
        .await;
    edit(
        announcement.clone(),
        fran.clone(),
        "@peers announced words: a walk on Saturday",
    )
    .await;
    let reply = t
        .post_status(
            &mia,
            json!({ "status": "replied words: count me in", "in_reply_to_id": announcement,
                    "visibility": "public" }),
        )
        .await;
    edit(
        reply.clone(),
        mia.clone(),
        "replied words: count me in, with a friend",
    )
    .await;

    let relays = |id: &str| format!("{}#announces/{id}/", t.url("/users/peers"));
    // Positive control: the group's wrapped Create and Update of each, with the text.
    for (id, text) in [
        (&reply, "replied words"),
        (&announcement, "announced words"),
    ] {
        let ids = queued_with(&queued(&t), text);
        for kind in ["create", "update"] {
            assert!(
                ids.iter()
                    .any(|i| i.starts_with(&format!("{}{kind}/", relays(id)))),
                "{kind} of {text}: {ids:?}"
            );
        }
    }

    // The reply first (its thread is still there), then the announcement.
    for (id, token, text) in [
        (&reply, &mia, "replied words"),
        (&announcement, &fran, "announced words"),
    ] {
        delete(id.clone(), token.clone()).await;
        let rows = queued(&t);
        assert_eq!(
            queued_with(&rows, text),
            Vec::<String>::new(),
            "{text}: {rows:?}"
        );
        let delete_relay = format!("{}delete/", relays(id));
        assert!(
            rows.iter().any(|(i, _)| i.starts_with(&delete_relay)),
            "{rows:?}"
        );
    }
}
