//! Scenario: what a live Lemmy 0.19 found (issue 20), replayed. A recording receiver
//! stands in for a Lemmy server, answering with our own Lemmy-shaped fixtures
//! (`fixtures/lemmy/`) and withholding the `Accept` of the first Follow, as a Lemmy
//! does for a server it has not delivered to yet; and two real Kindred instances
//! lose an `Accept` the same way. Each time the follow heals: following again sends
//! the Follow again, and the re-send job sends it on its schedule. Along the way:
//! `!name@host` finds a community (search, account look-up) but mentions nobody in
//! a post, and `GET /` with an ActivityPub `Accept` is the instance actor.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use kindred_api::services::follow_resends::send_due;
use kindred_domain::follow_resend::MAX_RESENDS;
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::generate_keypair;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::receiver::Receiver;
use crate::support::{
    backlog, deliver, drained, eventually, facilitator_and_cafe, instance, instance_with, resolve,
    wait_following, NO_WORKER,
};

both_backends!(
    lemmy_community_that_withholds_the_first_accept,
    lost_accept_between_kindreds_heals,
);

/// A fixture with its placeholders filled (values JSON-escaped).
fn fixture(name: &str, vars: &[(&str, &str)]) -> Value {
    let path = format!(
        "{}/../../federation-tests/fixtures/lemmy/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (k, v) in vars {
        let escaped = serde_json::to_string(v).unwrap();
        text = text.replace(&format!("{{{k}}}"), &escaped[1..escaped.len() - 1]);
    }
    assert!(!text.contains("{LEMMY}"), "{name}: a placeholder left");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn uuid() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "5e1f0c2a-0000-4000-8000-{:012x}",
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn relationship(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, r) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    r[0].clone()
}

async fn follow_again(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, rel) = app
        .post_json(&format!("/api/v1/accounts/{id}/follow"), token, json!({}))
        .await;
    assert_eq!(status, 200, "{rel}");
    rel
}

/// The Follows the receiver got, in order.
fn follows(r: &Receiver) -> Vec<Value> {
    r.requests()
        .iter()
        .filter(|q| q.method == "POST")
        .filter_map(|q| serde_json::from_str::<Value>(&q.body).ok())
        .filter(|v| v["type"] == "Follow")
        .collect()
}

async fn lookup(app: &TestApp, token: &str, acct: &str) -> (u16, Value) {
    let q: String = url::form_urlencoded::byte_serialize(acct.as_bytes()).collect();
    app.get_json(&format!("/api/v1/accounts/lookup?acct={q}"), Some(token))
        .await
}

/// A Lemmy community on a recording receiver: its actor, WebFinger answer and the
/// key it signs with.
struct Community {
    r: Receiver,
    lemmy: String,
    host: String,
    id: String,
    signer: Signer,
    pem: String,
}

impl Community {
    fn start() -> Self {
        let r = Receiver::start();
        let host = format!("localhost:{}", r.port);
        let lemmy = format!("http://{host}");
        let keys = generate_keypair().unwrap();
        let id = format!("{lemmy}/c/nightowls");
        let vars = [
            ("LEMMY", lemmy.as_str()),
            ("HOST", host.as_str()),
            ("COMMUNITY", "nightowls"),
            ("PERSON", "moth"),
            ("PEM", keys.public_key_pem.as_str()),
        ];
        r.serve_doc("/c/nightowls", &fixture("group.json", &vars));
        r.serve_doc("/u/moth", &fixture("person.json", &vars));
        r.serve_doc("/.well-known/webfinger", &fixture("webfinger.json", &vars));
        let signer = Signer::new(&keys.private_key_pem, format!("{id}#main-key")).unwrap();
        Self {
            r,
            lemmy,
            host,
            id,
            signer,
            pem: keys.public_key_pem,
        }
    }

    fn vars<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut v = vec![
            ("LEMMY", self.lemmy.as_str()),
            ("HOST", self.host.as_str()),
            ("COMMUNITY", "nightowls"),
            ("PERSON", "moth"),
            ("PEM", self.pem.as_str()),
        ];
        v.extend_from_slice(extra);
        v
    }
}

