//! Scenario: the partner meeting directory (issue 6). Instance A runs "partners
//! only" and allows B meeting traffic and nothing else. A's admin subscribes to B's
//! public listings through the admin API: A's instance actor follows B's (found by
//! WebFinger), B accepts and at once sends its upcoming public listings — its
//! group's and its own — and later ones as they are created, changed, cancelled.
//! A's members see them in the public events listing; their RSVPs reach B only
//! once B's scope includes `rsvps` (and are accepted at once there only because B
//! names A a partner trusted with RSVPs). Members-only meetings never
//! travel, no body carries the private place (invariant 4), and unsubscribing
//! stops the flow and removes what came. Bad requests change nothing, and
//! suspending the partner severs the directory both ways.

use diesel::RunQueryDsl;
use kindred_api::services::federation_policy::{self as policy, BlockRequest};
use kindred_db::models::{domain_policy, meeting_directory, meetings};
use kindred_domain::Role;
use kindred_federation::http_signatures::sign::Signer;
use kindred_federation::keys::generate_keypair;
use serde_json::{json, Value};

use crate::common::{both_backends, contains_secret, meeting_at, Backend, TestApp};
use crate::groups::create_group;
use crate::receiver::Receiver;
use crate::support::{assert_logs_clean, deliver, drained, eventually, instances};

both_backends!(meeting_directory_between_partners);

const SECRETS: [&str; 5] = [
    "Lindenstr",
    "04109",
    "Haus der Begegnung",
    "Ring the bell",
    "meet.example",
];

/// A meeting through the events API (of `group`, or the instance's own); its id.
async fn create_meeting(
    app: &TestApp,
    token: &str,
    group: Option<&str>,
    title: &str,
    audience: &str,
) -> String {
    let mut body = json!({
        "title": title,
        "description": "Tea and talk.",
        "start_time": meeting_at(0, "18:30"),
        "end_time": meeting_at(0, "20:00"),
        "time_zone": "Europe/Berlin",
        "audience": audience,
        "locality": "Leipzig",
        "region": "Saxony",
        "country": "Germany",
        "venue_name": "Haus der Begegnung",
        "street_address": "Lindenstr. 3",
        "postal_code": "04109",
        "access_notes": "Ring the bell marked 3",
        "online_link": "https://meet.example/room-7",
    });
    if let Some(g) = group {
        body["group_id"] = json!(g);
    }
    let (status, e) = app.post_json("/api/v1/pleroma/events", token, body).await;
    assert_eq!(status, 200, "{e}");
    e["id"].as_str().unwrap().to_owned()
}

/// The public listing as a member sees it: title → event.
async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, v) = app
        .get_json(
            "/api/v1/pleroma/events?scope=directory&limit=40",
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn titled<'a>(list: &'a [Value], title: &str) -> Option<&'a Value> {
    list.iter().find(|e| e["title"] == title)
}

fn participations(app: &TestApp, meeting: i64) -> Vec<meetings::ParticipationRow> {
    app.state
        .db
        .run_blocking(move |c| meetings::participations(c, meeting, None, None, 100))
        .unwrap()
}

async fn directory(app: &TestApp, token: &str) -> Value {
    let (status, v) = app
        .get_json("/api/v1/admin/kindred/federation/directory", Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

fn row_count(app: &TestApp, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    app.state
        .db
        .run_blocking(move |c| Ok(diesel::sql_query(sql).get_result::<N>(c)?.n))
        .unwrap()
}

/// A recording server whose instance actor follows `to`'s (subscribes to its meeting
/// directory), and records every request `to` sends it.
struct RecordingSubscriber(Receiver);

impl RecordingSubscriber {
    async fn follow(to: &TestApp) -> Self {
        let r = Receiver::start();
        let base = format!("http://localhost:{}", r.port);
        let actor = format!("{base}/actor");
        let keys = generate_keypair().unwrap();
        r.serve_doc(
            "/actor",
            &json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": actor,
                "type": "Application",
                "preferredUsername": "recorder",
                "inbox": format!("{base}/inbox"),
                "outbox": format!("{base}/outbox"),
                "endpoints": { "sharedInbox": format!("{base}/inbox") },
                "publicKey": { "id": format!("{actor}#main-key"), "owner": actor, "publicKeyPem": keys.public_key_pem },
            }),
        );
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{base}/follows/1"),
            "type": "Follow",
            "actor": actor,
            "object": to.state.urls.instance_actor().to_string(),
        });
        let signer = Signer::new(&keys.private_key_pem, format!("{actor}#main-key")).unwrap();
        let (status, v) = deliver(to, &signer, &follow).await;
        assert_eq!(status, 202, "{v}");
        let rec = Self(r);
        eventually("the directory's Accept at the recorder", || async {
            rec.posted_bodies()
                .iter()
                .any(|b| b.contains("\"Accept\""))
                .then_some(())
        })
        .await;
        rec
    }

    fn posted_bodies(&self) -> Vec<String> {
        self.0
            .requests()
            .into_iter()
            .filter(|q| q.method == "POST")
            .map(|q| q.body)
            .collect()
    }
}

