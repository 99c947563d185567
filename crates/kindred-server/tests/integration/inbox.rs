//! The inbox against a fake remote server on loopback: an actix-web app serving actor
//! documents (with generated keys), notes and nothing else, whose activities are
//! signed here the way a remote server signs them.

use kindred_domain::Visibility;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use diesel::RunQueryDsl;
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::{generate_keypair, KeyPair};
use serde_json::{json, Value};
use url::Url;

use crate::common::{both_backends, free_port, spawn_app_with, Backend, TestApp};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

type Docs = Arc<Mutex<HashMap<String, (u16, Value)>>>;

/// A remote server: documents by path, and key pairs by actor name.
struct Remote {
    base: String,
    docs: Docs,
    keys: HashMap<String, KeyPair>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Remote {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn serve(req: HttpRequest, docs: web::Data<Docs>) -> HttpResponse {
    let found = docs.lock().unwrap().get(req.path()).cloned();
    match found {
        Some((200, v)) => HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(v.to_string()),
        Some((code, _)) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
        }
        None => HttpResponse::NotFound().finish(),
    }
}

impl Remote {
    async fn start() -> Self {
        let port = free_port();
        let docs: Docs = Arc::default();
        let d = docs.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(d.clone()))
                .default_service(web::to(serve))
        })
        .workers(1)
        .bind(("127.0.0.1", port))
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base: format!("http://localhost:{port}"),
            docs,
            keys: HashMap::new(),
            handle,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn actor_id(&self, name: &str) -> String {
        self.url(&format!("/users/{name}"))
    }

    fn put(&self, path: &str, v: Value) {
        self.docs.lock().unwrap().insert(path.to_owned(), (200, v));
    }

    fn actor_doc(&self, name: &str, public_key_pem: &str) -> Value {
        let id = self.actor_id(name);
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Person",
            "preferredUsername": name,
            "name": format!("{name} <b>remote</b>"),
            "summary": "<p>Hello<script>alert(1)</script></p>",
            "url": self.url(&format!("/@{name}")),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "endpoints": { "sharedInbox": self.url("/inbox") },
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_key_pem },
        })
    }

    /// Adds an actor with a fresh key pair.
    fn add_actor(&mut self, name: &str) {
        let kp = generate_keypair().unwrap();
        self.put(
            &format!("/users/{name}"),
            self.actor_doc(name, &kp.public_key_pem),
        );
        self.keys.insert(name.to_owned(), kp);
    }

    /// A new key pair for `name`, published in its document.
    fn rotate_key(&mut self, name: &str) {
        self.add_actor(name);
    }

    fn signer(&self, name: &str) -> Signer {
        Signer::new(
            &self.keys[name].private_key_pem,
            format!("{}#main-key", self.actor_id(name)),
        )
        .unwrap()
    }

    fn note(&self, author: &str, n: &str, content: &str, to: Value, cc: Value) -> Value {
        json!({
            "id": self.url(&format!("/notes/{n}")),
            "type": "Note",
            "attributedTo": self.actor_id(author),
            "to": to,
            "cc": cc,
            "content": content,
            "published": "2026-11-20T10:00:00Z",
        })
    }

    fn activity(&self, kind: &str, actor: &str, n: &str, object: Value) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.url(&format!("/activities/{n}")),
            "type": kind,
            "actor": self.actor_id(actor),
            "to": [PUBLIC],
            "object": object,
        })
    }
}

/// A request as a remote server would send it.
struct Signed {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn sign(app: &TestApp, signer: &Signer, path: &str, body: Vec<u8>, at: SystemTime) -> Signed {
    let url = Url::parse(&app.url(path)).unwrap();
    let h = signer.sign("POST", &url, Some(&body), at).unwrap();
    Signed {
        headers: h
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != "host")
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        body,
    }
}

impl Signed {
    fn header(&mut self, name: &str) -> &mut String {
        &mut self.headers.iter_mut().find(|(k, _)| k == name).unwrap().1
    }
}

async fn send(app: &TestApp, path: &str, s: &Signed) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/activity+json")
        .body(s.body.clone());
    for (k, v) in &s.headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn deliver(app: &TestApp, remote: &Remote, actor: &str, activity: &Value) -> (u16, Value) {
    let s = sign(
        app,
        &remote.signer(actor),
        "/inbox",
        serde_json::to_vec(activity).unwrap(),
        SystemTime::now(),
    );
    send(app, "/inbox", &s).await
}

/// An app whose delivery worker is off: these tests read what the inbox queued
/// (an `Accept`, say) before anything could send it.
async fn app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(
        backend,
        &[("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "0")],
    )
    .await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

const TABLES: [&str; 12] = [
    "accounts",
    "remote_accounts",
    "statuses",
    "status_edits",
    "mentions",
    "follows",
    "follow_requests",
    "favourites",
    "notifications",
    "deliveries",
    "received_activities",
    "status_tags",
];

fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    app.state
        .db
        .run_blocking(|c| {
            let mut out = Vec::new();
            for t in TABLES {
                let n: Count =
                    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}")).get_result(c)?;
                out.push((t, n.n));
            }
            Ok(out)
        })
        .unwrap()
}

fn status_by_uri(app: &TestApp, uri: &str) -> Option<kindred_db::StatusRow> {
    let uri = uri.to_owned();
    app.state
        .db
        .run_blocking(move |c| kindred_db::models::federated::status_by_uri(c, &uri))
        .unwrap()
}

