//! Meeting listings from other servers: hand-written `Event`s in the shapes Mobilizon
//! (structured `PostalAddress`) and Gancio (address as one string) publish, delivered
//! signed to our inbox from loopback peers. Stored only when someone here follows the
//! publisher or it is addressed here; only the public part is kept (never a street,
//! postal code or venue); updates refresh, cancellations and deletes apply, and only
//! the listing's own server may change it.

use chrono::Utc;
use kindred_db::models::meetings::{self, Meeting, Scope};
use kindred_db::models::remote_meetings;
use kindred_domain::meetings::ParticipationState;
use serde_json::{json, Value};

use crate::common::{both_backends, meeting_day, spawn_app, Backend, TestApp};
use crate::remote_groups::{activity, follow_group, Peer};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn mobilizon_event(id: &str, group: &str, status: &str, title: &str) -> Value {
    json!({
        "type": "Event",
        "id": id,
        "url": id,
        "attributedTo": group,
        "name": title,
        "content": "<p>Thé &amp; discussion, sans pression</p>",
        "mediaType": "text/html",
        "startTime": format!("{}T18:30:00+01:00", meeting_day(0)),
        "endTime": format!("{}T20:00:00+01:00", meeting_day(0)),
        "timezone": "Europe/Paris",
        "ical:status": status,
        "joinMode": "restricted",
        "maximumAttendeeCapacity": 15,
        "participantCount": 4,
        "isOnline": false,
        "anonymousParticipationEnabled": true,
        "category": "MEETING",
        "draft": false,
        "location": {
            "type": "Place",
            "name": "Maison des associations",
            "address": {
                "type": "PostalAddress",
                "streetAddress": "12 rue des Lilas",
                "postalCode": "69003",
                "addressLocality": "Lyon",
                "addressRegion": "Auvergne-Rhône-Alpes",
                "addressCountry": "France"
            }
        },
        "to": [PUBLIC],
        "cc": [format!("{group}/followers")],
    })
}

fn gancio_event(id: &str, actor: &str, to: Vec<String>) -> Value {
    json!({
        "type": "Event",
        "id": id,
        "attributedTo": actor,
        "name": "Gruppo di auto-aiuto",
        "content": "Ogni martedì",
        "startTime": format!("{}T17:00:00.000Z", meeting_day(0)),
        "endTime": format!("{}T19:00:00.000Z", meeting_day(0)),
        "location": {
            "type": "Place",
            "name": "Casa del Quartiere",
            "address": "Via Roma 1, 10100 Torino"
        },
        "url": "https://gancio.invalid/event/gruppo",
        "to": to,
    })
}

