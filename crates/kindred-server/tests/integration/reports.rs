//! Issue 24, reports: a member's report reaches the moderators (who see everything,
//! the reporter and a closed group's post included) and the facilitators of the
//! post's group (who never see the reporter); nobody else sees it; the admin API is
//! moderators' only; a moderator removes a post on a report. Every "never" is
//! checked after a positive control that finds what should be there.

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app_with, Backend, TestApp};

both_backends!(
    a_report_reaches_moderators_and_facilitators_never_the_reporter,
    reports_are_checked_and_refused_clearly,
    the_admin_reports_api_is_for_moderators_only,
    a_moderator_removes_a_post_on_a_report,
    a_forwarded_flag_carries_the_comment_and_no_reporter,
);

const MOD_SCOPES: &str = "read write admin:read admin:write";

async fn app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(
        backend,
        &[(
            "KINDRED__INSTANCE__RULES",
            "[\"Be kind\", \"What is said here stays here\"]",
        )],
    )
    .await
}

async fn person(app: &TestApp, name: &str, role: Role) -> (String, String) {
    let password = format!("{name}'s password");
    app.create_user(name, &password, None, role).await;
    let token = app.login(name, &password).await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    (token, me["id"].as_str().unwrap().to_owned())
}

async fn moderator(app: &TestApp, name: &str) -> (String, String) {
    let token = app.user_with_token(name, Role::Moderator, MOD_SCOPES).await;
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    (token, me["id"].as_str().unwrap().to_owned())
}

/// A closed group of `fac`'s with `members` in it.
async fn closed_group(app: &TestApp, fac: &str, name: &str, members: &[(&str, &str)]) -> String {
    let g = app
        .post_ok(
            "/api/v1/groups",
            fac,
            json!({"username": name, "display_name": name, "visibility": "closed"}),
        )
        .await;
    let gid = g["id"].as_str().unwrap().to_owned();
    for (token, id) in members {
        app.post_ok(&format!("/api/v1/groups/{gid}/join"), token, json!({}))
            .await;
        app.post_ok(
            &format!("/api/v1/groups/{gid}/accounts/{id}/approve"),
            fac,
            json!({}),
        )
        .await;
    }
    gid
}

