//! Meetings through the events extension API (`/api/v1/pleroma/events`) and the
//! iCalendar endpoints: facilitators run meetings, members answer, approval and the
//! wait list, cancellations, bad input refused with nothing changed; and privacy
//! tests that say no: the street, postal code, access notes and online link reach
//! nobody who is not accepted (no JSON, no calendar, no log line), attendee names
//! reach facilitators only, members-only meetings do not exist for outsiders, and the
//! personal feed works with its secret address, stops once it is replaced or revoked,
//! and has the full place only for accepted meetings. Every calendar is parsed with
//! the `icalendar` crate.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use icalendar::parser::{read_calendar, unfold};
use kindred_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{
    both_backends, contains_secret, meeting_at, meeting_day, spawn_app, Backend, TestApp,
};

both_backends!(
    facilitators_run_meetings_and_members_answer,
    bad_input_is_refused_and_changes_nothing,
    the_address_reaches_only_accepted_attendees,
    members_only_meetings_exist_only_for_members,
    personal_feed_follows_its_secret_address,
    meetings_show_in_timelines_as_the_groups_statuses,
    attendee_counts_follow_the_group_setting,
    facilitators_decide_on_anonymous_attendees,
    the_cap_per_remote_server_is_set_and_shown_to_facilitators,
);

// The private part of the place: none of these may reach anyone not accepted.
const STREET: &str = "Kastanienweg 17b";
const POSTAL: &str = "04107";
const NOTES: &str = "ring the bell marked Lotus";
const LINK: &str = "https://video.example/room-secret-42";
const VENUE: &str = "Hinterhof Café";

/// Every log line of this test process from the moment it is first called (shared by
/// all tests: they only look for strings no other test writes).
pub(crate) fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buf.clone());
        // Everything Kindred writes, at every level; other crates from debug.
        let filter = tracing_subscriber::EnvFilter::new(
            "debug,kindred_api=trace,kindred_db=trace,kindred_domain=trace,kindred_federation=trace,kindred_server=trace",
        );
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        // Another subscriber already set would capture nothing here: make it loud.
        tracing::subscriber::set_global_default(subscriber).expect("capture logs");
        buf
    })
    .clone()
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for s in [STREET, POSTAL, NOTES, LINK, "room-secret-42", VENUE] {
        assert!(!contains_secret(text, s), "{s:?} leaked in {what}: {text}");
    }
}

