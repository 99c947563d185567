//! Following remote groups (FEP-1b12): a Lemmy community and a Mobilizon group on
//! loopback receivers, hand-written documents in the shapes those servers publish.
//! A member follows the group (the Follow reaches the group's inbox, the group
//! answers Accept), the group announces, and the member's home shows the post as
//! the group's boost; a member who does not follow sees nothing. What the group says
//! about another server's post is never trusted.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use diesel::RunQueryDsl;
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::{generate_keypair, KeyPair};
use serde_json::{json, Value};
use url::Url;

use crate::common::{both_backends, meeting_day, spawn_app, Backend, TestApp};
use crate::receiver::{Answer, Receiver};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A remote server: a recording receiver, addressed by name (activity ids must be
/// on a domain, not an IP address), with key pairs for its actors.
pub(crate) struct Peer {
    pub(crate) r: Receiver,
    base: String,
    keys: HashMap<String, KeyPair>,
}

impl Peer {
    pub(crate) fn start() -> Self {
        let r = Receiver::start();
        let base = format!("http://localhost:{}", r.port);
        Self {
            r,
            base,
            keys: HashMap::new(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn serve(&self, id: &str, doc: &Value) {
        let path = Url::parse(id).unwrap().path().to_owned();
        self.r.serve_doc(&path, doc);
    }

    fn key(&mut self, id: &str) -> String {
        let kp = generate_keypair().unwrap();
        let pem = kp.public_key_pem.clone();
        self.keys.insert(id.to_owned(), kp);
        pem
    }

    /// A person, as Lemmy (`/u/name`) or Mobilizon (`/@name`) publishes one.
    pub(crate) fn person(&mut self, id: &str, name: &str) {
        let pem = self.key(id);
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Person",
            "preferredUsername": name,
            "name": name,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "endpoints": { "sharedInbox": self.url("/inbox") },
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
        });
        self.serve(id, &doc);
    }

    /// A Lemmy community (Lemmy 0.19's Group document).
    fn lemmy_community(&mut self, name: &str) -> String {
        let id = self.url(&format!("/c/{name}"));
        let pem = self.key(&id);
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
                         { "lemmy": "https://join-lemmy.org/ns#", "sensitive": "as:sensitive",
                           "postingRestrictedToMods": "lemmy:postingRestrictedToMods" }],
            "type": "Group",
            "id": id,
            "preferredUsername": name,
            "name": "Peer support",
            "summary": "<p>A community for peers</p>",
            "source": { "content": "A community for peers", "mediaType": "text/markdown" },
            "sensitive": false,
            "attributedTo": format!("{id}/moderators"),
            "postingRestrictedToMods": false,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "featured": format!("{id}/featured"),
            "endpoints": { "sharedInbox": self.url("/inbox") },
            "language": [{ "identifier": "en", "name": "English" }],
            "published": "2026-01-10T12:00:00Z",
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
        });
        self.serve(&id, &doc);
        id
    }

    /// A Mobilizon group.
    pub(crate) fn mobilizon_group(&mut self, name: &str) -> String {
        let id = self.url(&format!("/@{name}"));
        let pem = self.key(&id);
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld",
                         { "mz": "https://joinmobilizon.org/ns#", "openness": { "@id": "mz:openness" } }],
            "type": "Group",
            "id": id,
            "preferredUsername": name,
            "name": "Walking club",
            "summary": "<p>We walk and talk</p>",
            "url": self.url(&format!("/@{name}")),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "following": format!("{id}/following"),
            "members": format!("{id}/members"),
            "posts": format!("{id}/posts"),
            "events": format!("{id}/events"),
            "discussions": format!("{id}/discussions"),
            "resources": format!("{id}/resources"),
            "todos": format!("{id}/todos"),
            "openness": "open",
            "manuallyApprovesFollowers": false,
            "endpoints": { "sharedInbox": self.url("/inbox") },
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
        });
        self.serve(&id, &doc);
        id
    }

    /// `activity` signed by `actor` (its `#main-key`) and posted to our shared inbox.
    pub(crate) async fn deliver(
        &self,
        app: &TestApp,
        actor: &str,
        activity: &Value,
    ) -> (u16, Value) {
        let signer = Signer::new(
            &self.keys[actor].private_key_pem,
            format!("{actor}#main-key"),
        )
        .unwrap();
        let body = serde_json::to_vec(activity).unwrap();
        let url = Url::parse(&app.url("/inbox")).unwrap();
        let headers = signer
            .sign("POST", &url, Some(&body), SystemTime::now())
            .unwrap();
        let mut req = app
            .client
            .post(url.as_str())
            .header("content-type", "application/activity+json")
            .body(body);
        for (k, v) in headers.pairs() {
            if k != "host" {
                req = req.header(k, v);
            }
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The Follow of `group` our server delivered (to the shared inbox it names).
    async fn follow_received(&self, group: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.r.requests().into_iter().find_map(|r| {
                let v: Value = serde_json::from_str(&r.body).ok()?;
                let follow = v["type"] == "Follow" && v["object"] == group;
                (r.method == "POST" && r.path == "/inbox" && follow).then_some(v)
            });
            if let Some(v) = found {
                return v;
            }
            assert!(Instant::now() < deadline, "no Follow of {group} arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub(crate) fn activity(id: String, kind: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "object": object,
    })
}

/// Lemmy's announce: the community wraps the member's activity as received.
fn lemmy_announce(peer: &Peer, group: &str, n: &str, inner: Value) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": peer.url(&format!("/activities/announce/{n}")),
        "type": "Announce",
        "actor": group,
        "to": [PUBLIC],
        "cc": [format!("{group}/followers")],
        "object": inner,
    })
}