async fn notification_types(app: &TestApp, token: &str) -> Vec<String> {
    let (status, v) = app.get_json("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Remote Follow, posts, replies, likes, boosts, edits and deletes land where they
/// should, and are seen only by those they were addressed to.
async fn remote_activities_arrive(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    remote.add_actor("frank");
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (status, v) = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&bob),
            json!({ "locked": true }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let carol = remote.actor_id("carol");
    let alice_actor = app.url("/users/alice");

    // Follow of an unlocked account: follower stored, notified, Accept queued.
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": remote.url("/activities/follow-1"),
        "type": "Follow",
        "actor": carol,
        "object": alice_actor,
    });
    let (status, v) = deliver(&app, &remote, "carol", &follow).await;
    assert_eq!(status, 202, "{v}");
    assert!(notification_types(&app, &alice)
        .await
        .contains(&"follow".to_owned()));
    let queued = app
        .state
        .db
        .run_blocking(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::deliveries::dsl::*;
            Ok(deliveries
                .select((inbox_url, body, signer_account_id, domain, traffic))
                .load::<(String, String, Option<i64>, String, Option<String>)>(c)?)
        })
        .unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    let (inbox, body, signer, domain, kind) = &queued[0];
    // Its kind of traffic is recorded when queued, for the partner-scope check.
    assert_eq!(kind.as_deref(), Some("follows"));
    // The shared inbox the remote actor offers.
    assert_eq!(inbox, &remote.url("/inbox"));
    assert_eq!(domain, remote.base.trim_start_matches("http://"));
    assert_eq!(signer.map(|s| s.to_string()), Some(alice_id.clone()));
    let accept: Value = serde_json::from_str(body).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], alice_actor);
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(accept["object"]["actor"], carol);

    // Follow of a locked account: a request, a notification, no Accept yet.
    let follow_bob = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": remote.url("/activities/follow-2"),
        "type": "Follow",
        "actor": carol,
        "object": app.url("/users/bob"),
    });
    let (status, v) = deliver(&app, &remote, "carol", &follow_bob).await;
    assert_eq!(status, 202, "{v}");
    let (_, requests) = app.get_json("/api/v1/follow_requests", Some(&bob)).await;
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    assert_eq!(
        requests[0]["acct"].as_str().unwrap().split('@').next(),
        Some("carol")
    );
    assert!(notification_types(&app, &bob)
        .await
        .contains(&"follow_request".to_owned()));
    assert_eq!(
        counts(&app)
            .iter()
            .find(|(t, _)| *t == "deliveries")
            .unwrap()
            .1,
        1
    );

    // A public note mentioning alice, with a hashtag and a script: sanitized,
    // tagged, and a mention notification.
    let mut note = remote.note(
        "carol",
        "1",
        r#"<p>Hi <a href="http://x/@alice" class="mention">@alice</a> #Tea</p><script>alert("x")</script><img src=x onerror=alert(1)>"#,
        json!([PUBLIC]),
        json!([format!("{carol}/followers"), alice_actor]),
    );
    note["tag"] = json!([
        { "type": "Mention", "href": alice_actor, "name": "@alice" },
        { "type": "Hashtag", "href": "http://x/tags/tea", "name": "#Tea" },
    ]);
    let (status, v) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "create-1", note.clone()),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).expect("stored");
    assert!(!row.local);
    assert_eq!(row.visibility, Visibility::Public);
    let (status, s) = app
        .get_json(&format!("/api/v1/statuses/{}", row.id), None)
        .await;
    assert_eq!(status, 200, "{s}");
    let content = s["content"].as_str().unwrap();
    assert!(
        !content.contains("script") && !content.contains("alert") && !content.contains("<img"),
        "{content}"
    );
    assert!(content.contains("Hi"), "{content}");
    assert_eq!(s["tags"][0]["name"], "tea");
    // The author renders as a remote account whose links point home.
    let host = remote.base.trim_start_matches("http://");
    assert_eq!(s["account"]["acct"], format!("carol@{host}"));
    assert_eq!(s["account"]["uri"], carol);
    assert_eq!(s["account"]["url"], remote.url("/@carol"));
    assert_eq!(s["account"]["display_name"], "carol <b>remote</b>");
    assert_eq!(s["account"]["note"], "<p>Hello</p>");
    assert_eq!(s["mentions"][0]["url"], app.url("/@alice"));
    assert_eq!(s["mentions"][0]["username"], "alice");
    assert!(notification_types(&app, &alice)
        .await
        .contains(&"mention".to_owned()));

    // A direct note to alice: alice sees it, bob and strangers do not.
    let dm = remote.note(
        "carol",
        "2",
        "<p>just for alice</p>",
        json!([alice_actor]),
        json!([]),
    );
    let (status, v) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "create-2", dm.clone()),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    let dm_row = status_by_uri(&app, dm["id"].as_str().unwrap()).unwrap();
    assert_eq!(dm_row.visibility, Visibility::Direct);
    let path = format!("/api/v1/statuses/{}", dm_row.id);
    assert_eq!(app.get_json(&path, Some(&alice)).await.0, 200);
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 404);
    assert_eq!(app.get_json(&path, None).await.0, 404);

    // A public note that concerns nobody here (nobody follows frank, nobody is
    // addressed or mentioned, it answers nothing we hold): acknowledged, not stored.
    let unrelated = remote.note("frank", "f1", "<p>spam</p>", json!([PUBLIC]), json!([]));
    let before = counts(&app);
    let (status, _) = deliver(
        &app,
        &remote,
        "frank",
        &remote.activity("Create", "frank", "create-f1", unrelated.clone()),
    )
    .await;
    assert_eq!(status, 202);
    assert!(status_by_uri(&app, unrelated["id"].as_str().unwrap()).is_none());
    let after = counts(&app);
    for ((t, b), (_, a)) in before.iter().zip(&after) {
        // frank's account is fetched to check the signature; nothing else changes.
        if !matches!(*t, "accounts" | "remote_accounts" | "received_activities") {
            assert_eq!(b, a, "{t} changed for an unrelated note");
        }
    }

    // Followers-only, to carol's followers: erin follows carol (stored directly),
    // alice and bob do not. (Were nobody here following carol, the note would not
    // be stored at all: it would concern nobody.)
    app.member("erin").await;
    let carol_uri = carol.clone();
    app.state
        .db
        .run_blocking(move |conn| {
            let (c, _) = kindred_db::models::remote_accounts::find_by_uri(conn, &carol_uri)?
                .expect("carol is known after her Follow");
            let b = kindred_db::models::accounts::find_local_by_username(conn, "erin")?
                .expect("erin")
                .id;
            kindred_db::models::social::follow(
                conn,
                rand::random::<i64>().abs(),
                b,
                c.id,
                true,
                false,
                chrono::Utc::now().naive_utc(),
            )
            .map(|_| ())
        })
        .unwrap();
    let private = remote.note(
        "carol",
        "3",
        "<p>followers</p>",
        json!([format!("{carol}/followers")]),
        json!([]),
    );
    let (status, _) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "create-3", private.clone()),
    )
    .await;
    assert_eq!(status, 202);
    let private_row = status_by_uri(&app, private["id"].as_str().unwrap()).unwrap();
    assert_eq!(private_row.visibility, Visibility::Private);
    let path = format!("/api/v1/statuses/{}", private_row.id);
    assert_eq!(app.get_json(&path, Some(&alice)).await.0, 404);
    assert_eq!(app.get_json(&path, None).await.0, 404);
    // Once alice follows carol (stored directly: sending the Follow is the delivery
    // side's work), the followers-only note reaches her, in her home timeline too,
    // and still nobody else.
    let (a, c) = (alice_id.parse::<i64>().unwrap(), private_row.account_id);
    app.state
        .db
        .run_blocking(move |conn| {
            kindred_db::models::social::follow(
                conn,
                rand::random::<i64>().abs(),
                a,
                c,
                true,
                false,
                chrono::Utc::now().naive_utc(),
            )
            .map(|_| ())
        })
        .unwrap();
    assert_eq!(app.get_json(&path, Some(&alice)).await.0, 200);
    let private_id = private_row.id.to_string();
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    assert!(
        home.as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"].as_str() == Some(private_id.as_str())),
        "{home}"
    );
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 404);
    let (_, bob_home) = app.get_json("/api/v1/timelines/home", Some(&bob)).await;
    assert!(!bob_home.to_string().contains("followers"), "{bob_home}");
    let (_, public) = app.get_json("/api/v1/timelines/public", Some(&bob)).await;
    assert!(
        !public.to_string().contains(&private_row.id.to_string()),
        "{public}"
    );

    // A reply to alice's status threads under it.
    let local_id = app
        .post_status(
            &alice,
            json!({ "status": "hello fediverse", "visibility": "public" }),
        )
        .await;
    let local_uri = app.url(&format!("/users/alice/statuses/{local_id}"));
    let mut reply = remote.note(
        "carol",
        "4",
        "<p>welcome!</p>",
        json!([PUBLIC]),
        json!([alice_actor]),
    );
    reply["inReplyTo"] = json!(local_uri);
    let (status, _) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "create-4", reply.clone()),
    )
    .await;
    assert_eq!(status, 202);
    let (_, ctx) = app
        .get_json(
            &format!("/api/v1/statuses/{local_id}/context"),
            Some(&alice),
        )
        .await;
    assert_eq!(ctx["descendants"].as_array().unwrap().len(), 1, "{ctx}");
    assert_eq!(ctx["descendants"][0]["in_reply_to_id"], local_id.as_str());

    // Like and Announce of alice's status: counts and notifications.
    let like = remote.activity("Like", "carol", "like-1", json!(local_uri));
    let original = sign(
        &app,
        &remote.signer("carol"),
        "/inbox",
        serde_json::to_vec(&like).unwrap(),
        SystemTime::now(),
    );
    let (status, _) = send(&app, "/inbox", &original).await;
    assert_eq!(status, 202);
    let (status, _) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Announce", "carol", "announce-1", json!(local_uri)),
    )
    .await;
    assert_eq!(status, 202);
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&alice))
        .await;
    assert_eq!(s["favourites_count"], 1, "{s}");
    assert_eq!(s["reblogs_count"], 1, "{s}");
    let types = notification_types(&app, &alice).await;
    assert!(
        types.contains(&"favourite".to_owned()) && types.contains(&"reblog".to_owned()),
        "{types:?}"
    );

    // The same Like delivered again (signed afresh) is absorbed; the very same
    // request sent again is refused as a replay.
    let before = counts(&app);
    let again = sign(
        &app,
        &remote.signer("carol"),
        "/inbox",
        serde_json::to_vec(&like).unwrap(),
        // Signatures are deterministic: another Date makes another request.
        SystemTime::now() - Duration::from_secs(2),
    );
    let (status, v) = send(&app, "/inbox", &again).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["status"], "duplicate");
    let (status, v) = send(&app, "/inbox", &original).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(v["error_code"], "replayed_request");
    assert_eq!(counts(&app), before);

    // Undo of the Like and of the Announce.
    let undo_like = remote.activity("Undo", "carol", "undo-like-1", like.clone());
    assert_eq!(deliver(&app, &remote, "carol", &undo_like).await.0, 202);
    let announce = remote.activity("Announce", "carol", "announce-1", json!(local_uri));
    let undo_announce = remote.activity("Undo", "carol", "undo-announce-1", announce);
    assert_eq!(deliver(&app, &remote, "carol", &undo_announce).await.0, 202);
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&alice))
        .await;
    assert_eq!(s["favourites_count"], 0, "{s}");
    assert_eq!(s["reblogs_count"], 0, "{s}");

    // Update by the owner edits; Delete by the owner removes.
    let mut edited = note.clone();
    edited["content"] = json!("<p>edited text</p>");
    let (status, v) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Update", "carol", "update-1", edited),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{}", row.id), None)
        .await;
    assert!(
        s["content"].as_str().unwrap().contains("edited text"),
        "{s}"
    );
    assert!(s["edited_at"].is_string(), "{s}");
    let delete = remote.activity(
        "Delete",
        "carol",
        "delete-1",
        json!({ "id": note["id"], "type": "Tombstone" }),
    );
    assert_eq!(deliver(&app, &remote, "carol", &delete).await.0, 202);
    assert!(status_by_uri(&app, note["id"].as_str().unwrap()).is_none());
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{}", row.id), None)
            .await
            .0,
        404
    );

    // Undo of the Follow.
    let undo_follow = remote.activity("Undo", "carol", "undo-follow-1", follow);
    assert_eq!(deliver(&app, &remote, "carol", &undo_follow).await.0, 202);
    let (_, followers) = app
        .get_json(
            &format!("/api/v1/accounts/{alice_id}/followers"),
            Some(&alice),
        )
        .await;
    assert_eq!(followers.as_array().unwrap().len(), 0, "{followers}");

    // The remote profile is stored as text: no markup from the remote document.
    let (_, found) = app
        .get_json(
            "/api/v1/accounts/search?q=carol&resolve=false",
            Some(&alice),
        )
        .await;
    let text = found.to_string();
    assert!(
        !text.contains("<script") && !text.contains("alert(1)"),
        "{text}"
    );
}