#[test]
fn secrets_are_found_as_themselves_only() {
    assert!(contains_secret(r#"{"postal_code":"04107"}"#, POSTAL));
    assert!(contains_secret("04107 Leipzig", POSTAL));
    assert!(!contains_secret("2026-11-26T23:19:42.904107Z", POSTAL));
    assert!(!contains_secret("account_id=1041070 port=04107", "1041"));
    assert!(contains_secret("at Kastanienweg 17b, 2nd floor", STREET));
    assert!(contains_secret("/room-secret-42", "room-secret-42"));
}

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

async fn group(app: &TestApp, token: &str, name: &str, visibility: &str) -> String {
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

async fn join_group(app: &TestApp, fac: &str, gid: &str, token: &str, id: &str) {
    let (status, v) = app
        .post_json(&format!("/api/v1/groups/{gid}/join"), token, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    if v["membership"]["state"] == "requested" {
        let (status, v) = app
            .post_json(
                &format!("/api/v1/groups/{gid}/accounts/{id}/approve"),
                fac,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
}

/// A weekly Tuesday evening meeting in Leipzig with its whole private place.
fn meeting(extra: Value) -> Value {
    let mut m = json!({
        "title": "Peer café; tea, talk",
        "description": "No pressure, just company.",
        "start_time": meeting_at(0, "18:30"),
        "end_time": meeting_at(0, "20:00"),
        "time_zone": "Europe/Berlin",
        "recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        "locality": "Leipzig",
        "region": "Saxony",
        "country": "Germany",
        "venue_name": VENUE,
        "street_address": STREET,
        "postal_code": POSTAL,
        "access_notes": NOTES,
        "accessibility": ["step_free", "quiet_room"],
        "online_link": LINK,
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    m
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, e) = app.post_json("/api/v1/pleroma/events", token, body).await;
    assert_eq!(status, 200, "{e}");
    e
}

async fn show(app: &TestApp, id: &str, token: Option<&str>) -> (u16, Value) {
    app.get_json(&format!("/api/v1/pleroma/events/{id}"), token)
        .await
}

/// GETs a calendar: its status, and its unfolded text once checked (content type, a valid
/// calendar as the `icalendar` parser reads it).
async fn ics(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    // Unfolded, so a search for a string is not fooled by a line fold.
    let text = unfold(&resp.text().await.unwrap());
    if status == 200 {
        assert_eq!(kind.as_deref(), Some("text/calendar; charset=utf-8"));
        let cal = read_calendar(&text).expect("a valid calendar");
        assert!(cal.properties.iter().any(|p| p.name.as_str() == "VERSION"));
    }
    (status, text)
}

/// The VEVENTs of a calendar: each as (name, unescaped value) pairs.
fn events(text: &str) -> Vec<Vec<(String, String)>> {
    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).expect("a valid calendar");
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|c| {
            c.properties
                .iter()
                .map(|p| {
                    (
                        p.name.as_str().to_owned(),
                        p.val.clone().unescape_text().as_str().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

fn prop<'a>(event: &'a [(String, String)], name: &str) -> Option<&'a str> {
    event
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn facilitators_run_meetings_and_members_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (noor, noor_id) = app.member("noor").await;
    let (olly, _) = app.member("olly").await;
    let gid = group(&app, &fac, "leipzigpeers", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;
    join_group(&app, &fac, &gid, &noor, &noor_id).await;

    // A member doing a facilitator's work is refused, and nothing is created.
    let (status, e) = app
        .post_json(
            "/api/v1/pleroma/events",
            &mia,
            meeting(json!({"group_id": gid})),
        )
        .await;
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].is_string());
    let (status, _) = app
        .post_json("/api/v1/pleroma/events", &mia, meeting(json!({})))
        .await;
    assert_eq!(status, 403, "members do not create the instance's meetings");

    let e = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "join_mode": "approval", "capacity": 1})),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(e["group_id"], gid.as_str());
    assert_eq!(e["facilitator"], true);
    assert_eq!(e["full_location"]["street_address"], STREET);
    assert_eq!(e["location"]["locality"], "Leipzig");
    assert_eq!(e["location"]["online"], true);
    assert_eq!(e["recurrence"], "FREQ=WEEKLY;BYDAY=TU;COUNT=10");
    assert_eq!(e["time_zone"], "Europe/Berlin");
    assert_eq!(e["start_time"], format!("{}T17:30:00.000Z", meeting_day(0)));

    // Listed by group, and in the directory; the instance's own listing is apart.
    let inst = create(&app, &fac, meeting(json!({"title": "Open evening"}))).await;
    let (status, list) = app
        .get_json(
            &format!("/api/v1/pleroma/events?group_id={gid}"),
            Some(&mia),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(ids(&list), vec![id.clone()]);
    let (_, list) = app
        .get_json("/api/v1/pleroma/events?scope=instance", None)
        .await;
    assert_eq!(ids(&list), vec![inst["id"].as_str().unwrap().to_owned()]);
    let (_, list) = app.get_json("/api/v1/pleroma/events", None).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    // Paged by start time: the Link header names the next page.
    let resp = app
        .client
        .get(app.url("/api/v1/pleroma/events?limit=1"))
        .send()
        .await
        .unwrap();
    let link = resp.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains(&format!("after={}", ids(&list)[0])) && link.contains("limit=1"),
        "{link}"
    );
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_owned();
    let (_, page) = app.get_json(&next, None).await;
    assert_eq!(ids(&page), vec![ids(&list)[1].clone()]);

    // Going to an approval meeting is a request, with a name for the meeting.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &mia,
            json!({"name_for_meeting": "M."}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["participation"]["state"], "requested");
    assert!(e["full_location"].is_null(), "{e}");
    // Only facilitators see who asks.
    let path = format!("/api/v1/pleroma/events/{id}/participation_requests");
    let (status, _) = app.get_json(&path, Some(&mia)).await;
    assert_eq!(status, 403);
    let (status, reqs) = app.get_json(&path, Some(&fac)).await;
    assert_eq!(status, 200, "{reqs}");
    assert_eq!(reqs[0]["account"]["id"], mia_id.as_str());
    assert_eq!(reqs[0]["name_for_meeting"], "M.");
    // A member cannot approve; the facilitator can, and the address is disclosed.
    let approve = format!("/api/v1/pleroma/events/{id}/participation_requests/{mia_id}/authorize");
    let (status, _) = app.post_json(&approve, &mia, json!({})).await;
    assert_eq!(status, 403);
    let (status, e) = app.post_json(&approve, &fac, json!({})).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["participants_count"], 1);
    let (_, e) = show(&app, &id, Some(&mia)).await;
    assert_eq!(e["participation"]["state"], "accepted");
    assert_eq!(e["full_location"]["street_address"], STREET);
    assert_eq!(e["full_location"]["online_link"], LINK);
    let (_, joined) = app
        .get_json("/api/v1/pleroma/events/joined_events", Some(&mia))
        .await;
    assert_eq!(ids(&joined), vec![id.clone()]);

    // Noor asks too: approved into a full meeting, Noor waits.
    app.post_ok(
        &format!("/api/v1/pleroma/events/{id}/join"),
        &noor,
        json!({}),
    )
    .await;
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/participation_requests/{noor_id}/authorize"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["waitlist_count"], 1);
    let (_, e) = show(&app, &id, Some(&noor)).await;
    assert_eq!(e["participation"]["state"], "waitlisted");
    assert!(e["full_location"].is_null());
    // Mia leaves: Noor gets the place.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/leave"),
            &mia,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, e) = show(&app, &id, Some(&noor)).await;
    assert_eq!(e["participation"]["state"], "accepted");
    assert_eq!(e["full_location"]["postal_code"], POSTAL);
    let (_, parts) = app
        .get_json(
            &format!("/api/v1/pleroma/events/{id}/participations"),
            Some(&fac),
        )
        .await;
    assert_eq!(parts.as_array().unwrap().len(), 1);
    assert_eq!(parts[0]["account"]["id"], noor_id.as_str());

    // Facilitators update; a member may not.
    let (status, _) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&mia),
            json!({"title": "Mine now"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, e) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&fac),
            json!({"title": "Peer café (new room)", "capacity": 5}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["title"], "Peer café (new room)");
    assert_eq!(e["capacity"], 5);
    // Untouched fields keep their values, the private place included.
    assert_eq!(e["recurrence"], "FREQ=WEEKLY;BYDAY=TU;COUNT=10");
    assert_eq!(e["full_location"]["access_notes"], NOTES);

    // One occurrence cancelled: the series goes on, the calendar has an EXDATE.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/cancel"),
            &fac,
            json!({"occurrence": meeting_at(7, "18:30")}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["status"], "confirmed");
    assert_eq!(
        e["cancelled_occurrences"],
        json!([meeting_at(7, "18:30:00")])
    );
    let (status, text) = ics(&app, &format!("/api/v1/pleroma/events/{id}/ics"), None).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(&format!(
            "EXDATE;TZID=Europe/Berlin:{}T183000",
            meeting_day(7).format("%Y%m%d")
        )),
        "{text}"
    );
    assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10"));
    assert!(text.contains(&format!(
        "DTSTART;TZID=Europe/Berlin:{}T183000",
        meeting_day(0).format("%Y%m%d")
    )));
    assert!(text.contains("BEGIN:VTIMEZONE"));
    let ev = events(&text);
    assert_eq!(prop(&ev[0], "SUMMARY"), Some("Peer café (new room)"));
    assert_eq!(prop(&ev[0], "LOCATION"), Some("Leipzig, Saxony, Germany"));

    // The whole meeting cancelled: answering is refused, leaving is not.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/cancel"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["status"], "cancelled");
    let (status, err) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &olly,
            json!({}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error_code"], "meeting_cancelled");
    // Someone banned from the group reads its public listings, but does not come.
    let other = create(&app, &fac, meeting(json!({"group_id": gid}))).await;
    let other = other["id"].as_str().unwrap().to_owned();
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&olly))
        .await;
    let olly_id = me["id"].as_str().unwrap();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/groups/{gid}/accounts/{olly_id}/ban"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, err) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{other}/join"),
            &olly,
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "{err}");
    assert!(
        err["error"].as_str().unwrap().contains("no longer"),
        "{err}"
    );
    let (status, e) = show(&app, &other, Some(&olly)).await;
    assert_eq!(status, 200);
    assert!(e["participation"].is_null());
    let (_, text) = ics(&app, &format!("/api/v1/pleroma/events/{id}/ics"), None).await;
    assert_eq!(prop(&events(&text)[0], "STATUS"), Some("CANCELLED"));
    let (status, _) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/leave"),
            &noor,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, _) = app.member("mia").await;
    let refusals = [
        (
            json!({"end_time": meeting_at(0, "18:00")}),
            "invalid_meeting_time",
        ),
        (json!({"time_zone": "Mars/Olympus"}), "unknown_time_zone"),
        (
            json!({"recurrence": "FREQ=DAILY"}),
            "unsupported_recurrence",
        ),
        (
            json!({"recurrence": "FREQ=WEEKLY;BYDAY=WE"}),
            "unsupported_recurrence",
        ),
        (json!({"capacity": 0}), "invalid_meeting"),
        (json!({"join_mode": "open"}), "invalid_meeting"),
        (
            json!({"online_link": "javascript:alert(1)"}),
            "invalid_place",
        ),
    ];
    for (body, code) in refusals {
        let (status, e) = app
            .post_json("/api/v1/pleroma/events", &fac, meeting(body.clone()))
            .await;
        assert_eq!(status, 422, "{body} → {e}");
        assert_eq!(e["error_code"], code, "{body} → {e}");
        assert!(e["error"].as_str().unwrap().len() > 10);
    }
    let (_, list) = app.get_json("/api/v1/pleroma/events", None).await;
    assert_eq!(list, json!([]), "nothing was created");

    // Capacity below the accepted count: refused, the meeting unchanged.
    let e = create(&app, &fac, meeting(json!({"capacity": 3}))).await;
    let id = e["id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &mia,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, before) = show(&app, &id, Some(&fac)).await;
    for body in [
        json!({"capacity": 0}),
        json!({"end_time": meeting_at(0, "17:00")}),
        json!({"time_zone": "Nowhere/Else"}),
    ] {
        let (status, e) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/pleroma/events/{id}"),
                Some(&fac),
                body,
            )
            .await;
        assert_eq!(status, 422, "{e}");
    }
    // (capacity 0 is refused by range; below the accepted count needs two people)
    let (noor, _) = app.member("noor").await;
    app.post_ok(
        &format!("/api/v1/pleroma/events/{id}/join"),
        &noor,
        json!({}),
    )
    .await;
    let (status, e) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&fac),
            json!({"capacity": 1, "title": "Smaller"}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error_code"], "capacity_below_accepted");
    let (_, after) = show(&app, &id, Some(&fac)).await;
    assert_eq!(after["title"], before["title"]);
    assert_eq!(after["capacity"], 3);
    assert_eq!(after["participants_count"], 2);

    // Cancelling an occurrence that is not one.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/cancel"),
            &fac,
            json!({"occurrence": meeting_at(8, "18:30")}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let (_, after) = show(&app, &id, Some(&fac)).await;
    assert_eq!(after["cancelled_occurrences"], json!([]));

    // Answering a meeting that is over.
    let past = create(
        &app,
        &fac,
        meeting(
            json!({"start_time": "2025-01-07T18:30", "end_time": "2025-01-07T20:00",
                        "recurrence": ""}),
        ),
    )
    .await;
    let pid = past["id"].as_str().unwrap();
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{pid}/join"),
            &mia,
            json!({}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error_code"], "meeting_over");
    let (_, p) = show(&app, pid, Some(&mia)).await;
    assert!(p["participation"].is_null());
    // A bad answer word.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &mia,
            json!({"rsvp": "maybe"}),
        )
        .await;
    assert_eq!(status, 422, "{e}");

    // An invitation-only meeting: going needs an invitation from a facilitator.
    let inv = create(&app, &fac, meeting(json!({"join_mode": "invite"}))).await;
    let inv = inv["id"].as_str().unwrap().to_owned();
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{inv}/join"),
            &mia,
            json!({}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error_code"], "invitation_required");
    assert!(show(&app, &inv, Some(&mia)).await.1["participation"].is_null());
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&mia))
        .await;
    let mia_id = me["id"].as_str().unwrap();
    let invite = format!("/api/v1/pleroma/events/{inv}/participation_requests/{mia_id}/invite");
    assert_eq!(app.post_json(&invite, &mia, json!({})).await.0, 403);
    let (status, e) = app.post_json(&invite, &fac, json!({})).await;
    assert_eq!(status, 200, "{e}");
    let (_, e) = show(&app, &inv, Some(&mia)).await;
    assert_eq!(e["participation"]["state"], "invited");
    assert!(e["full_location"].is_null(), "invited is not accepted");
    let (_, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{inv}/join"),
            &mia,
            json!({}),
        )
        .await;
    assert_eq!(e["participation"]["state"], "accepted");
    assert_eq!(e["full_location"]["street_address"], STREET);

    // Unknown meetings, and a malformed id.
    for path in [
        "/api/v1/pleroma/events/123456789",
        "/api/v1/pleroma/events/123456789/ics",
    ] {
        let (status, e) = app.get_json(path, Some(&mia)).await;
        assert_eq!(status, 404, "{path}: {e}");
    }
    let (status, e) = app
        .post_json("/api/v1/pleroma/events/123456789/join", &mia, json!({}))
        .await;
    assert_eq!(status, 404, "{e}");
    assert!(e["error"].is_string());
    // Approving someone who never asked.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/participation_requests/987654321/reject"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
}

