//! Scenario: a group relays its announcements' public threads (FEP-1b12), and takes
//! everything it distributed back when it turns private or closes.
//!
//! Kindred A hosts the group; Kindred B and C follow it, and so do two recording
//! remotes: `lem` (NodeInfo says Lemmy: FEP-1b12's wrapped forms) and `mast`
//! (unknown software: boosts). What `lem` receives is checked against our
//! Lemmy-shaped fixtures (`fixtures/lemmy/`).

use diesel::prelude::*;
use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::groups::{create_group, Remote};
use crate::receiver::Answer;
use crate::support::{count_from, drained, eventually, instance, resolve, wait_following};

both_backends!(thread_replies_reach_every_follower);
both_backends!(private_group_withdraws_what_it_distributed);
both_backends!(deleted_group_withdraws_what_it_distributed);
both_backends!(deleted_remote_reply_withdraws_its_queued_relay);

/// Every field of `fixture` is in `actual`, of the same JSON kind, and every
/// `type` is the same: what a Lemmy-shaped reader needs is there.
fn assert_shape(fixture: &Value, actual: &Value, path: &str) {
    match (fixture, actual) {
        (Value::Object(f), Value::Object(a)) => {
            for (k, fv) in f {
                let Some(av) = a.get(k) else {
                    panic!("{path}.{k} missing in {actual}");
                };
                if k == "type" {
                    assert_eq!(fv, av, "{path}.type");
                }
                assert_shape(fv, av, &format!("{path}.{k}"));
            }
        }
        (Value::Array(f), Value::Array(a)) => {
            if let (Some(fv), Some(av)) = (f.first(), a.first()) {
                assert_shape(fv, av, &format!("{path}[0]"));
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Null, _) => {}
        _ => panic!("{path}: {actual} is not shaped like {fixture}"),
    }
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../federation-tests/fixtures/lemmy/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn software_known(k: &TestApp, domain: &str) -> bool {
    let domains = vec![domain.to_owned()];
    !k.state
        .db
        .run_blocking(move |c| kindred_db::models::outbound::software_of(c, &domains))
        .unwrap()
        .is_empty()
}

/// Statuses at `app` whose text contains `text`.
fn stored(app: &TestApp, text: &str) -> i64 {
    count_text(app, text, false)
}

/// Copies at `app` of other servers' statuses whose text contains `text` (with
/// `remote_only`), or all of them.
fn count_text(app: &TestApp, text: &str, remote_only: bool) -> i64 {
    let pattern = format!("%{text}%");
    app.state
        .db
        .run_blocking(move |c| {
            use kindred_db::schema::statuses;
            let mut q = statuses::table
                .filter(statuses::text.like(pattern))
                .into_boxed();
            if remote_only {
                q = q.filter(statuses::local.eq(false));
            }
            Ok(q.count().get_result::<i64>(c)?)
        })
        .unwrap()
}

fn remote_meetings(app: &TestApp) -> i64 {
    app.state
        .db
        .run_blocking(|c| {
            use kindred_db::schema::remote_meetings;
            Ok(remote_meetings::table.count().get_result::<i64>(c)?)
        })
        .unwrap()
}

/// `app`'s member with `token` follows `group` on `host`; returns the group's id at
/// `app`.
async fn follow_group(app: &TestApp, token: &str, host: &TestApp, group: &str) -> String {
    let id = resolve(app, token, &format!("{group}@{}", host.domain)).await;
    let (status, v) = app
        .post_json(&format!("/api/v1/accounts/{id}/follow"), token, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    wait_following(app, token, &id).await;
    id
}

/// The local id at `app` of the status with ActivityPub id `uri`, once it is there.
async fn local_id(app: &TestApp, uri: &str) -> String {
    let uri = uri.to_owned();
    eventually(&format!("{uri} at {}", app.domain), || async {
        let u = uri.clone();
        app.state
            .db
            .run(move |c| kindred_db::models::federated::status_by_uri(c, &u))
            .await
            .unwrap()
            .map(|s| s.id.to_string())
    })
    .await
}

async fn uri_of(app: &TestApp, token: &str, id: &str) -> String {
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
        .await;
    s["uri"].as_str().unwrap().to_owned()
}

/// Replies to a group's announcement reach the group's other followers: a public
/// reply from B reaches C (not back to B), `lem` as the group's Announce(Create) and
/// `mast` as the group's boost; a local member's public reply reaches everyone but an
/// instance that already has it from the author; its edit and deletion follow.
/// Followers-only replies (local, or remote ones that reached A) and discussion posts
/// go nowhere.
async fn thread_replies_reach_every_follower(backend: Backend) {
    let (Some(a), Some(b), Some(c)) = (
        instance(backend).await,
        instance(backend).await,
        instance(backend).await,
    ) else {
        return;
    };
    a.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = a.login("fran", "fran's password").await;
    let (mia, _) = a.member("mia").await;
    let peers = create_group(&a, &fran, "peers", "public").await;
    let (status, v) = a
        .post_json(&format!("/api/v1/groups/{peers}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    let (bo, _) = b.member("bo").await;
    let (cy, _) = c.member("cy").await;
    follow_group(&b, &bo, &a, "peers").await;
    follow_group(&c, &cy, &a, "peers").await;
    let lem = Remote::start(Some("lemmy"));
    let mast = Remote::start(None);
    for (n, remote) in [(1, &lem), (2, &mast)] {
        let (status, v) = remote.follow(&a, n, "peers").await;
        assert_eq!(status, 202, "{v}");
        remote
            .wait_for("the group's Accept", |v| v["type"] == "Accept")
            .await;
    }
    for domain in [b.domain.clone(), c.domain.clone(), lem.domain()] {
        eventually(&format!("{domain}'s software"), || async {
            software_known(&a, &domain).then_some(())
        })
        .await;
    }

    let announcement = a
        .post_status(
            &fran,
            json!({ "status": "@peers control: a walk on Saturday", "visibility": "public" }),
        )
        .await;
    let announcement_uri = uri_of(&a, &fran, &announcement).await;
    let at_b = local_id(&b, &announcement_uri).await;
    local_id(&c, &announcement_uri).await;

    // bo replies from B, publicly: A relays it to C, lem and mast, never back to B.
    let bo_reply = b
        .post_status(
            &bo,
            json!({ "status": "reply from B: count me in", "in_reply_to_id": at_b, "visibility": "public" }),
        )
        .await;
    let bo_reply_uri = uri_of(&b, &bo, &bo_reply).await;
    let at_c = local_id(&c, &bo_reply_uri).await;
    let wrapped = lem
        .wait_for("the relayed remote reply", |v| {
            v["type"] == "Announce" && v["object"]["object"]["id"] == bo_reply_uri.as_str()
        })
        .await;
    assert_eq!(wrapped["actor"], a.url("/users/peers"));
    assert_eq!(wrapped["object"]["type"], "Create");
    assert_eq!(wrapped["object"]["actor"], b.url("/users/bo"));
    assert_eq!(
        wrapped["object"]["object"]["inReplyTo"],
        announcement_uri.as_str()
    );
    assert_shape(&fixture("announce_create_comment.json"), &wrapped, "$");
    let boost = mast
        .wait_for("the group's boost of the remote reply", |v| {
            v["type"] == "Announce" && v["object"] == bo_reply_uri.as_str()
        })
        .await;
    assert_eq!(boost["actor"], a.url("/users/peers"));

    // A followers-only reply from B that names fran reaches A, and goes no further.
    b.post_status(
        &bo,
        json!({ "status": format!("@fran@{} secret: followers-only from B", a.domain),
                "in_reply_to_id": at_b, "visibility": "private" }),
    )
    .await;
    eventually("bo's followers-only reply at A", || async {
        (stored(&a, "followers-only from B") == 1).then_some(())
    })
    .await;

    // mia: a followers-only reply (her default), a discussion post, then a public
    // reply — only the last travels.
    a.post_status(
        &mia,
        json!({ "status": "secret: followers-only reply", "in_reply_to_id": announcement, "visibility": "private" }),
    )
    .await;
    a.post_status(
        &mia,
        json!({ "status": "@peers secret: discussion", "visibility": "public" }),
    )
    .await;
    // mast follows mia now: it has her next reply from her, so the group does not
    // send it again.
    let (status, v) = mast.follow(&a, 3, "mia").await;
    assert_eq!(status, 202, "{v}");
    let mia_reply = a
        .post_status(
            &mia,
            json!({ "status": "public reply from A", "in_reply_to_id": announcement, "visibility": "public" }),
        )
        .await;
    let mia_reply_uri = uri_of(&a, &mia, &mia_reply).await;
    local_id(&b, &mia_reply_uri).await;
    local_id(&c, &mia_reply_uri).await;
    let wrapped = lem
        .wait_for("the relayed local reply", |v| {
            v["type"] == "Announce" && v["object"]["object"]["id"] == mia_reply_uri.as_str()
        })
        .await;
    assert_eq!(wrapped["object"]["actor"], a.url("/users/mia"));
    assert_shape(&fixture("announce_create_comment.json"), &wrapped, "$");
    mast.wait_for("mia's own Create", |v| {
        v["type"] == "Create" && v["object"]["id"] == mia_reply_uri.as_str()
    })
    .await;

    // bo edits and deletes his reply: C follows.
    let (status, v) = b
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{bo_reply}"),
            Some(&bo),
            json!({ "status": "reply from B: count me in, with a friend" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the edit at C", || async {
        let (_, s) = c
            .get_json(&format!("/api/v1/statuses/{at_c}"), Some(&cy))
            .await;
        s["content"]
            .as_str()
            .unwrap_or_default()
            .contains("with a friend")
            .then_some(())
    })
    .await;
    let (status, v) = b
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{bo_reply}"),
            Some(&bo),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the deletion at C", || async {
        (stored(&c, "reply from B") == 0).then_some(())
    })
    .await;
    mast.wait_for("the group's Undo of its boost", |v| {
        v["type"] == "Undo" && v["object"]["object"] == bo_reply_uri.as_str()
    })
    .await;

    drained(&[&a, &b, &c]).await;
    for app in [&b, &c] {
        let copies = count_text(app, "secret", true);
        assert_eq!(copies, 0, "a secret reached {}", app.domain);
    }
    let mut outside = lem.bodies();
    outside.extend(mast.bodies());
    for body in &outside {
        assert!(!body.contains("secret"), "leaked: {body}");
    }
    // De-duplication: mast got mia's reply from mia only; B never got its own
    // reply back.
    assert!(
        !mast
            .posted()
            .iter()
            .any(|v| v["type"] == "Announce" && v["object"] == mia_reply_uri.as_str()),
        "mast got mia's reply twice"
    );
    let relayed_back = b
        .state
        .db
        .run_blocking(|c| {
            use kindred_db::schema::statuses;
            Ok(statuses::table
                .filter(statuses::reblog_of_id.is_not_null())
                .filter(statuses::local.eq(false))
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap();
    // B holds the group's boosts of the announcement and of mia's reply, not of
    // bo's own reply.
    assert_eq!(relayed_back, 2, "boosts at B");
}

/// Activity ids A has queued (not yet delivered) that begin with `prefix`.
fn queued(app: &TestApp, prefix: &str) -> Vec<String> {
    let pattern = format!("{prefix}%");
    app.state
        .db
        .run_blocking(move |c| {
            use kindred_db::schema::deliveries;
            Ok(deliveries::table
                .filter(deliveries::activity_id.like(pattern))
                .select(deliveries::activity_id)
                .load::<String>(c)?)
        })
        .unwrap()
}

/// A remote reply's relayed `Create`, still queued for a follower that is down, is
/// withdrawn when its author deletes it: the follower gets the `Delete` only, never
/// the text first.
async fn deleted_remote_reply_withdraws_its_queued_relay(backend: Backend) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    a.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = a.login("fran", "fran's password").await;
    create_group(&a, &fran, "peers", "public").await;
    let (bo, _) = b.member("bo").await;
    follow_group(&b, &bo, &a, "peers").await;
    let lem = Remote::start(Some("lemmy"));
    let (status, v) = lem.follow(&a, 1, "peers").await;
    assert_eq!(status, 202, "{v}");
    lem.wait_for("the group's Accept", |v| v["type"] == "Accept")
        .await;
    eventually("lem's software", || async {
        software_known(&a, &lem.domain()).then_some(())
    })
    .await;
    let announcement = a
        .post_status(
            &fran,
            json!({ "status": "@peers a walk on Saturday", "visibility": "public" }),
        )
        .await;
    let announcement_uri = uri_of(&a, &fran, &announcement).await;
    lem.wait_for("the announcement", |v| {
        v["type"] == "Announce" && v["object"]["object"]["id"] == announcement_uri.as_str()
    })
    .await;
    let at_b = local_id(&b, &announcement_uri).await;

    // lem is down from now on: what A relays to it stays queued.
    lem.r.set(Answer::Status(503));
    let reply = b
        .post_status(
            &bo,
            json!({ "status": "reply from B: soon deleted", "in_reply_to_id": at_b, "visibility": "public" }),
        )
        .await;
    let reply_uri = uri_of(&b, &bo, &reply).await;
    let at_a = local_id(&a, &reply_uri).await;
    let relay = format!("{}#announces/{at_a}/", a.url("/users/peers"));
    // Positive control: the relayed Create is queued for lem.
    eventually("the queued relay of the reply", || async {
        (!queued(&a, &format!("{relay}create/")).is_empty()).then_some(())
    })
    .await;
    let (status, v) = b
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/statuses/{reply}"),
            Some(&bo),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // The deletion's relay is queued (after the reply is gone at A)...
    eventually("the queued relay of the deletion", || async {
        (stored(&a, "soon deleted") == 0 && !queued(&a, &format!("{relay}delete/")).is_empty())
            .then_some(())
    })
    .await;
    // ...and the Create that carried its text was withdrawn.
    let left = queued(&a, &format!("{relay}create/"));
    assert!(left.is_empty(), "still queued: {left:?}");
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    TurnedPrivate,
    Deleted,
}

async fn private_group_withdraws_what_it_distributed(backend: Backend) {
    withdraws(backend, Ending::TurnedPrivate).await;
}

async fn deleted_group_withdraws_what_it_distributed(backend: Backend) {
    withdraws(backend, Ending::Deleted).await;
}

/// A group's announcement, a relayed reply and a meeting listing reach B, `lem`
/// and `mast`; the group turns private (or is deleted); afterwards B holds nothing
/// of the group, `lem` has a removal of each post (Lemmy's form) and `mast` the
/// group's Undo of each boost, and everyone the listing's Delete. The posts stay
/// with their authors on A.
async fn withdraws(backend: Backend, ending: Ending) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    a.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = a.login("fran", "fran's password").await;
    let (mia, _) = a.member("mia").await;
    let peers = create_group(&a, &fran, "peers", "public").await;
    let (bo, _) = b.member("bo").await;
    follow_group(&b, &bo, &a, "peers").await;
    let lem = Remote::start(Some("lemmy"));
    let mast = Remote::start(None);
    for (n, remote) in [(1, &lem), (2, &mast)] {
        let (status, v) = remote.follow(&a, n, "peers").await;
        assert_eq!(status, 202, "{v}");
        remote
            .wait_for("the group's Accept", |v| v["type"] == "Accept")
            .await;
    }
    for domain in [b.domain.clone(), lem.domain()] {
        eventually(&format!("{domain}'s software"), || async {
            software_known(&a, &domain).then_some(())
        })
        .await;
    }

    let announcement = a
        .post_status(
            &fran,
            json!({ "status": "@peers control: picnic in the park", "visibility": "public" }),
        )
        .await;
    let announcement_uri = uri_of(&a, &fran, &announcement).await;
    let reply = a
        .post_status(
            &mia,
            json!({ "status": "control reply: bringing lemonade", "in_reply_to_id": announcement, "visibility": "public" }),
        )
        .await;
    let reply_uri = uri_of(&a, &mia, &reply).await;
    let meeting =
        crate::meetings::create_meeting(&a, &fran, peers.parse().unwrap(), "public").await;
    // Positive control: all of it at B (the copies and the group's boosts), and
    // the listing.
    local_id(&b, &announcement_uri).await;
    local_id(&b, &reply_uri).await;
    eventually("the listing at B", || async {
        (remote_meetings(&b) == 1).then_some(())
    })
    .await;
    eventually("the group's boosts at B", || async {
        (count_from(&b, &a).await >= 4).then_some(())
    })
    .await;

    match ending {
        Ending::TurnedPrivate => {
            let (status, v) = a
                .send_json(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/groups/{peers}"),
                    Some(&fran),
                    json!({ "visibility": "private" }),
                )
                .await;
            assert_eq!(status, 200, "{v}");
        }
        Ending::Deleted => {
            let (status, v) = a
                .send_json(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/groups/{peers}"),
                    Some(&fran),
                    json!({}),
                )
                .await;
            assert_eq!(status, 200, "{v}");
        }
    }

    // B: nothing of the group is left.
    eventually("the group's traces gone from B", || async {
        (count_from(&b, &a).await == 0 && remote_meetings(&b) == 0).then_some(())
    })
    .await;
    let (_, home) = b
        .get_json("/api/v1/timelines/home?limit=40", Some(&bo))
        .await;
    assert!(!home.to_string().contains("control"), "{home}");

    // lem: Lemmy's removal of each post, then the listing's Delete.
    for uri in [&announcement_uri, &reply_uri] {
        let removal = lem
            .wait_for("a removal", |v| {
                v["type"] == "Announce"
                    && v["object"]["type"] == "Delete"
                    && v["object"]["object"] == uri.as_str()
            })
            .await;
        assert_eq!(removal["actor"], a.url("/users/peers"));
        assert_eq!(removal["object"]["actor"], a.url("/users/fran"));
        assert!(removal["object"]["summary"].is_string(), "{removal}");
        assert_shape(&fixture("announce_remove_comment.json"), &removal, "$");
    }
    let event_uri = a.url(&format!("/meetings/{meeting}"));
    lem.wait_for("the listing's Delete", |v| {
        v["type"] == "Announce"
            && v["object"]["type"] == "Delete"
            && v["object"]["object"]["id"] == event_uri.as_str()
    })
    .await;
    // mast: the Undo of each boost it had.
    for uri in [&announcement_uri, &reply_uri] {
        let boost = mast
            .posted()
            .into_iter()
            .find(|v| v["type"] == "Announce" && v["object"] == uri.as_str())
            .unwrap_or_else(|| panic!("mast had no boost of {uri}"));
        let undo = mast
            .wait_for("the Undo of a boost", |v| {
                v["type"] == "Undo" && v["object"]["id"] == boost["id"]
            })
            .await;
        assert_eq!(undo["actor"], a.url("/users/peers"));
    }
    mast.wait_for("the listing's Delete", |v| {
        v["type"] == "Delete" && v["object"]["id"] == event_uri.as_str()
    })
    .await;
    drained(&[&a, &b]).await;

    // The posts stay with their authors on A.
    for (token, id) in [(&fran, &announcement), (&mia, &reply)] {
        let (status, v) = a
            .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
            .await;
        assert_eq!(status, 200, "{v}");
    }
}