/// Every refusal is a 4xx and leaves the database as it was.
async fn bad_activities_are_refused(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    remote.add_actor("dave");
    let (alice, _) = app.member("alice").await;
    let carol = remote.actor_id("carol");
    let local_id = app
        .post_status(&alice, json!({ "status": "mine", "visibility": "public" }))
        .await;
    let local_uri = app.url(&format!("/users/alice/statuses/{local_id}"));
    // Addressed to alice: a note that concerns nobody here would not be stored.
    let note = remote.note(
        "carol",
        "1",
        "<p>carol's</p>",
        json!([PUBLIC]),
        json!([app.url("/users/alice")]),
    );
    let (status, v) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "create-1", note.clone()),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    // dave becomes known too, so refusals below do not add his account.
    let like = remote.activity("Like", "dave", "like-0", json!(note["id"]));
    assert_eq!(deliver(&app, &remote, "dave", &like).await.0, 202);

    let create = remote.activity(
        "Create",
        "carol",
        "create-2",
        remote.note("carol", "2", "<p>new</p>", json!([PUBLIC]), json!([])),
    );
    let body = serde_json::to_vec(&create).unwrap();
    let fresh = |at: SystemTime| sign(&app, &remote.signer("carol"), "/inbox", body.clone(), at);
    let before = counts(&app);

    let mut cases: Vec<(&str, Signed, u16, &str)> = Vec::new();
    // Forged: the signature bytes changed.
    let mut forged = fresh(SystemTime::now());
    let sig = forged.header("signature");
    *sig = sig.replace("signature=\"", "signature=\"AAAA");
    cases.push(("forged signature", forged, 401, "signature_invalid"));
    // Signed with another key under carol's key id.
    let wrong = sign(
        &app,
        &Signer::new(
            &remote.keys["dave"].private_key_pem,
            format!("{carol}#main-key"),
        )
        .unwrap(),
        "/inbox",
        body.clone(),
        SystemTime::now(),
    );
    cases.push(("wrong key", wrong, 401, "signature_invalid"));
    // The body changed after signing.
    let mut tampered = fresh(SystemTime::now());
    tampered.body = String::from_utf8(body.clone())
        .unwrap()
        .replace("new", "NEW")
        .into_bytes();
    cases.push(("digest mismatch", tampered, 401, "digest_mismatch"));
    // The signature does not cover host.
    let mut no_host = fresh(SystemTime::now());
    let sig = no_host.header("signature");
    *sig = sig.replace("(request-target) host date", "(request-target) date");
    cases.push(("host not covered", no_host, 401, "signature_incomplete"));
    // Date outside the window, either way.
    cases.push((
        "old date",
        fresh(SystemTime::now() - Duration::from_secs(2 * 3600)),
        401,
        "date_out_of_window",
    ));
    cases.push((
        "future date",
        fresh(SystemTime::now() + Duration::from_secs(600)),
        401,
        "date_out_of_window",
    ));
    // No signature at all.
    let mut unsigned = fresh(SystemTime::now());
    unsigned.headers.retain(|(k, _)| k != "signature");
    cases.push(("unsigned", unsigned, 401, "signature_missing"));
    // Deeply nested JSON.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100)).into_bytes();
    cases.push((
        "deep json",
        sign(
            &app,
            &remote.signer("carol"),
            "/inbox",
            deep,
            SystemTime::now(),
        ),
        400,
        "json_too_deep",
    ));
    // More than 1 MiB.
    let mut big = create.clone();
    big["object"]["content"] = json!("x".repeat(1024 * 1024 + 10));
    let big = sign(
        &app,
        &remote.signer("carol"),
        "/inbox",
        serde_json::to_vec(&big).unwrap(),
        SystemTime::now(),
    );
    cases.push(("too large", big, 413, "payload_too_large"));

    for (what, signed, want, code) in &cases {
        let (status, v) = send(&app, "/inbox", signed).await;
        assert_eq!(status, *want, "{what}: {v}");
        assert_eq!(v["error_code"], *code, "{what}: {v}");
        assert!(v["error"].is_string(), "{what}: {v}");
        assert_eq!(counts(&app), before, "{what} changed the database");
    }

    // Signed correctly, but not allowed.
    let mut dave_edit = note.clone();
    dave_edit["attributedTo"] = json!(remote.actor_id("dave"));
    dave_edit["content"] = json!("<p>dave was here</p>");
    let mut carol_note_claimed = note.clone();
    carol_note_claimed["content"] = json!("<p>dave was here</p>");
    let local_note = json!({
        "id": local_uri, "type": "Note", "attributedTo": carol, "to": [PUBLIC], "content": "<p>hijack</p>",
    });
    let elsewhere = json!({
        "id": "http://localhost:1/notes/9", "type": "Note", "attributedTo": carol, "to": [PUBLIC], "content": "x",
    });
    let refused: Vec<(&str, &str, Value, u16, &str)> = vec![
        (
            "update of another's note",
            "dave",
            remote.activity("Update", "dave", "u-1", dave_edit),
            403,
            "not_owner",
        ),
        (
            "update claiming another's note",
            "dave",
            remote.activity("Update", "dave", "u-2", carol_note_claimed),
            403,
            "not_owner",
        ),
        (
            "delete of another's note",
            "dave",
            remote.activity("Delete", "dave", "d-1", json!(note["id"])),
            403,
            "not_owner",
        ),
        (
            "delete of a local status",
            "carol",
            remote.activity("Delete", "carol", "d-2", json!(local_uri)),
            403,
            "local_object",
        ),
        (
            "update of a local status",
            "carol",
            remote.activity("Update", "carol", "u-3", local_note),
            403,
            "local_object",
        ),
        (
            "create of a note from elsewhere",
            "carol",
            remote.activity("Create", "carol", "c-3", elsewhere),
            401,
            "origin_mismatch",
        ),
        (
            "create attributed to another",
            "dave",
            remote.activity(
                "Create",
                "dave",
                "c-4",
                remote.note("carol", "5", "x", json!([PUBLIC]), json!([])),
            ),
            403,
            "not_owner",
        ),
        (
            "follow of a remote account",
            "carol",
            remote.activity("Follow", "carol", "f-1", json!(remote.actor_id("dave"))),
            400,
            "not_local_target",
        ),
    ];
    for (what, actor, activity, want, code) in refused {
        let (status, v) = deliver(&app, &remote, actor, &activity).await;
        assert_eq!(status, want, "{what}: {v}");
        assert_eq!(v["error_code"], code, "{what}: {v}");
        assert_eq!(counts(&app), before, "{what} changed the database");
    }
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&alice))
        .await;
    assert_eq!(s["content"], "<p>mine</p>");
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).unwrap();
    assert!(row.content.contains("carol's"), "{}", row.content);

    // An activity whose id is on another origin than its actor.
    let mut spoofed = remote.activity("Like", "carol", "l-9", json!(local_uri));
    spoofed["id"] = json!("http://localhost:1/activities/l-9");
    let (status, v) = deliver(&app, &remote, "carol", &spoofed).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (401, Some("origin_mismatch")),
        "{v}"
    );

    // An actor whose document claims to live on another host than where it was
    // fetched: never stored, its activity refused.
    let mut liar = Remote::start().await;
    liar.add_actor("mallory");
    let other = Remote::start().await;
    let mut doc = liar.actor_doc("mallory", &liar.keys["mallory"].public_key_pem);
    doc["id"] = json!(other.actor_id("mallory"));
    doc["publicKey"]["owner"] = json!(other.actor_id("mallory"));
    liar.put("/users/mallory", doc);
    let follow = liar.activity("Follow", "mallory", "f-1", json!(app.url("/users/alice")));
    let (status, v) = deliver(&app, &liar, "mallory", &follow).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(counts(&app), before, "a lying actor changed the database");

    // Announce whose embedded object claims a third origin: the object is fetched
    // from that origin and the fetched version is what is stored.
    let mut third = Remote::start().await;
    third.add_actor("erin");
    let real = third.note(
        "erin",
        "7",
        "<p>the real text</p>",
        json!([PUBLIC]),
        json!([]),
    );
    third.put("/notes/7", real.clone());
    let mut fake = real.clone();
    fake["content"] = json!("<p>FAKE text</p>");
    let announce = remote.activity("Announce", "carol", "a-7", fake);
    let (status, v) = deliver(&app, &remote, "carol", &announce).await;
    assert_eq!(status, 202, "{v}");
    let stored = status_by_uri(&app, real["id"].as_str().unwrap()).expect("fetched");
    assert!(
        stored.content.contains("the real text"),
        "{}",
        stored.content
    );
    assert!(!stored.content.contains("FAKE"));
    let boost = status_by_uri(&app, announce["id"].as_str().unwrap()).expect("boost");
    assert_eq!(boost.reblog_of_id, Some(stored.id));

    // An Announce of an object its origin does not serve is refused, nothing stored.
    let before = counts(&app);
    let missing = remote.activity("Announce", "carol", "a-8", json!(third.url("/notes/404")));
    let (status, v) = deliver(&app, &remote, "carol", &missing).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(counts(&app), before);
}