async fn the_address_reaches_only_accepted_attendees(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (ivy, ivy_id) = app.member("ivy").await;
    let (olly, _) = app.member("olly").await;
    let gid = group(&app, &fac, "cafepeers", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;
    join_group(&app, &fac, &gid, &ivy, &ivy_id).await;
    let e = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "join_mode": "approval"})),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    // Mia is accepted (with a name only facilitators see); Ivy is only interested.
    app.post_ok(
        &format!("/api/v1/pleroma/events/{id}/join"),
        &mia,
        json!({"name_for_meeting": "Mia-in-the-room"}),
    )
    .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/participation_requests/{mia_id}/authorize"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &ivy,
            json!({"rsvp": "interested"}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["participation"]["state"], "interested");

    // The accepted attendee and the facilitator see the place...
    for token in [&mia, &fac] {
        let (_, e) = show(&app, &id, Some(token)).await;
        assert_eq!(e["full_location"]["street_address"], STREET);
        let (_, text) = ics(
            &app,
            &format!("/api/v1/pleroma/events/{id}/ics"),
            Some(token),
        )
        .await;
        let ev = events(&text);
        assert!(prop(&ev[0], "LOCATION").unwrap().contains(STREET), "{text}");
        assert!(prop(&ev[0], "DESCRIPTION").unwrap().contains(NOTES));
        assert_eq!(prop(&ev[0], "CONFERENCE"), Some(LINK));
    }

    // ...nobody else does, by any path: the interested member, a member with a
    // pending request, an outsider, anyone without a token.
    let (noor, noor_id) = app.member("noor").await;
    join_group(&app, &fac, &gid, &noor, &noor_id).await;
    app.post_ok(
        &format!("/api/v1/pleroma/events/{id}/join"),
        &noor,
        json!({}),
    )
    .await;
    for token in [
        Some(ivy.as_str()),
        Some(noor.as_str()),
        Some(olly.as_str()),
        None,
    ] {
        let (status, e) = show(&app, &id, token).await;
        assert_eq!(status, 200, "{e}");
        assert!(e["full_location"].is_null(), "{e}");
        assert_eq!(e["location"]["locality"], "Leipzig");
        assert_eq!(e["location"]["online"], true);
        // The group does not show counts: outsiders and attendees see none.
        assert!(e["participants_count"].is_null(), "{e}");
        assert!(e["waitlist_count"].is_null(), "{e}");
        assert!(e["participation_request_count"].is_null(), "{e}");
        assert_no_secret("an event", &e.to_string());
        // No names of who comes.
        assert!(!e.to_string().contains("Mia-in-the-room"));
        assert!(!e.to_string().contains(&mia_id));
        for path in [
            format!("/api/v1/pleroma/events?group_id={gid}"),
            "/api/v1/pleroma/events".to_owned(),
            "/api/v1/pleroma/events?scope=instance".to_owned(),
        ] {
            let (status, list) = app.get_json(&path, token).await;
            assert_eq!(status, 200, "{path}: {list}");
            assert_no_secret(&path, &list.to_string());
            assert!(!list.to_string().contains("Mia-in-the-room"));
        }
        let (status, text) = ics(&app, &format!("/api/v1/pleroma/events/{id}/ics"), token).await;
        assert_eq!(status, 200);
        assert_no_secret("the meeting's calendar", &text);
        assert_eq!(
            prop(&events(&text)[0], "LOCATION"),
            Some("Leipzig, Saxony, Germany")
        );
        if let Some(t) = token {
            let (_, joined) = app
                .get_json("/api/v1/pleroma/events/joined_events", Some(t))
                .await;
            assert_no_secret("joined events", &joined.to_string());
            for path in ["participations", "participation_requests"] {
                let (status, _) = app
                    .get_json(&format!("/api/v1/pleroma/events/{id}/{path}"), Some(t))
                    .await;
                assert_eq!(status, 403, "{path} is for facilitators");
            }
        }
    }
    // Public feeds carry public places only, whoever asks.
    for path in [
        "/api/v1/pleroma/calendars/instance".to_owned(),
        format!("/api/v1/pleroma/calendars/groups/{gid}"),
    ] {
        let (status, text) = ics(&app, &path, None).await;
        assert_eq!(status, 200, "{path}: {text}");
        assert_no_secret(&path, &text);
        let ev = events(&text);
        assert_eq!(ev.len(), 1, "{text}");
        assert_eq!(prop(&ev[0], "LOCATION"), Some("Leipzig, Saxony, Germany"));
    }
    // The facilitator sees names; the JSON of the list is where they are.
    let (_, parts) = app
        .get_json(
            &format!("/api/v1/pleroma/events/{id}/participations?state=all"),
            Some(&fac),
        )
        .await;
    assert!(parts.to_string().contains("Mia-in-the-room"), "{parts}");
    // And no log line, at any level, carries the private place.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.contains("meeting created"), "logs are captured");
    assert_no_secret("the logs", &text);
    assert!(!text.contains("Mia-in-the-room"), "names stay out of logs");
}