fn report_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn notification_types(app: &TestApp, token: &str) -> Vec<String> {
    let (status, v) = app.get_json("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_report_reaches_moderators_and_facilitators_never_the_reporter(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (moder, _) = moderator(&app, "consultant").await;
    let (fac, _) = person(&app, "fran", Role::Facilitator).await;
    let (other_fac, _) = person(&app, "olga", Role::Facilitator).await;
    let (alice, alice_id) = person(&app, "alice", Role::Member).await;
    let (bob, bob_id) = person(&app, "bobreporter", Role::Member).await;
    let gid = closed_group(
        &app,
        &fac,
        "circle",
        &[(&alice, &alice_id), (&bob, &bob_id)],
    )
    .await;
    let other_gid = closed_group(&app, &other_fac, "elsewhere", &[]).await;
    let sid = app
        .post_status(
            &alice,
            json!({"status": "@circle something hurtful", "visibility": "private"}),
        )
        .await;

    // Bob reports it, with words that name him.
    let comment = "It is me, bobreporter, and this hurt";
    let (status, report) = app
        .post_json(
            "/api/v1/reports",
            &bob,
            json!({"account_id": alice_id, "status_ids": [sid], "comment": comment,
                   "category": "violation", "rule_ids": ["1"]}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    let rid = report["id"].as_str().unwrap().to_owned();
    assert_eq!(report["category"], "violation");
    assert_eq!(report["status_ids"], json!([sid]));
    assert_eq!(report["rule_ids"], json!(["1"]));
    assert_eq!(report["action_taken"], false);
    assert_eq!(report["forwarded"], false);
    assert_eq!(report["comment"], comment);
    assert_eq!(report["target_account"]["id"], alice_id);

    // The moderator hears of it and sees everything: reporter, comment, the closed
    // group's post, the reported member's groups.
    assert!(notification_types(&app, &moder)
        .await
        .contains(&"admin.report".to_owned()));
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&moder)).await;
    let notice = notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "admin.report")
        .unwrap()
        .clone();
    assert_eq!(notice["report"]["id"], rid, "{notice}");
    assert_eq!(notice["report"]["target_account"]["id"], alice_id);
    assert_eq!(notice["account"]["id"], bob_id);
    let (status, list) = app.get_json("/api/v1/admin/reports", Some(&moder)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(report_ids(&list), vec![rid.clone()]);
    let (status, full) = app
        .get_json(&format!("/api/v1/admin/reports/{rid}"), Some(&moder))
        .await;
    assert_eq!(status, 200, "{full}");
    assert_eq!(full["account"]["account"]["id"], bob_id);
    assert_eq!(full["account"]["username"], "bobreporter");
    assert_eq!(full["target_account"]["id"], alice_id);
    assert_eq!(full["comment"], comment);
    assert_eq!(full["statuses"][0]["id"], sid);
    assert_eq!(full["rules"][0]["text"], "Be kind");
    assert_eq!(full["kindred"]["groups"][0]["group_id"], gid);
    let groups = full["kindred"]["target_memberships"].to_string();
    assert!(groups.contains(&gid), "{groups}");
    // Not a member of the group, the moderator cannot read it at large.
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{sid}"), Some(&moder))
        .await;
    assert_eq!(status, 404);

    // The group's facilitator sees the report: the post and the member, not who
    // reported nor their words.
    let (status, theirs) = app
        .get_json(&format!("/api/v1/groups/{gid}/reports"), Some(&fac))
        .await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(report_ids(&theirs), vec![rid.clone()]);
    assert_eq!(theirs[0]["statuses"][0]["id"], sid);
    assert_eq!(theirs[0]["target_account"]["id"], alice_id);
    let text = theirs.to_string();
    assert!(!text.contains("bobreporter"), "{text}");
    assert!(!text.contains(&format!("\"{bob_id}\"")), "{text}");
    assert!(!text.contains("this hurt"), "{text}");

    // A facilitator of another group sees nothing of it.
    let (status, _) = app
        .get_json(&format!("/api/v1/groups/{gid}/reports"), Some(&other_fac))
        .await;
    assert_eq!(status, 403);
    let (status, none) = app
        .get_json(
            &format!("/api/v1/groups/{other_gid}/reports"),
            Some(&other_fac),
        )
        .await;
    assert_eq!(status, 200, "{none}");
    assert_eq!(none, json!([]));

    // The reported member hears nothing and reads nothing.
    let types = notification_types(&app, &alice).await;
    assert!(!types.contains(&"admin.report".to_owned()), "{types:?}");
    for path in [
        "/api/v1/admin/reports".to_owned(),
        format!("/api/v1/admin/reports/{rid}"),
        format!("/api/v1/groups/{gid}/reports"),
    ] {
        let (status, v) = app.get_json(&path, Some(&alice)).await;
        assert_eq!(status, 403, "{path}: {v}");
    }

    // The facilitator acts within the group and marks the part done; the
    // moderator sees both.
    app.post_ok(
        &format!("/api/v1/groups/{gid}/statuses/{sid}/remove"),
        &fac,
        json!({}),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/groups/{gid}/accounts/{alice_id}/mute"),
        &fac,
        json!({"duration": "3600"}),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/groups/{gid}/reports/{rid}/done"),
        &fac,
        json!({"note": "removed and talked to her"}),
    )
    .await;
    // Not twice, not for another group's facilitator.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/reports/{rid}/done"),
            &other_fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, full) = app
        .get_json(&format!("/api/v1/admin/reports/{rid}"), Some(&moder))
        .await;
    assert_eq!(full["kindred"]["groups"][0]["done"], true, "{full}");
    let kinds: Vec<&str> = full["kindred"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["remove_post", "mute", "done"], "{full}");
    assert_eq!(full["kindred"]["status_ids"], json!([sid]));

    // Resolved: out of the open list, in the resolved one.
    let resolved = app
        .post_ok(
            &format!("/api/v1/admin/reports/{rid}/resolve"),
            &moder,
            json!({}),
        )
        .await;
    assert_eq!(resolved["action_taken"], true);
    let (_, open) = app.get_json("/api/v1/admin/reports", Some(&moder)).await;
    assert_eq!(open, json!([]));
    let (_, done) = app
        .get_json("/api/v1/admin/reports?resolved=true", Some(&moder))
        .await;
    assert_eq!(report_ids(&done), vec![rid]);
}