async fn meeting_directory_between_partners(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    policy::set_mode(&a.state, "test", "allowlist")
        .await
        .unwrap();
    policy::allow(&a.state, "test", &b.domain, Some("meetings"))
        .await
        .unwrap();
    let scopes = "read write admin:read admin:write";
    let root = a.user_with_token("root", Role::Admin, scopes).await;
    let b_root = b.user_with_token("broot", Role::Admin, scopes).await;
    let (mia, _) = a.member("mia").await;

    // B's listings before any subscription: a group's, its own, a members-only one.
    b.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fran = b.login("fran", "fran's password").await;
    let cafe = create_group(b, &fran, "cafe", "public").await;
    let cafe_meeting: i64 = create_meeting(b, &fran, Some(&cafe), "Peer café", "public")
        .await
        .parse()
        .unwrap();
    let own = create_meeting(b, &fran, None, "Open evening", "public").await;
    create_meeting(b, &fran, Some(&cafe), "Members circle", "members").await;

    // Refused, changing nothing: a member, no domain, our own domain, a domain the
    // policy does not let meetings through.
    let path = "/api/v1/admin/kindred/federation/directory";
    let (status, e) = a.post_json(path, &mia, json!({ "domain": b.domain })).await;
    assert_eq!(status, 403, "{e}");
    let (status, e) = a.post_json(path, &root, json!({})).await;
    assert_eq!(status, 400, "{e}");
    let (status, e) = a
        .post_json(path, &root, json!({ "domain": a.domain }))
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, e) = a
        .post_json(path, &root, json!({ "domain": "elsewhere.example" }))
        .await;
    assert_eq!(status, 422, "{e}");
    assert!(e["error"].as_str().unwrap().contains("policy"), "{e}");
    assert_eq!(row_count(a, "directory_subscriptions"), 0);

    // Subscribed (the domain spelled in upper case still names B).
    let (status, s) = a
        .post_json(path, &root, json!({ "domain": b.domain.to_uppercase() }))
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["state"], "requested");
    assert_eq!(s["domain"], b.domain.as_str());
    eventually("B accepts the subscription", || async {
        let d = directory(a, &root).await;
        (d["subscriptions"][0]["state"] == "accepted").then_some(())
    })
    .await;
    let d = directory(b, &b_root).await;
    assert_eq!(d["subscribers"][0]["domain"], a.domain.as_str(), "{d}");
    // Subscribing again changes nothing.
    let (status, again) = a
        .post_json(path, &root, json!({ "domain": b.domain }))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], s["id"]);

    // A recording server subscribes to B's directory too: what B sends is checked
    // on the wire below (B's queue is empty by then, so its table shows nothing).
    let rec = RecordingSubscriber::follow(b).await;

    // What B listed before arrives at once; the members-only meeting never.
    let list = eventually("B's listings at A", || async {
        let list = listed(a, &mia).await;
        (titled(&list, "Peer café").is_some() && titled(&list, "Open evening").is_some())
            .then_some(list)
    })
    .await;
    let cafe_listing = titled(&list, "Peer café").unwrap();
    assert_eq!(cafe_listing["location"]["locality"], "Leipzig");
    assert!(cafe_listing["full_location"].is_null(), "{cafe_listing}");
    assert!(titled(&list, "Members circle").is_none());
    // The instance's public calendar is the regional one: B's listings are in it,
    // with the locality and nothing of the place.
    let resp = a
        .client
        .get(a.url("/api/v1/pleroma/calendars/instance"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = icalendar::parser::unfold(&resp.text().await.unwrap());
    let cal = icalendar::parser::read_calendar(&text).expect("a valid calendar");
    let summaries: Vec<String> = cal
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .flat_map(|c| c.properties.iter())
        .filter(|p| p.name.as_str() == "SUMMARY")
        .map(|p| p.val.to_string())
        .collect();
    assert!(summaries.iter().any(|t| t == "Peer café"), "{summaries:?}");
    assert!(text.contains("Leipzig"));
    for secret in SECRETS {
        assert!(!contains_secret(&text, secret), "{secret} in the calendar");
    }

    // The partner is scoped to meetings: a member's RSVP to its listing is refused
    // here with a clear error (the policy would drop it), and B records nobody. With
    // `rsvps` in the scope, an RSVP goes through.
    let copy = cafe_listing["id"].as_str().unwrap().to_owned();
    let join = format!("/api/v1/pleroma/events/{copy}/join");
    let (status, v) = a.post_json(&join, &mia, json!({})).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("policy"), "{v}");
    drained(&[a, b]).await;
    assert!(participations(b, cafe_meeting).is_empty());
    let (_, e) = a
        .get_json(
            &format!(
                "/api/v1/pleroma/events/{}",
                cafe_listing["id"].as_str().unwrap()
            ),
            Some(&mia),
        )
        .await;
    assert!(e["participation"].is_null(), "nothing kept: {e}");
    policy::allow(&a.state, "test", &b.domain, Some("meetings,rsvps"))
        .await
        .unwrap();
    // B, the host, accepts at once only RSVPs from a partner it trusts with them
    // (issue 21): B names A so (B stays in open mode; "all" keeps every kind).
    policy::allow(&b.state, "test", &a.domain, Some("all"))
        .await
        .unwrap();
    let (noa, _) = a.member("noa").await;
    let (status, v) = a.post_json(&join, &noa, json!({})).await;
    assert_eq!(status, 200, "{v}");
    eventually("the RSVP at B", || async {
        (participations(b, cafe_meeting).len() == 1).then_some(())
    })
    .await;
    eventually("B's answer at A", || async {
        let (_, e) = a
            .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&noa))
            .await;
        (e["participation"]["state"] == "accepted").then_some(())
    })
    .await;
    policy::allow(&a.state, "test", &b.domain, Some("meetings"))
        .await
        .unwrap();

    // New, changed and cancelled listings follow.
    let walk = create_meeting(b, &fran, Some(&cafe), "Walk & talk", "public").await;
    eventually("a new listing at A", || async {
        titled(&listed(a, &mia).await, "Walk & talk").map(|_| ())
    })
    .await;
    // A weekly meeting arrives as a series, not as its next occurrence only.
    let (status, v) = b
        .post_json(
            "/api/v1/pleroma/events",
            &fran,
            json!({
                "group_id": cafe, "title": "Tuesday circle", "audience": "public",
                "start_time": meeting_at(0, "18:30"), "end_time": meeting_at(0, "20:00"),
                "time_zone": "Europe/Berlin", "locality": "Leipzig",
                "recurrence": "FREQ=WEEKLY;BYDAY=TU",
            }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let series = eventually("the series at A", || async {
        titled(&listed(a, &mia).await, "Tuesday circle").cloned()
    })
    .await;
    assert_eq!(series["recurrence"], "FREQ=WEEKLY;BYDAY=TU", "{series}");
    let (status, v) = b
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/pleroma/events/{walk}"),
            Some(&fran),
            json!({ "title": "Walk and talk" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the change at A", || async {
        titled(&listed(a, &mia).await, "Walk and talk").map(|_| ())
    })
    .await;
    let (status, v) = b
        .post_json(
            &format!("/api/v1/pleroma/events/{own}/cancel"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the cancellation at A", || async {
        let list = listed(a, &mia).await;
        titled(&list, "Open evening")
            .filter(|e| e["status"] == "cancelled")
            .map(|_| ())
    })
    .await;
    drained(&[a, b]).await;

    // The private place reached A only for noa, accepted, in B's Accept addressed to
    // her alone: mia (whose RSVP never left) and the listing do not show it.
    let shown = serde_json::to_string(&listed(a, &mia).await).unwrap();
    for secret in SECRETS {
        assert!(
            !contains_secret(&shown, secret),
            "{secret} listed at A: {shown}"
        );
    }
    let (_, for_mia) = a
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&mia))
        .await;
    assert!(for_mia["full_location"].is_null(), "{for_mia}");
    let (_, for_noa) = a
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&noa))
        .await;
    assert_eq!(
        for_noa["full_location"]["street_address"], "Lindenstr. 3",
        "{for_noa}"
    );
    // What left B, as a second subscriber received it. Positive controls first,
    // found by the same search: the public part of the place (the locality) and
    // the cancellation, B's last listing activity, which arrives after everything
    // queued before it (B's queue to one inbox is delivered in order).
    eventually("the cancellation at the recording subscriber", || async {
        let bodies = rec.posted_bodies();
        let open = bodies.iter().filter(|b| b.contains("Open evening")).count();
        (open >= 2 && bodies.iter().any(|b| b.contains("Walk and talk"))).then_some(())
    })
    .await;
    let bodies = rec.posted_bodies();
    for title in ["Peer café", "Open evening", "Walk & talk", "Tuesday circle"] {
        assert!(
            bodies.iter().any(|b| b.contains(title)),
            "{title} reached the subscriber: {bodies:?}"
        );
    }
    assert!(
        bodies.iter().any(|b| contains_secret(b, "Leipzig")),
        "the locality travels: {bodies:?}"
    );
    for body in &bodies {
        assert!(!body.contains("Members circle"), "{body}");
        for secret in SECRETS {
            assert!(!contains_secret(body, secret), "{secret} left B in {body}");
        }
    }

    // Nor in any log line of either instance: the place, the admins' and
    // members' tokens. A's inbox logged B's activities with their origin.
    let mut secrets = SECRETS.to_vec();
    secrets.extend([
        root.as_str(),
        b_root.as_str(),
        mia.as_str(),
        noa.as_str(),
        fran.as_str(),
    ]);
    assert_logs_clean(&format!("origin={}", b.domain), &secrets);

    // Unsubscribed: B hears of it, A drops what B's directory sent.
    let (status, v) = a
        .send_json(
            reqwest::Method::DELETE,
            &format!("{path}/{}", b.domain),
            Some(&root),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(listed(a, &mia).await.is_empty());
    eventually("B forgets the subscriber", || async {
        let d = directory(b, &b_root).await;
        // The recording subscriber stays.
        let domains = d["subscribers"].as_array().unwrap();
        (domains.len() == 1 && domains[0]["domain"] != a.domain.as_str()).then_some(())
    })
    .await;
    create_meeting(b, &fran, Some(&cafe), "After the end", "public").await;
    drained(&[a, b]).await;
    assert!(listed(a, &mia).await.is_empty());
    let (status, _) = a
        .send_json(
            reqwest::Method::DELETE,
            &format!("{path}/{}", b.domain),
            Some(&root),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);

    // Audited with the admin's name.
    let audit = a
        .state
        .db
        .run_blocking(|c| domain_policy::audit_log(c, 50))
        .unwrap();
    for action in ["directory_subscribe", "directory_unsubscribe"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.actor == "admin:root"),
            "{action}"
        );
    }

    // Subscribed again, then B suspended: the directory is cut both ways.
    let (status, v) = a
        .post_json(path, &root, json!({ "domain": b.domain }))
        .await;
    assert_eq!(status, 200, "{v}");
    policy::block(
        &a.state,
        "test",
        BlockRequest {
            domain: b.domain.clone(),
            severity: Some("suspend".to_owned()),
            reject_media: false,
            reject_reports: false,
            private_comment: None,
            public_comment: None,
            obfuscate: false,
        },
    )
    .await
    .unwrap();
    let left = a
        .state
        .db
        .run_blocking(meeting_directory::subscriptions)
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}