/// A Kindred member follows a Lemmy community found as `!nightowls@host`; the
/// community never answers the first Follow. Following again sends a new Follow;
/// the job sends another when it is due, and no more before its time; the
/// community's Accept of the first Follow (late) makes it a follow; then nothing is
/// due any more, and the community's posts are stored.
async fn lemmy_community_that_withholds_the_first_accept(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (owl, _) = k.member("owl").await;
    let c = Community::start();
    let bang = format!("!nightowls@{}", c.host);

    // Account look-up asks no other server: unknown until found once.
    let (status, v) = lookup(&k, &owl, &bang).await;
    assert_eq!(status, 404, "{v}");
    // `!name@host` is how Lemmy users share a community: search finds it.
    let id = resolve(&k, &owl, &bang).await;
    let (status, v) = lookup(&k, &owl, &bang).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], id.as_str(), "{v}");
    assert_eq!(v["group"], true, "{v}");
    assert_eq!(v["acct"], format!("nightowls@{}", c.host), "{v}");

    // The first Follow arrives; its Accept never comes.
    let rel = follow_again(&k, &owl, &id).await;
    assert_eq!(rel["requested"], true, "{rel}");
    let first = eventually("the first Follow at the community", || async {
        follows(&c.r).first().cloned()
    })
    .await;
    assert_eq!(first["object"], c.id.as_str(), "{first}");
    let member = first["actor"].as_str().unwrap().to_owned();

    // Following again while requested sends the Follow again, under a new id.
    let rel = follow_again(&k, &owl, &id).await;
    assert_eq!(rel["requested"], true, "{rel}");
    let second = eventually("the Follow sent again", || async {
        follows(&c.r).get(1).cloned()
    })
    .await;
    assert_ne!(second["id"], first["id"], "{second}");
    assert_eq!(
        (&second["actor"], &second["object"]),
        (&first["actor"], &first["object"])
    );

    // The job: nothing due yet; due after two minutes — sent once, then not again
    // before its next time.
    assert_eq!(send_due(&k.state, Utc::now()).await.unwrap(), 0);
    let later = Utc::now() + Duration::minutes(3);
    assert_eq!(send_due(&k.state, later).await.unwrap(), 1);
    assert_eq!(send_due(&k.state, later).await.unwrap(), 0);
    let third = eventually("the Follow the job sent", || async {
        follows(&c.r).get(2).cloned()
    })
    .await;
    assert!(
        third["id"] != first["id"] && third["id"] != second["id"],
        "{third}"
    );

    // No implicit accept: an Announce from the community while requested is
    // dropped and the request stays one.
    let early_uuid = uuid();
    let early = fixture(
        "announce_create_page.json",
        &c.vars(&[("UUID", &early_uuid)]),
    );
    let (status, v) = deliver(&k, &c.signer, &early).await;
    assert_eq!(status, 202, "{v}");
    let rel = relationship(&k, &owl, &id).await;
    assert_eq!(
        (&rel["requested"], &rel["following"]),
        (&json!(true), &json!(false)),
        "{rel}"
    );

    // The community's (late) Accept of the first Follow answers the request.
    let accept = fixture(
        "accept.json",
        &c.vars(&[
            ("MEMBER", member.as_str()),
            ("FOLLOW", first["id"].as_str().unwrap()),
            ("UUID", &uuid()),
        ]),
    );
    let (status, v) = deliver(&k, &c.signer, &accept).await;
    assert_eq!(status, 202, "{v}");
    wait_following(&k, &owl, &id).await;
    // Answered: nothing is due, ever.
    let much_later = Utc::now() + Duration::days(30);
    assert_eq!(send_due(&k.state, much_later).await.unwrap(), 0);

    // The community's posts now reach the member (they were dropped before).
    let post_uuid = uuid();
    let announce = fixture(
        "announce_create_page.json",
        &c.vars(&[("UUID", &post_uuid)]),
    );
    let (status, v) = deliver(&k, &c.signer, &announce).await;
    assert_eq!(status, 202, "{v}");
    let post = format!("{}/post/{post_uuid}", c.lemmy);
    eventually("the community's post in home", || async {
        let (_, home) = k.get_json("/api/v1/timelines/home", Some(&owl)).await;
        home.as_array()?
            .iter()
            .any(|s| s["reblog"]["uri"] == post.as_str())
            .then_some(())
    })
    .await;
    // Judged after that post arrived: the one announced while requested was not
    // kept (and the later one is, so the query finds what is there).
    let stored = |uri: String| {
        k.state
            .db
            .run_blocking(move |c| {
                use kindred_db::schema::statuses;
                Ok(statuses::table
                    .filter(statuses::uri.eq(uri))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .unwrap()
    };
    assert_eq!(stored(post.clone()), 1);
    assert_eq!(stored(format!("{}/post/{early_uuid}", c.lemmy)), 0);
    let before = follows(&c.r).len();
    drained(&[&k]).await;
    assert_eq!(follows(&c.r).len(), before, "no Follow after the Accept");
}

/// The re-sends are bounded: a request never answered is sent again
/// `MAX_RESENDS` times, then never; following again starts the schedule afresh.
/// Between two Kindred instances, an `Accept` lost on the way (the host's queue
/// cleared while its worker was off, as a Lemmy skips what it queued before its
/// sender for us started) is healed by following again, and by the job.
async fn lost_accept_between_kindreds_heals(backend: Backend) {
    let Some(a) = instance(backend).await else {
        return;
    };
    let Some(mut b) = instance_with(backend, &[NO_WORKER]).await else {
        return;
    };
    let (_fran, cafe) = facilitator_and_cafe(&b).await;
    let (ann, _) = a.member("ann").await;
    let (ben, _) = a.member("ben").await;
    let (bea, _) = b.member("bea").await;

    // `GET /` as Lemmy asks for a server's actor: the instance actor, with every
    // field Lemmy 0.19's `Instance` requires; its id stays `/actor`.
    let resp = b
        .client
        .get(b.url("/"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let vary = resp
        .headers()
        .get("vary")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(vary.as_deref(), Some("Accept"));
    let site: Value = resp.json().await.unwrap();
    assert_eq!(site["id"], b.url("/actor").as_str(), "{site}");
    assert_eq!(site["type"], "Application", "{site}");
    for field in ["name", "inbox", "outbox", "published"] {
        assert!(site[field].is_string(), "{field}: {site}");
    }
    assert!(site["publicKey"]["publicKeyPem"].is_string(), "{site}");
    assert_eq!(site["publicKey"]["owner"], site["id"], "{site}");
    chrono::DateTime::parse_from_rfc3339(site["published"].as_str().unwrap()).unwrap();
    let page = b
        .client
        .get(b.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // Another server fetching the root the way a library does (the id differs
    // from the URL on the same host: read again at the id) finds the server.
    let (status, v) = a
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                url::form_urlencoded::byte_serialize(b.url("/").as_bytes()).collect::<String>()
            ),
            Some(&ann),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accounts"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["accounts"][0]["bot"], true, "{v}");

    // `!cafe@b` finds the group from the other server, and at home.
    let bang = format!("!cafe@{}", b.domain);
    let id = resolve(&a, &ann, &bang).await;
    assert_eq!(resolve(&a, &ben, &format!("@cafe@{}", b.domain)).await, id);
    let (status, v) = lookup(&a, &ann, &bang).await;
    assert_eq!((status, &v["group"]), (200, &json!(true)), "{v}");
    let (status, v) = b
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&q={}",
                url::form_urlencoded::byte_serialize(bang.as_bytes()).collect::<String>()
            ),
            Some(&bea),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accounts"][0]["id"], cafe.to_string().as_str(), "{v}");
    let (status, v) = lookup(&b, &bea, &bang).await;
    assert_eq!((status, &v["id"]), (200, &json!(cafe.to_string())), "{v}");
    // The meeting directory takes a partner as an address there, `!` too: its
    // server (`PolicyDomain::parse` reads the part after the last `@`).
    let root = a
        .user_with_token(
            "root",
            kindred_domain::Role::Admin,
            "read write admin:read admin:write",
        )
        .await;
    let path = "/api/v1/admin/kindred/federation/directory";
    let (status, e) = a
        .post_json(path, &root, json!({ "domain": "!cafe@" }))
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, sub) = a.post_json(path, &root, json!({ "domain": bang })).await;
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["domain"], b.domain.as_str(), "{sub}");
    // ...but in a post it mentions nobody (`@` does).
    for (text, mentioned) in [
        (format!("hi {bang}"), 0),
        (format!("hi @cafe@{}", b.domain), 1),
    ] {
        let (status, s) = a
            .post_json(
                "/api/v1/statuses",
                &ann,
                json!({ "status": text, "visibility": "private" }),
            )
            .await;
        assert_eq!(status, 200, "{s}");
        assert_eq!(
            s["mentions"].as_array().unwrap().len(),
            mentioned,
            "{text}: {s}"
        );
    }

    // Both follow; b records them and queues its Accepts, which never leave.
    for token in [&ann, &ben] {
        let rel = follow_again(&a, token, &id).await;
        assert_eq!(rel["requested"], true, "{rel}");
    }
    let group_followers = |b: &TestApp| {
        b.state
            .db
            .run_blocking(move |c| {
                use kindred_db::schema::follows;
                Ok(follows::table
                    .filter(follows::target_account_id.eq(cafe))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .unwrap()
    };
    eventually("both follows at b", || async {
        (group_followers(&b) == 2).then_some(())
    })
    .await;
    drained(&[&a]).await;
    assert!(backlog(&b).await >= 2, "b's Accepts queued");
    b.stop_server().await;
    b.state
        .db
        .run_blocking(|c| {
            diesel::delete(kindred_db::schema::deliveries::table).execute(c)?;
            Ok(())
        })
        .unwrap();
    b.env.retain(|(k, _)| k != NO_WORKER.0);
    let b = b.restart().await;
    // b delivers again, its queue empty: both are still requested — the Accepts
    // are lost (and ann's Follow below, answered, shows b delivers).
    drained(&[&b]).await;
    for token in [&ann, &ben] {
        let rel = relationship(&a, token, &id).await;
        assert_eq!(
            (&rel["requested"], &rel["following"]),
            (&json!(true), &json!(false)),
            "{rel}"
        );
    }

    // ann follows again: a new Follow, answered by b.
    follow_again(&a, &ann, &id).await;
    wait_following(&a, &ann, &id).await;
    // ben waits for the job.
    assert_eq!(
        send_due(&a.state, Utc::now() + Duration::minutes(3))
            .await
            .unwrap(),
        1,
        "ben's Follow, due; ann's request is answered"
    );
    wait_following(&a, &ben, &id).await;

    // Bounded: a request nobody answers (b's worker is off again) is sent again
    // MAX_RESENDS times, then never.
    let (cal, _) = a.member("cal").await;
    let b = {
        let mut b = b;
        b.stop_server().await;
        b.env.push((NO_WORKER.0.to_owned(), NO_WORKER.1.to_owned()));
        b.restart().await
    };
    let cal_id = resolve(&a, &cal, &bang).await;
    let rel = follow_again(&a, &cal, &cal_id).await;
    assert_eq!(rel["requested"], true, "{rel}");
    let mut now = Utc::now();
    for n in 0..MAX_RESENDS {
        now += Duration::days(2);
        assert_eq!(send_due(&a.state, now).await.unwrap(), 1, "re-send {n}");
    }
    now += Duration::days(30);
    assert_eq!(send_due(&a.state, now).await.unwrap(), 0, "bounded");
    // Following again starts afresh.
    follow_again(&a, &cal, &cal_id).await;
    assert_eq!(
        send_due(&a.state, Utc::now() + Duration::minutes(3))
            .await
            .unwrap(),
        1
    );
    drained(&[&a]).await;
    drop(b);
}
