//! Issue 21, items 1, 3 and 7: blocking or muting a group never joins it; an edit
//! runs the group rules of create; a private group's name answers from outside as a
//! name that does not exist. Each "must not" is checked from the outside, after a
//! positive control that finds what should be there.

use std::time::{Duration, Instant};

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, spawn_app_with, Backend, TestApp};
use crate::remote_groups::{activity, Peer};

both_backends!(
    blocking_a_group_leaves_it_and_hides_it,
    muting_a_group_hides_it_and_keeps_membership,
    an_edit_obeys_the_group_rules_of_create,
    a_private_group_name_answers_as_a_missing_one,
    sign_up_checks_the_invite_before_the_name,
    lookup_finds_remote_groups_never_remote_persons,
    a_withdrawn_request_takes_its_notice_from_either_entrance,
    an_answered_request_takes_its_notice,
);

async fn facilitator(app: &TestApp, name: &str) -> (String, String) {
    let password = format!("{name}'s password");
    app.create_user(name, &password, None, Role::Facilitator)
        .await;
    let token = app.login(name, &password).await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    (token, me["id"].as_str().unwrap().to_owned())
}

async fn create_group(app: &TestApp, token: &str, name: &str, visibility: &str) -> String {
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            token,
            json!({"username": name, "display_name": name, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    g["id"].as_str().unwrap().to_owned()
}

async fn relationship(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, rels) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{rels}");
    rels[0].clone()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn home(app: &TestApp, token: &str) -> Vec<String> {
    let (status, v) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    ids(&v)
}

/// (type, from account id, status id) of each notification.
async fn notifications(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let (status, v) = app
        .get_json("/api/v1/notifications?limit=40", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap_or_default().to_owned(),
                n["account"]["id"].as_str().unwrap_or_default().to_owned(),
                n["status"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The text of a list only facilitators may read.
async fn listed(app: &TestApp, token: &str, path: &str) -> String {
    let (status, v) = app.get_json(path, Some(token)).await;
    assert_eq!(status, 200, "{path}: {v}");
    v.to_string()
}

/// The caller's own standing in a group, as the group entity shows it.
async fn own_state(app: &TestApp, token: &str, gid: &str) -> Value {
    let (_, g) = app
        .get_json(&format!("/api/v1/groups/{gid}"), Some(token))
        .await;
    g["membership"]["state"].clone()
}

async fn unread(app: &TestApp, token: &str) -> Value {
    let (status, v) = app
        .get_json("/api/v1/notifications/unread_count", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v["count"].clone()
}

async fn post(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    app.post_json(path, token, json!({})).await
}

/// Item 1: a block of a group leaves it (or withdraws the request), hides its posts,
/// keeps its invitations away and tells its facilitators nothing; the owner cannot
/// block; unblocking changes nothing else.
async fn blocking_a_group_leaves_it_and_hides_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, fac_id) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (sam, sam_id) = app.member("sam").await;
    let (olly, olly_id) = app.member("olly").await;
    let gid = create_group(&app, &fac, "hardtimes", "closed").await;

    // A request to join: the facilitator sees it and is notified (positive control).
    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{gid}/follow")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["requested"], true);
    let requests = format!("/api/v1/groups/{gid}/requests");
    assert!(listed(&app, &fac, &requests).await.contains(&mia_id));
    let asked = |n: &Vec<(String, String, String)>| {
        n.iter()
            .any(|(t, from, _)| t == "group_request" && *from == mia_id)
    };
    assert!(asked(&notifications(&app, &fac).await));

    // Blocking withdraws the request: not a member, not requested, blocking.
    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{gid}/block")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], true, "{rel}");
    assert_eq!(rel["requested"], false, "{rel}");
    assert_eq!(rel["following"], false, "{rel}");
    assert_eq!(relationship(&app, &mia, &gid).await, rel);
    // The facilitators see no request and no notification naming who blocked.
    assert!(!listed(&app, &fac, &requests).await.contains(&mia_id));
    assert!(!asked(&notifications(&app, &fac).await));
    // Asking again is refused while the block stands; nothing changes.
    let (status, _) = post(&app, &mia, &format!("/api/v1/accounts/{gid}/follow")).await;
    assert_eq!(status, 403);
    assert!(!listed(&app, &fac, &requests).await.contains(&mia_id));

    // A member who blocks the group leaves it.
    for who in [&sam_id, &olly_id] {
        let (status, v) = post(
            &app,
            &fac,
            &format!("/api/v1/groups/{gid}/accounts/{who}/invite"),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }
    for token in [&sam, &olly] {
        let (status, _) = post(&app, token, &format!("/api/v1/groups/{gid}/join")).await;
        assert_eq!(status, 200);
    }
    let members = format!("/api/v1/groups/{gid}/members?limit=80");
    assert!(listed(&app, &fac, &members).await.contains(&sam_id));
    // A public announcement, seen by both members (positive control).
    let (status, ann) = app
        .post_json(
            "/api/v1/statuses",
            &fac,
            json!({"status": "@hardtimes café on Friday", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{ann}");
    let ann = ann["id"].as_str().unwrap().to_owned();
    for token in [&sam, &olly] {
        assert_eq!(
            app.get_json(&format!("/api/v1/statuses/{ann}"), Some(token))
                .await
                .0,
            200
        );
    }
    let (status, rel) = post(&app, &sam, &format!("/api/v1/accounts/{gid}/block")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], true);
    assert_eq!(rel["following"], false);
    assert!(!listed(&app, &fac, &members).await.contains(&sam_id));
    assert!(listed(&app, &fac, &members).await.contains(&olly_id));
    // Its posts are hidden from the blocker, by every path; others still see them.
    for path in [
        format!("/api/v1/statuses/{ann}"),
        format!("/api/v1/statuses/{ann}/context"),
    ] {
        assert_eq!(app.get_json(&path, Some(&olly)).await.0, 200, "{path}");
        assert_eq!(app.get_json(&path, Some(&sam)).await.0, 404, "{path}");
    }
    for path in [
        format!("/api/v1/groups/{gid}/timeline"),
        format!("/api/v1/accounts/{gid}/statuses"),
        format!("/api/v1/accounts/{fac_id}/statuses"),
        "/api/v1/timelines/public".to_owned(),
    ] {
        let (_, seen) = app.get_json(&path, Some(&olly)).await;
        assert!(ids(&seen).contains(&ann), "{path}: {seen}");
        let (status, v) = app.get_json(&path, Some(&sam)).await;
        assert_eq!(status, 200, "{path}: {v}");
        assert!(
            !ids(&v).contains(&ann),
            "{path} shows a blocked group's post"
        );
    }

    // An invitation to the blocker answers as any invitation and never reaches them.
    let invite = |who: &str| format!("/api/v1/groups/{gid}/accounts/{who}/invite");
    let (vivian, vivian_id) = app.member("vivian").await;
    let to_vivian = post(&app, &fac, &invite(&vivian_id)).await;
    let to_sam = post(&app, &fac, &invite(&sam_id)).await;
    assert_eq!(to_vivian, to_sam);
    assert_eq!(to_vivian.0, 200);
    // Inviting twice answers the same for both.
    assert_eq!(
        post(&app, &fac, &invite(&vivian_id)).await,
        post(&app, &fac, &invite(&sam_id)).await
    );
    assert_eq!(own_state(&app, &vivian, &gid).await, "invited");
    assert_eq!(own_state(&app, &sam, &gid).await, Value::Null);
    let (status, _) = post(&app, &sam, &format!("/api/v1/groups/{gid}/join")).await;
    assert_eq!(
        status, 403,
        "the invitation must not have reached the blocker"
    );
    // Removing the invitee and the blocker (never stored) answers the same: the
    // facilitator cannot tell who blocked the group.
    let remove = |who: &str| format!("/api/v1/groups/{gid}/accounts/{who}/remove");
    let from_vivian = post(&app, &fac, &remove(&vivian_id)).await;
    let from_sam = post(&app, &fac, &remove(&sam_id)).await;
    assert_eq!(from_vivian, from_sam);
    assert_eq!(from_vivian.0, 200, "{:?}", from_vivian.1);
    assert_eq!(own_state(&app, &vivian, &gid).await, Value::Null);
    // Removing again, now that neither is in it, answers the same too.
    assert_eq!(
        post(&app, &fac, &remove(&vivian_id)).await,
        post(&app, &fac, &remove(&sam_id)).await
    );

    // Unblocking lifts the block and nothing else.
    let (status, rel) = post(&app, &sam, &format!("/api/v1/accounts/{gid}/unblock")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], false);
    assert_eq!(rel["following"], false);
    assert_eq!(rel["requested"], false);
    assert_eq!(own_state(&app, &sam, &gid).await, Value::Null);
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{ann}"), Some(&sam))
            .await
            .0,
        200
    );

    // The owner cannot block their own group, as they cannot leave it.
    let (status, v) = post(&app, &fac, &format!("/api/v1/accounts/{gid}/block")).await;
    assert_eq!(status, 422, "{v}");
    let rel = relationship(&app, &fac, &gid).await;
    assert_eq!(rel["blocking"], false);
    assert_eq!(rel["following"], true);

    // A private group does not exist for an outsider: blocking or leaving it is
    // "not found", as for an account id that was never given.
    let secret = create_group(&app, &fac, "quietroom", "private").await;
    for verb in ["block", "unfollow"] {
        let (status, v) = post(&app, &olly, &format!("/api/v1/accounts/{secret}/{verb}")).await;
        assert_eq!(status, 404, "{verb}: {v}");
        let unknown = post(&app, &olly, &format!("/api/v1/accounts/1/{verb}")).await;
        assert_eq!((status, v), unknown, "{verb}");
    }
    // Leaving a public group one is not in answers with the relationship (positive
    // control: the group exists for them).
    let (status, rel) = post(&app, &olly, &format!("/api/v1/accounts/{gid}/unfollow")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["following"], false, "{rel}");

    // A member who blocks a private group leaves it, and it stays theirs to unblock:
    // in relationships, in their blocks and by unfollow, where an outsider gets
    // nothing; one who mutes it likewise (mutes, relationships).
    let (status, _) = post(&app, &fac, &invite(&olly_id).replace(&gid, &secret)).await;
    assert_eq!(status, 200);
    let (status, _) = post(&app, &olly, &format!("/api/v1/groups/{secret}/join")).await;
    assert_eq!(status, 200);
    let (status, rel) = post(&app, &olly, &format!("/api/v1/accounts/{secret}/block")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], true, "{rel}");
    assert_eq!(own_state(&app, &olly, &secret).await, Value::Null);
    assert_eq!(relationship(&app, &olly, &secret).await, rel);
    let rels = |token: String| {
        let app = &app;
        let secret = secret.clone();
        async move {
            app.get_json(
                &format!("/api/v1/accounts/relationships?id[]={secret}"),
                Some(&token),
            )
            .await
        }
    };
    assert_eq!(rels(vivian.clone()).await, (200, json!([])));
    let blocks = listed(&app, &olly, "/api/v1/blocks").await;
    assert!(blocks.contains(&secret), "{blocks}");
    assert!(!listed(&app, &vivian, "/api/v1/blocks")
        .await
        .contains(&secret));
    let (status, rel) = post(&app, &olly, &format!("/api/v1/accounts/{secret}/unfollow")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], true, "{rel}");
    let (status, rel) = post(&app, &olly, &format!("/api/v1/accounts/{secret}/unblock")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["blocking"], false, "{rel}");
    // Unblocked and not in it: the group is gone for them again.
    assert_eq!(rels(olly.clone()).await, (200, json!([])));
    assert!(!listed(&app, &olly, "/api/v1/blocks")
        .await
        .contains(&secret));
    // Muting (as a member, then removed by the facilitator): still listed.
    let (status, _) = post(&app, &fac, &invite(&mia_id).replace(&gid, &secret)).await;
    assert_eq!(status, 200);
    let (status, _) = post(&app, &mia, &format!("/api/v1/groups/{secret}/join")).await;
    assert_eq!(status, 200);
    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{secret}/mute")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["muting"], true, "{rel}");
    let remove_mia = format!("/api/v1/groups/{secret}/accounts/{mia_id}/remove");
    assert_eq!(post(&app, &fac, &remove_mia).await.0, 200);
    assert_eq!(own_state(&app, &mia, &secret).await, Value::Null);
    let (status, v) = rels(mia.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v[0]["id"], secret.as_str(), "{v}");
    assert_eq!(v[0]["muting"], true, "{v}");
    let mutes = listed(&app, &mia, "/api/v1/mutes").await;
    assert!(mutes.contains(&secret), "{mutes}");
    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{secret}/unmute")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rels(mia.clone()).await, (200, json!([])));
}

/// Item 1: a mute of a group hides it from home and notifications; the member stays
/// a member and can still read it in the group.
async fn muting_a_group_hides_it_and_keeps_membership(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, fac_id) = facilitator(&app, "fran").await;
    let (mia, _) = app.member("mia").await;
    let gid = create_group(&app, &fac, "walkers", "public").await;
    let (status, _) = post(&app, &mia, &format!("/api/v1/groups/{gid}/join")).await;
    assert_eq!(status, 200);
    // A discussion post naming mia: home and notifications have it (positive control).
    let first = app
        .post_status(
            &fac,
            json!({"status": "@walkers @mia welcome!", "visibility": "private"}),
        )
        .await;
    assert!(home(&app, &mia).await.contains(&first));
    let mentioned = |n: &Vec<(String, String, String)>, id: &str| {
        n.iter()
            .any(|(t, from, s)| t == "mention" && *from == fac_id && s == id)
    };
    assert!(mentioned(&notifications(&app, &mia).await, &first));
    assert_eq!(unread(&app, &mia).await, 1);

    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{gid}/mute")).await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["muting"], true, "{rel}");
    assert_eq!(rel["following"], true, "membership is unchanged: {rel}");
    assert_eq!(relationship(&app, &mia, &gid).await, rel);
    let second = app
        .post_status(
            &fac,
            json!({"status": "@walkers @mia route for Sunday", "visibility": "private"}),
        )
        .await;
    let h = home(&app, &mia).await;
    assert!(!h.contains(&first) && !h.contains(&second), "{h:?}");
    let n = notifications(&app, &mia).await;
    assert!(!mentioned(&n, &first) && !mentioned(&n, &second), "{n:?}");
    assert_eq!(unread(&app, &mia).await, 0);
    // Still a member: the group's own timeline and the posts are there.
    let (_, tl) = app
        .get_json(&format!("/api/v1/groups/{gid}/timeline"), Some(&mia))
        .await;
    assert!(ids(&tl).contains(&second), "{tl}");
    let (_, g) = app
        .get_json(&format!("/api/v1/groups/{gid}"), Some(&mia))
        .await;
    assert_eq!(g["membership"]["state"], "member");

    // Unmuting brings them back; the membership never moved.
    let (status, rel) = post(&app, &mia, &format!("/api/v1/accounts/{gid}/unmute")).await;
    assert_eq!(status, 200);
    assert_eq!(rel["muting"], false);
    assert_eq!(rel["following"], true);
    assert!(home(&app, &mia).await.contains(&second));
    assert!(mentioned(&notifications(&app, &mia).await, &second));
    assert_eq!(unread(&app, &mia).await, 2);
}

/// A remote follower (carol) of `username`'s account on `peer`, accepted.
async fn remote_follower(app: &TestApp, peer: &mut Peer, username: &str) {
    let carol = peer.url("/u/carol");
    peer.person(&carol, "carol");
    let follow_id = peer.url(&format!("/activities/follow-{username}"));
    let follow = activity(
        follow_id.clone(),
        "Follow",
        &carol,
        json!(app.url(&format!("/users/{username}"))),
    );
    let (status, v) = peer.deliver(app, &carol, &follow).await;
    assert_eq!(status, 202, "{v}");
    wait_for(peer, "the Accept", |v| {
        v["type"] == "Accept" && v["object"].to_string().contains(&follow_id)
    })
    .await;
}

/// The first activity the peer received that `matches`.
async fn wait_for(peer: &Peer, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = peer.r.requests().into_iter().find_map(|r| {
            let v: Value = serde_json::from_str(&r.body).ok()?;
            (r.method == "POST" && matches(&v)).then_some(v)
        });
        if let Some(v) = found {
            return v;
        }
        assert!(Instant::now() < deadline, "{what} never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn activitypub(app: &TestApp, uri: &str) -> Value {
    let resp = app
        .client
        .get(uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{uri}");
    resp.json().await.unwrap()
}

async fn edit(app: &TestApp, token: &str, id: &str, text: &str) -> (u16, Value) {
    app.send_json(
        reqwest::Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        Some(token),
        json!({"status": text}),
    )
    .await
}

/// Replaces the changing parts of a status answer (ids, times, URLs, the name) so two
/// answers can be compared whole.
fn normalized(v: &Value, name: &str) -> String {
    let mut v = v.clone();
    // Ids and times differ between any two posts (two posts can straddle a second).
    for key in [
        "id",
        "uri",
        "url",
        "created_at",
        "edited_at",
        "published",
        "updated",
    ] {
        v[key] = Value::Null;
    }
    if v["account"].is_object() {
        v["account"]["statuses_count"] = Value::Null;
    }
    v.to_string().replace(name, "NAME")
}

/// Item 3: `PUT /api/v1/statuses/:id` runs the rules of create: no moving into or out
/// of a group, no mention create would refuse, and an outsider's mention of a
/// private group is a mention of a name that does not exist — in the API, in the
/// ActivityPub object and in the `Update` followers receive.
async fn an_edit_obeys_the_group_rules_of_create(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, _) = app.member("mia").await;
    let (olly, _) = app.member("olly").await;
    create_group(&app, &fac, "secretcircle", "private").await;
    let open = create_group(&app, &fac, "openwalk", "public").await;
    let (status, _) = post(&app, &mia, &format!("/api/v1/groups/{open}/join")).await;
    assert_eq!(status, 200);
    let mut peer = Peer::start();
    remote_follower(&app, &mut peer, "olly").await;
    // The author of the discussion below has the same follower, so its absence
    // there can be judged.
    remote_follower(&app, &mut peer, "mia").await;

    // An outsider edits a public post to name the private group, and another to name
    // nobody: the two answers are the same but for the name.
    let a = app
        .post_status(&olly, json!({"status": "hello", "visibility": "public"}))
        .await;
    let b = app
        .post_status(&olly, json!({"status": "hello", "visibility": "public"}))
        .await;
    let (status, to_group) = edit(&app, &olly, &a, "@secretcircle see you there").await;
    assert_eq!(status, 200, "{to_group}");
    let (status, to_nobody) = edit(&app, &olly, &b, "@nosuchname1 see you there").await;
    assert_eq!(status, 200, "{to_nobody}");
    assert_eq!(to_group["mentions"], json!([]), "{to_group}");
    assert_eq!(
        normalized(&to_group, "secretcircle"),
        normalized(&to_nobody, "nosuchname1")
    );
    // The ActivityPub object: the text, and no address of the group.
    let group_addresses = [app.url("/users/secretcircle"), app.url("/@secretcircle")];
    let object = activitypub(&app, to_group["uri"].as_str().unwrap()).await;
    assert!(
        object["content"]
            .as_str()
            .unwrap()
            .contains("see you there"),
        "{object}"
    );
    for addr in &group_addresses {
        assert!(!object.to_string().contains(addr.as_str()), "{object}");
    }
    assert_eq!(
        normalized(&object, "secretcircle"),
        normalized(
            &activitypub(&app, to_nobody["uri"].as_str().unwrap()).await,
            "nosuchname1"
        )
    );
    // The Update that reached the follower (it arrives: positive control).
    let uri = to_group["uri"].as_str().unwrap().to_owned();
    let update = wait_for(&peer, "the Update", |v| {
        v["type"] == "Update" && v["object"]["id"] == uri.as_str()
    })
    .await;
    assert!(update.to_string().contains("see you there"), "{update}");
    for addr in &group_addresses {
        assert!(!update.to_string().contains(addr.as_str()), "{update}");
    }

    // Create refuses an outsider's post into a public group; so does an edit.
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &olly,
            json!({"status": "@openwalk hi", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, v) = edit(&app, &olly, &b, "@openwalk hi").await;
    assert_eq!(status, 422, "{v}");

    // A member's ordinary post cannot move into the group by an edit...
    let plain = app
        .post_status(&mia, json!({"status": "hello all", "visibility": "public"}))
        .await;
    let (status, v) = edit(&app, &mia, &plain, "@openwalk hello all").await;
    assert_eq!(status, 422, "{v}");
    let (_, now) = app
        .get_json(&format!("/api/v1/statuses/{plain}"), Some(&mia))
        .await;
    assert_eq!(now["mentions"], json!([]), "{now}");
    assert_eq!(now["visibility"], "public");
    // ...nor a discussion post out of it; editing it within the group is fine.
    let discussion = app
        .post_status(
            &mia,
            json!({"status": "@openwalk rough week", "visibility": "public"}),
        )
        .await;
    let (status, v) = edit(&app, &mia, &discussion, "rough week, told everyone").await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = edit(&app, &mia, &discussion, "@openwalk rough week, better now").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["visibility"], "private");
    assert!(v["content"].as_str().unwrap().contains("better now"));
    // Nothing of the discussion ever reached mia's follower: judged once a later
    // public post of hers has arrived there (positive control).
    let later = app
        .post_status(
            &mia,
            json!({"status": "barrier post", "visibility": "public"}),
        )
        .await;
    let (_, later) = app
        .get_json(&format!("/api/v1/statuses/{later}"), Some(&mia))
        .await;
    let later_uri = later["uri"].as_str().unwrap().to_owned();
    wait_for(&peer, "mia's later public post", |v| {
        v["type"] == "Create" && v["object"]["id"] == later_uri.as_str()
    })
    .await;
    assert!(!peer
        .r
        .requests()
        .iter()
        .any(|r| r.body.contains("rough week")));
}

/// Item 7: posting a mention of a private group from outside answers exactly as a
/// mention of a name that does not exist; a member's mention still posts into it.
async fn a_private_group_name_answers_as_a_missing_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (olly, _) = app.member("olly").await;
    let group_id = create_group(&app, &fac, "secretcircle", "private").await;
    // By id: relationships answer an outsider as for an id that does not exist
    // (nothing), a member with the entry (positive control).
    let rels = |token: String, id: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .get_json(
                    &format!("/api/v1/accounts/relationships?id[]={id}"),
                    Some(&token),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body.as_array().map(Vec::len).unwrap_or(usize::MAX)
        }
    };
    assert_eq!(rels(olly.clone(), group_id.clone()).await, 0);
    assert_eq!(rels(olly.clone(), "999999999999".into()).await, 0);
    assert_eq!(rels(fac.clone(), group_id.clone()).await, 1);
    let (s1, to_group) = app
        .post_json(
            "/api/v1/statuses",
            &olly,
            json!({"status": "@secretcircle are you there?", "visibility": "public"}),
        )
        .await;
    let (s2, to_nobody) = app
        .post_json(
            "/api/v1/statuses",
            &olly,
            json!({"status": "@nosuchname1 are you there?", "visibility": "public"}),
        )
        .await;
    assert_eq!(s1, s2, "{to_group} / {to_nobody}");
    assert_eq!(s1, 200);
    assert_eq!(
        normalized(&to_group, "secretcircle"),
        normalized(&to_nobody, "nosuchname1")
    );
    // Positive control: a member's mention does post into the group.
    let (status, inside) = app
        .post_json(
            "/api/v1/statuses",
            &fac,
            json!({"status": "@secretcircle are you there?", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{inside}");
    assert_eq!(inside["visibility"], "private");
    assert_eq!(inside["local_only"], true);
}

async fn sign_up(app: &TestApp, token: &str, name: &str, code: &str) -> (u16, Value) {
    let body = json!({"username": name, "password": "a long password",
                      "agreement": true, "invite_code": code});
    app.post_json("/api/v1/accounts", token, body).await
}

/// Item 7: in invite mode a stranger without a code learns nothing about which names
/// are held (a private group's, a pending account's); with a code, a taken and a
/// reserved name get one answer, and neither uses up the invite.
async fn sign_up_checks_the_invite_before_the_name(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "invite")]).await
    else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    create_group(&app, &fac, "secretcircle", "private").await;
    let c = app
        .register_app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap();
    let token = resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Without a valid code, a held name answers as a free one.
    let held = sign_up(&app, &token, "secretcircle", "made-up").await;
    let free = sign_up(&app, &token, "freename1", "made-up").await;
    assert_eq!(held, free);
    assert_eq!(held.1["error_code"], "invalid_invite", "{:?}", held);
    // With one, taken and reserved answer alike, and the invite stays usable.
    let code = kindred_api::services::accounts::create_invite(
        &app.state,
        None,
        Some(1),
        Some(chrono::Duration::days(1)),
    )
    .await
    .unwrap();
    let taken = sign_up(&app, &token, "secretcircle", &code).await;
    let reserved = sign_up(&app, &token, "admin", &code).await;
    assert_eq!(taken.0, 422);
    assert_eq!(taken.1["error_code"], "username_taken");
    assert_eq!(taken, reserved);
    let (status, v) = sign_up(&app, &token, "freename1", &code).await;
    assert_eq!(status, 200, "{v}");
}

async fn lookup(app: &TestApp, acct: &str) -> (u16, Value) {
    let q = url::form_urlencoded::byte_serialize(acct.as_bytes()).collect::<String>();
    app.get_json(&format!("/api/v1/accounts/lookup?acct={q}"), None)
        .await
}

/// Account look-up (no sign-in needed) never tells a stranger whether a remote person
/// is stored here (has followed someone, answered a meeting): a known remote person
/// answers as an unknown one; a known remote group is found, by `name@host` and
/// `!name@host`, and local accounts as before.
async fn lookup_finds_remote_groups_never_remote_persons(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, me_id) = app.member("olly").await;
    let mut peer = Peer::start();
    // carol follows olly: stored here (positive control: she is olly's follower).
    remote_follower(&app, &mut peer, "olly").await;
    let followers = listed(&app, &token, &format!("/api/v1/accounts/{me_id}/followers")).await;
    let host = peer.url("").trim_start_matches("http://").to_owned();
    let carol = format!("carol@{host}");
    assert!(followers.contains(&carol), "{followers}");
    let known = lookup(&app, &carol).await;
    let unknown = lookup(&app, &format!("nobody@{host}")).await;
    assert_eq!(known.0, 404, "{:?}", known.1);
    assert_eq!(known, unknown);
    assert_eq!(lookup(&app, &format!("@{carol}")).await, unknown);

    // A remote group, once found by search, is looked up by its address.
    let group = peer.mobilizon_group("walkers");
    let (status, found) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                url::form_urlencoded::byte_serialize(group.as_bytes()).collect::<String>()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    let gid = found["accounts"][0]["id"].as_str().unwrap().to_owned();
    for acct in [format!("walkers@{host}"), format!("!walkers@{host}")] {
        let (status, v) = lookup(&app, &acct).await;
        assert_eq!(status, 200, "{acct}: {v}");
        assert_eq!(v["id"], gid.as_str(), "{v}");
        assert_eq!(v["group"], true, "{v}");
    }
    // Local accounts as before.
    let (status, v) = lookup(&app, "olly").await;
    assert_eq!((status, v["id"].as_str()), (200, Some(me_id.as_str())));
    let (status, _) = lookup(&app, &format!("olly@{}", app.domain)).await;
    assert_eq!(status, 200);
}