async fn members_only_meetings_exist_only_for_members(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (olly, _) = app.member("olly").await;
    let open = group(&app, &fac, "opengroup", "public").await;
    let hidden = group(&app, &fac, "hiddengroup", "private").await;
    join_group(&app, &fac, &open, &mia, &mia_id).await;
    // Invited into the private group, Mia accepts.
    app.post_ok(
        &format!("/api/v1/groups/{hidden}/accounts/{mia_id}/invite"),
        &fac,
        json!({}),
    )
    .await;
    join_group(&app, &fac, &hidden, &mia, &mia_id).await;

    let members_only = create(
        &app,
        &fac,
        meeting(json!({"group_id": open, "audience": "members", "title": "Members evening"})),
    )
    .await;
    // A private group's meeting is members-only whatever was asked.
    let private = create(
        &app,
        &fac,
        meeting(json!({"group_id": hidden, "audience": "public", "title": "Hidden evening"})),
    )
    .await;
    assert_eq!(private["audience"], "members");
    let instance_members = create(
        &app,
        &fac,
        meeting(json!({"audience": "members", "title": "Users evening"})),
    )
    .await;

    for e in [&members_only, &private] {
        let id = e["id"].as_str().unwrap();
        let (status, _) = show(&app, id, Some(&mia)).await;
        assert_eq!(status, 200, "members see it");
        for token in [Some(olly.as_str()), None] {
            let (status, e) = show(&app, id, token).await;
            assert_eq!(status, 404, "{e}");
            let (status, _) = ics(&app, &format!("/api/v1/pleroma/events/{id}/ics"), token).await;
            assert_eq!(status, 404);
        }
        let (status, _) = app
            .post_json(
                &format!("/api/v1/pleroma/events/{id}/join"),
                &olly,
                json!({}),
            )
            .await;
        assert_eq!(status, 404);
    }
    // The instance's members-only meeting: its users yes, the anonymous no.
    let iid = instance_members["id"].as_str().unwrap();
    assert_eq!(show(&app, iid, Some(&olly)).await.0, 200);
    assert_eq!(show(&app, iid, None).await.0, 404);

    // Listings and feeds leave them out.
    let (_, list) = app
        .get_json(
            &format!("/api/v1/pleroma/events?group_id={open}"),
            Some(&olly),
        )
        .await;
    assert_eq!(list, json!([]));
    let (_, list) = app
        .get_json(
            &format!("/api/v1/pleroma/events?group_id={open}"),
            Some(&mia),
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/pleroma/events?group_id={hidden}"),
            Some(&olly),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get_json("/api/v1/pleroma/events", Some(&mia)).await;
    assert_eq!(list, json!([]), "the directory is public listings only");
    let (_, list) = app
        .get_json("/api/v1/pleroma/events?scope=instance", None)
        .await;
    assert_eq!(list, json!([]));
    let (status, text) = ics(&app, "/api/v1/pleroma/calendars/instance", None).await;
    assert_eq!(status, 200);
    assert!(events(&text).is_empty(), "{text}");
    let (status, text) = ics(
        &app,
        &format!("/api/v1/pleroma/calendars/groups/{open}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(events(&text).is_empty(), "{text}");
    let (status, _) = ics(
        &app,
        &format!("/api/v1/pleroma/calendars/groups/{hidden}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

async fn personal_feed_follows_its_secret_address(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let accepted = create(&app, &fac, meeting(json!({"title": "Accepted evening"}))).await;
    let asked = create(
        &app,
        &fac,
        meeting(json!({"title": "Asked evening", "join_mode": "approval",
                        "start_time": meeting_at(1, "18:30"), "end_time": meeting_at(1, "20:00"),
                        "recurrence": ""})),
    )
    .await;
    for e in [&accepted, &asked] {
        let (status, v) = app
            .post_json(
                &format!("/api/v1/pleroma/events/{}/join", e["id"].as_str().unwrap()),
                &mia,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }

    let (status, v) = app
        .post_json("/api/v1/pleroma/calendars/personal", &mia, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    let url = v["url"].as_str().unwrap().to_owned();
    let path = url.strip_prefix(&app.base).unwrap().to_owned();
    let (status, text) = ics(&app, &path, None).await;
    assert_eq!(status, 200, "{text}");
    let ev = events(&text);
    assert_eq!(ev.len(), 2, "{text}");
    let by_title = |t: &str| {
        ev.iter()
            .find(|e| prop(e, "SUMMARY") == Some(t))
            .unwrap_or_else(|| panic!("{t} in {text}"))
    };
    let full = by_title("Accepted evening");
    assert!(prop(full, "LOCATION").unwrap().contains(STREET));
    assert!(prop(full, "LOCATION").unwrap().contains(POSTAL));
    assert_eq!(prop(full, "CONFERENCE"), Some(LINK));
    // Only asked: the town, not the door.
    let public = by_title("Asked evening");
    assert_eq!(prop(public, "LOCATION"), Some("Leipzig, Saxony, Germany"));
    assert!(prop(public, "CONFERENCE").is_none());
    let asked_text: String = public.iter().map(|(_, v)| v.as_str()).collect();
    assert_no_secret("an entry not accepted", &asked_text);
    // Accepted later: the feed follows.
    let aid = asked["id"].as_str().unwrap();
    app.post_ok(
        &format!("/api/v1/pleroma/events/{aid}/participation_requests/{mia_id}/authorize"),
        &fac,
        json!({}),
    )
    .await;
    let (_, text) = ics(&app, &path, None).await;
    let ev = events(&text);
    assert!(
        ev.iter()
            .all(|e| prop(e, "LOCATION").is_some_and(|l| l.contains(STREET))),
        "{text}"
    );

    // A new address replaces the old one.
    let (_, v) = app
        .post_json("/api/v1/pleroma/calendars/personal", &mia, json!({}))
        .await;
    let new_path = v["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_owned();
    assert_ne!(new_path, path);
    // The secret never reaches a log line (the request log names the route pattern).
    let secret = path.rsplit('/').next().unwrap().to_owned();
    assert!(secret.len() >= 20, "{secret}");
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(!text.contains(&secret), "the feed's secret is in the logs");
    assert_eq!(ics(&app, &path, None).await.0, 404);
    assert_eq!(ics(&app, &new_path, None).await.0, 200);
    // Revoked: it stops working; a made-up one never worked.
    let (status, _) = app
        .send_json(
            Method::DELETE,
            "/api/v1/pleroma/calendars/personal",
            Some(&mia),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ics(&app, &new_path, None).await.0, 404);
    assert_eq!(
        ics(&app, "/api/v1/pleroma/calendars/personal/not-a-token", None)
            .await
            .0,
        404
    );
    // Managing the address needs a login.
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/pleroma/calendars/personal",
            None,
            json!({}),
        )
        .await;
    assert_eq!(status, 401);
}

/// The status in a timeline (JSON array) whose content contains `text`.
fn find_status<'a>(v: &'a Value, text: &str) -> Option<&'a Value> {
    v.as_array()?
        .iter()
        .find(|s| s["content"].as_str().unwrap_or_default().contains(text))
}

/// A group's meeting shows in Mastodon apps as a status from the group with a
/// preview card: in members' home and the group's timeline; a public one in the
/// local timeline too, a members-only one nowhere else. It follows the meeting's
/// edits and cancellation, and never carries the private place.
async fn meetings_show_in_timelines_as_the_groups_statuses(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "frieda").await;
    let (mia, mia_id) = app.member("mia").await;
    let (olly, _) = app.member("olly").await;
    let gid = group(&app, &fac, "teacafe", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;

    let public = create(&app, &fac, meeting(json!({"group_id": gid}))).await;
    let pid = public["id"].as_str().unwrap().to_owned();
    let private = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "audience": "members", "title": "Members-only supper"})),
    )
    .await;
    let _ = private;

    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&mia))
        .await;
    let s = find_status(&home, "Peer café").expect("the meeting in a member's home");
    assert_eq!(s["account"]["id"], gid.as_str(), "posted by the group: {s}");
    assert_eq!(s["visibility"], "public");
    assert_eq!(s["local_only"], true, "other servers get the Event instead");
    let content = s["content"].as_str().unwrap();
    assert!(
        content.contains(&format!(
            "{}, 18:30 (Europe/Berlin)",
            meeting_day(0).format("Tue %-d Mar %Y")
        )),
        "{content}"
    );
    assert!(content.contains("Leipzig, Saxony, Germany"), "{content}");
    assert_eq!(s["card"]["title"], "Peer café; tea, talk");
    assert!(s["card"]["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/meetings/{pid}")));
    assert!(find_status(&home, "Members-only supper").is_some());
    let status_id = s["id"].as_str().unwrap().to_owned();

    // An outsider sees the public meeting in the group's timeline and the local
    // timeline, the members-only one nowhere.
    for path in [
        format!("/api/v1/accounts/{gid}/statuses"),
        "/api/v1/timelines/public?local=true".to_owned(),
    ] {
        let (status, v) = app.get_json(&path, Some(&olly)).await;
        assert_eq!(status, 200, "{v}");
        assert!(find_status(&v, "Peer café").is_some(), "{path}: {v}");
        assert!(
            find_status(&v, "Members-only supper").is_none(),
            "{path}: {v}"
        );
        assert_no_secret(&path, &v.to_string());
    }
    let (_, home) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&olly))
        .await;
    assert!(find_status(&home, "Peer café").is_none());

    // The status follows the meeting: a new title, then the cancellation.
    let (status, v) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/pleroma/events/{pid}"),
            Some(&fac),
            json!({"title": "Peer café moved"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{status_id}"), Some(&mia))
        .await;
    assert!(
        s["content"].as_str().unwrap().contains("Peer café moved"),
        "{s}"
    );
    assert!(s["edited_at"].is_string(), "{s}");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{pid}/cancel"),
            &fac,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, s) = app
        .get_json(&format!("/api/v1/statuses/{status_id}"), Some(&mia))
        .await;
    assert!(
        s["content"]
            .as_str()
            .unwrap()
            .contains("Cancelled: Peer café moved"),
        "{s}"
    );
    assert_no_secret("the meeting's status", &s.to_string());
}

