//! Issue 24, reports across instances: a member on B reports a post of alice@A with
//! `forward=true`; B's instance actor sends a `Flag`; A's moderators see a report
//! from B's server with no reporter name, alice never sees it; once A's admin
//! blocks B's reports (`reject_reports`), B's next `Flag` is refused and files
//! nothing.

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{drained, eventually, instances, resolve, resolve_status};

both_backends!(a_forwarded_report_arrives_without_its_reporter);

const ADMIN_SCOPES: &str = "read write admin:read admin:write";

async fn open_reports(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, v) = app.get_json("/api/v1/admin/reports", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn a_forwarded_report_arrives_without_its_reporter(backend: Backend) {
    let Some([a, b]) = instances(backend, 2)
        .await
        .map(|v| <[TestApp; 2]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let moder = a
        .user_with_token("consultant", Role::Moderator, ADMIN_SCOPES)
        .await;
    let admin = a.user_with_token("boss", Role::Admin, ADMIN_SCOPES).await;
    let (bob, _) = b.member("bobthereporter").await;
    let post = a
        .post_ok(
            "/api/v1/statuses",
            &alice,
            json!({"status": "something cruel", "visibility": "public"}),
        )
        .await;
    let alice_at_b = resolve(&b, &bob, &format!("alice@{}", a.domain)).await;
    let post_at_b = resolve_status(&b, &bob, post["uri"].as_str().unwrap()).await;

    // Bob reports it and asks for it to be forwarded.
    let (status, report) = b
        .post_json(
            "/api/v1/reports",
            &bob,
            json!({"account_id": alice_at_b, "status_ids": [post_at_b],
                   "comment": "please look at this", "forward": true}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["forwarded"], true, "{report}");

    // A's moderators see it, from B's server, without bob.
    let reports = eventually("the Flag at A", || async {
        let r = open_reports(&a, &moder).await;
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    let r = &reports[0];
    assert_eq!(r["kindred"]["reporter_domain"], b.domain.as_str(), "{r}");
    assert_eq!(r["target_account"]["username"], "alice");
    assert_eq!(r["statuses"][0]["id"], post["id"], "{r}");
    assert_eq!(r["comment"], "please look at this");
    let text = r.to_string();
    assert!(!text.contains("bobthereporter"), "{text}");
    // Alice hears nothing of it, and the admin API is closed to her.
    let (_, notes) = a.get_json("/api/v1/notifications", Some(&alice)).await;
    assert!(!notes.to_string().contains("admin.report"), "{notes}");
    let (_, mod_notes) = a.get_json("/api/v1/notifications", Some(&moder)).await;
    assert!(
        mod_notes.to_string().contains("admin.report"),
        "{mod_notes}"
    );
    let (status, _) = a.get_json("/api/v1/admin/reports", Some(&alice)).await;
    assert_eq!(status, 403);

    // A refuses B's reports from now on: the next Flag is refused at the inbox.
    let (status, v) = a
        .post_json(
            "/api/v1/admin/domain_blocks",
            &admin,
            json!({"domain": b.domain, "severity": "noop", "reject_reports": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, second) = b
        .post_json(
            "/api/v1/reports",
            &bob,
            json!({"account_id": alice_at_b, "comment": "again", "forward": true}),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        second["forwarded"], true,
        "B's own policy lets it go: {second}"
    );
    // Once B's queue has delivered (A answered), A still holds the one report.
    drained(&[&b]).await;
    let reports = open_reports(&a, &moder).await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["comment"], "please look at this");
}