/// Issue 23: a request to join a closed group that is taken back takes the
/// facilitators' `group_request` notice with it, whichever entrance it came through:
/// a member leaving (the API) or a remote account's Undo of its Follow (the inbox).
/// The rule is `kindred_core::groups::membership`.
async fn a_withdrawn_request_takes_its_notice_from_either_entrance(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let gid = create_group(&app, &fac, "hardtimes", "closed").await;
    let asked_by = |n: &Vec<(String, String, String)>, who: &str| {
        n.iter()
            .any(|(t, from, _)| t == "group_request" && from == who)
    };

    // A member asks, is announced to the facilitator, and leaves: the notice goes.
    let (status, g) = post(&app, &mia, &format!("/api/v1/groups/{gid}/join")).await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(own_state(&app, &mia, &gid).await, "requested");
    assert!(asked_by(&notifications(&app, &fac).await, &mia_id));
    let (status, v) = post(&app, &mia, &format!("/api/v1/groups/{gid}/leave")).await;
    assert_eq!(status, 200, "{v}");
    assert!(!asked_by(&notifications(&app, &fac).await, &mia_id));

    // A remote account asks by following the group's actor: the same notice.
    let mut peer = Peer::start();
    let group = app.url("/users/hardtimes");
    let ask = |peer: &Peer, who: &str| {
        let id = peer.url(&format!("/activities/follow-{who}"));
        activity(id, "Follow", &peer.url(&format!("/u/{who}")), json!(group))
    };
    let carol = peer.url("/u/carol");
    peer.person(&carol, "carol");
    let follow = ask(&peer, "carol");
    let (status, v) = peer.deliver(&app, &carol, &follow).await;
    assert_eq!(status, 202, "{v}");
    let seen = notified(&app, &fac, "carol's request", |(t, _, _)| {
        t == "group_request"
    })
    .await;
    let carol_id = seen
        .iter()
        .find(|(t, _, _)| t == "group_request")
        .unwrap()
        .1
        .clone();

    // Carol takes it back with an Undo of her Follow: the notice goes too.
    let mut embedded = follow.clone();
    embedded.as_object_mut().unwrap().remove("@context");
    let undo = activity(peer.url("/activities/undo-carol"), "Undo", &carol, embedded);
    let (status, v) = peer.deliver(&app, &carol, &undo).await;
    assert_eq!(status, 202, "{v}");
    // A later request arrives and is announced (positive control), then carol's is
    // judged gone.
    let dave = peer.url("/u/dave");
    peer.person(&dave, "dave");
    let (status, v) = peer.deliver(&app, &dave, &ask(&peer, "dave")).await;
    assert_eq!(status, 202, "{v}");
    let seen = notified(&app, &fac, "dave's request", |(t, from, _)| {
        t == "group_request" && *from != carol_id
    })
    .await;
    assert!(!asked_by(&seen, &carol_id), "{seen:?}");
}