/// A Lemmy post (`Page`) as Lemmy 0.19 publishes it.
fn lemmy_page(id: &str, author: &str, group: &str, title: &str, content: &str) -> Value {
    json!({
        "type": "Page",
        "id": id,
        "attributedTo": author,
        "to": [group, PUBLIC],
        "cc": [],
        "audience": group,
        "name": title,
        "content": content,
        "mediaType": "text/html",
        "source": { "content": content, "mediaType": "text/markdown" },
        "sensitive": false,
        "commentsEnabled": true,
        "stickied": false,
        "language": { "identifier": "en", "name": "English" },
        "published": "2026-11-20T10:00:00Z",
    })
}

/// Lemmy's Create of a post, as the community received it.
fn lemmy_create(peer: &Peer, n: &str, author: &str, group: &str, page: Value) -> Value {
    json!({
        "id": peer.url(&format!("/activities/create/{n}")),
        "type": "Create",
        "actor": author,
        "to": [PUBLIC],
        "cc": [group],
        "audience": group,
        "object": page,
    })
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// How many statuses (boosts included) are stored.
fn statuses(app: &TestApp) -> i64 {
    app.state
        .db
        .run_blocking(|c| {
            let n: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM statuses").get_result(c)?;
            Ok(n.n)
        })
        .unwrap()
}

fn stored(app: &TestApp, uri: &str) -> Option<kindred_db::StatusRow> {
    let uri = uri.to_owned();
    app.state
        .db
        .run_blocking(move |c| kindred_db::models::federated::status_by_uri(c, &uri))
        .unwrap()
}

async fn home(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

/// The member resolves the group by its URL, follows it, and the group accepts.
pub(crate) async fn follow_group(app: &TestApp, peer: &Peer, token: &str, group: &str) -> Value {
    let (status, found) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                url::form_urlencoded::byte_serialize(group.as_bytes()).collect::<String>()
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    let account = found["accounts"][0].clone();
    assert_eq!(account["group"], true, "{account}");
    let id = account["id"].as_str().unwrap();
    let (status, rel) = app
        .post_json(&format!("/api/v1/accounts/{id}/follow"), token, json!({}))
        .await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["requested"], true, "{rel}");
    let follow = peer.follow_received(group).await;
    let accept = activity(
        peer.url(&format!("/activities/accept/{}", rand::random::<u32>())),
        "Accept",
        group,
        follow,
    );
    let (status, v) = peer.deliver(app, group, &accept).await;
    assert_eq!(status, 202, "{v}");
    let (_, rel) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    assert_eq!(rel[0]["following"], true, "{rel}");
    account
}

/// Lemmy: Announce(Create(Page)), duplicates, a post from another server fetched
/// from its origin, Announce(Update), Announce(Delete) trusted only as far as it
/// may be, other wrapped types ignored, bad wrapped activities refused.
async fn lemmy_community(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut lemmy = Peer::start();
    let mut elsewhere = Peer::start();
    let group = lemmy.lemmy_community("peers");
    let ann = lemmy.url("/u/ann");
    let moderator = lemmy.url("/u/mod");
    lemmy.person(&ann, "ann");
    lemmy.person(&moderator, "mod");
    let bob = elsewhere.url("/u/bob");
    elsewhere.person(&bob, "bob");
    let (alice, _) = app.member("alice").await;
    let (carl, _) = app.member("carl").await;

    // An announce before anyone follows the group is acknowledged and dropped.
    let early = lemmy.url("/post/0");
    let page = lemmy_page(&early, &ann, &group, "Too early", "<p>nobody asked</p>");
    let announce = lemmy_announce(
        &lemmy,
        &group,
        "0",
        lemmy_create(&lemmy, "0", &ann, &group, page),
    );
    assert_eq!(lemmy.deliver(&app, &group, &announce).await.0, 202);
    assert!(stored(&app, &early).is_none());

    let group_account = follow_group(&app, &lemmy, &alice, &group).await;

    // A post by a member on the group's own server: trusted as the group sent it.
    let post = lemmy.url("/post/1");
    let page = lemmy_page(
        &post,
        &ann,
        &group,
        "Welcome <thread>",
        "<p>Hello <script>alert(1)</script>peers</p>",
    );
    let create = lemmy_create(&lemmy, "1", &ann, &group, page.clone());
    let announce = lemmy_announce(&lemmy, &group, "1", create.clone());
    let (status, v) = lemmy.deliver(&app, &group, &announce).await;
    assert_eq!(status, 202, "{v}");
    let timeline = home(&app, &alice).await;
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    let boost = &timeline[0];
    assert_eq!(boost["account"]["id"], group_account["id"], "{boost}");
    assert_eq!(boost["account"]["group"], true, "{boost}");
    assert_eq!(boost["reblog"]["uri"], post.as_str(), "{boost}");
    assert_eq!(
        boost["reblog"]["content"],
        "<p><strong>Welcome &lt;thread&gt;</strong></p><p>Hello peers</p>",
        "{boost}"
    );
    assert_eq!(boost["reblog"]["account"]["username"], "ann", "{boost}");
    assert_eq!(boost["reblog"]["visibility"], "public", "{boost}");
    // Carl does not follow the group: nothing in his home.
    assert!(home(&app, &carl).await.is_empty());

    // The same announce again, or another announce of the same post: one boost.
    let before = statuses(&app);
    // A new Date, so a new signature: a duplicate, not a replay.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, v) = lemmy.deliver(&app, &group, &announce).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (202, Some("duplicate")),
        "{v}"
    );
    let again = lemmy_announce(&lemmy, &group, "1b", create);
    assert_eq!(lemmy.deliver(&app, &group, &again).await.0, 202);
    assert_eq!(statuses(&app), before);
    assert_eq!(home(&app, &alice).await.len(), 1);

    // A post from another server, embedded by the group with other words: fetched
    // from its origin, and what the origin says is stored.
    let bobs = elsewhere.url("/post/7");
    let mut real = lemmy_page(&bobs, &bob, &group, "From afar", "<p>the real words</p>");
    // A link post: its link follows the body.
    real["attachment"] = json!([{ "type": "Link", "href": "https://example.org/read?a=1&b=2" }]);
    elsewhere.serve(&bobs, &real);
    let forged = lemmy_page(&bobs, &bob, &group, "From afar", "<p>FORGED words</p>");
    let create = json!({
        "id": elsewhere.url("/activities/create/7"),
        "type": "Create",
        "actor": bob,
        "to": [PUBLIC],
        "cc": [group],
        "object": forged,
    });
    let (status, v) = lemmy
        .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "7", create))
        .await;
    assert_eq!(status, 202, "{v}");
    let row = stored(&app, &bobs).expect("fetched from its origin");
    assert!(row.content.contains("the real words"), "{}", row.content);
    assert!(!row.content.contains("FORGED"));
    assert!(
        row.content
            .ends_with(r#"<p><a href="https://example.org/read?a=1&amp;b=2" rel="nofollow noopener noreferrer">https://example.org/read?a=1&amp;b=2</a></p>"#),
        "{}",
        row.content
    );
    assert!(elsewhere
        .r
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/post/7"));
    assert_eq!(home(&app, &alice).await.len(), 2);

    // Announce(Update): our copy is refreshed from the origin, not from the embed.
    let edited = lemmy_page(
        &post,
        &ann,
        &group,
        "Welcome",
        "<p>Edited at the origin</p>",
    );
    lemmy.serve(&post, &edited);
    let embedded = lemmy_page(&post, &ann, &group, "Welcome", "<p>embedded words</p>");
    let update = json!({
        "id": lemmy.url("/activities/update/1"),
        "type": "Update",
        "actor": ann,
        "to": [PUBLIC],
        "cc": [group],
        "object": embedded,
    });
    let (status, v) = lemmy
        .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "u1", update))
        .await;
    assert_eq!(status, 202, "{v}");
    let row = stored(&app, &post).unwrap();
    assert!(
        row.content.contains("Edited at the origin"),
        "{}",
        row.content
    );
    assert!(row.content.starts_with("<p><strong>Welcome</strong></p>"));

    // Announce(Delete) of bob's post by someone on the group's server, and a
    // Delete claiming to be bob's, while bob's server still serves it: kept.
    for (n, actor) in [("d1", &ann), ("d2", &bob)] {
        let origin = if actor == &bob { &elsewhere } else { &lemmy };
        let delete = json!({
            "id": origin.url(&format!("/activities/delete/{n}")),
            "type": "Delete",
            "actor": actor,
            "to": [PUBLIC],
            "cc": [group],
            "object": bobs,
        });
        let (status, v) = lemmy
            .deliver(&app, &group, &lemmy_announce(&lemmy, &group, n, delete))
            .await;
        assert_eq!(status, 202, "{v}");
        assert!(
            stored(&app, &bobs).is_some(),
            "{n}: deleted on the group's word"
        );
    }
    // Bob's server now answers with a Tombstone: the group's Delete holds.
    elsewhere.serve(
        &bobs,
        &json!({ "id": bobs, "type": "Tombstone", "formerType": "Page" }),
    );
    let delete = json!({
        "id": lemmy.url("/activities/delete/d3"),
        "type": "Delete",
        "actor": moderator,
        "object": bobs,
    });
    let (status, v) = lemmy
        .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "d3", delete))
        .await;
    assert_eq!(status, 202, "{v}");
    assert!(stored(&app, &bobs).is_none());

    // The author deletes her own post: trusted, she is on the group's server.
    let delete = json!({
        "id": lemmy.url("/activities/delete/d4"),
        "type": "Delete",
        "actor": ann,
        "object": post,
    });
    assert_eq!(
        lemmy
            .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "d4", delete))
            .await
            .0,
        202
    );
    assert!(stored(&app, &post).is_none());
    assert!(home(&app, &alice).await.is_empty());

    // A moderator's Delete of a post the server no longer has (404): deleted.
    let third = lemmy.url("/post/3");
    let page = lemmy_page(&third, &ann, &group, "Third", "<p>soon gone</p>");
    let announce = lemmy_announce(
        &lemmy,
        &group,
        "3",
        lemmy_create(&lemmy, "3", &ann, &group, page),
    );
    assert_eq!(lemmy.deliver(&app, &group, &announce).await.0, 202);
    assert!(stored(&app, &third).is_some());
    lemmy.r.set(Answer::Status(404));
    let delete = json!({
        "id": lemmy.url("/activities/delete/d5"),
        "type": "Delete",
        "actor": moderator,
        "object": third,
    });
    assert_eq!(
        lemmy
            .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "d5", delete))
            .await
            .0,
        202
    );
    assert!(stored(&app, &third).is_none());

    // Votes, moderation and undos are acknowledged, and change nothing.
    let before = statuses(&app);
    for (n, kind) in ["Like", "Dislike", "Undo", "Lock", "Block", "Remove", "Add"]
        .into_iter()
        .enumerate()
    {
        let inner = json!({
            "id": lemmy.url(&format!("/activities/other/{n}")),
            "type": kind,
            "actor": ann,
            "object": lemmy.url("/post/1"),
        });
        let announce = lemmy_announce(&lemmy, &group, &format!("o{n}"), inner);
        let (status, v) = lemmy.deliver(&app, &group, &announce).await;
        assert_eq!(status, 202, "{kind}: {v}");
    }
    // A wrapped Create of an event: a meeting listing (see remote_meetings.rs), not
    // a status.
    let event = json!({
        "id": lemmy.url("/activities/create/ev"),
        "type": "Create",
        "actor": ann,
        "object": { "type": "Event", "id": lemmy.url("/event/1"), "attributedTo": ann, "name": "Meet",
                    "startTime": format!("{}T10:00:00Z", meeting_day(0)) },
    });
    let (status, v) = lemmy
        .deliver(&app, &group, &lemmy_announce(&lemmy, &group, "ev", event))
        .await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(statuses(&app), before);

    // Bad wrapped activities: refused, nothing stored.
    let fourth = lemmy.url("/post/4");
    let by_mod = lemmy_page(&fourth, &moderator, &group, "Not hers", "<p>x</p>");
    let announce = lemmy_announce(
        &lemmy,
        &group,
        "b1",
        lemmy_create(&lemmy, "b1", &ann, &group, by_mod),
    );
    let (status, v) = lemmy.deliver(&app, &group, &announce).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("not_owner")),
        "{v}"
    );
    let mut no_author = lemmy_page(&fourth, &ann, &group, "No author", "<p>x</p>");
    no_author.as_object_mut().unwrap().remove("attributedTo");
    let announce = lemmy_announce(
        &lemmy,
        &group,
        "b2",
        lemmy_create(&lemmy, "b2", &ann, &group, no_author),
    );
    let (status, v) = lemmy.deliver(&app, &group, &announce).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (400, Some("invalid_activity")),
        "{v}"
    );
    let no_object =
        json!({ "id": lemmy.url("/activities/create/b3"), "type": "Create", "actor": ann });
    let (status, v) = lemmy
        .deliver(
            &app,
            &group,
            &lemmy_announce(&lemmy, &group, "b3", no_object),
        )
        .await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (400, Some("invalid_activity")),
        "{v}"
    );
    assert!(stored(&app, &fourth).is_none());
    assert_eq!(statuses(&app), before);
}