/// A failed signature re-fetches the actor once, picking up a rotated key; not
/// again within five minutes, but a key another process stored meanwhile is used
/// (the inbox remembers actors in memory for a while, `known_actors`).
async fn rotated_keys_are_refetched(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    app.member("alice").await;
    let alice = app.url("/users/alice");
    let follow = |r: &Remote, n: &str| r.activity("Follow", "carol", n, json!(alice));
    assert_eq!(
        deliver(&app, &remote, "carol", &follow(&remote, "f-1"))
            .await
            .0,
        202
    );

    remote.rotate_key("carol");
    let a = follow(&remote, "f-2");
    let (status, v) = deliver(&app, &remote, "carol", &a).await;
    assert_eq!(status, 202, "rotated key: {v}");

    // Rotated again, and stored meanwhile by another process (the row changed
    // behind this one's back): the key this process remembers fails, the stored
    // one is read and used, though no re-fetch is allowed yet.
    remote.rotate_key("carol");
    let pem = remote.keys["carol"].public_key_pem.clone();
    let carol = remote.actor_id("carol");
    let changed = app
        .state
        .db
        .run_blocking(move |c| {
            use diesel::prelude::*;
            use kindred_db::schema::{accounts, remote_accounts};
            let id: i64 = remote_accounts::table
                .filter(remote_accounts::uri.eq(&carol))
                .select(remote_accounts::account_id)
                .first(c)?;
            diesel::update(remote_accounts::table.find(id))
                .set(remote_accounts::key_refetched_at.eq(Some(chrono::Utc::now().naive_utc())))
                .execute(c)?;
            Ok(diesel::update(accounts::table.find(id))
                .set(accounts::public_key_pem.eq(&pem))
                .execute(c)?)
        })
        .unwrap();
    assert_eq!(changed, 1);
    let (status, v) = deliver(&app, &remote, "carol", &follow(&remote, "f-3")).await;
    assert_eq!(status, 202, "key stored by another process: {v}");

    remote.rotate_key("carol");
    let b = follow(&remote, "f-4");
    let (status, v) = deliver(&app, &remote, "carol", &b).await;
    assert_eq!(status, 401, "third rotation within 5 minutes: {v}");
    assert_eq!(v["error_code"], "signature_invalid");
}

