//! Account moderation (issue 24): the admin accounts API is for moderators and
//! admins, role changes for admins; a suspension ends the member's tokens at once
//! and hides their content until it is lifted; a silence takes their posts out of
//! the public timeline; the member is told why; every decision is in the audit
//! log; the command line does the same.

use std::process::Command;

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TempDir, TestApp};

const STAFF_SCOPES: &str = "read write follow admin:read admin:write";

async fn status_of(app: &TestApp, path: &str, token: Option<&str>) -> u16 {
    app.get_json(path, token).await.0
}

async fn public_texts(app: &TestApp, token: &str) -> Vec<String> {
    let (s, v) = app.get_json("/api/v1/timelines/public", Some(token)).await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (s, v) = app
        .get_json(
            &format!("/api/v1/admin/kindred/audit_log{query}"),
            Some(token),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

/// Members and facilitators get 403 on the admin accounts API and the audit log;
/// moderators may read and act, but not change roles or the federation policy;
/// admins may change roles.
async fn admin_api_is_for_staff(backend: Backend) {
    let Some(app) = crate::common::spawn_app(backend).await else {
        return;
    };
    let member = app.user_with_token("mia", Role::Member, STAFF_SCOPES).await;
    let facilitator = app
        .user_with_token("fay", Role::Facilitator, STAFF_SCOPES)
        .await;
    let moderator = app
        .user_with_token("mo", Role::Moderator, STAFF_SCOPES)
        .await;
    let admin = app.user_with_token("ada", Role::Admin, STAFF_SCOPES).await;
    let (_, target) = app.member("tess").await;

    // Positive control first: the moderator reads the list and the account.
    let (s, list) = app
        .get_json("/api/v2/admin/accounts", Some(&moderator))
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == target.as_str()),
        "{list}"
    );
    let show = format!("/api/v1/admin/accounts/{target}");
    assert_eq!(status_of(&app, &show, Some(&moderator)).await, 200);
    assert_eq!(
        status_of(&app, "/api/v1/admin/kindred/audit_log", Some(&moderator)).await,
        200
    );

    for token in [&member, &facilitator] {
        for path in [
            "/api/v1/admin/accounts",
            "/api/v2/admin/accounts",
            show.as_str(),
            "/api/v1/admin/kindred/audit_log",
        ] {
            assert_eq!(status_of(&app, path, Some(token)).await, 403, "{path}");
        }
        let (s, v) = app
            .post_json(&format!("{show}/action"), token, json!({"type": "suspend"}))
            .await;
        assert_eq!(s, 403, "{v}");
    }
    // Nothing happened to the target.
    let (_, v) = app.get_json(&show, Some(&moderator)).await;
    assert_eq!(v["suspended"], false, "{v}");

    // Moderators: no role changes, no federation policy.
    let role = format!("/api/v1/admin/kindred/accounts/{target}/role");
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            &role,
            Some(&moderator),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = app
        .post_json(
            "/api/v1/admin/domain_blocks",
            &moderator,
            json!({"domain": "bad.example"}),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    // The admin may (the same requests, as control).
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            &role,
            Some(&admin),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["role"]["name"], "Moderator", "{v}");
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            &role,
            Some(&admin),
            json!({"role": "queen"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    // Data Kindred never keeps is an empty answer, not an error, and no email.
    let (s, v) = app
        .get_json("/api/v1/admin/accounts?ip=127.0.0.1", Some(&moderator))
        .await;
    assert_eq!((s, v.clone()), (200, json!([])), "{v}");
    let (_, v) = app.get_json(&show, Some(&moderator)).await;
    assert_eq!(v["email"], "", "{v}");
    assert_eq!(v["ip"], Value::Null, "{v}");

    // The role change is audited, naming the admin and the target.
    let entries = audit(&app, &moderator, &format!("?target_id={target}")).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["kind"], "account.role");
    assert_eq!(entries[0]["old_value"], "member");
    assert_eq!(entries[0]["new_value"], "moderator");
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&admin))
        .await;
    assert_eq!(entries[0]["actor_id"], me["id"]);
    // The last admin cannot be demoted.
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            &format!(
                "/api/v1/admin/kindred/accounts/{}/role",
                me["id"].as_str().unwrap()
            ),
            Some(&admin),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
}

both_backends!(admin_api_is_for_staff);