/// Mobilizon: Announce of a bare Article attributed to the group (the group's own
/// post), Announce of an id (Mastodon's form), events ignored.
async fn mobilizon_group(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut mz = Peer::start();
    let group = mz.mobilizon_group("walkers");
    let mia = mz.url("/@mia");
    mz.person(&mia, "mia");
    let (alice, _) = app.member("alice").await;
    let (carl, _) = app.member("carl").await;
    let group_account = follow_group(&app, &mz, &alice, &group).await;

    // A group post: an Article by mia, attributed to the group.
    let article_id = mz.url("/p/5b0d7f1e-walk");
    let article = json!({
        "type": "Article",
        "id": article_id,
        "actor": mia,
        "attributedTo": group,
        "name": "Saturday walk",
        "content": "<p>Meet at the <b>park</b> gate.</p>",
        "to": [PUBLIC],
        "cc": [],
        "published": "2026-11-21T09:00:00Z",
        "attachment": [],
    });
    let announce = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld"],
        "id": mz.url("/announces/1"),
        "type": "Announce",
        "actor": group,
        "to": [PUBLIC],
        "cc": [format!("{group}/followers")],
        "object": article,
    });
    let (status, v) = mz.deliver(&app, &group, &announce).await;
    assert_eq!(status, 202, "{v}");
    let timeline = home(&app, &alice).await;
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    let post = &timeline[0];
    // The group's own post shows as the group's, not as a boost of itself.
    assert!(post["reblog"].is_null(), "{post}");
    assert_eq!(post["account"]["id"], group_account["id"], "{post}");
    assert_eq!(
        post["content"], "<p><strong>Saturday walk</strong></p><p>Meet at the park gate.</p>",
        "{post}"
    );
    assert!(home(&app, &carl).await.is_empty());

    // Mastodon's form: the id only, fetched from its origin, boosted by the group.
    let note_id = mz.url("/comments/9");
    mz.serve(
        &note_id,
        &json!({
            "type": "Note",
            "id": note_id,
            "attributedTo": mia,
            "to": [PUBLIC],
            "cc": [],
            "content": "<p>See you there</p>",
            "published": "2026-11-21T10:00:00Z",
        }),
    );
    let announce = activity(mz.url("/announces/2"), "Announce", &group, json!(note_id));
    let (status, v) = mz.deliver(&app, &group, &announce).await;
    assert_eq!(status, 202, "{v}");
    let timeline = home(&app, &alice).await;
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert_eq!(timeline[0]["account"]["id"], group_account["id"]);
    assert_eq!(timeline[0]["reblog"]["uri"], note_id.as_str());
    assert_eq!(timeline[0]["reblog"]["account"]["username"], "mia");
    assert!(home(&app, &carl).await.is_empty());

    // An announced Event is a meeting listing (remote_meetings.rs), not a status.
    let before = statuses(&app);
    let event = json!({
        "type": "Event",
        "id": mz.url("/events/1"),
        "attributedTo": group,
        "actor": mia,
        "name": "Walk",
        "startTime": "2026-12-01T10:00:00Z",
        "to": [PUBLIC],
    });
    let announce = activity(mz.url("/announces/3"), "Announce", &group, event);
    assert_eq!(mz.deliver(&app, &group, &announce).await.0, 202);
    assert_eq!(statuses(&app), before);
}

