//! Scenario 7: groups federate (FEP-1b12) and their confidential parts stay home.
//!
//! Two recording remotes follow a Kindred instance's groups: `mast`, whose software
//! is unknown (so it gets what Mastodon reads: the group's boost of an
//! announcement, then the author's own Update and Delete), and `lem`, whose NodeInfo
//! says Lemmy (so it gets FEP-1b12's Announce wrapping Create, Update and Delete).
//! Along the way every outside path is read — WebFinger, actor documents,
//! collections, fetch by id, personal inboxes, NodeInfo — and nothing that leaves
//! carries a discussion post, a member, a members-only announcement, a private
//! group or an email address.

use std::time::SystemTime;

use kindred_domain::Role;
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::{generate_keypair, KeyPair};
use serde_json::{json, Value};

use crate::common::{at_rest_contains, both_backends, Backend, TestApp};
use crate::receiver::Receiver;
use crate::support::{drained, eventually, instance, send, sign_post};

both_backends!(groups_federate_and_stay_home);

/// A recording remote with one actor, `rec`, and its instance actor (`/actor`, an
/// `Application` with the same key).
pub(crate) struct Remote {
    pub(crate) r: Receiver,
    pub(crate) base: String,
    keys: KeyPair,
}

impl Remote {
    pub(crate) fn start(software: Option<&str>) -> Self {
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
        let app = format!("{base}/actor");
        r.serve_doc(
            "/actor",
            &json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": app,
                "type": "Application",
                "preferredUsername": "instance",
                "inbox": format!("{app}/inbox"),
                "outbox": format!("{app}/outbox"),
                "endpoints": { "sharedInbox": format!("{base}/inbox") },
                "publicKey": { "id": format!("{app}#main-key"), "owner": app, "publicKeyPem": keys.public_key_pem },
            }),
        );
        if let Some(name) = software {
            r.serve_doc(
                "/.well-known/nodeinfo",
                &json!({ "links": [{
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": format!("{base}/nodeinfo/2.0"),
                }]}),
            );
            r.serve_doc(
                "/nodeinfo/2.0",
                &json!({ "version": "2.0", "software": { "name": name, "version": "0.19.5" },
                         "protocols": ["activitypub"] }),
            );
        }
        Self { r, base, keys }
    }

    pub(crate) fn actor(&self) -> String {
        format!("{}/users/rec", self.base)
    }

    pub(crate) fn domain(&self) -> String {
        format!("localhost:{}", self.r.port)
    }

    pub(crate) async fn follow(&self, k: &TestApp, n: u32, group: &str) -> (u16, Value) {
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", self.base),
            "type": "Follow",
            "actor": self.actor(),
            "object": k.url(&format!("/users/{group}")),
        });
        let signer = Signer::new(
            &self.keys.private_key_pem,
            format!("{}#main-key", self.actor()),
        )
        .unwrap();
        let s = sign_post(
            k,
            "/inbox",
            &signer,
            serde_json::to_vec(&follow).unwrap(),
            SystemTime::now(),
        );
        send(k, "/inbox", &s).await
    }

    /// The remote's instance actor (an `Application`).
    pub(crate) fn instance_actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    /// Delivers `activity` (from `rec`) to `k`'s shared inbox, signed.
    pub(crate) async fn post(&self, k: &TestApp, activity: &Value) -> (u16, Value) {
        self.post_as(k, &self.actor(), activity).await
    }

    /// Delivers `activity` to `k`'s shared inbox signed by `actor` (`rec` or the
    /// instance actor).
    pub(crate) async fn post_as(&self, k: &TestApp, actor: &str, activity: &Value) -> (u16, Value) {
        let signer = Signer::new(&self.keys.private_key_pem, format!("{actor}#main-key")).unwrap();
        let s = sign_post(
            k,
            "/inbox",
            &signer,
            serde_json::to_vec(activity).unwrap(),
            SystemTime::now(),
        );
        send(k, "/inbox", &s).await
    }

    /// The activities POSTed to it, parsed, in arrival order.
    pub(crate) fn posted(&self) -> Vec<Value> {
        self.r
            .requests()
            .iter()
            .filter(|q| q.method == "POST")
            .map(|q| serde_json::from_str(&q.body).unwrap())
            .collect()
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.r.requests().into_iter().map(|q| q.body).collect()
    }

    pub(crate) async fn wait_for(&self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        eventually(what, || async {
            self.posted().into_iter().find(|v| check(v))
        })
        .await
    }
}