/// A `Create` is de-duplicated in the transaction that stores its note (on SQLite
/// the inbox reads nothing beforehand): a second delivery, even one racing the
/// first, is acknowledged as a duplicate and stores nothing; the very same request
/// again is a replay; a note dropped as unrelated is remembered all the same.
async fn creates_are_deduplicated_where_they_are_stored(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    app.member("alice").await;
    let alice_actor = app.url("/users/alice");
    let note = remote.note("carol", "d-1", "<p>hi</p>", json!([alice_actor]), json!([]));
    let create = remote.activity("Create", "carol", "d-1", note.clone());
    let body = serde_json::to_vec(&create).unwrap();
    // Signatures are deterministic: another Date (to the second) makes another
    // request.
    let t0 = SystemTime::now();
    let signed = |body: &[u8], ago: u64| {
        sign(
            &app,
            &remote.signer("carol"),
            "/inbox",
            body.to_vec(),
            t0 - Duration::from_secs(ago),
        )
    };
    // Carol is known already: the race is the note's, not her first fetch's.
    let hello = remote.activity("Follow", "carol", "d-0", json!(alice_actor));
    assert_eq!(deliver(&app, &remote, "carol", &hello).await.0, 202);
    let (first, second) = (signed(&body, 1), signed(&body, 2));
    let (a, b) = tokio::join!(send(&app, "/inbox", &first), send(&app, "/inbox", &second));
    let mut outcomes = vec![
        (a.0, a.1["status"].as_str().unwrap_or_default().to_owned()),
        (b.0, b.1["status"].as_str().unwrap_or_default().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(202, "accepted".to_owned()), (202, "duplicate".to_owned())],
        "{a:?} {b:?}"
    );
    let stored = status_by_uri(&app, note["id"].as_str().unwrap()).unwrap();
    assert_eq!(stored.visibility, Visibility::Direct);

    let before = counts(&app);
    let (status, v) = send(&app, "/inbox", &signed(&body, 3)).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("duplicate")),
        "{v}"
    );
    // The request that was processed, sent again (the other one's signature was
    // never recorded: it comes again as a duplicate).
    let processed = if a.1["status"] == "accepted" {
        &first
    } else {
        &second
    };
    let (status, v) = send(&app, "/inbox", processed).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(v["error_code"], "replayed_request");
    assert_eq!(counts(&app), before);

    // A note that concerns nobody here is dropped, and its activity remembered.
    let unrelated = remote.note("carol", "d-2", "<p>to all</p>", json!([PUBLIC]), json!([]));
    let create = remote.activity("Create", "carol", "d-2", unrelated.clone());
    let (status, v) = deliver(&app, &remote, "carol", &create).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("accepted")),
        "{v}"
    );
    assert!(status_by_uri(&app, unrelated["id"].as_str().unwrap()).is_none());
    let again = signed(&serde_json::to_vec(&create).unwrap(), 4);
    let (status, v) = send(&app, "/inbox", &again).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("duplicate")),
        "{v}"
    );
}

/// Two first deliveries from an actor we never saw, at once: both fetch and store
/// it, and both are accepted (on PostgreSQL the second insert met the first's row
/// and was refused, and so was the activity, which a sender does not retry).
async fn first_deliveries_from_a_new_actor_race_safely(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    app.member("alice").await;
    let alice = app.url("/users/alice");
    for round in 0..3 {
        let name = format!("dave{round}");
        remote.add_actor(&name);
        let one = remote.activity("Like", &name, &format!("l-{round}"), json!(alice));
        let two = remote.activity("Follow", &name, &format!("f-{round}"), json!(alice));
        let (a, b) = tokio::join!(
            deliver(&app, &remote, &name, &one),
            deliver(&app, &remote, &name, &two)
        );
        assert_eq!((a.0, b.0), (202, 202), "{a:?} {b:?}");
    }
    let counts = counts(&app);
    let count = |t: &str| counts.iter().find(|(n, _)| *n == t).unwrap().1;
    // Each dave stored once, with its Follow.
    assert_eq!((count("remote_accounts"), count("follows")), (3, 3));
}

/// An actor's `Delete` of itself removes our copy, and the inbox's memory of it:
/// if it writes again it is fetched and stored anew, not taken for the account
/// that was deleted (whose statuses and relations are gone).
async fn a_deleted_actor_is_forgotten(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("erin");
    app.member("alice").await;
    let alice = app.url("/users/alice");
    let erin = remote.actor_id("erin");
    let follow = remote.activity("Follow", "erin", "e-1", json!(alice));
    assert_eq!(deliver(&app, &remote, "erin", &follow).await.0, 202);
    let id_of_erin = |app: &TestApp| {
        let erin = erin.clone();
        app.state
            .db
            .run_blocking(move |c| kindred_db::models::remote_accounts::find_by_uri(c, &erin))
            .unwrap()
            .map(|(a, _)| a.id)
    };
    let first = id_of_erin(&app).unwrap();
    let delete = remote.activity("Delete", "erin", "e-2", json!(erin));
    assert_eq!(deliver(&app, &remote, "erin", &delete).await.0, 202);
    assert_eq!(id_of_erin(&app), None);

    let note = remote.note("erin", "e-3", "<p>back</p>", json!([alice]), json!([]));
    let create = remote.activity("Create", "erin", "e-3", note.clone());
    let (status, v) = deliver(&app, &remote, "erin", &create).await;
    assert_eq!(status, 202, "{v}");
    let again = id_of_erin(&app).unwrap();
    assert_ne!(again, first);
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).unwrap();
    assert_eq!(row.account_id, again);
}

/// Per-account inboxes take the same activities; unknown accounts are 404; an
/// unsupported activity type is acknowledged and ignored.
async fn personal_inboxes_and_unknown_types(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    app.member("alice").await;
    let follow = remote.activity("Follow", "carol", "f-1", json!(app.url("/users/alice")));
    let body = serde_json::to_vec(&follow).unwrap();
    let s = sign(
        &app,
        &remote.signer("carol"),
        "/users/alice/inbox",
        body.clone(),
        SystemTime::now(),
    );
    let (status, v) = send(&app, "/users/alice/inbox", &s).await;
    assert_eq!(status, 202, "{v}");
    let s = sign(
        &app,
        &remote.signer("carol"),
        "/users/nobody/inbox",
        body,
        SystemTime::now(),
    );
    assert_eq!(send(&app, "/users/nobody/inbox", &s).await.0, 404);

    // Received ids are kept 14 days, then pruned.
    app.state
        .db
        .run_blocking(|c| {
            let old = chrono::Utc::now().naive_utc() - chrono::Duration::days(15);
            kindred_db::models::received::record(c, "old-id", "old-signature", old)?;
            let n = kindred_db::models::received::count(c)?;
            kindred_db::models::received::prune(
                c,
                chrono::Utc::now().naive_utc() - chrono::Duration::days(14),
            )?;
            assert_eq!(kindred_db::models::received::count(c)?, n - 1);
            Ok(())
        })
        .unwrap();

    let before = counts(&app);
    let flag = remote.activity("Move", "carol", "m-1", json!(remote.actor_id("carol")));
    let (status, v) = deliver(&app, &remote, "carol", &flag).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("unsupported_type")),
        "{v}"
    );
    assert_eq!(counts(&app), before);
    // Signed as one path, sent to another: the request target is signed.
    let s = sign(
        &app,
        &remote.signer("carol"),
        "/actor/inbox",
        serde_json::to_vec(&remote.activity("Like", "carol", "l-1", json!("http://localhost:1/x")))
            .unwrap(),
        SystemTime::now(),
    );
    let (status, v) = send(&app, "/inbox", &s).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(counts(&app), before);
}

