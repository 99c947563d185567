//! Peer-support groups through the Mastodon API and the groups extension: joining,
//! discussion posts that only members see (invariant 1), announcements, review,
//! moderation, private groups, and membership that only facilitators see
//! (invariant 3). Negative cases assert that nothing changed.

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, Backend, TestApp};

both_backends!(
    discussion_posts_stay_with_members,
    bad_input_is_refused_and_changes_nothing,
    private_groups_exist_only_for_members,
    review_queue_and_moderation,
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

async fn create_group(app: &TestApp, token: &str, body: Value) -> String {
    let (status, g) = app.post_json("/api/v1/groups", token, body).await;
    assert_eq!(status, 200, "{g}");
    g["id"].as_str().unwrap().to_owned()
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

async fn statuses_count(app: &TestApp, id: &str) -> u64 {
    let (_, a) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
    a["statuses_count"].as_u64().unwrap()
}

async fn discussion_posts_stay_with_members(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, fac_id) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (out, _) = app.member("olly").await;
    let gid = create_group(
        &app,
        &fac,
        json!({"username": "anxietypeers", "display_name": "Anxiety peer group",
               "note": "Tuesdays", "visibility": "closed",
               "questions": ["What brings you here?"]}),
    )
    .await;

    // Apps see an Account with "group": true; following it asks to join.
    let (_, acct) = app.get_json(&format!("/api/v1/accounts/{gid}"), None).await;
    assert_eq!(acct["group"], true);
    assert_eq!(acct["locked"], true);
    // The description is rendered once, like any account's note.
    assert_eq!(acct["note"], "<p>Tuesdays</p>");
    let (status, rel) = app
        .post_json(&format!("/api/v1/accounts/{gid}/follow"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{rel}");
    assert_eq!(rel["requested"], true);
    assert_eq!(rel["following"], false);
    // A request is not membership: posting into the group is refused.
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@anxietypeers hello", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 422);
    // The facilitator sees the request (answers included) and approves it.
    let (status, reqs) = app
        .get_json(&format!("/api/v1/groups/{gid}/requests"), Some(&fac))
        .await;
    assert_eq!(status, 200, "{reqs}");
    assert_eq!(reqs[0]["account"]["id"], mia_id.as_str());
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/accounts/{mia_id}/approve"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, rels) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={gid}"),
            Some(&mia),
        )
        .await;
    assert_eq!(rels[0]["following"], true);

    // A member's post that mentions only the group is a discussion post.
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@anxietypeers rough week #coping", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{post}");
    let discussion = post["id"].as_str().unwrap().to_owned();
    assert_eq!(post["visibility"], "private");
    assert_eq!(post["local_only"], true);
    // Members see it at home; the author and the facilitator too.
    assert!(home(&app, &mia).await.contains(&discussion));
    assert!(home(&app, &fac).await.contains(&discussion));
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{discussion}"), Some(&fac))
        .await;
    assert_eq!(status, 200);

    // Nobody else sees it, by any path.
    assert!(!home(&app, &out).await.contains(&discussion));
    // ...even following the author.
    app.post_ok(
        &format!("/api/v1/accounts/{mia_id}/follow"),
        &out,
        json!({}),
    )
    .await;
    assert!(!home(&app, &out).await.contains(&discussion));
    for (path, token) in [
        (format!("/api/v1/statuses/{discussion}"), Some(out.as_str())),
        (format!("/api/v1/statuses/{discussion}"), None),
        (
            format!("/api/v1/statuses/{discussion}/context"),
            Some(out.as_str()),
        ),
    ] {
        assert_eq!(app.get_json(&path, token).await.0, 404, "{path}");
    }
    for (path, token) in [
        ("/api/v1/timelines/public".to_owned(), Some(out.as_str())),
        (
            "/api/v1/timelines/public?local=true".to_owned(),
            Some(out.as_str()),
        ),
        (
            "/api/v1/timelines/public?local=true".to_owned(),
            Some(mia.as_str()),
        ),
        (
            "/api/v1/timelines/tag/coping".to_owned(),
            Some(out.as_str()),
        ),
        (
            format!("/api/v1/accounts/{mia_id}/statuses"),
            Some(out.as_str()),
        ),
        (
            format!("/api/v1/accounts/{gid}/statuses"),
            Some(out.as_str()),
        ),
        (format!("/api/v1/accounts/{gid}/statuses"), None),
        (format!("/api/v1/groups/{gid}/timeline"), Some(out.as_str())),
    ] {
        let (status, v) = app.get_json(&path, token).await;
        assert_eq!(status, 200, "{path}: {v}");
        assert!(
            !ids(&v).contains(&discussion),
            "{path} shows a discussion post"
        );
    }
    let (_, found) = app
        .get_json("/api/v2/search?q=rough&type=statuses", Some(&out))
        .await;
    assert!(found["statuses"].as_array().unwrap().is_empty(), "{found}");
    for action in ["favourite", "reblog", "bookmark"] {
        let (status, _) = app
            .post_json(
                &format!("/api/v1/statuses/{discussion}/{action}"),
                &out,
                json!({}),
            )
            .await;
        assert_eq!(status, 404, "{action}");
    }
    // Members cannot boost it out of the group either.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{discussion}/reblog"),
            &fac,
            json!({}),
        )
        .await;
    assert!(status == 422 || status == 403 || status == 404, "{status}");
    // In the group timeline for members, with replies kept in the group.
    let (_, tl) = app
        .get_json(&format!("/api/v1/accounts/{gid}/statuses"), Some(&fac))
        .await;
    assert!(ids(&tl).contains(&discussion));
    let (status, reply) = app
        .post_json(
            "/api/v1/statuses",
            &fac,
            json!({"status": "thank you for sharing", "visibility": "public",
                   "in_reply_to_id": discussion}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["visibility"], "private");
    let reply_id = reply["id"].as_str().unwrap().to_owned();
    assert!(home(&app, &mia).await.contains(&reply_id));
    assert!(!home(&app, &out).await.contains(&reply_id));
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{reply_id}"), Some(&out))
        .await;
    assert_eq!(status, 404);

    // A facilitator's public post that mentions the group is an announcement: public.
    let announcement = app
        .post_status(
            &fac,
            json!({"status": "@anxietypeers we meet Tuesday", "visibility": "public"}),
        )
        .await;
    for token in [Some(out.as_str()), None] {
        let (_, tl) = app
            .get_json(&format!("/api/v1/accounts/{gid}/statuses"), token)
            .await;
        assert_eq!(ids(&tl), vec![announcement.clone()]);
    }
    assert!(home(&app, &mia).await.contains(&announcement));

    // Membership is private: a total, never a list, and never on a member's profile.
    let (_, acct) = app.get_json(&format!("/api/v1/accounts/{gid}"), None).await;
    assert_eq!(acct["followers_count"], 2);
    let (_, followers) = app
        .get_json(&format!("/api/v1/accounts/{gid}/followers"), Some(&out))
        .await;
    assert!(!ids(&followers).contains(&mia_id), "{followers}");
    // Even with collections shown, her following list does not carry the group.
    app.send_ok(
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(&mia),
        json!({"hide_collections": false}),
    )
    .await;
    let (_, following) = app
        .get_json(&format!("/api/v1/accounts/{mia_id}/following"), Some(&out))
        .await;
    assert!(!ids(&following).contains(&gid), "{following}");
    let (status, _) = app
        .get_json(&format!("/api/v1/groups/{gid}/members"), Some(&mia))
        .await;
    assert_eq!(status, 403);
    let (status, members) = app
        .get_json(&format!("/api/v1/groups/{gid}/members"), Some(&fac))
        .await;
    assert_eq!(status, 200);
    let roles: Vec<(&str, &str)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account"]["id"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(roles.contains(&(fac_id.as_str(), "owner")));
    assert!(roles.contains(&(mia_id.as_str(), "member")));

    // Unfollowing leaves: the discussion closes to her.
    let (_, rel) = app
        .post_json(&format!("/api/v1/accounts/{gid}/unfollow"), &mia, json!({}))
        .await;
    assert_eq!(rel["following"], false);
    assert!(!home(&app, &mia).await.contains(&reply_id));
    // Her own post stays hers.
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{discussion}"), Some(&mia))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{reply_id}"), Some(&mia))
        .await;
    assert_eq!(status, 404);
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (out, out_id) = app.member("olly").await;
    // Members of the instance do not create groups; handles are unique.
    let (status, v) = app
        .post_json(
            "/api/v1/groups",
            &mia,
            json!({"username": "mine", "display_name": "Mine"}),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = app
        .post_json(
            "/api/v1/groups",
            &fac,
            json!({"username": "mia", "display_name": "Taken"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    for bad in [
        json!({"username": "x1", "display_name": ""}),
        json!({"username": "x2", "display_name": "X", "visibility": "secret"}),
        json!({"username": "x3", "display_name": "X", "review_first_posts": "-1"}),
        json!({"username": "bad name", "display_name": "X"}),
    ] {
        let (status, v) = app.post_json("/api/v1/groups", &fac, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {v}");
        assert!(v["error"].is_string());
    }
    let (_, dir) = app.get_json("/api/v1/groups", Some(&fac)).await;
    assert_eq!(dir.as_array().unwrap().len(), 0);

    let a = create_group(
        &app,
        &fac,
        json!({"username": "groupa", "display_name": "A", "visibility": "public"}),
    )
    .await;
    create_group(
        &app,
        &fac,
        json!({"username": "groupb", "display_name": "B", "visibility": "public"}),
    )
    .await;
    let closed = create_group(
        &app,
        &fac,
        json!({"username": "closedc", "display_name": "C"}),
    )
    .await;
    // A public group: following joins at once.
    let (_, rel) = app
        .post_json(&format!("/api/v1/accounts/{a}/follow"), &mia, json!({}))
        .await;
    assert_eq!(rel["following"], true);
    let before = statuses_count(&app, &mia_id).await;
    for (body, why) in [
        (
            json!({"status": "@groupa @groupb hi", "visibility": "public"}),
            "two groups",
        ),
        (
            json!({"status": "@closedc hi", "visibility": "public"}),
            "not a member",
        ),
        (
            json!({"status": "@groupa hi @olly", "visibility": "public"}),
            "mentions an outsider",
        ),
        (
            json!({"status": "hi", "visibility": "group"}),
            "group is not a client visibility",
        ),
    ] {
        let (status, v) = app.post_json("/api/v1/statuses", &mia, body).await;
        assert_eq!(status, 422, "{why}: {v}");
        assert!(v["error"].is_string(), "{why}");
    }
    assert_eq!(statuses_count(&app, &mia_id).await, before);
    // A member doing a facilitator's work.
    for path in [
        format!("/api/v1/groups/{a}/accounts/{out_id}/ban"),
        format!("/api/v1/groups/{closed}/accounts/{out_id}/approve"),
    ] {
        let (status, v) = app.post_json(&path, &mia, json!({})).await;
        assert!(status == 403 || status == 422, "{path}: {status} {v}");
    }
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/groups/{a}"),
            Some(&mia),
            json!({"display_name": "Mine now"}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, g) = app
        .get_json(&format!("/api/v1/groups/{a}"), Some(&mia))
        .await;
    assert_eq!(g["display_name"], "A");
    // A banned account cannot come back, nor post.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{a}/accounts/{mia_id}/ban"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_json(&format!("/api/v1/groups/{a}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@groupa back", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(statuses_count(&app, &mia_id).await, before);
    // Unknown groups and actions.
    for path in [
        "/api/v1/groups/999999/join".to_owned(),
        format!("/api/v1/groups/{a}/accounts/{out_id}/explode"),
        "/api/v1/groups/abc/join".to_owned(),
    ] {
        let (status, _) = app.post_json(&path, &out, json!({})).await;
        assert!(
            status == 404 || status == 400 || status == 422,
            "{path}: {status}"
        );
    }
}

async fn private_groups_exist_only_for_members(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (out, _) = app.member("olly").await;
    let gid = create_group(
        &app,
        &fac,
        json!({"username": "hearingvoices", "display_name": "Hearing voices", "visibility": "private"}),
    )
    .await;
    let hidden = |status: u16, v: &Value, what: &str| {
        assert!(
            status == 404 || !v.to_string().contains("hearingvoices"),
            "{what}: {v}"
        );
    };
    for path in [
        format!("/api/v1/groups/{gid}"),
        format!("/api/v1/accounts/{gid}"),
        "/api/v1/accounts/lookup?acct=hearingvoices".to_owned(),
        format!("/api/v1/accounts/{gid}/statuses"),
        "/api/v1/groups".to_owned(),
        "/api/v2/search?q=hearingvoices&resolve=false".to_owned(),
        "/api/v1/accounts/search?q=hearing".to_owned(),
    ] {
        let (status, v) = app.get_json(&path, Some(&out)).await;
        hidden(status, &v, &path);
    }
    let domain = app.url("").replace("http://", "");
    for path in [
        format!("/.well-known/webfinger?resource=acct:hearingvoices@{domain}"),
        "/users/hearingvoices".to_owned(),
    ] {
        let (status, _) = app.get_json(&path, None).await;
        assert_eq!(status, 404, "{path}");
    }
    // Joining without an invitation: as if it did not exist.
    let (status, _) = app
        .post_json(&format!("/api/v1/groups/{gid}/join"), &out, json!({}))
        .await;
    assert_eq!(status, 404);
    // Invited, she sees it and joins.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/accounts/{mia_id}/invite"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, g) = app
        .get_json(&format!("/api/v1/groups/{gid}"), Some(&mia))
        .await;
    assert_eq!(status, 200);
    assert_eq!(g["membership"]["state"], "invited");
    let (status, g) = app
        .post_json(&format!("/api/v1/groups/{gid}/join"), &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["membership"]["state"], "member");
    // Even a facilitator's public post stays inside a private group.
    let (status, p) = app
        .post_json(
            "/api/v1/statuses",
            &fac,
            json!({"status": "@hearingvoices welcome", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["visibility"], "private");
    assert_eq!(p["local_only"], true);
    let pid = p["id"].as_str().unwrap().to_owned();
    assert!(home(&app, &mia).await.contains(&pid));
    let (_, public) = app.get_json("/api/v1/timelines/public", Some(&out)).await;
    assert!(!ids(&public).contains(&pid));
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{pid}"), Some(&out))
            .await
            .0,
        404
    );
}

async fn review_queue_and_moderation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (max, max_id) = app.member("max").await;
    let gid = create_group(
        &app,
        &fac,
        json!({"username": "youngcarers", "display_name": "Young carers",
               "visibility": "public", "review_first_posts": "1",
               "content_warning": "caring"}),
    )
    .await;
    for t in [&mia, &max] {
        let (status, _) = app
            .post_json(&format!("/api/v1/groups/{gid}/join"), t, json!({}))
            .await;
        assert_eq!(status, 200);
    }
    // Mia's first post waits for review: max does not see it, she does.
    let first = app
        .post_status(
            &mia,
            json!({"status": "@youngcarers first time here", "visibility": "private"}),
        )
        .await;
    assert!(!home(&app, &max).await.contains(&first));
    assert!(home(&app, &mia).await.contains(&first));
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{first}"), Some(&max))
            .await
            .0,
        404
    );
    let (status, queue) = app
        .get_json(&format!("/api/v1/groups/{gid}/review"), Some(&fac))
        .await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(ids(&queue), vec![first.clone()]);
    // The group's content warning covers a post without one.
    assert_eq!(queue[0]["spoiler_text"], "caring");
    assert_eq!(
        app.get_json(&format!("/api/v1/groups/{gid}/review"), Some(&max))
            .await
            .0,
        403
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/statuses/{first}/approve"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(home(&app, &max).await.contains(&first));
    // Past the window, posts go straight through.
    let second = app
        .post_status(
            &mia,
            json!({"status": "@youngcarers thanks all", "visibility": "private"}),
        )
        .await;
    assert!(home(&app, &max).await.contains(&second));
    // A facilitator removes a post.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/statuses/{second}/remove"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{second}"), Some(&mia))
            .await
            .0,
        404
    );
    // Muted: may read, may not post; until unmuted.
    app.post_ok(
        &format!("/api/v1/groups/{gid}/accounts/{mia_id}/mute"),
        &fac,
        json!({"duration": "3600"}),
    )
    .await;
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@youngcarers hello?", "visibility": "private"}),
        )
        .await;
    assert_eq!(status, 422);
    app.post_ok(
        &format!("/api/v1/groups/{gid}/accounts/{mia_id}/unmute"),
        &fac,
        json!({}),
    )
    .await;
    app.post_status(
        &mia,
        json!({"status": "@youngcarers back", "visibility": "private"}),
    )
    .await;
    // Promoted by the owner, max moderates; a facilitator cannot ban another.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/accounts/{max_id}/promote"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, members) = app
        .get_json(&format!("/api/v1/groups/{gid}/members"), Some(&max))
        .await;
    assert_eq!(status, 200);
    assert_eq!(members.as_array().unwrap().len(), 3);
    // Banned: the discussion closes to her.
    let from_max = app
        .post_status(
            &max,
            json!({"status": "@youngcarers from max", "visibility": "private"}),
        )
        .await;
    assert!(home(&app, &mia).await.contains(&from_max));
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/accounts/{mia_id}/ban"),
            &max,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(!home(&app, &mia).await.contains(&from_max));
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{from_max}"), Some(&mia))
            .await
            .0,
        404
    );
    let (status, bans) = app
        .get_json(&format!("/api/v1/groups/{gid}/bans"), Some(&fac))
        .await;
    assert_eq!(status, 200);
    assert_eq!(bans[0]["account"]["id"], mia_id.as_str());
    // Announcements can be pinned; discussion posts cannot.
    let ann = app
        .post_status(
            &fac,
            json!({"status": "@youngcarers café on Friday", "visibility": "public"}),
        )
        .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/statuses/{ann}/pin"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/statuses/{first}/pin"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 422);
    let (_, pinned) = app
        .get_json(
            &format!("/api/v1/accounts/{gid}/statuses?pinned=true"),
            None,
        )
        .await;
    assert_eq!(ids(&pinned), vec![ann]);
}