async fn reports_are_checked_and_refused_clearly(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (fac, _) = person(&app, "fran", Role::Facilitator).await;
    let (alice, alice_id) = person(&app, "alice", Role::Member).await;
    let (bob, bob_id) = person(&app, "bob", Role::Member).await;
    let (carol, _) = person(&app, "carol", Role::Member).await;
    let gid = closed_group(&app, &fac, "circle", &[(&alice, &alice_id)]).await;
    let public = app
        .post_status(&alice, json!({"status": "hello", "visibility": "public"}))
        .await;
    let bobs = app
        .post_status(&bob, json!({"status": "mine", "visibility": "public"}))
        .await;
    // Bob is not in the circle: he cannot see, so cannot report, its post.
    let hidden = app
        .post_status(
            &alice,
            json!({"status": "@circle in here", "visibility": "private"}),
        )
        .await;
    let _ = gid;
    for (body, code) in [
        (
            json!({"account_id": alice_id, "status_ids": [bobs]}),
            "report_status_mismatch",
        ),
        (
            json!({"account_id": alice_id, "status_ids": [hidden]}),
            "report_status_mismatch",
        ),
        (
            json!({"account_id": alice_id, "status_ids": ["999999"]}),
            "report_status_mismatch",
        ),
        (json!({"account_id": "999999"}), "report_unknown_account"),
        (json!({"account_id": bob_id}), "report_own_account"),
        (
            json!({"account_id": alice_id, "category": "rude"}),
            "invalid_report",
        ),
        (
            json!({"account_id": alice_id, "category": "spam", "rule_ids": ["1"]}),
            "invalid_report",
        ),
        (
            json!({"account_id": alice_id, "rule_ids": ["7"]}),
            "invalid_report",
        ),
        (
            json!({"account_id": alice_id, "comment": "x".repeat(1001)}),
            "invalid_report",
        ),
        (json!({"status_ids": [public]}), "invalid_report"),
    ] {
        let (status, v) = app.post_json("/api/v1/reports", &bob, body.clone()).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_eq!(v["error_code"], code, "{body}: {v}");
        assert!(v["error"].is_string());
    }
    // A token without write:reports may not report.
    let read_only = app.user_with_token("reader", Role::Member, "read").await;
    let (status, _) = app
        .post_json(
            "/api/v1/reports",
            &read_only,
            json!({"account_id": alice_id}),
        )
        .await;
    assert_eq!(status, 403);
    // Positive controls: the same reporter, a status he sees; `write:reports` alone.
    let (status, v) = app
        .post_json(
            "/api/v1/reports",
            &bob,
            json!({"account_id": alice_id, "status_ids": [public], "rule_ids": [2]}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["category"], "violation");
    let narrow = app
        .user_with_token("narrow", Role::Member, "write:reports")
        .await;
    let (status, v) = app
        .post_json("/api/v1/reports", &narrow, json!({"account_id": alice_id}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["category"], "other");
    // Carol, in no group, reports too: nothing refused for an ordinary report.
    let (status, _) = app
        .post_json(
            "/api/v1/reports",
            &carol,
            json!({"account_id": alice_id, "category": "spam"}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn the_admin_reports_api_is_for_moderators_only(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (moder, moder_id) = moderator(&app, "consultant").await;
    let (alice, alice_id) = person(&app, "alice", Role::Member).await;
    let (bob, _) = person(&app, "bob", Role::Member).await;
    let (fac, _) = person(&app, "fran", Role::Facilitator).await;
    let member_admin_scopes = app
        .user_with_token("mallory", Role::Member, MOD_SCOPES)
        .await;
    let fac_admin_scopes = app
        .user_with_token("facila", Role::Facilitator, MOD_SCOPES)
        .await;
    let report = app
        .post_ok("/api/v1/reports", &bob, json!({"account_id": alice_id}))
        .await;
    let rid = report["id"].as_str().unwrap().to_owned();
    let reads = [
        "/api/v1/admin/reports".to_owned(),
        format!("/api/v1/admin/reports/{rid}"),
    ];
    let writes = [
        format!("/api/v1/admin/reports/{rid}/assign_to_self"),
        format!("/api/v1/admin/reports/{rid}/unassign"),
        format!("/api/v1/admin/reports/{rid}/resolve"),
        format!("/api/v1/admin/reports/{rid}/reopen"),
    ];
    for token in [&alice, &bob, &fac, &member_admin_scopes, &fac_admin_scopes] {
        for path in &reads {
            let (status, v) = app.get_json(path, Some(token)).await;
            assert_eq!(status, 403, "{path}: {v}");
        }
        for path in &writes {
            let (status, v) = app.post_json(path, token, json!({})).await;
            assert_eq!(status, 403, "{path}: {v}");
        }
        let (status, _) = app
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/admin/reports/{rid}"),
                Some(token),
                json!({"category": "spam"}),
            )
            .await;
        assert_eq!(status, 403);
    }
    // A moderator with a token lacking admin scopes is refused too.
    let (plain_mod, _) = person(&app, "plainmod", Role::Moderator).await;
    let (status, _) = app.get_json(&reads[0], Some(&plain_mod)).await;
    assert_eq!(status, 403);
    // Positive control: the moderator does each.
    for path in &reads {
        let (status, v) = app.get_json(path, Some(&moder)).await;
        assert_eq!(status, 200, "{path}: {v}");
    }
    let assigned = app.post_ok(&writes[0], &moder, json!({})).await;
    assert_eq!(assigned["assigned_account"]["id"], moder_id);
    let unassigned = app.post_ok(&writes[1], &moder, json!({})).await;
    assert_eq!(unassigned["assigned_account"], Value::Null);
    let updated = app
        .send_ok(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/reports/{rid}"),
            Some(&moder),
            json!({"category": "violation", "rule_ids": ["2"]}),
        )
        .await;
    assert_eq!(updated["category"], "violation");
    assert_eq!(updated["rules"][0]["id"], "2");
    let resolved = app.post_ok(&writes[2], &moder, json!({})).await;
    assert_eq!(resolved["action_taken"], true);
    assert_eq!(resolved["action_taken_by_account"]["id"], moder_id);
    let reopened = app.post_ok(&writes[3], &moder, json!({})).await;
    assert_eq!(reopened["action_taken"], false);
    // Filters: by reporter and by target.
    let (_, by_target) = app
        .get_json(
            &format!("/api/v1/admin/reports?target_account_id={alice_id}"),
            Some(&moder),
        )
        .await;
    assert_eq!(report_ids(&by_target), vec![rid.clone()]);
    let (_, by_other) = app
        .get_json(
            &format!("/api/v1/admin/reports?target_account_id={moder_id}"),
            Some(&moder),
        )
        .await;
    assert_eq!(by_other, json!([]));
    // The entity carries no email and no address.
    let (_, one) = app
        .get_json(&format!("/api/v1/admin/reports/{rid}"), Some(&moder))
        .await;
    assert_eq!(one["target_account"]["email"], "");
    assert_eq!(one["target_account"]["ip"], Value::Null);
    // A report about the moderator never reaches them.
    let about_mod = app
        .post_ok("/api/v1/reports", &bob, json!({"account_id": moder_id}))
        .await;
    let mid = about_mod["id"].as_str().unwrap();
    let (status, _) = app
        .get_json(&format!("/api/v1/admin/reports/{mid}"), Some(&moder))
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get_json("/api/v1/admin/reports", Some(&moder)).await;
    assert!(!report_ids(&list).contains(&mid.to_owned()));
    assert!(report_ids(&list).contains(&rid));
}

async fn a_moderator_removes_a_post_on_a_report(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (moder, _) = moderator(&app, "consultant").await;
    let (alice, alice_id) = person(&app, "alice", Role::Member).await;
    let (bob, _) = person(&app, "bob", Role::Member).await;
    let sid = app
        .post_status(
            &alice,
            json!({"status": "spam spam", "visibility": "public"}),
        )
        .await;
    let other = app
        .post_status(&alice, json!({"status": "fine", "visibility": "public"}))
        .await;
    let report = app
        .post_ok(
            "/api/v1/reports",
            &bob,
            json!({"account_id": alice_id, "status_ids": [sid], "category": "spam"}),
        )
        .await;
    let rid = report["id"].as_str().unwrap().to_owned();
    // A member cannot remove it.
    let (status, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/kindred/statuses/{sid}?report_id={rid}"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{sid}"), Some(&bob))
            .await
            .0,
        200
    );
    app.send_ok(
        reqwest::Method::DELETE,
        &format!("/api/v1/admin/kindred/statuses/{sid}?report_id={rid}"),
        Some(&moder),
        json!({}),
    )
    .await;
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{sid}"), Some(&bob))
            .await
            .0,
        404
    );
    // Only that post.
    assert_eq!(
        app.get_json(&format!("/api/v1/statuses/{other}"), Some(&bob))
            .await
            .0,
        200
    );
    let (_, full) = app
        .get_json(&format!("/api/v1/admin/reports/{rid}"), Some(&moder))
        .await;
    assert_eq!(
        full["kindred"]["actions"][0]["kind"], "remove_post",
        "{full}"
    );
    assert_eq!(full["kindred"]["actions"][0]["status_id"], sid);
    assert_eq!(full["kindred"]["status_ids"], json!([sid]));
    assert_eq!(full["statuses"], json!([]));
    // The removal is in the audit log once: by whom, on whom, with which report.
    let (status, log) = app
        .get_json("/api/v1/admin/kindred/audit_log?kind=report.", Some(&moder))
        .await;
    assert_eq!(status, 200, "{log}");
    let entries: Vec<&serde_json::Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["report_id"] == rid.as_str())
        .collect();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["kind"], "report.remove_post");
    assert_eq!(entries[0]["target_account_id"], alice_id.as_str());
    assert!(entries[0]["actor_id"].is_string());

    // The command line reads and resolves it as the moderator named.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kindred"))
            .current_dir(&app.dir.0)
            .env_clear()
            .envs(app.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = cli(&["admin", "reports", "list", "--as", "consultant"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("report {rid} [open] spam about @alice by @bob")),
        "{out}"
    );
    let (ok, out, err) = cli(&["admin", "reports", "show", &rid, "--as", "consultant"]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("status {sid}: (removed)")), "{out}");
    assert!(out.contains("remove_post by @consultant"), "{out}");
    // Not as a member.
    let (ok, _, err) = cli(&["admin", "reports", "list", "--as", "bob"]);
    assert!(!ok, "a member listed reports");
    assert!(err.contains("moderator"), "{err}");
    let (ok, out, err) = cli(&["admin", "reports", "resolve", &rid, "--as", "consultant"]);
    assert!(ok && out.contains("resolved"), "{out} {err}");
    let (_, full) = app
        .get_json(&format!("/api/v1/admin/reports/{rid}"), Some(&moder))
        .await;
    assert_eq!(full["action_taken"], true);
    let (ok, out, _) = cli(&["admin", "reports", "list", "--as", "consultant"]);
    assert!(ok && out.contains("no reports"), "{out}");
}

