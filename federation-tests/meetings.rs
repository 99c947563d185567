//! Scenario: a public group's meeting listings federate, and the address stays home
//! (invariant 4).
//!
//! Three recording remotes follow a Kindred group — `mast` (unknown software: the
//! group's boost of the event's id), `lem` (Lemmy: the group's Announce wrapping its
//! Create/Update/Delete of the Event) and `mob` (Mobilizon: the Event activities as
//! they are) — and a member of a second Kindred instance follows it too. A meeting
//! is created, and later cancelled, through the events API, which stores it and
//! queues its listing (`Outbox::meeting_published`) in one transaction.
//! Every remote receives its form; every recorded body carries the locality and
//! never the venue, street, postal code, access notes or online link. The second
//! Kindred stores the listing, and its cancellation and removal. A members-only
//! meeting sends nothing and is not served.

use chrono::Utc;
use diesel::RunQueryDsl;
use kindred_db::models::meetings::{self, Scope};
use kindred_db::models::remote_meetings;
use kindred_federation::outbox::Outbox;

use crate::common::{both_backends, contains_secret, meeting_at, meeting_day, Backend, TestApp};
use crate::groups::{ap_get, Remote};
use crate::support::{drained, eventually, facilitator_and_cafe, follow, instances};

both_backends!(meeting_listings_federate_without_the_address);

const SECRETS: [&str; 6] = [
    "Lindenstr",
    "04109",
    "Haus der Begegnung",
    "Ring the bell",
    "meet.example",
    "step_free",
];

