//! Issue 26: a member who deletes their account disappears from another real
//! Kindred too — the `Delete` of the actor reaches every server that knew it, which
//! drops the account and its posts — and nothing of it stays at rest at home; and
//! the `Accept` that carried an attendee's exact place leaves no copy behind at the
//! host once delivered.

use chrono::Utc;
use kindred_api::services::erasure;
use serde_json::json;

use kindred_db::models::meetings::Participant;
use kindred_domain::meetings::ParticipationState;

use crate::common::{at_rest_contains, both_backends, Backend};
use crate::rsvps::{account_at, copy_at, create_meeting, participation, trust_rsvps};
use crate::support::{
    count_from, drained, eventually, eventually_within, facilitator_and_cafe, follow, instances,
};
use std::time::Duration;

both_backends!(
    a_deleted_member_disappears_from_another_kindred,
    an_accepted_place_leaves_no_copy_at_the_host,
);

/// How many times `needle` is in what `at_rest` read.
fn occurrences(rest: &[u8], needle: &str) -> usize {
    rest.windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

async fn an_accepted_place_leaves_no_copy_at_the_host(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    trust_rsvps(k, &p.domain).await;
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({"join_mode": "approval"})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;
    p.post_ok(
        &format!("/api/v1/pleroma/events/{copy}/join"),
        &ola,
        json!({}),
    )
    .await;
    let ola_uri = p.url("/users/ola");
    let ola_at_k = eventually("the request at the host", || async {
        let a = account_at(k, &ola_uri)?;
        participation(k, id, Participant::Account(a))
            .filter(|r| r.state == ParticipationState::Requested)
            .map(|_| a)
    })
    .await;
    drained(&[k, p]).await;
    // The host keeps the place itself (the meeting's private row): the control.
    const NOTES: &str = "Ring the bell marked 3";
    let before = occurrences(&k.at_rest().await, NOTES);
    assert!(before >= 1, "control: the host keeps the place");
    k.post_ok(
        &format!("/api/v1/pleroma/events/{id}/participation_requests/{ola_at_k}/authorize"),
        &fran,
        json!({}),
    )
    .await;
    // The Accept (with the place) arrived at the attendee's server...
    eventually("the place at B", || async {
        let (_, seen) = p
            .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
            .await;
        seen.to_string().contains("Ring the bell").then_some(())
    })
    .await;
    // ...and once the host's queue is empty, no copy of it is left there.
    // On SQLite the delivered Accept's old page images leave the WAL at the next
    // checkpoint after the delivery (every 200 ms), so this polls for it.
    drained(&[k]).await;
    eventually_within(
        "the Accept's place gone from the host",
        Duration::from_secs(10),
        || async {
            let after = occurrences(&k.at_rest().await, NOTES);
            // (A SQLite WAL reset may drop an old frame of the place's own page.)
            (after <= before).then_some(())
        },
    )
    .await;
}

async fn a_deleted_member_disappears_from_another_kindred(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (home, other) = (&apps[0], &apps[1]);
    const WORD: &str = "erasureheronword";
    let (ivy, _) = home.member("ivy").await;
    let (bob, _) = other.member("bob").await;
    let ivy_there = follow(other, &bob, home, "ivy").await;
    home.post_status(
        &ivy,
        json!({"status": format!("{WORD} hello"), "visibility": "public"}),
    )
    .await;
    // Positive controls at the other server: the account and the post.
    eventually("ivy's post at the other server", || async {
        (count_from(other, home).await == 1).then_some(())
    })
    .await;
    let (status, _) = other
        .get_json(&format!("/api/v1/accounts/{ivy_there}"), Some(&bob))
        .await;
    assert_eq!(status, 200);

    let (status, receipt) = home
        .post_json(
            "/api/v1/kindred/account/delete",
            &ivy,
            json!({"password": "ivy's password"}),
        )
        .await;
    assert_eq!(status, 200, "{receipt}");
    let told: Vec<&str> = receipt["servers_told"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(told, vec![other.domain.as_str()]);
    // Delivered (the queue is empty only once the other server answered).
    drained(&[home]).await;
    let (status, _) = other
        .get_json(&format!("/api/v1/accounts/{ivy_there}"), Some(&bob))
        .await;
    assert_eq!(status, 404);
    assert_eq!(count_from(other, home).await, 0);

    // Nothing waits for delivery any more: the purge takes the rows at once.
    assert_eq!(
        erasure::purge_due(&home.state, Utc::now()).await.unwrap(),
        1
    );
    let rest = home.at_rest().await;
    assert!(
        at_rest_contains(&rest, "bob"),
        "control: the follower is still known"
    );
    assert!(!at_rest_contains(&rest, WORD), "the post remains at rest");
}