/// What a forwarded report carries to the reported account's server, exactly: a
/// `Flag` from our instance actor (signed with its key) whose `object` is the
/// account and whose `content` is the reporter's comment verbatim (Mastodon does
/// the same; members are told their comment travels). Nothing names the reporter.
async fn a_forwarded_flag_carries_the_comment_and_no_reporter(backend: Backend) {
    use crate::remote_groups::{activity, Peer};
    use diesel::prelude::*;
    use kindred_db::schema::accounts;
    let Some(app) = app(backend).await else {
        return;
    };
    let (bob, bob_id) = person(&app, "bobflagger", Role::Member).await;
    // A remote person our server knows (she follows bob).
    let mut peer = Peer::start();
    let rita = peer.url("/u/rita");
    peer.person(&rita, "rita");
    let follow = activity(
        peer.url("/activities/follow-1"),
        "Follow",
        &rita,
        json!(app.url("/users/bobflagger")),
    );
    let (status, v) = peer.deliver(&app, &rita, &follow).await;
    assert_eq!(status, 202, "{v}");
    let rita_id: i64 = app
        .state
        .db
        .run(|c| {
            Ok(accounts::table
                .filter(accounts::username.eq("rita"))
                .filter(accounts::domain.ne(""))
                .select(accounts::id)
                .first(c)?)
        })
        .await
        .unwrap();
    let comment = "bobflagger here: she wrote \"you are worthless\" to me";
    let (status, report) = app
        .post_json(
            "/api/v1/reports",
            &bob,
            json!({"account_id": rita_id.to_string(), "comment": comment,
                   "category": "other", "forward": true}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["forwarded"], true, "{report}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let flag = loop {
        let found = peer
            .r
            .requests()
            .into_iter()
            .find(|r| r.method == "POST" && r.body.contains("\"Flag\""));
        if let Some(r) = found {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "no Flag arrived");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let body: Value = serde_json::from_str(&flag.body).unwrap();
    let instance_actor = app.url("/actor");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["@context", "actor", "content", "id", "object", "type"],
        "{body}"
    );
    assert_eq!(body["type"], "Flag");
    assert_eq!(body["actor"], instance_actor.as_str(), "{body}");
    assert!(
        body["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{instance_actor}#reports/")),
        "{body}"
    );
    assert_eq!(body["object"], json!([rita]), "{body}");
    // The comment travels verbatim, the reporter's own words included.
    assert_eq!(body["content"], comment, "{body}");
    // Signed by the instance actor, and nothing else names the reporter.
    let signature = flag.headers.get("signature").cloned().unwrap_or_default();
    assert!(
        signature.contains(&format!("keyId=\"{instance_actor}#main-key\"")),
        "{signature}"
    );
    let rest = body.to_string().replace(comment, "");
    let rest = rest.replace(&comment.replace('"', "\\\""), "");
    for s in [bob_id.as_str(), "/users/bobflagger", "bobflagger"] {
        assert!(!rest.contains(s), "{s} in {body}");
        assert!(!signature.contains(s), "{s} in {signature}");
    }
}