/// Creates a meeting of `group` through the events API as its facilitator (the
/// service stores it and queues its listing in one transaction); returns its id.
pub(crate) async fn create_meeting(k: &TestApp, token: &str, group: i64, audience: &str) -> i64 {
    let (status, e) = k
        .post_json(
            "/api/v1/pleroma/events",
            token,
            serde_json::json!({
                "group_id": group.to_string(),
                "title": "Peer café <Leipzig>",
                "description": "Tea & talk.\nNo pressure.",
                "start_time": meeting_at(0, "18:30"),
                "end_time": meeting_at(0, "20:00"),
                "time_zone": "Europe/Berlin",
                "audience": audience,
                "capacity": 12,
                "locality": "Leipzig",
                "region": "Saxony",
                "country": "Germany",
                "venue_name": "Haus der Begegnung",
                "street_address": "Lindenstr. 3",
                "postal_code": "04109",
                "access_notes": "Ring the bell marked 3",
                "accessibility": ["step_free"],
                "online_link": "https://meet.example/room-7",
            }),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    e["id"].as_str().unwrap().parse().unwrap()
}

fn remote_copy(p: &TestApp, uri: &str) -> Option<meetings::Meeting> {
    let uri = uri.to_owned();
    p.state
        .db
        .run_blocking(move |c| match remote_meetings::by_uri(c, &uri)? {
            Some(r) => meetings::find(c, r.meeting_id),
            None => Ok(None),
        })
        .unwrap()
}

async fn meeting_listings_federate_without_the_address(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    let (fran, cafe) = facilitator_and_cafe(k).await;

    let mast = Remote::start(None);
    let lem = Remote::start(Some("lemmy"));
    let mob = Remote::start(Some("mobilizon"));
    for (n, remote) in [(1, &mast), (2, &lem), (3, &mob)] {
        let (status, v) = remote.follow(k, n, "cafe").await;
        assert_eq!(status, 202, "{v}");
        remote
            .wait_for("the group's Accept", |v| v["type"] == "Accept")
            .await;
    }
    let (ola, _) = p.member("ola").await;
    follow(p, &ola, k, "cafe").await;

    // Published: each remote gets its form.
    let id = create_meeting(k, &fran, cafe, "public").await;
    let event_id = k.url(&format!("/meetings/{id}"));
    let group = k.url("/users/cafe");
    let boost = mast
        .wait_for("the group's boost of the event", |v| {
            v["type"] == "Announce" && v["object"] == event_id.as_str()
        })
        .await;
    assert_eq!(boost["actor"], group);
    let wrapped = lem
        .wait_for("the group's Announce(Create(Event))", |v| {
            v["type"] == "Announce" && v["object"]["type"] == "Create"
        })
        .await;
    let event = &wrapped["object"]["object"];
    assert_eq!(event["type"], "Event");
    assert_eq!(event["id"], event_id.as_str());
    assert_eq!(event["attributedTo"], group);
    assert_eq!(event["name"], "Peer café <Leipzig>");
    assert_eq!(event["content"], "<p>Tea &amp; talk.<br>No pressure.</p>");
    assert_eq!(event["startTime"], format!("{}T17:30:00Z", meeting_day(0)));
    assert_eq!(event["timezone"], "Europe/Berlin");
    assert_eq!(event["ical:status"], "CONFIRMED");
    assert_eq!(event["joinMode"], "free");
    assert_eq!(event["isOnline"], true);
    assert_eq!(event["maximumAttendeeCapacity"], 12);
    assert_eq!(event["location"]["address"]["addressLocality"], "Leipzig");
    assert_eq!(event["location"]["address"]["addressCountry"], "Germany");
    let direct = mob
        .wait_for("the group's Create(Event)", |v| {
            v["type"] == "Create" && v["object"]["type"] == "Event"
        })
        .await;
    assert_eq!(direct["actor"], group);
    assert!(direct["@context"].to_string().contains("joinmobilizon.org"));

    // Served at its id, to ActivityPub clients and as a page.
    let (status, served) = ap_get(k, &format!("/meetings/{id}")).await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["type"], "Event");
    assert_eq!(served["location"]["address"]["addressLocality"], "Leipzig");
    let page = k
        .client
        .get(k.url(&format!("/meetings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Peer café &lt;Leipzig&gt;"), "{html}");
    for secret in SECRETS {
        assert!(
            !contains_secret(&html, secret),
            "{secret} on the public page: {html}"
        );
        assert!(
            !contains_secret(&served.to_string(), secret),
            "{secret} in the Event"
        );
    }

    // The other Kindred stores it as a listing.
    let copy = eventually("the listing at the other instance", || async {
        remote_copy(p, &event_id)
    })
    .await;
    assert_eq!(copy.meeting.locality, "Leipzig");
    assert_eq!(copy.meeting.region, "Saxony");
    assert!(copy.meeting.online);
    let listed = p
        .state
        .db
        .run_blocking(|c| {
            meetings::upcoming(c, Scope::Public, false, Utc::now().naive_utc(), None, 50)
        })
        .unwrap();
    assert!(listed.iter().any(|m| m.meeting.id == copy.meeting.id));
    let place = {
        let mid = copy.meeting.id;
        p.state
            .db
            .run_blocking(move |c| meetings::private_place(c, mid))
            .unwrap()
            .unwrap()
    };
    assert_eq!(place.street_address, "");
    assert_eq!(place.online_link, None);

    // Cancelled: an Update with ical:status CANCELLED, applied at the other Kindred.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/cancel"),
            &fran,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let update = lem
        .wait_for("the group's Announce(Update(Event))", |v| {
            v["type"] == "Announce" && v["object"]["type"] == "Update"
        })
        .await;
    assert_eq!(update["object"]["object"]["ical:status"], "CANCELLED");
    mast.wait_for("the group's Update", |v| {
        v["type"] == "Update" && v["object"]["ical:status"] == "CANCELLED"
    })
    .await;
    eventually("the cancellation at the other instance", || async {
        remote_copy(p, &event_id).filter(|m| m.meeting.status == "cancelled")
    })
    .await;

    // A members-only meeting sends nothing and is not served.
    drained(&[k]).await;
    let before: usize = [&mast, &lem, &mob].iter().map(|r| r.bodies().len()).sum();
    let hidden = create_meeting(k, &fran, cafe, "members").await;
    drained(&[k]).await;
    let after: usize = [&mast, &lem, &mob].iter().map(|r| r.bodies().len()).sum();
    assert_eq!(before, after, "a members-only meeting sent something");
    let (status, _) = ap_get(k, &format!("/meetings/{hidden}")).await;
    assert_eq!(status, 404);
    let (status, _) = ap_get(k, "/meetings/not-a-number").await;
    assert_eq!(status, 404);

    // Removed: the group's Delete; the other Kindred drops its copy.
    let outbox = Outbox::new(&k.state.urls, &k.state.ids, Utc::now());
    k.state
        .db
        .run_blocking(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let n = outbox.meeting_deleted(c, id)?;
                diesel::sql_query(format!("DELETE FROM meetings WHERE id = {id}")).execute(c)?;
                Ok(n)
            })
        })
        .unwrap();
    k.state.delivery.wake();
    mob.wait_for("the group's Delete", |v| {
        v["type"] == "Delete" && v["object"]["id"] == event_id.as_str()
    })
    .await;
    eventually("the removal at the other instance", || async {
        remote_copy(p, &event_id).is_none().then_some(())
    })
    .await;
    drained(&[k, p]).await;

    // Nothing that left carried the private place.
    for remote in [&mast, &lem, &mob] {
        for body in remote.bodies() {
            for s in SECRETS {
                assert!(!contains_secret(&body, s), "{s} left the instance: {body}");
            }
        }
    }
    let members_only = k.url(&format!("/meetings/{hidden}"));
    for remote in [&mast, &lem, &mob] {
        assert!(remote.bodies().iter().all(|b| !b.contains(&members_only)));
    }
}