/// Accept and Reject of a follow we asked for: stored only if a request is pending,
/// and only when the followed account itself answers.
async fn accept_and_reject_of_our_follows(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    remote.add_actor("dave");
    let (alice, alice_id) = app.member("alice").await;
    let alice_actor = app.url("/users/alice");
    let carol = remote.actor_id("carol");
    // Make carol and dave known, then let alice's request to carol be pending (the
    // outbound Follow itself is the delivery side's work).
    for who in ["carol", "dave"] {
        let like = remote.activity(
            "Like",
            who,
            &format!("l-{who}"),
            json!("http://localhost:1/x"),
        );
        assert_eq!(deliver(&app, &remote, who, &like).await.0, 202);
    }
    let carol_id = app
        .state
        .db
        .run_blocking({
            let carol = carol.clone();
            move |c| {
                Ok(kindred_db::models::remote_accounts::find_by_uri(c, &carol)?
                    .unwrap()
                    .0
                    .id)
            }
        })
        .unwrap();
    let a: i64 = alice_id.parse().unwrap();
    let pend = move |c: &mut kindred_db::AnyConnection| {
        kindred_db::models::social::request_follow(
            c,
            rand::random::<i64>().abs(),
            a,
            carol_id,
            true,
            false,
            chrono::Utc::now().naive_utc(),
        )
        .map(|_| ())
    };
    app.state.db.run_blocking(pend).unwrap();
    let our_follow = json!({
        "id": app.url("/users/alice#follows/1"),
        "type": "Follow",
        "actor": alice_actor,
        "object": carol,
    });
    // Dave cannot accept a follow of carol.
    let before = counts(&app);
    let forged = remote.activity("Accept", "dave", "acc-0", our_follow.clone());
    let (status, v) = deliver(&app, &remote, "dave", &forged).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("not_owner")),
        "{v}"
    );
    assert_eq!(counts(&app), before);
    let accept = remote.activity("Accept", "carol", "acc-1", our_follow.clone());
    assert_eq!(deliver(&app, &remote, "carol", &accept).await.0, 202);
    let (_, rel) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={carol_id}"),
            Some(&alice),
        )
        .await;
    assert_eq!(rel[0]["following"], true, "{rel}");
    // Reject takes the follow back; a second Accept without a request does nothing.
    let reject = remote.activity("Reject", "carol", "rej-1", our_follow.clone());
    assert_eq!(deliver(&app, &remote, "carol", &reject).await.0, 202);
    let accept = remote.activity("Accept", "carol", "acc-2", our_follow);
    assert_eq!(deliver(&app, &remote, "carol", &accept).await.0, 202);
    let (_, rel) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={carol_id}"),
            Some(&alice),
        )
        .await;
    assert_eq!(rel[0]["following"], false, "{rel}");
    assert_eq!(rel[0]["requested"], false, "{rel}");
}