/// Issue 23: a facilitator's answer to a request (approve, reject, ban), for a
/// member here or a remote follower, takes the `group_request` notice with it, as
/// Mastodon's follow-request notices go with their request. Before, the notice
/// stayed after the request was answered.
async fn an_answered_request_takes_its_notice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let gid = create_group(&app, &fac, "hardtimes", "closed").await;
    let asked_by = |n: &Vec<(String, String, String)>, who: &str| {
        n.iter()
            .any(|(t, from, _)| t == "group_request" && from == who)
    };
    for (name, action) in [("mia", "approve"), ("max", "reject"), ("mo", "ban")] {
        let (token, id) = app.member(name).await;
        let (status, g) = post(&app, &token, &format!("/api/v1/groups/{gid}/join")).await;
        assert_eq!(status, 200, "{g}");
        // Positive control: the request is announced.
        assert!(asked_by(&notifications(&app, &fac).await, &id), "{name}");
        let (status, v) = post(
            &app,
            &fac,
            &format!("/api/v1/groups/{gid}/accounts/{id}/{action}"),
        )
        .await;
        assert_eq!(status, 200, "{action}: {v}");
        assert!(
            !asked_by(&notifications(&app, &fac).await, &id),
            "{action} left the notice"
        );
    }

    // A remote account's request, approved by the facilitator.
    let mut peer = Peer::start();
    let carol = peer.url("/u/carol");
    peer.person(&carol, "carol");
    let follow = activity(
        peer.url("/activities/follow-carol"),
        "Follow",
        &carol,
        json!(app.url("/users/hardtimes")),
    );
    let (status, v) = peer.deliver(&app, &carol, &follow).await;
    assert_eq!(status, 202, "{v}");
    let seen = notified(&app, &fac, "carol's request", |(t, _, _)| {
        t == "group_request"
    })
    .await;
    let carol_id = seen
        .iter()
        .find(|(t, _, _)| t == "group_request")
        .map(|(_, from, _)| from.clone())
        .unwrap();
    let (status, v) = post(
        &app,
        &fac,
        &format!("/api/v1/groups/{gid}/accounts/{carol_id}/approve"),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert!(!asked_by(&notifications(&app, &fac).await, &carol_id));
}

/// The caller's notifications once one of them `matches`.
async fn notified(
    app: &TestApp,
    token: &str,
    what: &str,
    matches: impl Fn(&(String, String, String)) -> bool,
) -> Vec<(String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = notifications(app, token).await;
        if seen.iter().any(&matches) {
            return seen;
        }
        assert!(Instant::now() < deadline, "{what} never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