/// A post by `author` on `origin` (a third server), relayed here by `group` on
/// `lemmy` (Lemmy's `Announce(Create)`), fetched from its origin and stored.
async fn relayed(
    app: &TestApp,
    lemmy: &Peer,
    group: &str,
    origin: &Peer,
    author: &str,
    n: &str,
) -> String {
    let id = origin.url(&format!("/post/{n}"));
    let page = lemmy_page(&id, author, group, "From afar", "<p>words</p>");
    origin.serve(&id, &page);
    let create = json!({
        "id": origin.url(&format!("/activities/create/{n}")),
        "type": "Create",
        "actor": author,
        "to": [PUBLIC],
        "cc": [group],
        "object": page,
    });
    let announce = lemmy_announce(lemmy, group, &format!("c{n}"), create);
    let (status, v) = lemmy.deliver(app, group, &announce).await;
    assert_eq!(status, 202, "{v}");
    assert!(stored(app, &id).is_some(), "{id} not stored");
    id
}

/// A group's removal (Lemmy: a moderator's `Delete` with a `summary`) of `object`.
fn removal(peer: &Peer, group: &str, moderator: &str, n: &str, object: &str) -> Value {
    let delete = json!({
        "id": peer.url(&format!("/activities/delete/{n}")),
        "type": "Delete",
        "actor": moderator,
        "object": object,
        "summary": "off topic",
    });
    lemmy_announce(peer, group, &format!("r{n}"), delete)
}