pub(crate) async fn ap_get(k: &TestApp, path: &str) -> (u16, Value) {
    let resp = k
        .client
        .get(k.url(path))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn create_group(k: &TestApp, token: &str, name: &str, visibility: &str) -> String {
    let (status, g) = k
        .post_json(
            "/api/v1/groups",
            token,
            json!({ "username": name, "display_name": format!("{name} group"),
                    "note": "Peer support, Tuesdays", "visibility": visibility }),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    g["id"].as_str().unwrap().to_owned()
}

fn software_known(k: &TestApp, domain: &str) -> bool {
    let domains = vec![domain.to_owned()];
    !k.state
        .db
        .run_blocking(move |c| kindred_db::models::outbound::software_of(c, &domains))
        .unwrap()
        .is_empty()
}

async fn groups_federate_and_stay_home(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    k.create_user(
        "fran",
        "fran's password",
        Some("fran@mail.test"),
        Role::Facilitator,
    )
    .await;
    let fran = k.login("fran", "fran's password").await;
    let (mia, _) = k.member("mia").await;
    let peers = create_group(&k, &fran, "peers", "public").await;
    let carers = create_group(&k, &fran, "carers", "closed").await;
    let hidden = create_group(&k, &fran, "hidden", "private").await;
    let _ = hidden;
    let (status, v) = k
        .post_json(&format!("/api/v1/groups/{peers}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");

    // WebFinger and actor documents: public and closed groups exist outside,
    // a private one does not.
    let wf = |name: &str| format!("/.well-known/webfinger?resource=acct:{name}@{}", k.domain);
    let (status, v) = k.get_json(&wf("peers"), None).await;
    assert_eq!(status, 200, "{v}");
    assert!(v.to_string().contains("/users/peers"), "{v}");
    let (status, _) = k.get_json(&wf("hidden"), None).await;
    assert_eq!(status, 404);
    let (status, g) = ap_get(&k, "/users/peers").await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["type"], "Group");
    assert_eq!(g["manuallyApprovesFollowers"], false);
    assert_eq!(g["postingRestrictedToMods"], true);
    assert_eq!(g["attributedTo"], k.url("/users/peers/facilitators"));
    let (_, c) = ap_get(&k, "/users/carers").await;
    assert_eq!(c["type"], "Group");
    assert_eq!(c["manuallyApprovesFollowers"], true);
    for path in ["/users/hidden", "/@hidden", "/users/hidden/followers"] {
        let (status, v) = ap_get(&k, path).await;
        assert_eq!(status, 404, "{path}: {v}");
    }
    // Collections say how many, never who.
    for (which, total) in [
        ("members", 2),
        ("facilitators", 1),
        ("followers", 2),
        ("outbox", 0),
        ("following", 0),
    ] {
        let (status, v) = ap_get(&k, &format!("/users/peers/{which}")).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["totalItems"], total, "{which}: {v}");
        assert!(
            v.get("orderedItems").is_none() && v.get("items").is_none() && v.get("first").is_none(),
            "{v}"
        );
        assert!(!v.to_string().contains("/users/mia") && !v.to_string().contains("/users/fran"));
    }

    let mast = Remote::start(None);
    let lem = Remote::start(Some("lemmy"));

    // A private group's inbox does not exist; a Follow of it is refused.
    let (status, _) = k
        .client
        .post(k.url("/users/hidden/inbox"))
        .header("content-type", "application/activity+json")
        .body("{}")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 404);
    let (status, v) = mast.follow(&k, 1, "hidden").await;
    assert!((400..500).contains(&status), "{status} {v}");

    // Following a public group: accepted at once, signed by the group.
    for (n, remote) in [(2, &mast), (3, &lem)] {
        let (status, v) = remote.follow(&k, n, "peers").await;
        assert_eq!(status, 202, "{v}");
        let accept = remote
            .wait_for("the group's Accept", |v| v["type"] == "Accept")
            .await;
        assert_eq!(accept["actor"], k.url("/users/peers"));
        assert_eq!(
            accept["object"]["id"],
            format!("{}/follows/{n}", remote.base)
        );
    }
    let signed_by_group = mast.r.requests().iter().any(|q| {
        q.method == "POST"
            && q.headers
                .get("signature")
                .is_some_and(|s| s.contains(&format!("{}#main-key", k.url("/users/peers"))))
    });
    assert!(signed_by_group, "the Accept is signed with the group's key");

    // Following a closed group waits for a facilitator.
    let (status, v) = mast.follow(&k, 4, "carers").await;
    assert_eq!(status, 202, "{v}");
    let (status, requests) = k
        .get_json(
            &format!("/api/v1/groups/{carers}/follow_requests"),
            Some(&fran),
        )
        .await;
    assert_eq!(status, 200, "{requests}");
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    let rec_id = requests[0]["id"].as_str().unwrap().to_owned();
    assert!(requests[0]["acct"].as_str().unwrap().starts_with("rec@"));
    // A member cannot see or decide it.
    let (status, _) = k
        .get_json(
            &format!("/api/v1/groups/{carers}/follow_requests"),
            Some(&mia),
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, _) = k
        .post_json(
            &format!("/api/v1/groups/{carers}/accounts/{rec_id}/approve"),
            &mia,
            json!({}),
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");
    // Roles are for members; a remote follower cannot be promoted or muted.
    for verb in ["promote", "mute", "invite"] {
        let (status, v) = k
            .post_json(
                &format!("/api/v1/groups/{carers}/accounts/{rec_id}/{verb}"),
                &fran,
                json!({}),
            )
            .await;
        assert!(status == 422 || status == 403, "{verb}: {status} {v}");
    }
    let (_, still) = k
        .get_json(
            &format!("/api/v1/groups/{carers}/follow_requests"),
            Some(&fran),
        )
        .await;
    assert_eq!(
        still.as_array().unwrap().len(),
        1,
        "nothing changed: {still}"
    );
    assert!(mast
        .posted()
        .iter()
        .all(|v| v["actor"] != k.url("/users/carers")));
    let (status, v) = k
        .post_json(
            &format!("/api/v1/groups/{carers}/accounts/{rec_id}/approve"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    mast.wait_for("the closed group's Accept", |v| {
        v["type"] == "Accept" && v["actor"] == k.url("/users/carers")
    })
    .await;
    let (_, followers) = k
        .get_json(&format!("/api/v1/groups/{carers}/followers"), Some(&fran))
        .await;
    assert_eq!(followers.as_array().unwrap().len(), 1, "{followers}");

    // Lemmy's software must be known before the announcement picks its form.
    eventually("lem's software", || async {
        software_known(&k, &lem.domain()).then_some(())
    })
    .await;

    // What must stay home.
    let discussion = k
        .post_status(
            &mia,
            json!({ "status": "@peers secret discussion: how I felt today", "visibility": "public" }),
        )
        .await;
    k.post_status(
        &fran,
        json!({ "status": "@peers secret members-only announcement", "visibility": "private" }),
    )
    .await;
    // What goes out: a public announcement.
    let announcement = k
        .post_status(
            &fran,
            json!({ "status": "@peers control: we meet on Tuesday", "visibility": "public" }),
        )
        .await;
    let (_, a) = k
        .get_json(&format!("/api/v1/statuses/{announcement}"), Some(&fran))
        .await;
    let uri = a["uri"].as_str().unwrap().to_owned();
    let boost = mast
        .wait_for("the group's boost", |v| {
            v["type"] == "Announce" && v["object"] == uri.as_str()
        })
        .await;
    assert_eq!(boost["actor"], k.url("/users/peers"));
    let wrapped = lem
        .wait_for("the group's Announce(Create)", |v| {
            v["type"] == "Announce" && v["object"]["type"] == "Create"
        })
        .await;
    assert_eq!(wrapped["actor"], k.url("/users/peers"));
    assert_eq!(wrapped["object"]["object"]["id"], uri.as_str());
    assert_eq!(
        wrapped["object"]["object"]["audience"],
        k.url("/users/peers")
    );
    assert!(wrapped["object"]["object"]["content"]
        .as_str()
        .unwrap()
        .contains("control: we meet on Tuesday"));

    // The announcement is public at its id; the discussion post is nowhere.
    let (status, _) = ap_get(&k, &format!("/users/fran/statuses/{announcement}")).await;
    assert_eq!(status, 200);
    for path in [
        format!("/users/mia/statuses/{discussion}"),
        format!("/users/mia/statuses/{discussion}/activity"),
    ] {
        let (status, v) = ap_get(&k, &path).await;
        assert_eq!(status, 404, "{path}: {v}");
    }
    let (status, featured) = ap_get(&k, "/users/peers/featured").await;
    assert_eq!(status, 200);
    assert_eq!(featured["totalItems"], 0, "nothing pinned yet: {featured}");
    let (status, v) = k
        .post_json(
            &format!("/api/v1/groups/{peers}/statuses/{announcement}/pin"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, featured) = ap_get(&k, "/users/peers/featured").await;
    assert_eq!(
        featured["orderedItems"][0]["id"],
        uri.as_str(),
        "{featured}"
    );

    // An edit: the author's Update for mast, the group's Announce(Update) for lem.
    let (status, v) = k
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{announcement}"),
            Some(&fran),
            json!({ "status": "@peers control: we meet on Thursday now" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let update = mast
        .wait_for("the author's Update", |v| v["type"] == "Update")
        .await;
    assert_eq!(update["actor"], k.url("/users/fran"));
    lem.wait_for("the group's Announce(Update)", |v| {
        v["type"] == "Announce" && v["object"]["type"] == "Update"
    })
    .await;

    // A deletion, the same way.
    let (status, v) = k
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{announcement}"),
            Some(&fran),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    mast.wait_for("the author's Delete", |v| v["type"] == "Delete")
        .await;
    lem.wait_for("the group's Announce(Delete)", |v| {
        v["type"] == "Announce" && v["object"]["type"] == "Delete"
    })
    .await;

    // Deleting the closed group: its owner only; its remote follower hears of it.
    let (status, _) = k
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/groups/{carers}"),
            Some(&mia),
            json!({}),
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, v) = k
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/groups/{carers}"),
            Some(&fran),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let deleted = mast
        .wait_for("the group's Delete", |v| {
            v["type"] == "Delete" && v["actor"] == k.url("/users/carers")
        })
        .await;
    assert_eq!(deleted["object"], k.url("/users/carers"));
    let (status, _) = ap_get(&k, "/users/carers").await;
    assert_eq!(status, 404);
    let (status, _) = k.get_json(&wf("carers"), None).await;
    assert_eq!(status, 404);
    let (status, _) = k
        .get_json(&format!("/api/v1/groups/{carers}"), Some(&fran))
        .await;
    assert_eq!(status, 404);
    let (_, directory) = k.get_json("/api/v1/groups", Some(&fran)).await;
    assert!(!directory.to_string().contains("carers"), "{directory}");
    // Its handle stays taken.
    let (status, v) = k
        .post_json(
            "/api/v1/groups",
            &fran,
            json!({ "username": "carers", "display_name": "impostor" }),
        )
        .await;
    assert_eq!(status, 422, "{v}");

    // Turning the group private severs its remote followers and its documents.
    let (status, v) = k
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{peers}"),
            Some(&fran),
            json!({ "visibility": "private" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    for remote in [&mast, &lem] {
        remote
            .wait_for("the group's Reject", |v| {
                v["type"] == "Reject" && v["actor"] == k.url("/users/peers")
            })
            .await;
    }
    let (status, _) = ap_get(&k, "/users/peers").await;
    assert_eq!(status, 404);
    let (status, _) = k.get_json(&wf("peers"), None).await;
    assert_eq!(status, 404);
    // A post into it now goes nowhere.
    k.post_status(
        &fran,
        json!({ "status": "@peers secret after going private", "visibility": "public" }),
    )
    .await;
    drained(&[&k]).await;

    let (_, nodeinfo) = k.get_json("/nodeinfo/2.0", None).await;
    let mut outside: Vec<String> = mast.bodies();
    outside.extend(lem.bodies());
    outside.push(nodeinfo.to_string());
    outside.push(g.to_string());
    for body in &outside {
        assert!(!body.contains("secret"), "leaked: {body}");
        assert!(!body.contains("fran@mail.test"), "email leaked: {body}");
        assert!(!body.contains("/users/mia"), "a member leaked: {body}");
        assert!(!body.contains("hidden"), "a private group leaked: {body}");
    }
}

both_backends!(closed_group_between_instances);

/// The status in `token`'s home timeline whose own or boosted content contains
/// `text`.
async fn in_home(app: &TestApp, token: &str, text: &str) -> Option<Value> {
    let (_, v) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    v.as_array()?
        .iter()
        .find(|s| {
            s["content"].as_str().unwrap_or_default().contains(text)
                || s["reblog"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(text)
        })
        .cloned()
}

/// Kindred ↔ Kindred: a member of B follows a closed group on A; a facilitator
/// approves; the group's announcement, its edit and its deletion reach B; the
/// group's discussion never does; unfollowing takes B's member off the group's
/// followers.
async fn closed_group_between_instances(backend: Backend) {
    let Some(a) = instance(backend).await else {
        return;
    };
    let Some(b) = instance(backend).await else {
        return;
    };
    a.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = a.login("fran", "fran's password").await;
    let (mia, mia_id) = a.member("mia").await;
    let (bo, _) = b.member("bo").await;
    let carers = create_group(&a, &fran, "carers", "closed").await;
    let (status, v) = a
        .post_json(&format!("/api/v1/groups/{carers}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = a
        .post_json(
            &format!("/api/v1/groups/{carers}/accounts/{mia_id}/approve"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // bo finds the group from B and asks to follow it.
    let group_at_b = crate::support::resolve(&b, &bo, &format!("carers@{}", a.domain)).await;
    let (_, acct) = b
        .get_json(&format!("/api/v1/accounts/{group_at_b}"), Some(&bo))
        .await;
    assert_eq!(acct["locked"], true, "{acct}");
    let (status, rel) = b
        .post_json(
            &format!("/api/v1/accounts/{group_at_b}/follow"),
            &bo,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{rel}");
    let requests = eventually("the request at A", || async {
        let (_, v) = a
            .get_json(
                &format!("/api/v1/groups/{carers}/follow_requests"),
                Some(&fran),
            )
            .await;
        v.as_array().filter(|r| !r.is_empty()).cloned()
    })
    .await;
    let bo_at_a = requests[0]["id"].as_str().unwrap().to_owned();
    let (status, v) = a
        .post_json(
            &format!("/api/v1/groups/{carers}/accounts/{bo_at_a}/approve"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    crate::support::wait_following(&b, &bo, &group_at_b).await;

    // The group's discussion stays on A; its public announcement reaches bo.
    a.post_status(
        &mia,
        json!({ "status": "@carers secret: a hard week", "visibility": "public" }),
    )
    .await;
    let announcement = a
        .post_status(
            &fran,
            json!({ "status": "@carers Café on Tuesday at six", "visibility": "public" }),
        )
        .await;
    let seen = eventually("the announcement in bo's home", || {
        in_home(&b, &bo, "Café on Tuesday")
    })
    .await;
    // The positive controls of the searches at B below: they find what came.
    assert_eq!(copies_with(&b, "Café on Tuesday"), 1);
    assert!(at_rest_contains(&b.at_rest().await, "Café on Tuesday"));
    let shown = if seen["reblog"].is_object() {
        &seen["reblog"]
    } else {
        &seen
    };
    let local_id = shown["id"].as_str().unwrap().to_owned();

    // The edit and the deletion follow it.
    let (status, v) = a
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{announcement}"),
            Some(&fran),
            json!({ "status": "@carers Café on Thursday at six" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the edit at B", || async {
        let (_, s) = b
            .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&bo))
            .await;
        s["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Thursday")
            .then_some(())
    })
    .await;
    let (status, v) = a
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{announcement}"),
            Some(&fran),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the deletion at B", || async {
        let (status, _) = b
            .get_json(&format!("/api/v1/statuses/{local_id}"), Some(&bo))
            .await;
        (status == 404).then_some(())
    })
    .await;

    // bo unfollows: the group's followers at A no longer include bo.
    let (status, v) = b
        .post_json(
            &format!("/api/v1/accounts/{group_at_b}/unfollow"),
            &bo,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the Undo at A", || async {
        let (_, v) = a
            .get_json(&format!("/api/v1/groups/{carers}/followers"), Some(&fran))
            .await;
        v.as_array().is_some_and(Vec::is_empty).then_some(())
    })
    .await;
    drained(&[&a, &b]).await;
    // Nothing of the discussion is stored at B, whatever path it might have taken.
    assert_eq!(copies_with(&b, "secret"), 0, "a discussion post reached B");
    assert!(
        !at_rest_contains(&b.at_rest().await, "a hard week"),
        "a discussion post is stored at B"
    );
}

/// Statuses at `app` received from another instance whose text contains `needle`.
fn copies_with(app: &TestApp, needle: &str) -> i64 {
    let pattern = format!("%{needle}%");
    app.state
        .db
        .run_blocking(move |c| {
            use diesel::prelude::*;
            use kindred_db::schema::{accounts, statuses};
            Ok(statuses::table
                .inner_join(accounts::table.on(accounts::id.eq(statuses::account_id)))
                .filter(accounts::domain.ne(""))
                .filter(statuses::text.like(pattern))
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap()
}

both_backends!(partner_scoped_to_announcements);

/// Issue 7's partner scopes with groups: A runs "partners only" and allows B for
/// follows and announcements. B's member follows A's public group and receives its
/// announcement; a direct message between the instances goes neither way.
async fn partner_scoped_to_announcements(backend: Backend) {
    use kindred_api::services::federation_policy as policy;
    let Some(a) = instance(backend).await else {
        return;
    };
    let Some(b) = instance(backend).await else {
        return;
    };
    policy::set_mode(&a.state, "test", "allowlist")
        .await
        .unwrap();
    policy::allow(&a.state, "test", &b.domain, Some("follows,announcements"))
        .await
        .unwrap();
    a.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = a.login("fran", "fran's password").await;
    let (ann, _) = a.member("ann").await;
    let (bo, _) = b.member("bo").await;
    create_group(&a, &fran, "peers", "public").await;

    let group_at_b = crate::support::resolve(&b, &bo, &format!("peers@{}", a.domain)).await;
    let (status, v) = b
        .post_json(
            &format!("/api/v1/accounts/{group_at_b}/follow"),
            &bo,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    crate::support::wait_following(&b, &bo, &group_at_b).await;

    // A direct message each way: out of the partner's scope.
    let bo_at_a = crate::support::resolve(&a, &ann, &format!("bo@{}", b.domain)).await;
    let _ = bo_at_a;
    a.post_status(
        &ann,
        json!({ "status": format!("@bo@{} secret: direct from A", b.domain), "visibility": "direct" }),
    )
    .await;
    let ann_at_b = crate::support::resolve(&b, &bo, &format!("ann@{}", a.domain)).await;
    let _ = ann_at_b;
    b.post_status(
        &bo,
        json!({ "status": format!("@ann@{} secret: direct from B", a.domain), "visibility": "direct" }),
    )
    .await;
    // The announcement, posted last, arrives: anything queued before it to B was
    // sent or dropped by then.
    a.post_status(
        &fran,
        json!({ "status": "@peers control: partners' café on Friday", "visibility": "public" }),
    )
    .await;
    eventually("the announcement at B", || {
        in_home(&b, &bo, "partners' café on Friday")
    })
    .await;
    drained(&[&a, &b]).await;
    // The search's positive control: the announcement's copy at B is found.
    assert_eq!(copies_with(&b, "café on Friday"), 1);
    for app in [&a, &b] {
        // Only copies received from the other instance count.
        let leaked = copies_with(app, "secret");
        assert_eq!(leaked, 0, "a direct message crossed to {}", app.domain);
    }
}
