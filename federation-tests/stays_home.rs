//! Scenario 5: a recording remote server follows a member of a Kindred instance and
//! records everything the instance sends it. Local-only posts, local-visibility
//! posts, direct messages to local members, followers-only posts of a member whose
//! followers are all local, and a boost of a local-only post never reach it; in the
//! same run the public and followers-only posts of the member it follows do, so the
//! recorder demonstrably receives what is sent.

use std::time::SystemTime;

use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::generate_keypair;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend};
use crate::receiver::Receiver;
use crate::support::{assert_logs_clean, drained, eventually, instance, send, sign_post};

fn posted_types(r: &Receiver) -> Vec<(String, String)> {
    r.requests()
        .iter()
        .filter(|q| q.method == "POST")
        .map(|q| {
            let v: Value = serde_json::from_str(&q.body).unwrap();
            (v["type"].as_str().unwrap_or("").to_owned(), q.body.clone())
        })
        .collect()
}

async fn nothing_confidential_leaves(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    // alice has an email address: it must appear in nothing that leaves.
    k.create_user(
        "alice",
        "alice's password",
        Some("alice@mail.test"),
        kindred_domain::Role::Member,
    )
    .await;
    let alice = k.login("alice", "alice's password").await;
    let (bob, bob_id) = k.member("bob").await;
    let (carol, _) = k.member("carol").await;

    // The recording remote, with an actor `rec` that follows alice.
    let r = Receiver::start();
    let base = format!("http://localhost:{}", r.port);
    let rec = format!("{base}/users/rec");
    let keys = generate_keypair().unwrap();
    r.serve_doc(
        "/users/rec",
        &json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": rec,
            "type": "Person",
            "preferredUsername": "rec",
            "inbox": format!("{rec}/inbox"),
            "outbox": format!("{rec}/outbox"),
            "followers": format!("{rec}/followers"),
            "endpoints": { "sharedInbox": format!("{base}/inbox") },
            "publicKey": { "id": format!("{rec}#main-key"), "owner": rec, "publicKeyPem": keys.public_key_pem },
        }),
    );
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{base}/follows/1"),
        "type": "Follow",
        "actor": rec,
        "object": k.url("/users/alice"),
    });
    let signer = Signer::new(&keys.private_key_pem, format!("{rec}#main-key")).unwrap();
    let s = sign_post(
        &k,
        "/inbox",
        &signer,
        serde_json::to_vec(&follow).unwrap(),
        SystemTime::now(),
    );
    let (status, v) = send(&k, "/inbox", &s).await;
    assert_eq!(status, 202, "{v}");
    eventually("the Accept at the recorder", || async {
        posted_types(&r)
            .iter()
            .any(|(t, _)| t == "Accept")
            .then_some(())
    })
    .await;

    // carol follows bob: bob's followers are all local.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            &carol,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["following"], true, "{v}");

    let secrets = [
        (
            &alice,
            json!({ "status": "secret 1 local-only", "visibility": "public", "local_only": true }),
        ),
        (
            &alice,
            json!({ "status": "secret 2 local visibility", "visibility": "local" }),
        ),
        (
            &alice,
            json!({ "status": "@carol secret 3 direct to a local member", "visibility": "direct" }),
        ),
        (
            &bob,
            json!({ "status": "secret 4 followers-only, local followers", "visibility": "private" }),
        ),
        (
            &bob,
            json!({ "status": "@carol secret 5 direct from bob", "visibility": "direct" }),
        ),
        (
            &carol,
            json!({ "status": "secret 6 carol's local-only", "visibility": "public", "local_only": true }),
        ),
    ];
    let mut carols = String::new();
    for (token, body) in secrets {
        let id = k.post_status(token, body).await;
        if token == &carol {
            carols = id;
        }
    }
    // alice boosts carol's local-only post: the boost stays home too.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/statuses/{carols}/reblog"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // Then what must arrive, posted last: the queue is in order, so once these are
    // there, anything queued before them would have been sent already.
    k.post_status(
        &alice,
        json!({ "status": "control: followers-only for rec", "visibility": "private" }),
    )
    .await;
    k.post_status(
        &alice,
        json!({ "status": "control: public", "visibility": "public" }),
    )
    .await;
    eventually("the public control post at the recorder", || async {
        posted_types(&r)
            .iter()
            .any(|(_, b)| b.contains("control: public"))
            .then_some(())
    })
    .await;
    drained(&[&k]).await;

    let posted = posted_types(&r);
    let kinds: Vec<&str> = posted.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(kinds, ["Accept", "Create", "Create"], "{posted:?}");
    assert!(posted[1].1.contains("control: followers-only"));
    assert!(posted[2].1.contains("control: public"));
    for (_, body) in &posted {
        assert!(!body.contains("secret"), "leaked: {body}");
        assert!(!body.contains("alice@mail.test"), "email leaked: {body}");
    }
    // Nor in any log line: the email, the members' tokens; the recorder's
    // Follow, logged by the inbox with its origin, is the control. (Member names
    // are in the public activity ids the delivery worker logs.)
    assert_logs_clean(
        &format!("origin=localhost:{}", r.port),
        &["alice@mail.test", &alice, &bob, &carol],
    );
    // Only the inbox was written to; GETs were for rec's own actor document and
    // the instance's NodeInfo (what software it runs; unsigned, carries nothing).
    assert!(r
        .requests()
        .iter()
        .all(|q| q.method == "POST" && q.path == "/inbox"
            || q.method == "GET" && (q.path == "/users/rec" || q.path == "/.well-known/nodeinfo")));
}

both_backends!(nothing_confidential_leaves);