/// The activity of `kind` carrying `token` that our server delivered to `peer`.
async fn sent_with_token(peer: &Peer, kind: &str, token: &str) -> Value {
    for _ in 0..200 {
        let found = peer.r.requests().into_iter().find_map(|r| {
            let v: Value = serde_json::from_str(&r.body).ok()?;
            (r.method == "POST" && v["type"] == kind && v["anonymousToken"] == token).then_some(v)
        });
        if let Some(v) = found {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no {kind} with the token arrived");
}

fn by_uri(app: &TestApp, uri: &str) -> Option<(Meeting, remote_meetings::RemoteMeetingRow)> {
    let uri = uri.to_owned();
    app.state
        .db
        .run_blocking(move |c| {
            let Some(r) = remote_meetings::by_uri(c, &uri)? else {
                return Ok(None);
            };
            Ok(meetings::find(c, r.meeting_id)?.map(|m| (m, r)))
        })
        .unwrap()
}

fn listed(app: &TestApp, scope: Scope) -> Vec<Meeting> {
    app.state
        .db
        .run_blocking(move |c| {
            meetings::upcoming(c, scope, false, Utc::now().naive_utc(), None, 100)
        })
        .unwrap()
}

/// No stored column of any meeting, nor its private place, holds these.
fn nowhere(app: &TestApp, secrets: &[&str]) {
    let ids: Vec<i64> = listed(app, Scope::Public)
        .iter()
        .map(|m| m.meeting.id)
        .collect();
    for id in ids {
        let (m, place) = app
            .state
            .db
            .run_blocking(move |c| Ok((meetings::find(c, id)?, meetings::private_place(c, id)?)))
            .unwrap();
        let all = format!("{m:?} {place:?}");
        for s in secrets {
            assert!(!all.contains(s), "{s} stored: {all}");
        }
    }
}

async fn mobilizon_and_gancio(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut mobilizon = Peer::start();
    let mut gancio = Peer::start();
    let group = mobilizon.mobilizon_group("walkers");
    let ann = mobilizon.url("/@ann");
    mobilizon.person(&ann, "ann");
    let relay = gancio.url("/federation/u/relay");
    gancio.person(&relay, "relay");
    let (alice, _) = app.member("alice").await;

    // Nobody here follows the Mobilizon group yet: acknowledged, not stored.
    let event_id = mobilizon.url("/events/0c5e7f9a-1");
    let create = activity(
        mobilizon.url("/activities/create/1"),
        "Create",
        &ann,
        mobilizon_event(&event_id, &group, "CONFIRMED", "Café des pairs"),
    );
    let (status, v) = mobilizon.deliver(&app, &ann, &create).await;
    assert_eq!(status, 202, "{v}");
    assert!(by_uri(&app, &event_id).is_none());

    // Alice follows the group: the organizer's Create (owner: the group) is stored.
    follow_group(&app, &mobilizon, &alice, &group).await;
    let create = activity(
        mobilizon.url("/activities/create/2"),
        "Create",
        &ann,
        mobilizon_event(&event_id, &group, "CONFIRMED", "Café des pairs"),
    );
    let (status, v) = mobilizon.deliver(&app, &ann, &create).await;
    assert_eq!(status, 202, "{v}");
    let (m, origin) = by_uri(&app, &event_id).expect("stored");
    assert_eq!(m.meeting.title, "Café des pairs");
    assert_eq!(m.meeting.locality, "Lyon");
    assert_eq!(m.meeting.region, "Auvergne-Rhône-Alpes");
    assert_eq!(m.meeting.country, "France");
    assert_eq!(m.meeting.join_mode, "approval");
    assert_eq!(m.meeting.capacity, Some(15));
    assert_eq!(m.meeting.status, "confirmed");
    assert_eq!(m.meeting.group_id, None);
    assert_eq!(m.time.time_zone, "Europe/Paris");
    assert_eq!(origin.url.as_deref(), Some(event_id.as_str()));
    assert!(listed(&app, Scope::Public)
        .iter()
        .any(|l| l.meeting.id == m.meeting.id));
    // Not the instance's own meeting.
    assert!(listed(&app, Scope::Instance).is_empty());
    // Shown through the events API, but not run here: the instance's staff are not
    // its facilitators. Going is sent to the host (federation-tests/rsvps.rs) and
    // stays pending here; "interested" is not sent.
    let remote_id = m.meeting.id;
    let (status, e) = app
        .get_json(&format!("/api/v1/pleroma/events/{remote_id}"), Some(&alice))
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["title"], "Café des pairs");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{remote_id}/join"),
            &alice,
            serde_json::json!({"rsvp": "interested"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{remote_id}/join"),
            &alice,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let pending = app
        .state
        .db
        .run_blocking(move |c| {
            let me = kindred_db::accounts::find_local_by_username(c, "alice")?.unwrap();
            meetings::participation(c, remote_id, &meetings::Participant::Account(me.id))
        })
        .unwrap()
        .unwrap();
    assert_eq!(pending.state, ParticipationState::Requested);
    app.create_user(
        "staff",
        "staff's password",
        None,
        kindred_domain::Role::Admin,
    )
    .await;
    let staff = app.login("staff", "staff's password").await;
    let (status, v) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/pleroma/events/{remote_id}"),
            Some(&staff),
            serde_json::json!({"title": "hijacked"}),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    assert!(app
        .state
        .db
        .run_blocking(move |c| kindred_db::models::meetings::participations(
            c, remote_id, None, None, 10
        ))
        // Only alice's pending RSVP.
        .map(|p| p.len() == 1)
        .unwrap_or(false));

    // An anonymous answer comes from the instance actor with the member's token in
    // its body only: the token is in no activity id (ids reach delivery logs) and
    // in no log line.
    let logs = crate::meetings::logs();
    let (bea, _) = app.member("bea").await;
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{remote_id}/join"),
            &bea,
            json!({"anonymous": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let token = app
        .state
        .db
        .run_blocking(move |c| {
            let me = kindred_db::accounts::find_local_by_username(c, "bea")?.unwrap();
            remote_meetings::rsvp_token(c, remote_id, me.id)
        })
        .unwrap()
        .expect("the token kept here");
    assert!(!v.to_string().contains(&token), "token in the API answer");
    let join = sent_with_token(&mobilizon, "Join", &token).await;
    assert_eq!(join["actor"], app.url("/actor"));
    assert_eq!(join["object"], event_id.as_str());
    assert!(!join["id"].as_str().unwrap().contains(&token), "{join}");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{remote_id}/leave"),
            &bea,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let leave = sent_with_token(&mobilizon, "Leave", &token).await;
    assert!(!leave["id"].as_str().unwrap().contains(&token), "{leave}");
    // Both delivered (and logged) before the logs are read.
    for _ in 0..200 {
        let backlog: i64 = app
            .state
            .db
            .run(kindred_db::models::deliveries::backlog)
            .await
            .unwrap()
            .iter()
            .map(|(_, n)| n)
            .sum();
        if backlog == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(!text.contains(&token), "the anonymous token in a log line");

    // An Update refreshes and cancels.
    let update = activity(
        mobilizon.url("/activities/update/1"),
        "Update",
        &ann,
        mobilizon_event(&event_id, &group, "CANCELLED", "Café des pairs (annulé)"),
    );
    let (status, v) = mobilizon.deliver(&app, &ann, &update).await;
    assert_eq!(status, 202, "{v}");
    let (after, _) = by_uri(&app, &event_id).expect("still stored");
    assert_eq!(after.meeting.id, m.meeting.id);
    assert_eq!(after.meeting.status, "cancelled");
    assert_eq!(after.meeting.title, "Café des pairs (annulé)");

    // Gancio: not followed, not addressed here → dropped; addressed to Alice → stored
    // with the locality read from the address string, never the street.
    let g1 = gancio.url("/federation/m/41");
    let create = activity(
        gancio.url("/federation/a/1"),
        "Create",
        &relay,
        gancio_event(&g1, &relay, vec![PUBLIC.to_owned()]),
    );
    let (status, v) = gancio.deliver(&app, &relay, &create).await;
    assert_eq!(status, 202, "{v}");
    assert!(by_uri(&app, &g1).is_none());
    let g2 = gancio.url("/federation/m/42");
    let create = activity(
        gancio.url("/federation/a/2"),
        "Create",
        &relay,
        gancio_event(
            &g2,
            &relay,
            vec![PUBLIC.to_owned(), app.url("/users/alice")],
        ),
    );
    let (status, v) = gancio.deliver(&app, &relay, &create).await;
    assert_eq!(status, 202, "{v}");
    let (g, _) = by_uri(&app, &g2).expect("stored");
    assert_eq!(g.meeting.locality, "Torino");
    assert_eq!(g.meeting.country, "");
    assert_eq!(g.time.time_zone, "UTC");
    nowhere(
        &app,
        &[
            "Lilas",
            "69003",
            "Maison des associations",
            "Roma",
            "10100",
            "Casa del Quartiere",
        ],
    );

    // Another server can neither change nor remove the Mobilizon listing.
    let hijack = activity(
        gancio.url("/federation/a/3"),
        "Update",
        &relay,
        mobilizon_event(&event_id, &group, "CONFIRMED", "Hijacked"),
    );
    let (status, _) = gancio.deliver(&app, &relay, &hijack).await;
    assert!((400..500).contains(&status), "{status}");
    let delete = activity(
        gancio.url("/federation/a/4"),
        "Delete",
        &relay,
        json!({ "id": event_id, "type": "Tombstone" }),
    );
    let (status, _) = gancio.deliver(&app, &relay, &delete).await;
    assert!((400..500).contains(&status), "{status}");
    let (still, _) = by_uri(&app, &event_id).expect("kept");
    assert_eq!(still.meeting.title, "Café des pairs (annulé)");

    // An event with an end before its start is refused and stores nothing.
    let mut bad = gancio_event(
        &gancio.url("/federation/m/43"),
        &relay,
        vec![app.url("/users/alice")],
    );
    bad["endTime"] = json!(format!("{}T16:00:00.000Z", meeting_day(0)));
    let create = activity(gancio.url("/federation/a/5"), "Create", &relay, bad);
    let (status, _) = gancio.deliver(&app, &relay, &create).await;
    assert!((400..500).contains(&status), "{status}");
    assert!(by_uri(&app, &gancio.url("/federation/m/43")).is_none());

    // Its own server deletes it.
    let delete = activity(
        mobilizon.url("/activities/delete/1"),
        "Delete",
        &ann,
        json!({ "id": event_id, "type": "Tombstone" }),
    );
    let (status, v) = mobilizon.deliver(&app, &ann, &delete).await;
    assert_eq!(status, 202, "{v}");
    assert!(by_uri(&app, &event_id).is_none());

    // A group's Announce wrapping its own Create(Event) (Kindred's and Lemmy's form).
    let e2 = mobilizon.url("/events/0c5e7f9a-2");
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": mobilizon.url("/activities/announce/1"),
        "type": "Announce",
        "actor": group,
        "to": [PUBLIC],
        "cc": [format!("{group}/followers")],
        "object": {
            "id": mobilizon.url("/activities/create/3"),
            "type": "Create",
            "actor": group,
            "object": mobilizon_event(&e2, &group, "TENTATIVE", "Walk and talk"),
        },
    });
    let (status, v) = mobilizon.deliver(&app, &group, &announce).await;
    assert_eq!(status, 202, "{v}");
    let (w, _) = by_uri(&app, &e2).expect("stored from the group's announce");
    assert_eq!(w.meeting.status, "tentative");
    let announce_delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": mobilizon.url("/activities/announce/2"),
        "type": "Announce",
        "actor": group,
        "to": [PUBLIC],
        "object": {
            "id": mobilizon.url("/activities/delete/2"),
            "type": "Delete",
            "actor": group,
            "object": e2,
        },
    });
    let (status, v) = mobilizon.deliver(&app, &group, &announce_delete).await;
    assert_eq!(status, 202, "{v}");
    assert!(by_uri(&app, &e2).is_none());

    // A publisher whose account is deleted takes its listings with it.
    let (status, _) = gancio
        .deliver(
            &app,
            &relay,
            &activity(
                gancio.url("/federation/a/6"),
                "Delete",
                &relay,
                json!(relay),
            ),
        )
        .await;
    assert_eq!(status, 202);
    assert!(by_uri(&app, &g2).is_none());
    assert!(listed(&app, Scope::Public).is_empty());
}

both_backends!(mobilizon_and_gancio);