/// An anonymous attendee from another instance, stored as the inbox stores one.
fn anonymous_answer(app: &TestApp, meeting: &str, token: &str, participation_id: i64) -> String {
    use kindred_db::models::meetings::{self as store, Participant};
    use kindred_domain::meetings::Rsvp;
    let (meeting, token) = (meeting.parse::<i64>().unwrap(), token.to_owned());
    app.state
        .db
        .run_blocking(move |c| {
            let who = Participant::Anonymous {
                token,
                domain: "partner.example".into(),
            };
            let applied = store::answer(
                c,
                meeting,
                &who,
                Rsvp::Going,
                None,
                chrono::Utc::now(),
                participation_id,
            )
            .map_err(|e| match e {
                store::MeetingStoreError::Db(e) => e,
                store::MeetingStoreError::Refused(_) => kindred_db::DbError::NotFound,
            })?;
            Ok(applied.participation.unwrap().state.as_str().to_owned())
        })
        .unwrap()
}

/// The served `Event` of a meeting (content negotiation at `/meetings/:id`).
async fn served_event(app: &TestApp, id: &str) -> Value {
    let resp = app
        .client
        .get(app.url(&format!("/meetings/{id}")))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// Outsiders see how many are coming only when the group allows it
/// (`show_participant_count`); facilitators always do. The same holds for the
/// served `Event`'s `participantCount`. The instance's own meetings show no count to
/// outsiders. Anonymous remote attendees are counted.
async fn attendee_counts_follow_the_group_setting(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let (noor, _) = app.member("noor").await;
    let (olly, _) = app.member("olly").await;
    let gid = group(&app, &fac, "countcafe", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;
    let (_, g) = app
        .get_json(&format!("/api/v1/groups/{gid}"), Some(&fac))
        .await;
    assert_eq!(g["show_participant_count"], false, "{g}");
    let e = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "capacity": 2, "recurrence": ""})),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &format!("/api/v1/pleroma/events/{id}/join"),
        &mia,
        json!({}),
    )
    .await;
    assert_eq!(
        anonymous_answer(&app, &id, "anonTokenCounted0001", 7_000_001),
        "accepted"
    );
    let (_, e) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/join"),
            &noor,
            json!({}),
        )
        .await;
    assert_eq!(e["participation"]["state"], "waitlisted", "{e}");

    // Not allowed: no count for anyone but the facilitators.
    let (_, e) = show(&app, &id, Some(&fac)).await;
    assert_eq!(e["participants_count"], 2, "{e}");
    assert_eq!(e["waitlist_count"], 1, "{e}");
    assert_eq!(e["participation_request_count"], 0, "{e}");
    for token in [Some(mia.as_str()), Some(olly.as_str()), None] {
        let (status, e) = show(&app, &id, token).await;
        assert_eq!(status, 200, "{e}");
        for field in [
            "participants_count",
            "waitlist_count",
            "interested_count",
            "participation_request_count",
        ] {
            assert!(e[field].is_null(), "{field} shown: {e}");
        }
        let (_, list) = app
            .get_json(&format!("/api/v1/pleroma/events?group_id={gid}"), token)
            .await;
        assert!(list[0]["participants_count"].is_null(), "{list}");
    }
    let served = served_event(&app, &id).await;
    assert!(served.get("participantCount").is_none(), "{served}");
    assert_no_secret("the served Event", &served.to_string());

    // The group allows it: everyone who sees the meeting sees the counts, the
    // served Event carries Mobilizon's participantCount (anonymous included).
    let (status, g) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/groups/{gid}"),
            Some(&fac),
            json!({"show_participant_count": true}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["show_participant_count"], true, "{g}");
    let (status, _) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/groups/{gid}"),
            Some(&mia),
            json!({"show_participant_count": false}),
        )
        .await;
    assert_eq!(status, 403);
    for token in [Some(mia.as_str()), Some(olly.as_str()), None] {
        let (_, e) = show(&app, &id, token).await;
        assert_eq!(e["participants_count"], 2, "{e}");
        assert_eq!(e["waitlist_count"], 1, "{e}");
        // Requests waiting stay the facilitators' business.
        assert!(e["participation_request_count"].is_null(), "{e}");
        assert!(e["full_location"].is_null() || token == Some(mia.as_str()));
        let (_, list) = app
            .get_json(&format!("/api/v1/pleroma/events?group_id={gid}"), token)
            .await;
        assert_eq!(list[0]["participants_count"], 2, "{list}");
    }
    let served = served_event(&app, &id).await;
    assert_eq!(served["participantCount"], 2, "{served}");
    assert_no_secret("the served Event", &served.to_string());
    assert!(!served.to_string().contains("anonTokenCounted0001"));
    assert!(!served.to_string().contains(&mia_id));

    // The instance's own meeting: no count for outsiders, always for facilitators.
    let e = create(&app, &fac, meeting(json!({"recurrence": ""}))).await;
    let own = e["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &format!("/api/v1/pleroma/events/{own}/join"),
        &mia,
        json!({}),
    )
    .await;
    let (_, e) = show(&app, &own, Some(&fac)).await;
    assert_eq!(e["participants_count"], 1, "{e}");
    for token in [Some(olly.as_str()), None] {
        let (_, e) = show(&app, &own, token).await;
        assert!(e["participants_count"].is_null(), "{e}");
    }
    let served = served_event(&app, &own).await;
    assert!(served.get("participantCount").is_none(), "{served}");
}