/// Whether `token`'s home shows a boost of `uri`.
async fn boosted(app: &TestApp, token: &str, uri: &str) -> bool {
    home(app, token)
        .await
        .iter()
        .any(|s| s["reblog"]["uri"] == uri)
}

/// A group's removal takes down only what that group relayed here, and only for a
/// group someone here follows: another server's group cannot make us delete a third
/// server's post by naming it. A post someone here favourited, bookmarked, boosted
/// or answered keeps our copy (only the group's boost goes).
async fn group_removals_touch_only_what_the_group_relayed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut lemmy = Peer::start();
    let mut hostile = Peer::start();
    let mut third = Peer::start();
    let group = lemmy.lemmy_community("peers");
    let rogue = hostile.lemmy_community("rogue");
    let moderator = lemmy.url("/u/mod");
    lemmy.person(&moderator, "mod");
    let rogue_mod = hostile.url("/u/mod");
    hostile.person(&rogue_mod, "mod");
    let bob = third.url("/u/bob");
    third.person(&bob, "bob");
    let (alice, _) = app.member("alice").await;
    let (carl, _) = app.member("carl").await;
    follow_group(&app, &lemmy, &alice, &group).await;
    let plain = relayed(&app, &lemmy, &group, &third, &bob, "1").await;
    let favourited = relayed(&app, &lemmy, &group, &third, &bob, "2").await;
    let answered = relayed(&app, &lemmy, &group, &third, &bob, "3").await;

    // A group nobody here follows names the third server's post: nothing happens.
    let (status, v) = hostile
        .deliver(
            &app,
            &rogue,
            &removal(&hostile, &rogue, &rogue_mod, "1", &plain),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    assert!(stored(&app, &plain).is_some(), "a stranger group's removal");
    // Followed here, but it never relayed that post: nothing happens either.
    follow_group(&app, &hostile, &carl, &rogue).await;
    let (status, v) = hostile
        .deliver(
            &app,
            &rogue,
            &removal(&hostile, &rogue, &rogue_mod, "2", &plain),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    assert!(
        stored(&app, &plain).is_some(),
        "a removal of another's relay"
    );
    assert!(boosted(&app, &alice, &plain).await);

    // Posts someone here acted on: the group's boost goes, our copy stays.
    let fav_id = stored(&app, &favourited).unwrap().id;
    app.post_ok(
        &format!("/api/v1/statuses/{fav_id}/favourite"),
        &alice,
        json!({}),
    )
    .await;
    let answered_id = stored(&app, &answered).unwrap().id;
    app.post_status(
        &carl,
        json!({"status": "well said", "visibility": "public",
               "in_reply_to_id": answered_id.to_string()}),
    )
    .await;
    for (n, uri) in [("3", &favourited), ("4", &answered)] {
        let (status, v) = lemmy
            .deliver(&app, &group, &removal(&lemmy, &group, &moderator, n, uri))
            .await;
        assert_eq!(status, 202, "{v}");
        assert!(stored(&app, uri).is_some(), "{uri} held here was deleted");
        assert!(!boosted(&app, &alice, uri).await, "{uri} still boosted");
    }

    // Positive control: the followed group's removal of a post only it brought here
    // takes the post and the boost.
    let (status, v) = lemmy
        .deliver(
            &app,
            &group,
            &removal(&lemmy, &group, &moderator, "5", &plain),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    assert!(stored(&app, &plain).is_none());
    assert!(!boosted(&app, &alice, &plain).await);
}

/// A remote reply names its parent by URL: a local parent counts (stores the reply
/// as concerning us) only if it federates. A reply to a group's discussion post,
/// whose URL a hostile server guessed, is dropped; one to a public post is stored.
async fn replies_to_unfederated_posts_are_dropped(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut peer = Peer::start();
    let eve = peer.url("/u/eve");
    peer.person(&eve, "eve");
    let fac_password = "fac's password";
    app.create_user("fac", fac_password, None, kindred_domain::Role::Facilitator)
        .await;
    let fac = app.login("fac", fac_password).await;
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            &fac,
            json!({"username": "circle", "display_name": "Circle", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    let gid = g["id"].as_str().unwrap().to_owned();
    let (mia, _) = app.member("mia").await;
    let (status, v) = app
        .post_json(&format!("/api/v1/groups/{gid}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    let discussion = app
        .post_status(
            &mia,
            json!({"status": "@circle a hard week", "visibility": "public"}),
        )
        .await;
    let public = app
        .post_status(
            &mia,
            json!({"status": "hello world", "visibility": "public"}),
        )
        .await;
    let reply = |n: &str, parent: &str| {
        let note = json!({
            "id": peer.url(&format!("/notes/{n}")),
            "type": "Note",
            "attributedTo": eve,
            "to": [PUBLIC],
            "cc": [],
            "inReplyTo": app.url(&format!("/users/mia/statuses/{parent}")),
            "content": "<p>tell us more</p>",
            "published": "2026-11-20T10:00:00Z",
        });
        activity(
            peer.url(&format!("/activities/create/{n}")),
            "Create",
            &eve,
            note,
        )
    };
    let (status, v) = peer.deliver(&app, &eve, &reply("1", &discussion)).await;
    assert_eq!(status, 202, "{v}");
    let (status, v) = peer.deliver(&app, &eve, &reply("2", &public)).await;
    assert_eq!(status, 202, "{v}");
    // Positive control first: the reply to the public post is stored under it.
    let stored_reply = stored(&app, &peer.url("/notes/2")).expect("reply to a public post");
    assert_eq!(
        stored_reply.in_reply_to_id.map(|i| i.to_string()),
        Some(public)
    );
    assert!(
        stored(&app, &peer.url("/notes/1")).is_none(),
        "a reply planted under a discussion post"
    );
    let (_, context) = app
        .get_json(
            &format!("/api/v1/statuses/{discussion}/context"),
            Some(&mia),
        )
        .await;
    assert_eq!(context["descendants"], json!([]), "{context}");
}

both_backends!(
    lemmy_community,
    mobilizon_group,
    group_removals_touch_only_what_the_group_relayed,
    replies_to_unfederated_posts_are_dropped,
);