/// What the inbox stores is streamed like local changes: a mention as a
/// notification to the mentioned member, a public remote note on `public:remote`.
async fn inbox_changes_are_streamed(backend: Backend) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    let (alice, _) = app.member("alice").await;
    let connect = |query: &str| {
        let mut req = format!("ws://{}/api/v1/streaming?stream={query}", app.domain)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("Authorization", format!("Bearer {alice}").parse().unwrap());
        tokio_tungstenite::connect_async(req)
    };
    let (mut notes, _) = connect("user:notification").await.unwrap();
    let (mut public, _) = connect("public:remote").await.unwrap();
    async fn next_event(
        ws: &mut tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("an event in time")
                .unwrap()
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }
    // Client messages are handled in order after the subscription in the URL:
    // the error answer to a bad message marks the point where both are live.
    use futures_util::SinkExt;
    for ws in [&mut notes, &mut public] {
        ws.send(Message::Text(json!({"type": "barrier"}).to_string().into()))
            .await
            .unwrap();
        let answer = next_event(ws).await;
        assert_eq!(answer["status"], 400, "{answer}");
    }
    let alice_actor = app.url("/users/alice");
    let mut note = remote.note(
        "carol",
        "1",
        "<p>hi @alice</p>",
        json!([PUBLIC]),
        json!([alice_actor]),
    );
    note["tag"] = json!({ "type": "Mention", "href": alice_actor });
    let (status, v) = deliver(
        &app,
        &remote,
        "carol",
        &remote.activity("Create", "carol", "c-1", note.clone()),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    let event = next_event(&mut notes).await;
    assert_eq!(event["event"], "notification", "{event}");
    let payload: Value = serde_json::from_str(event["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"], "mention");
    assert_eq!(payload["status"]["uri"], note["id"]);
    let event = next_event(&mut public).await;
    assert_eq!(event["event"], "update", "{event}");
    let payload: Value = serde_json::from_str(event["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["uri"], note["id"]);
}

/// Everything the directory, the instance calendar and the public timeline show
/// to a member, as one string.
async fn shown_to(app: &TestApp, token: &str) -> String {
    let mut all = String::new();
    for path in [
        "/api/v1/pleroma/events",
        "/api/v1/pleroma/events?scope=public",
        "/api/v1/timelines/public",
        "/api/v1/timelines/home",
    ] {
        let (status, v) = app.get_json(path, Some(token)).await;
        assert_eq!(status, 200, "{path}: {v}");
        all.push_str(&v.to_string());
    }
    let resp = app
        .client
        .get(app.url("/api/v1/pleroma/calendars/instance"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    all.push_str(&resp.text().await.unwrap());
    all
}

/// Issue 21, item 4: a remote server cannot plant a listing or a post by naming a
/// URL at our host. An `Event` or a note addressed (to, cc, followers, mention) to
/// an account that does not exist, or replying to a status that does not exist, is
/// dropped: nothing is stored, nothing shows in the directory, the calendar or the
/// timelines. The same content addressed to a real member is stored (the positive
/// control, sent last).
async fn content_naming_no_one_here_is_dropped(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("mallory");
    let (alice, _) = app.member("alice").await;
    let (status, posted) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "hello", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{posted}");
    let ghost = app.url("/users/ghost");
    let event = |n: &str, title: &str, to: Value| {
        json!({
            "id": remote.url(&format!("/events/{n}")),
            "type": "Event",
            "attributedTo": remote.actor_id("mallory"),
            "name": title,
            "content": "<p>Come along</p>",
            "startTime": "2031-02-04T17:00:00Z",
            "endTime": "2031-02-04T19:00:00Z",
            "location": {"type": "Place", "name": "Hall",
                "address": {"type": "PostalAddress", "addressLocality": "Plantville"}},
            "to": to,
            "cc": [],
        })
    };
    let before = counts(&app);
    let planted = [
        event("e1", "Planted listing", json!([PUBLIC, ghost])),
        event(
            "e2",
            "Planted listing",
            json!([format!("{ghost}/followers")]),
        ),
        event("e3", "Planted listing", json!([app.url("/@nobody")])),
    ];
    for (i, e) in planted.iter().enumerate() {
        let create = remote.activity("Create", "mallory", &format!("ce{i}"), e.clone());
        let (status, v) = deliver(&app, &remote, "mallory", &create).await;
        assert_eq!(status, 202, "{v}");
    }
    let mut notes = [
        remote.note(
            "mallory",
            "n1",
            "<p>Planted post</p>",
            json!([PUBLIC]),
            json!([ghost]),
        ),
        remote.note(
            "mallory",
            "n2",
            "<p>Planted post</p>",
            json!([PUBLIC]),
            json!([format!("{ghost}/followers")]),
        ),
        remote.note(
            "mallory",
            "n3",
            "<p>Planted post</p>",
            json!([PUBLIC]),
            json!([]),
        ),
        remote.note(
            "mallory",
            "n4",
            "<p>Planted post</p>",
            json!([PUBLIC]),
            json!([]),
        ),
    ];
    notes[2]["tag"] = json!([{"type": "Mention", "href": ghost, "name": "@ghost"}]);
    // A reply to a status of ours that does not exist.
    notes[3]["inReplyTo"] = json!(app.url("/users/alice/statuses/4242"));
    for (i, n) in notes.iter().enumerate() {
        let create = remote.activity("Create", "mallory", &format!("cn{i}"), n.clone());
        let (status, v) = deliver(&app, &remote, "mallory", &create).await;
        assert_eq!(status, 202, "{v}");
        assert!(status_by_uri(&app, n["id"].as_str().unwrap()).is_none());
    }

    // The positive controls: the same addressed to alice, and a reply to her post.
    let alice_actor = app.url("/users/alice");
    let real = event("e9", "Real listing", json!([PUBLIC, alice_actor]));
    let create = remote.activity("Create", "mallory", "ce9", real);
    let (status, v) = deliver(&app, &remote, "mallory", &create).await;
    assert_eq!(status, 202, "{v}");
    let to_alice = remote.note(
        "mallory",
        "n9",
        "<p>Real post</p>",
        json!([PUBLIC]),
        json!([alice_actor]),
    );
    let mut reply = remote.note(
        "mallory",
        "n10",
        "<p>Real reply</p>",
        json!([PUBLIC]),
        json!([]),
    );
    reply["inReplyTo"] = posted["uri"].clone();
    for (i, n) in [to_alice, reply].iter().enumerate() {
        let create = remote.activity("Create", "mallory", &format!("cr{i}"), n.clone());
        let (status, v) = deliver(&app, &remote, "mallory", &create).await;
        assert_eq!(status, 202, "{v}");
        assert!(status_by_uri(&app, n["id"].as_str().unwrap()).is_some());
    }
    let shown = shown_to(&app, &alice).await;
    for control in ["Real listing", "Real post", "Real reply"] {
        assert!(shown.contains(control), "{control} missing: {shown}");
    }
    assert!(!shown.contains("Planted"), "planted content shown: {shown}");
    let planted_ids: Vec<String> = planted
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let stored = app
        .state
        .db
        .run_blocking(move |c| {
            let mut n = 0;
            for id in &planted_ids {
                n += usize::from(kindred_db::models::remote_meetings::by_uri(c, id)?.is_some());
            }
            Ok(n)
        })
        .unwrap();
    assert_eq!(stored, 0, "a planted listing was stored");
    // Only the controls' rows were added (two statuses, their receipts...).
    let after: std::collections::HashMap<_, _> = counts(&app).into_iter().collect();
    let before: std::collections::HashMap<_, _> = before.into_iter().collect();
    assert_eq!(after["statuses"] - before["statuses"], 2);
}

fn deliveries(app: &TestApp) -> i64 {
    counts(app)
        .iter()
        .find(|(t, _)| *t == "deliveries")
        .unwrap()
        .1
}

/// The effects of a follow are one rule (`kindred_core::follows`), whichever
/// entrance it comes through. A remote Follow of a locked account that already
/// follows it stays a follow and is answered again (the inbox used to store a second
/// request and notify again); a remote Undo takes the notice back, as a member's
/// unfollow does (the inbox used to leave it).
async fn follow_effects_are_one_rule_for_both_entrances(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    let (bob, bob_id) = app.member("bob").await;
    let (dave, _) = app.member("dave").await;
    let (status, v) = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&bob),
            json!({ "locked": true }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let bob_actor = app.url("/users/bob");

    // Carol asks, bob accepts: a follow, its notice, one Accept queued.
    let follow = remote.activity("Follow", "carol", "f-1", json!(bob_actor));
    assert_eq!(deliver(&app, &remote, "carol", &follow).await.0, 202);
    let (_, requests) = app.get_json("/api/v1/follow_requests", Some(&bob)).await;
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    let carol_id = requests[0]["id"].as_str().unwrap().to_owned();
    let (status, v) = app
        .post_json(
            &format!("/api/v1/follow_requests/{carol_id}/authorize"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["followed_by"], true, "{v}");
    assert_eq!(notification_types(&app, &bob).await, ["follow"]);
    assert_eq!(deliveries(&app), 1);

    // Asked again (carol's server lost our Accept): still a follow, answered again;
    // no second request, no second notice.
    let again = remote.activity("Follow", "carol", "f-2", json!(bob_actor));
    assert_eq!(deliver(&app, &remote, "carol", &again).await.0, 202);
    let (_, requests) = app.get_json("/api/v1/follow_requests", Some(&bob)).await;
    assert_eq!(requests.as_array().unwrap().len(), 0, "{requests}");
    assert_eq!(notification_types(&app, &bob).await, ["follow"]);
    assert_eq!(deliveries(&app), 2);

    // A member's request and unfollow: the notice comes and goes.
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            &dave,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["requested"], true, "{v}");
    assert_eq!(
        notification_types(&app, &bob).await,
        ["follow_request", "follow"]
    );
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/unfollow"),
            &dave,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(notification_types(&app, &bob).await, ["follow"]);

    // Carol's Undo: the follow and its notice go the same way.
    let undo = remote.activity("Undo", "carol", "u-1", follow);
    assert_eq!(deliver(&app, &remote, "carol", &undo).await.0, 202);
    let (_, followers) = app
        .get_json(&format!("/api/v1/accounts/{bob_id}/followers"), Some(&bob))
        .await;
    assert_eq!(followers.as_array().unwrap().len(), 0, "{followers}");
    assert!(notification_types(&app, &bob).await.is_empty());
}

both_backends!(
    follow_effects_are_one_rule_for_both_entrances,
    content_naming_no_one_here_is_dropped,
    inbox_changes_are_streamed,
    accept_and_reject_of_our_follows,
    remote_activities_arrive,
    bad_activities_are_refused,
    rotated_keys_are_refetched,
    creates_are_deduplicated_where_they_are_stored,
    first_deliveries_from_a_new_actor_race_safely,
    a_deleted_actor_is_forgotten,
    personal_inboxes_and_unknown_types,
    edits_tell_the_same_people_whichever_entrance,
    boosts_and_favourites_tell_only_a_local_author,
    a_group_is_addressed_never_mentioned,
);

// The rules of `kindred-core`, pinned from both entrances: what the API does for
// a local account, the inbox does for a remote one, and the other way round.

/// Notifications of `kind` stored, for anyone (a remote account's included: the
/// API shows only one's own).
fn stored_notifications(app: &TestApp, kind: &'static str) -> i64 {
    app.state
        .db
        .run_blocking(move |c| {
            let n: Count = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM notifications WHERE kind = '{kind}'"
            ))
            .get_result(c)?;
            Ok(n.n)
        })
        .unwrap()
}

fn count_of(types: &[String], kind: &str) -> usize {
    types.iter().filter(|t| *t == kind).count()
}

/// An edit tells every local account that boosted the post (`update`) and the
/// local accounts it now mentions for the first time (`mention`), whether the
/// post is ours edited through the API or a remote one edited by an `Update`; a
/// remote booster is told by its own server, not by a row here.
async fn edits_tell_the_same_people_whichever_entrance(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (dave, _) = app.member("dave").await;
    let alice_actor = app.url("/users/alice");
    let dave_actor = app.url("/users/dave");

    // Alice's post, boosted by bob here and by carol from her server.
    let local_id = app
        .post_status(
            &alice,
            json!({"status": "first words", "visibility": "public"}),
        )
        .await;
    let local_uri = app.url(&format!("/users/alice/statuses/{local_id}"));
    let (status, v) = app
        .post_json(
            &format!("/api/v1/statuses/{local_id}/reblog"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let announce = remote.activity("Announce", "carol", "announce-e1", json!(local_uri));
    assert_eq!(deliver(&app, &remote, "carol", &announce).await.0, 202);
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&alice))
        .await;
    assert_eq!(s["reblogs_count"], 2, "{s}");

    // Edited through the API, naming dave now.
    let (status, v) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{local_id}"),
            Some(&alice),
            json!({"status": "better words @dave"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(count_of(&notification_types(&app, &bob).await, "update"), 1);
    // Carol's server tells carol: one `update` stored here, bob's.
    assert_eq!(stored_notifications(&app, "update"), 1);
    assert_eq!(
        count_of(&notification_types(&app, &dave).await, "mention"),
        1
    );
    // Edited again, still naming dave: he heard of it once.
    let (status, v) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{local_id}"),
            Some(&alice),
            json!({"status": "best words @dave"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        count_of(&notification_types(&app, &dave).await, "mention"),
        1
    );
    assert_eq!(count_of(&notification_types(&app, &bob).await, "update"), 2);

    // Carol's post (it mentions alice), boosted by bob here.
    let mut note = remote.note(
        "carol",
        "e1",
        "<p>carol's words @alice</p>",
        json!([PUBLIC]),
        json!([alice_actor]),
    );
    note["tag"] = json!([{ "type": "Mention", "href": alice_actor, "name": "@alice" }]);
    let create = remote.activity("Create", "carol", "create-e1", note.clone());
    assert_eq!(deliver(&app, &remote, "carol", &create).await.0, 202);
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).expect("stored");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/statuses/{}/reblog", row.id),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Edited by an Update from carol's server, naming dave now.
    let mut edited = note.clone();
    edited["content"] = json!("<p>carol's better words @alice @dave</p>");
    edited["cc"] = json!([alice_actor, dave_actor]);
    edited["tag"] = json!([
        { "type": "Mention", "href": alice_actor, "name": "@alice" },
        { "type": "Mention", "href": dave_actor, "name": "@dave" },
    ]);
    let update = remote.activity("Update", "carol", "update-e1", edited);
    assert_eq!(deliver(&app, &remote, "carol", &update).await.0, 202);
    assert_eq!(count_of(&notification_types(&app, &bob).await, "update"), 3);
    assert_eq!(
        count_of(&notification_types(&app, &dave).await, "mention"),
        2
    );
    // Alice was named before: no second mention.
    assert_eq!(
        count_of(&notification_types(&app, &alice).await, "mention"),
        1
    );
}

/// A boost or a favourite tells the post's author when the author is local,
/// whoever acts (a local account through the API, a remote one through the
/// inbox); a remote author hears through its own server, so nothing is stored.
async fn boosts_and_favourites_tell_only_a_local_author(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let alice_actor = app.url("/users/alice");

    // Carol, remote, boosts and favourites alice's post: alice is told.
    let local_id = app
        .post_status(&alice, json!({"status": "hello", "visibility": "public"}))
        .await;
    let local_uri = app.url(&format!("/users/alice/statuses/{local_id}"));
    let like = remote.activity("Like", "carol", "like-b1", json!(local_uri));
    assert_eq!(deliver(&app, &remote, "carol", &like).await.0, 202);
    let announce = remote.activity("Announce", "carol", "announce-b1", json!(local_uri));
    assert_eq!(deliver(&app, &remote, "carol", &announce).await.0, 202);
    // Bob, local, does the same: alice is told again.
    for act in ["favourite", "reblog"] {
        let (status, v) = app
            .post_json(
                &format!("/api/v1/statuses/{local_id}/{act}"),
                &bob,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let types = notification_types(&app, &alice).await;
    assert_eq!(count_of(&types, "favourite"), 2, "{types:?}");
    assert_eq!(count_of(&types, "reblog"), 2, "{types:?}");

    // Bob boosts and favourites carol's post: nothing is stored for carol.
    let mut note = remote.note(
        "carol",
        "b1",
        "<p>hi @alice</p>",
        json!([PUBLIC]),
        json!([alice_actor]),
    );
    note["tag"] = json!([{ "type": "Mention", "href": alice_actor, "name": "@alice" }]);
    let create = remote.activity("Create", "carol", "create-b1", note.clone());
    assert_eq!(deliver(&app, &remote, "carol", &create).await.0, 202);
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).expect("stored");
    for act in ["favourite", "reblog"] {
        let (status, v) = app
            .post_json(
                &format!("/api/v1/statuses/{}/{act}", row.id),
                &bob,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{}", row.id), Some(&bob))
        .await;
    assert_eq!(s["favourites_count"], 1, "{s}");
    assert_eq!(s["reblogs_count"], 1, "{s}");
    assert_eq!(stored_notifications(&app, "favourite"), 2);
    assert_eq!(stored_notifications(&app, "reblog"), 2);
}

/// A local group named in a post is addressed, never recorded as mentioned: not
/// in a post written here (it places the post), not in a remote note either.
async fn a_group_is_addressed_never_mentioned(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut remote = Remote::start().await;
    remote.add_actor("carol");
    let (alice, alice_id) = app.member("alice").await;
    let password = "fran's password";
    app.create_user("fran", password, None, kindred_domain::Role::Facilitator)
        .await;
    let fran = app.login("fran", password).await;
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            &fran,
            json!({"username": "walkers", "display_name": "Walkers", "visibility": "closed"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    let group_id = g["id"].as_str().unwrap().to_owned();
    let alice_actor = app.url("/users/alice");
    let group_actor = app.url("/users/walkers");

    let mut note = remote.note(
        "carol",
        "g1",
        "<p>hi @alice and @walkers</p>",
        json!([PUBLIC]),
        json!([alice_actor, group_actor]),
    );
    note["tag"] = json!([
        { "type": "Mention", "href": alice_actor, "name": "@alice" },
        { "type": "Mention", "href": group_actor, "name": "@walkers" },
    ]);
    let create = remote.activity("Create", "carol", "create-g1", note.clone());
    assert_eq!(deliver(&app, &remote, "carol", &create).await.0, 202);
    let row = status_by_uri(&app, note["id"].as_str().unwrap()).expect("stored");
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{}", row.id), Some(&alice))
        .await;
    let mentioned: Vec<&str> = s["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    // Alice, the control, is mentioned; the group is not.
    assert_eq!(mentioned, [alice_id.as_str()], "{s}");
    let sid = row.id;
    let stored = app
        .state
        .db
        .run_blocking(move |c| kindred_db::models::statuses::mentions_of(c, &[sid]))
        .unwrap()
        .remove(&sid)
        .unwrap_or_default();
    assert!(
        !stored.iter().any(|id| id.to_string() == group_id),
        "{stored:?}"
    );
    assert_eq!(stored.len(), 1, "{stored:?}");
}