/// A suspension ends the member's token at once and hides their posts and profile
/// from anonymous visitors and other members; the member is told why; the
/// unsuspension restores the content (the old token stays revoked).
async fn suspension_hides_and_unsuspend_restores(backend: Backend) {
    let Some(app) = crate::common::spawn_app(backend).await else {
        return;
    };
    let moderator = app
        .user_with_token("mo", Role::Moderator, STAFF_SCOPES)
        .await;
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let sid = app
        .post_status(
            &alice,
            json!({"status": "public words of alice", "visibility": "public"}),
        )
        .await;
    let status = format!("/api/v1/statuses/{sid}");
    let account = format!("/api/v1/accounts/{alice_id}");

    // Positive controls by the same requests.
    assert_eq!(
        status_of(&app, "/api/v1/accounts/verify_credentials", Some(&alice)).await,
        200
    );
    assert_eq!(status_of(&app, &status, None).await, 200);
    assert_eq!(status_of(&app, &status, Some(&bob)).await, 200);
    assert!(public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("public words of alice")));
    let (_, v) = app.get_json(&account, Some(&bob)).await;
    assert_eq!(v["suspended"], Value::Null, "{v}");
    assert_eq!(v["statuses_count"], 1, "{v}");

    let (s, v) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/action"),
            &moderator,
            json!({"type": "suspend", "text": "Threats in the cafe thread", "report_id": "77"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // At once: the token is refused.
    assert_eq!(
        status_of(&app, "/api/v1/accounts/verify_credentials", Some(&alice)).await,
        401
    );
    // Content gone for anonymous and other members.
    assert_eq!(status_of(&app, &status, None).await, 404);
    assert_eq!(status_of(&app, &status, Some(&bob)).await, 404);
    assert!(!public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("public words of alice")));
    let (s, v) = app.get_json(&account, Some(&bob)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["suspended"], true, "{v}");
    assert_eq!(v["display_name"], "", "{v}");
    assert_eq!(v["statuses_count"], 0, "{v}");
    assert_eq!(status_of(&app, "/users/alice", None).await, 410);
    // She cannot log in again while suspended.
    let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let resp = app
        .password_token(&c, "alice", "alice's password", "read")
        .await;
    assert_eq!(resp.status(), 400);

    // Audited with the report, by the moderator.
    let entries = audit(&app, &moderator, "?kind=account.suspend").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["target_account_id"], alice_id.as_str());
    assert_eq!(entries[0]["report_id"], "77");
    let (_, v) = app
        .get_json(
            &format!("/api/v1/admin/accounts/{alice_id}"),
            Some(&moderator),
        )
        .await;
    assert_eq!(v["suspended"], true, "{v}");

    let (s, v) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/unsuspend"),
            &moderator,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["suspended"], false, "{v}");
    assert_eq!(status_of(&app, &status, None).await, 200);
    assert!(public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("public words of alice")));
    // The old token stays revoked; a new login works and shows the warning, which
    // names neither the moderator nor the report's author.
    assert_eq!(
        status_of(&app, "/api/v1/accounts/verify_credentials", Some(&alice)).await,
        401
    );
    let alice = app.login("alice", "alice's password").await;
    let (s, n) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(s, 200, "{n}");
    let warning = n
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "moderation_warning")
        .unwrap_or_else(|| panic!("no moderation_warning in {n}"));
    assert_eq!(
        warning["moderation_warning"]["action"], "suspend",
        "{warning}"
    );
    assert_eq!(
        warning["moderation_warning"]["text"], "Threats in the cafe thread",
        "{warning}"
    );
    assert_eq!(warning["account"]["id"], alice_id.as_str(), "{warning}");
    assert!(!warning.to_string().contains("\"mo\""), "{warning}");
}

both_backends!(suspension_hides_and_unsuspend_restores);

/// A silenced member's posts leave the public timeline of those who do not
/// follow them (followers still see them at home), and the account shows
/// `limited`; unsilencing brings them back.
async fn silenced_posts_leave_the_public_timeline(backend: Backend) {
    let Some(app) = crate::common::spawn_app(backend).await else {
        return;
    };
    let moderator = app
        .user_with_token("mo", Role::Moderator, STAFF_SCOPES)
        .await;
    let (alice, alice_id) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (carol, _) = app.member("carol").await;
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &carol,
        json!({}),
    )
    .await;
    app.post_status(
        &alice,
        json!({"status": "loud words", "visibility": "public"}),
    )
    .await;
    assert!(public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("loud words")));

    let (s, v) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/action"),
            &moderator,
            json!({"type": "silence"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // The follower still sees it (control), the stranger no longer does.
    assert!(public_texts(&app, &carol)
        .await
        .iter()
        .any(|t| t.contains("loud words")));
    assert!(!public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("loud words")));
    let (_, v) = app
        .get_json(&format!("/api/v1/accounts/{alice_id}"), Some(&bob))
        .await;
    assert_eq!(v["limited"], true, "{v}");

    let (s, v) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/unsilence"),
            &moderator,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["silenced"], false, "{v}");
    assert!(public_texts(&app, &bob)
        .await
        .iter()
        .any(|t| t.contains("loud words")));
}

