//! Meeting notifications (docs/api/meetings.md, "Notifications"): each type reaches
//! exactly the right people (a request the facilitators, a place the person who got
//! it, a change or cancellation the accepted attendees), the reminder the day before
//! is sent once per occurrence (the job's core called with a given `now`: twice,
//! outside the window, for a cancelled occurrence or meeting, never for someone not
//! accepted), `types[]`/`exclude_types[]` and the unread count work with them, and
//! no notification carries the private place.

use chrono::{DateTime, Duration, Utc};
use kindred_api::services::meetings::notify;
use kindred_domain::NotificationKind;
use kindred_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{
    both_backends, contains_secret, meeting_at, meeting_day, spawn_app, Backend, TestApp,
};

both_backends!(meeting_notifications_reach_the_right_people);

const STREET: &str = "Kastanienweg 17b";
const POSTAL: &str = "04107";
const NOTES: &str = "ring the bell marked Lotus";
const LINK: &str = "https://video.example/room-secret-42";

fn first_start() -> DateTime<Utc> {
    // 18:30 in Berlin (winter time).
    DateTime::parse_from_rfc3339(&format!("{}T17:30:00Z", meeting_day(0)))
        .unwrap()
        .with_timezone(&Utc)
}

async fn notifications(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, v) = app
        .get_json(&format!("/api/v1/notifications{query}"), Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    let text = v.to_string();
    for s in [STREET, POSTAL, NOTES, LINK, "room-secret-42"] {
        assert!(
            !contains_secret(&text, s),
            "{s:?} leaked in notifications: {text}"
        );
    }
    v.as_array().unwrap().clone()
}

/// The meeting notifications of one type an account has.
async fn of_type(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    notifications(app, token, "")
        .await
        .into_iter()
        .filter(|n| n["type"] == kind)
        .collect()
}

async fn reminders(app: &TestApp, now: DateTime<Utc>) -> usize {
    notify::send_reminders(&app.state, now).await.unwrap()
}