/// Facilitators see anonymous attendees from other instances by a stable opaque
/// id and the instance they come through — never their token — and approve or
/// decline them by it; bad ids change nothing.
async fn facilitators_decide_on_anonymous_attendees(backend: Backend) {
    let logs = logs();
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let gid = group(&app, &fac, "anoncafe", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;
    let e = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "join_mode": "approval", "recurrence": ""})),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    const TOKENS: [&str; 2] = ["anonSecretTokenAAAA1", "anonSecretTokenBBBB2"];
    assert_eq!(
        anonymous_answer(&app, &id, TOKENS[0], 7_100_001),
        "requested"
    );
    assert_eq!(
        anonymous_answer(&app, &id, TOKENS[1], 7_100_002),
        "requested"
    );

    // Only facilitators list them; each by its opaque id and instance.
    let path = format!("/api/v1/pleroma/events/{id}/participation_requests");
    let (status, _) = app.get_json(&path, Some(&mia)).await;
    assert_eq!(status, 403);
    let (status, reqs) = app.get_json(&path, Some(&fac)).await;
    assert_eq!(status, 200, "{reqs}");
    assert_eq!(reqs.as_array().unwrap().len(), 2, "{reqs}");
    for r in reqs.as_array().unwrap() {
        assert!(r["account"].is_null(), "{r}");
        assert_eq!(r["anonymous_domain"], "partner.example");
        assert!(r["anonymous_id"]
            .as_str()
            .is_some_and(|s| s.starts_with("anonymous-")));
    }
    let first = reqs[0]["anonymous_id"].as_str().unwrap().to_owned();
    let second = reqs[1]["anonymous_id"].as_str().unwrap().to_owned();
    assert_ne!(first, second);

    // Bad ids: 404 (or 422 for inviting someone anonymous), nothing changes.
    let decide = |who: &str, action: &str| {
        format!("/api/v1/pleroma/events/{id}/participation_requests/{who}/{action}")
    };
    for who in ["anonymous-1", "anonymous-x", "anonymous-", mia_id.as_str()] {
        let (status, v) = app
            .post_json(&decide(who, "authorize"), &fac, json!({}))
            .await;
        assert_eq!(status, 404, "{who}: {v}");
    }
    let (status, v) = app
        .post_json(&decide(&first, "invite"), &fac, json!({}))
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = app
        .post_json(&decide(&first, "authorize"), &mia, json!({}))
        .await;
    assert_eq!(status, 403);
    let (_, still) = app.get_json(&path, Some(&fac)).await;
    assert_eq!(still, reqs);

    // Approve the first, decline the second.
    let (status, e) = app
        .post_json(&decide(&first, "authorize"), &fac, json!({}))
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["participants_count"], 1, "{e}");
    let (status, e) = app
        .post_json(&decide(&second, "reject"), &fac, json!({}))
        .await;
    assert_eq!(status, 200, "{e}");
    let (_, all) = app
        .get_json(
            &format!("/api/v1/pleroma/events/{id}/participations?state=all"),
            Some(&fac),
        )
        .await;
    let state_of = |who: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|p| p["anonymous_id"] == who)
            .map(|p| p["state"].clone())
    };
    assert_eq!(state_of(&first), Some(json!("accepted")), "{all}");
    assert_eq!(state_of(&second), Some(json!("rejected")), "{all}");
    // The opaque id is stable across the change of state.
    let (_, accepted) = app
        .get_json(
            &format!("/api/v1/pleroma/events/{id}/participations"),
            Some(&fac),
        )
        .await;
    assert_eq!(accepted[0]["anonymous_id"], first.as_str());

    // The tokens appear in no answer and no log line.
    let text = logs.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&text);
    for t in TOKENS {
        for body in [reqs.to_string(), all.to_string(), accepted.to_string()] {
            assert!(!body.contains(t), "token in an answer");
        }
        assert!(!text.contains(t), "token in a log line");
    }
}