both_backends!(silenced_posts_leave_the_public_timeline);

fn kindred(dir: &TempDir, env: &[(&str, String)], args: &[&str]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kindred"));
    c.current_dir(&dir.0);
    for (k, _) in std::env::vars() {
        if k.starts_with("KINDRED") {
            c.env_remove(k);
        }
    }
    c.env("KINDRED__LOG__LEVEL", "warn");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `kindred admin accounts ...` and `kindred admin audit` do what the API does.
fn accounts_from_the_command_line(backend: Backend) {
    let dir = TempDir::new("kindred-cli-accounts");
    let env: Vec<(&str, String)> = match backend {
        Backend::Sqlite => Vec::new(),
        Backend::Postgres => match crate::common::database_url(backend, &dir) {
            Some(url) => vec![("KINDRED__DATABASE__URL", url)],
            None => return,
        },
    };
    let run = |args: &[&str]| kindred(&dir, &env, args);
    let (ok, out) = run(&["admin", "create-user", "mo", "--role", "moderator"]);
    assert!(ok && out.contains("role: moderator"), "{out}");
    let (ok, out) = run(&["admin", "create-user", "alice"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["admin", "accounts", "list"]);
    assert!(ok && out.contains("alice\tmember\tactive"), "{out}");
    let (ok, out) = run(&[
        "admin", "accounts", "suspend", "alice", "--reason", "spam", "--report", "5",
    ]);
    assert!(ok && out.contains("suspended alice"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "show", "alice"]);
    assert!(ok && out.contains("suspended"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "list", "--suspended"]);
    assert!(
        ok && out.contains("alice") && !out.contains("\tmo\t"),
        "{out}"
    );
    let (ok, out) = run(&["admin", "accounts", "unsuspend", "alice"]);
    assert!(ok && out.contains("unsuspended alice"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "silence", "alice"]);
    assert!(ok && out.contains("silenced alice"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "unsilence", "alice"]);
    assert!(ok && out.contains("unsilenced alice"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "role", "alice", "facilitator"]);
    assert!(ok && out.contains("alice is now facilitator"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "suspend", "nobody"]);
    assert!(!ok && out.contains("no account named nobody"), "{out}");
    let (ok, out) = run(&["admin", "accounts", "approve", "alice"]);
    assert!(!ok && out.contains("not waiting"), "{out}");
    let (ok, out) = run(&["admin", "audit"]);
    assert!(ok, "{out}");
    for kind in [
        "account.suspend",
        "account.unsuspend",
        "account.silence",
        "account.unsilence",
        "account.role",
    ] {
        assert!(out.contains(&format!("\tcli\t{kind}\t")), "{kind} in {out}");
    }
    assert!(out.contains("\t5\t"), "report id in {out}");
    let (ok, out) = run(&["admin", "audit", "--since", "2999-01-01T00:00:00Z"]);
    assert!(ok && !out.contains("account."), "{out}");
    let (ok, out) = run(&["admin", "audit", "--since", "yesterday"]);
    assert!(!ok && out.contains("RFC 3339"), "{out}");
}

mod accounts_from_the_command_line {
    #[test]
    fn sqlite() {
        super::accounts_from_the_command_line(crate::common::Backend::Sqlite)
    }
    #[test]
    fn postgres() {
        super::accounts_from_the_command_line(crate::common::Backend::Postgres)
    }
}

/// One rule for silenced accounts and closed groups: a member silenced here is
/// refused as a remote account of a silenced server is (it used to be let in).
async fn silenced_member_cannot_ask_to_join_a_closed_group(backend: Backend) {
    let Some(app) = crate::common::spawn_app(backend).await else {
        return;
    };
    let moderator = app
        .user_with_token("mo", Role::Moderator, STAFF_SCOPES)
        .await;
    let fran = app
        .user_with_token("fran", Role::Facilitator, "read write follow")
        .await;
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            &fran,
            json!({"username": "circle", "display_name": "Circle", "visibility": "closed"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    let group = g["id"].as_str().unwrap().to_owned();
    let (ann, _) = app.member("ann").await;
    let (sam, sam_id) = app.member("sam").await;
    // Control: an ordinary member may ask.
    let (s, v) = app
        .post_json(&format!("/api/v1/groups/{group}/join"), &ann, json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{sam_id}/action"),
            &moderator,
            json!({"type": "silence"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .post_json(&format!("/api/v1/groups/{group}/join"), &sam, json!({}))
        .await;
    assert_eq!(s, 403, "{v}");
}

both_backends!(silenced_member_cannot_ask_to_join_a_closed_group);