async fn meeting_notifications_reach_the_right_people(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fac = app.login("fran", "fran's password").await;
    let (mia, mia_id) = app.member("mia").await;
    let (noor, noor_id) = app.member("noor").await;
    let (olly, olly_id) = app.member("olly").await;
    let (zed, zed_id) = app.member("zed").await;
    let (status, g) = app
        .post_json(
            "/api/v1/groups",
            &fac,
            json!({"username": "cafepeers", "display_name": "Café", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    let gid = g["id"].as_str().unwrap().to_owned();
    for (t, who) in [
        (&mia, &mia_id),
        (&noor, &noor_id),
        (&olly, &olly_id),
        (&zed, &zed_id),
    ] {
        let (status, v) = app
            .post_json(&format!("/api/v1/groups/{gid}/join"), t, json!({}))
            .await;
        assert_eq!(status, 200, "{v} {who}");
    }
    let (status, e) = app
        .post_json(
            "/api/v1/pleroma/events",
            &fac,
            json!({
                "group_id": gid,
                "title": "Peer café",
                "start_time": meeting_at(0, "18:30"),
                "end_time": meeting_at(0, "20:00"),
                "time_zone": "Europe/Berlin",
                "recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
                "join_mode": "approval",
                "capacity": 1,
                "locality": "Leipzig",
                "country": "Germany",
                "street_address": STREET,
                "postal_code": POSTAL,
                "access_notes": NOTES,
                "online_link": LINK,
            }),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    let id = e["id"].as_str().unwrap().to_owned();
    let ev = format!("/api/v1/pleroma/events/{id}");

    // Mia asks to come: the facilitator hears of it (from Mia, with the meeting's
    // status and id); nobody else does.
    app.post_ok(&format!("{ev}/join"), &mia, json!({})).await;
    let req = of_type(&app, &fac, NotificationKind::ParticipationRequest.as_str()).await;
    assert_eq!(req.len(), 1, "{req:?}");
    assert_eq!(req[0]["account"]["id"], mia_id.as_str());
    assert_eq!(req[0]["kindred"]["meeting_id"], id.as_str());
    assert!(req[0]["status"]["id"].is_string(), "{}", req[0]);
    for t in [&mia, &noor, &olly, &zed] {
        assert!(notifications(&app, t, "").await.is_empty());
    }

    // Approved: Mia hears of it, from the group.
    let decide = |who: &str| format!("{ev}/participation_requests/{who}/authorize");
    let (status, _) = app.post_json(&decide(&mia_id), &fac, json!({})).await;
    assert_eq!(status, 200);
    let acc = of_type(&app, &mia, NotificationKind::ParticipationAccepted.as_str()).await;
    assert_eq!(acc.len(), 1, "{acc:?}");
    assert_eq!(acc[0]["account"]["id"], gid.as_str());
    assert_eq!(acc[0]["kindred"]["meeting_id"], id.as_str());

    // Noor is approved into a full meeting: waiting, no place yet, no notification.
    app.post_ok(&format!("{ev}/join"), &noor, json!({})).await;
    assert_eq!(
        of_type(&app, &fac, NotificationKind::ParticipationRequest.as_str())
            .await
            .len(),
        2
    );
    app.post_ok(&decide(&noor_id), &fac, json!({})).await;
    assert!(of_type(
        &app,
        &noor,
        NotificationKind::ParticipationAccepted.as_str()
    )
    .await
    .is_empty());
    // Mia leaves: Noor moves up and hears of it; Mia hears nothing more.
    let (status, _) = app.post_json(&format!("{ev}/leave"), &mia, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        of_type(
            &app,
            &noor,
            NotificationKind::ParticipationAccepted.as_str()
        )
        .await
        .len(),
        1
    );
    assert_eq!(notifications(&app, &mia, "").await.len(), 1);
    // Olly asks and is left waiting for approval (not accepted).
    app.post_ok(&format!("{ev}/join"), &olly, json!({})).await;

    // A new title changes nothing attendees plan by: no event_update.
    let (status, _) = app
        .send_json(Method::PUT, &ev, Some(&fac), json!({"title": "Peer café!"}))
        .await;
    assert_eq!(status, 200);
    assert!(of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
        .await
        .is_empty());
    // A new street: accepted attendees (Noor) hear of it, without the street.
    let (status, _) = app
        .send_json(
            Method::PUT,
            &ev,
            Some(&fac),
            json!({"street_address": format!("{STREET} (Hof)")}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
            .await
            .len(),
        1
    );
    for t in [&fac, &mia, &olly, &zed] {
        assert!(of_type(&app, t, NotificationKind::EventUpdate.as_str())
            .await
            .is_empty());
    }

    // The reminder: nothing 25 hours before, one 23 hours before (to Noor only,
    // accepted; not Olly, who only asked), and never twice.
    let first = first_start();
    assert_eq!(reminders(&app, first - Duration::hours(25)).await, 0);
    assert_eq!(reminders(&app, first - Duration::hours(23)).await, 1);
    assert_eq!(reminders(&app, first - Duration::hours(23)).await, 0);
    assert_eq!(reminders(&app, first - Duration::hours(1)).await, 0);
    let rem = of_type(&app, &noor, NotificationKind::EventReminder.as_str()).await;
    assert_eq!(rem.len(), 1, "{rem:?}");
    assert_eq!(rem[0]["kindred"]["meeting_id"], id.as_str());
    assert_eq!(rem[0]["account"]["id"], gid.as_str());
    assert!(rem[0]["status"]["id"].is_string(), "{}", rem[0]);
    for t in [&fac, &mia, &olly, &zed] {
        assert!(of_type(&app, t, NotificationKind::EventReminder.as_str())
            .await
            .is_empty());
    }
    // The next week's occurrence is reminded of in its own day before, once even
    // when two runs (as from two processes) race.
    let second = first + Duration::days(7);
    let (a, b) = tokio::join!(
        reminders(&app, second - Duration::hours(2)),
        reminders(&app, second - Duration::hours(2))
    );
    assert_eq!(a + b, 1, "{a} + {b}");

    // The third week's occurrence is cancelled: Noor hears of it, and no reminder.
    let (status, v) = app
        .post_json(
            &format!("{ev}/cancel"),
            &fac,
            json!({"occurrence": meeting_at(14, "18:30")}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
            .await
            .len(),
        2
    );
    // Cancelling it again tells nobody anything new.
    app.post_ok(
        &format!("{ev}/cancel"),
        &fac,
        json!({"occurrence": meeting_at(14, "18:30")}),
    )
    .await;
    assert_eq!(
        of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
            .await
            .len(),
        2
    );
    let third = first + Duration::days(14);
    assert_eq!(reminders(&app, third - Duration::hours(2)).await, 0);
    // The whole meeting cancelled: Noor hears of it, and no reminder after.
    let (status, _) = app
        .post_json(&format!("{ev}/cancel"), &fac, json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
            .await
            .len(),
        3
    );
    app.post_ok(&format!("{ev}/cancel"), &fac, json!({})).await;
    assert_eq!(
        of_type(&app, &noor, NotificationKind::EventUpdate.as_str())
            .await
            .len(),
        3
    );
    let fourth = first + Duration::days(21);
    assert_eq!(reminders(&app, fourth - Duration::hours(2)).await, 0);
    for t in [&fac, &mia, &olly, &zed] {
        assert!(of_type(&app, t, NotificationKind::EventUpdate.as_str())
            .await
            .is_empty());
    }

    // Filtering by type, and the unread count, see the meeting types.
    let only = notifications(&app, &noor, "?types[]=pleroma:event_reminder").await;
    assert_eq!(only.len(), 2, "{only:?}");
    assert!(only
        .iter()
        .all(|n| n["type"] == NotificationKind::EventReminder.as_str()));
    let without = notifications(
        &app,
        &noor,
        "?exclude_types[]=pleroma:event_update&exclude_types[]=pleroma:event_reminder",
    )
    .await;
    assert_eq!(without.len(), 1, "{without:?}");
    assert_eq!(
        without[0]["type"],
        NotificationKind::ParticipationAccepted.as_str()
    );
    let mentions = notifications(&app, &noor, "?types[]=mention").await;
    assert!(mentions.is_empty());
    let (status, count) = app
        .get_json("/api/v1/notifications/unread_count", Some(&noor))
        .await;
    assert_eq!(status, 200, "{count}");
    assert_eq!(count["count"], 6, "{count}");
    // One by id too, and nothing in it reveals the place.
    let one_id = only[0]["id"].as_str().unwrap();
    let (status, one) = app
        .get_json(&format!("/api/v1/notifications/{one_id}"), Some(&noor))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["type"], NotificationKind::EventReminder.as_str());
    for s in [STREET, POSTAL, NOTES, LINK] {
        assert!(!contains_secret(&one.to_string(), s));
    }
}