/// `max_per_remote_domain` (issue 21, item 2) through the events and groups APIs:
/// checked (a negative or huge value is refused with nothing changed), kept across
/// updates that do not send it, cleared by an empty value, and shown to the
/// meeting's facilitators only. How it is enforced: federation-tests/rsvps.rs.
async fn the_cap_per_remote_server_is_set_and_shown_to_facilitators(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fac, _) = facilitator(&app, "fran").await;
    let (mia, mia_id) = app.member("mia").await;
    let gid = group(&app, &fac, "capcafe", "public").await;
    join_group(&app, &fac, &gid, &mia, &mia_id).await;
    for bad in [json!(-1), json!(10_001), json!("many")] {
        let (status, v) = app
            .post_json(
                "/api/v1/pleroma/events",
                &fac,
                meeting(json!({"group_id": gid, "max_per_remote_domain": bad})),
            )
            .await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["error_code"], "invalid_meeting", "{v}");
    }
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/pleroma/events?group_id={gid}"),
            Some(&fac),
        )
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
    let e = create(
        &app,
        &fac,
        meeting(json!({"group_id": gid, "max_per_remote_domain": 3})),
    )
    .await;
    assert_eq!(e["max_per_remote_domain"], 3, "{e}");
    let id = e["id"].as_str().unwrap().to_owned();
    let (_, seen) = show(&app, &id, Some(&mia)).await;
    assert!(seen["max_per_remote_domain"].is_null(), "{seen}");
    let (status, e) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&fac),
            json!({"title": "Renamed"}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["max_per_remote_domain"], 3, "{e}");
    let (status, e) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&fac),
            json!({"max_per_remote_domain": ""}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert!(e["max_per_remote_domain"].is_null(), "{e}");
    // The group's default.
    let (status, g) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{gid}"),
            Some(&fac),
            json!({"max_per_remote_domain": -3}),
        )
        .await;
    assert_eq!(status, 422, "{g}");
    // A group setting, refused as one (not as a meeting's).
    assert_eq!(g["error_code"], "invalid_group", "{g}");
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            &fac,
            json!({"username": "capcafe2", "display_name": "Cap 2", "max_per_remote_domain": 10_001}),
        )
        .await;
    assert_eq!(status, 422, "{g}");
    assert_eq!(g["error_code"], "invalid_group", "{g}");
    let (status, g) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{gid}"),
            Some(&fac),
            json!({"max_per_remote_domain": 0}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["max_per_remote_domain"], 0, "{g}");
    let (status, g) = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{gid}"),
            Some(&fac),
            json!({"display_name": "Cap café"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["max_per_remote_domain"], 0, "kept: {g}");
    // Shown to the group's facilitators only, as on its meetings: a member and an
    // outsider see `null` where the facilitator sees 0.
    let (olly, _) = app.member("olly").await;
    let path = format!("/api/v1/groups/{gid}");
    let (status, g) = app.get_json(&path, Some(&fac)).await;
    assert_eq!(
        (status, &g["max_per_remote_domain"]),
        (200, &json!(0)),
        "{g}"
    );
    for token in [&mia, &olly] {
        let (status, g) = app.get_json(&path, Some(token)).await;
        assert_eq!(status, 200, "{g}");
        assert!(g["max_per_remote_domain"].is_null(), "{g}");
    }
}
