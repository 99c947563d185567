//! Scenario: RSVP across instances, host side. Recording remotes answer a Kindred
//! group's public meetings with `Join` and `Leave`; the meeting answers with its
//! `Accept` (carrying the full place, addressed to the attendee only) or `Reject`.
//!
//! - An approval meeting: the Join is a request; the facilitator's approval in the
//!   events API sends the Accept with the place.
//! - A free meeting with one place: the first Join is accepted at once, the second
//!   wait-listed (no answer yet); the first attendee's Leave gives the second the
//!   place, and their Accept.
//! - An anonymous RSVP (`anonymousToken`) is counted by token: no account is named
//!   on the participation.
//! - A cancelled meeting's Join is rejected, a members-only meeting's refused; neither
//!   stores anything.
//! - The place is in no activity but an Accept, and not in the served Event.
//! - A partner scoped without `rsvps` cannot send a Join.
//! - Kindred to Kindred: a member of B answers A's approval meeting through B's
//!   events API; B keeps a pending participation, A's facilitator approves, and B's
//!   member (and nobody else at B) sees the full place; leaving sends `Leave`. An
//!   anonymous RSVP from B is counted at A by token, and A stores no account of
//!   the member.
//! - Kindred to Kindred, wait list: one place; B's first member is accepted, the
//!   second wait-listed (still pending at B), a third waits anonymously; each leave
//!   moves the next up at A, and B shows them accepted with the place (anonymous:
//!   by the token A echoes) and notifies them. Nobody else at B sees the place.
//! - Kindred to Kindred, cancelled: B refuses going to its cancelled copy; nothing
//!   is stored or sent at either end.
//! - Kindred to Kindred, approval of anonymous attendees: A's facilitator sees
//!   them by opaque id and instance (never the token), approves one (B's member gets
//!   the place and a notification) and declines another.
//! - One rule from both entrances (`kindred_core::meetings`): a place freed by a
//!   local leave or a remote Leave, or given by a facilitator, notifies the people
//!   of this instance it seats and answers remote ones with an Accept (never a
//!   notification stored for a remote account); a request notifies the
//!   facilitators alike; someone the group banned comes through neither entrance
//!   but may always leave; a larger capacity answers remote people it moves up.

use kindred_db::models::meetings::{self as store, Participant, ParticipationRow};
use kindred_db::models::remote_accounts;
use kindred_domain::meetings::ParticipationState;
use serde_json::{json, Value};

use crate::common::{both_backends, contains_secret, meeting_at, Backend, TestApp};
use crate::groups::{ap_get, Remote};
use crate::support::{
    assert_logs_clean, backlog, drained, eventually, facilitator_and_cafe, follow, instance,
    instances,
};

both_backends!(remote_rsvps_to_a_group_meeting);
both_backends!(partner_without_rsvps_cannot_join);
both_backends!(member_of_another_kindred_joins);
both_backends!(wait_list_across_instances);
both_backends!(cancelled_meeting_refused_across_instances);
both_backends!(facilitator_decides_on_anonymous_attendees);
both_backends!(strangers_rsvps_wait_for_a_facilitator);
both_backends!(a_stranger_kindred_waits_for_approval);
both_backends!(places_freed_tell_local_people_from_both_entrances);
both_backends!(banned_people_do_not_come_from_either_entrance);
both_backends!(a_blocked_server_seats_nobody_anonymously);
both_backends!(larger_capacity_answers_remote_people_moved_up);

const SECRETS: [&str; 5] = [
    "Lindenstr",
    "04109",
    "Haus der Begegnung",
    "Ring the bell",
    "meet.example",
];

pub(crate) async fn create_meeting(k: &TestApp, token: &str, group: i64, extra: Value) -> i64 {
    let mut body = json!({
        "group_id": group.to_string(),
        "title": "Peer café",
        "start_time": meeting_at(0, "18:30"),
        "end_time": meeting_at(0, "20:00"),
        "time_zone": "Europe/Berlin",
        "locality": "Leipzig",
        "country": "Germany",
        "venue_name": "Haus der Begegnung",
        "street_address": "Lindenstr. 3",
        "postal_code": "04109",
        "access_notes": "Ring the bell marked 3",
        "online_link": "https://meet.example/room-7",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, e) = k.post_json("/api/v1/pleroma/events", token, body).await;
    assert_eq!(status, 200, "{e}");
    e["id"].as_str().unwrap().parse().unwrap()
}

/// Makes `domain` a partner of `k` for every kind of traffic, RSVPs included (the
/// instance stays in open mode).
pub(crate) async fn trust_rsvps(k: &TestApp, domain: &str) {
    kindred_api::services::federation_policy::allow(&k.state, "test", domain, Some("all"))
        .await
        .unwrap();
}

fn account_of(k: &TestApp, remote: &Remote) -> Option<i64> {
    account_at(k, &remote.actor())
}

/// The id `k` gave the remote account `uri`, once it knows it.
pub(crate) fn account_at(k: &TestApp, uri: &str) -> Option<i64> {
    let uri = uri.to_owned();
    k.state
        .db
        .run_blocking(move |c| remote_accounts::find_by_uri(c, &uri))
        .unwrap()
        .map(|(a, _)| a.id)
}

pub(crate) fn participation(
    k: &TestApp,
    meeting: i64,
    who: Participant,
) -> Option<ParticipationRow> {
    k.state
        .db
        .run_blocking(move |c| store::participation(c, meeting, &who))
        .unwrap()
}

fn all_participations(k: &TestApp, meeting: i64) -> Vec<ParticipationRow> {
    k.state
        .db
        .run_blocking(move |c| store::participations(c, meeting, None, None, 100))
        .unwrap()
}

fn join(remote: &Remote, n: u32, meeting: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/joins/{n}", remote.base),
        "type": "Join",
        "actor": remote.actor(),
        "object": meeting,
    })
}

fn answers(remote: &Remote, kind: &str, meeting: &str) -> Vec<Value> {
    remote
        .posted()
        .into_iter()
        .filter(|v| v["type"] == kind && v["object"]["object"] == meeting)
        .collect()
}

async fn remote_rsvps_to_a_group_meeting(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let r1 = Remote::start(None);
    let r2 = Remote::start(None);
    // Both are partners trusted with RSVPs; strangers: `strangers_rsvps_wait_for_a_facilitator`.
    trust_rsvps(&k, &r1.domain()).await;
    trust_rsvps(&k, &r2.domain()).await;

    // An approval meeting: a request, then the facilitator's Accept with the place.
    let approval = create_meeting(
        &k,
        &fran,
        cafe,
        json!({"join_mode": "approval", "capacity": 5}),
    )
    .await;
    let approval_url = k.url(&format!("/meetings/{approval}"));
    let (status, v) = r1.post(&k, &join(&r1, 1, &approval_url)).await;
    assert_eq!(status, 202, "{v}");
    let a1 = account_of(&k, &r1).expect("the attendee's account");
    let p = participation(&k, approval, Participant::Account(a1)).expect("a request");
    assert_eq!(p.state, ParticipationState::Requested);
    drained(&[&k]).await;
    assert!(answers(&r1, "Accept", &approval_url).is_empty());
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{approval}/participation_requests/{a1}/authorize"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let accept = r1
        .wait_for("the facilitator's Accept", |v| {
            v["type"] == "Accept" && v["object"]["object"] == approval_url.as_str()
        })
        .await;
    assert_eq!(accept["actor"], k.url("/users/cafe"));
    assert_eq!(accept["to"], json!([r1.actor()]));
    assert!(accept.get("cc").is_none());
    assert_eq!(accept["object"]["type"], "Join");
    assert_eq!(accept["object"]["actor"], r1.actor());
    let place = &accept["location"];
    assert_eq!(place["name"], "Haus der Begegnung");
    assert_eq!(place["address"]["streetAddress"], "Lindenstr. 3");
    assert_eq!(place["address"]["postalCode"], "04109");
    assert_eq!(place["address"]["addressLocality"], "Leipzig");
    assert_eq!(place["accessNotes"], "Ring the bell marked 3");
    assert_eq!(place["onlineLink"], "https://meet.example/room-7");

    // A free meeting with one place and a wait list.
    let free = create_meeting(&k, &fran, cafe, json!({"capacity": 1})).await;
    let free_url = k.url(&format!("/meetings/{free}"));
    let (status, _) = r1.post(&k, &join(&r1, 2, &free_url)).await;
    assert_eq!(status, 202);
    let accept = r1
        .wait_for("the immediate Accept", |v| {
            v["type"] == "Accept" && v["object"]["object"] == free_url.as_str()
        })
        .await;
    assert_eq!(accept["object"]["id"], format!("{}/joins/2", r1.base));
    assert_eq!(
        accept["location"]["address"]["streetAddress"],
        "Lindenstr. 3"
    );
    let (status, _) = r2.post(&k, &join(&r2, 1, &free_url)).await;
    assert_eq!(status, 202);
    let a2 = account_of(&k, &r2).unwrap();
    let p = participation(&k, free, Participant::Account(a2)).unwrap();
    assert_eq!(p.state, ParticipationState::Waitlisted);
    drained(&[&k]).await;
    assert!(answers(&r2, "Accept", &free_url).is_empty());
    // The first attendee leaves: the second gets the place and its Accept.
    let leave = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/leaves/1", r1.base),
        "type": "Leave",
        "actor": r1.actor(),
        "object": free_url,
    });
    let (status, v) = r1.post(&k, &leave).await;
    assert_eq!(status, 202, "{v}");
    assert!(participation(&k, free, Participant::Account(a1)).is_none());
    assert_eq!(
        participation(&k, free, Participant::Account(a2))
            .unwrap()
            .state,
        ParticipationState::Accepted
    );
    r2.wait_for("the Accept from the wait list", |v| {
        v["type"] == "Accept" && v["object"]["object"] == free_url.as_str()
    })
    .await;

    // Undo(Join) withdraws too.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/joins/1/undo", r1.base),
        "type": "Undo",
        "actor": r1.actor(),
        "object": join(&r1, 1, &approval_url),
    });
    let (status, v) = r1.post(&k, &undo).await;
    assert_eq!(status, 202, "{v}");
    assert!(participation(&k, approval, Participant::Account(a1)).is_none());

    // Anonymous: counted by token, scoped by the sender's server; no account named.
    let open = create_meeting(&k, &fran, cafe, json!({})).await;
    let open_url = k.url(&format!("/meetings/{open}"));
    let token = "anon0123456789abcdef";
    let mut anonymous = join(&r2, 2, &open_url);
    anonymous["anonymousToken"] = json!(token);
    anonymous["actor"] = json!(r2.instance_actor());
    let (status, v) = r2.post_as(&k, &r2.instance_actor(), &anonymous).await;
    assert_eq!(status, 202, "{v}");
    let rows = all_participations(&k, open);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].account_id, None);
    assert_eq!(rows[0].anonymous_token.as_deref(), Some(token));
    assert_eq!(
        rows[0].anonymous_domain.as_deref(),
        Some(r2.domain().as_str())
    );
    assert_eq!(rows[0].state, ParticipationState::Accepted);
    let accept = r2
        .wait_for("the anonymous Accept", |v| {
            v["type"] == "Accept" && v["object"]["object"] == open_url.as_str()
        })
        .await;
    assert_eq!(accept["object"]["anonymousToken"], token);
    // A malformed token is refused.
    let mut bad = join(&r2, 3, &open_url);
    bad["anonymousToken"] = json!("not a token");
    bad["actor"] = json!(r2.instance_actor());
    let (status, _) = r2.post_as(&k, &r2.instance_actor(), &bad).await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(all_participations(&k, open).len(), 1);

    // A cancelled meeting: Reject, nothing stored.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{approval}/cancel"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, _) = r2.post(&k, &join(&r2, 4, &approval_url)).await;
    assert_eq!(status, 202);
    let reject = r2
        .wait_for("the Reject", |v| {
            v["type"] == "Reject" && v["object"]["object"] == approval_url.as_str()
        })
        .await;
    assert!(reject.get("location").is_none());
    assert!(participation(&k, approval, Participant::Account(a2)).is_none());

    // A members-only meeting does not exist for other servers.
    let hidden = create_meeting(&k, &fran, cafe, json!({"audience": "members"})).await;
    let hidden_url = k.url(&format!("/meetings/{hidden}"));
    let (status, _) = r2.post(&k, &join(&r2, 5, &hidden_url)).await;
    assert!((400..500).contains(&status), "{status}");
    assert!(all_participations(&k, hidden).is_empty());

    // The place left only in Accepts, addressed to their attendee alone.
    drained(&[&k]).await;
    for remote in [&r1, &r2] {
        for v in remote.posted() {
            let body = v.to_string();
            if v["type"] == "Accept" {
                // To the attendee, or for an anonymous one its instance actor.
                assert_eq!(v["to"], json!([v["object"]["actor"]]));
                assert!([remote.actor(), remote.instance_actor()]
                    .contains(&v["object"]["actor"].as_str().unwrap().to_owned()));
                continue;
            }
            for s in SECRETS {
                assert!(!contains_secret(&body, s), "{s} left in {body}");
            }
        }
    }
    for id in [approval, free, open] {
        let (status, served) = ap_get(&k, &format!("/meetings/{id}")).await;
        assert_eq!(status, 200);
        for s in SECRETS {
            assert!(
                !contains_secret(&served.to_string(), s),
                "{s} in the served Event"
            );
        }
    }
}

async fn partner_without_rsvps_cannot_join(backend: Backend) {
    use kindred_api::services::federation_policy as policy;
    let Some(k) = instance(backend).await else {
        return;
    };
    let r = Remote::start(None);
    policy::set_mode(&k.state, "test", "allowlist")
        .await
        .unwrap();
    policy::allow(
        &k.state,
        "test",
        &r.domain(),
        Some("follows,announcements,meetings"),
    )
    .await
    .unwrap();
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let free = create_meeting(&k, &fran, cafe, json!({})).await;
    let url = k.url(&format!("/meetings/{free}"));
    let _ = r.post(&k, &join(&r, 1, &url)).await;
    drained(&[&k]).await;
    assert!(all_participations(&k, free).is_empty());
    assert!(answers(&r, "Accept", &url).is_empty());

    // With rsvps in scope, the same Join is taken.
    policy::allow(
        &k.state,
        "test",
        &r.domain(),
        Some("follows,announcements,meetings,rsvps"),
    )
    .await
    .unwrap();
    let (status, v) = r.post(&k, &join(&r, 2, &url)).await;
    assert_eq!(status, 202, "{v}");
    eventually("the participation", || async {
        (all_participations(&k, free).len() == 1).then_some(())
    })
    .await;
}

pub(crate) fn copy_at(p: &TestApp, uri: &str) -> Option<i64> {
    let uri = uri.to_owned();
    p.state
        .db
        .run_blocking(move |c| kindred_db::models::remote_meetings::by_uri(c, &uri))
        .unwrap()
        .map(|r| r.meeting_id)
}

async fn member_of_another_kindred_joins(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    // B is a partner trusted with RSVPs (today's behaviour; strangers wait for a
    // facilitator: `a_stranger_kindred_waits_for_approval`).
    trust_rsvps(k, &p.domain).await;
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    let (ulla, _) = p.member("ulla").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({"join_mode": "approval"})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;

    // Interested is not sent; going is.
    let (status, _) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{copy}/join"),
            &ola,
            json!({"rsvp": "interested"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{copy}/join"),
            &ola,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let ola_at_b = p
        .state
        .db
        .run_blocking(|c| kindred_db::accounts::find_local_by_username(c, "ola"))
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        participation(p, copy, Participant::Account(ola_at_b))
            .unwrap()
            .state,
        ParticipationState::Requested
    );
    let ola_uri = p.url("/users/ola");
    let ola_at_a = eventually("the request at A", || async {
        let a = account_at(k, &ola_uri)?;
        participation(k, id, Participant::Account(a))
            .filter(|r| r.state == ParticipationState::Requested)
            .map(|_| a)
    })
    .await;
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/participation_requests/{ola_at_a}/authorize"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the acceptance at B", || async {
        participation(p, copy, Participant::Account(ola_at_b))
            .filter(|r| r.state == ParticipationState::Accepted)
    })
    .await;
    let (status, seen) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
        .await;
    assert_eq!(status, 200, "{seen}");
    assert!(seen.to_string().contains("Lindenstr. 3"), "{seen}");
    assert!(seen.to_string().contains("meet.example"), "{seen}");
    let (status, other) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ulla))
        .await;
    assert_eq!(status, 200, "{other}");
    let (_, anonymous) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), None)
        .await;
    for body in [other.to_string(), anonymous.to_string()] {
        for s in SECRETS {
            assert!(
                !contains_secret(&body, s),
                "{s} shown to someone not accepted"
            );
        }
    }
    let (_, served) = ap_get(k, &format!("/meetings/{id}")).await;
    for s in SECRETS {
        assert!(
            !contains_secret(&served.to_string(), s),
            "{s} in the served Event"
        );
    }
    // Nor in a log line of either instance, nor the members' tokens; K's inbox
    // logged P's activities with their origin.
    let mut secrets = SECRETS.to_vec();
    secrets.extend([fran.as_str(), ola.as_str(), ulla.as_str()]);
    assert_logs_clean(&format!("origin={}", p.domain), &secrets);

    // Leaving sends Leave: the participation goes at both ends.
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{copy}/leave"),
            &ola,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(participation(p, copy, Participant::Account(ola_at_b)).is_none());
    eventually("the Leave at A", || async {
        participation(k, id, Participant::Account(ola_at_a))
            .is_none()
            .then_some(())
    })
    .await;

    // Anonymous: B's instance answers for ulla with a token; A counts her and never
    // learns her account.
    let open = create_meeting(k, &fran, cafe, json!({})).await;
    let open_uri = k.url(&format!("/meetings/{open}"));
    let open_copy = eventually("the open listing at B", || async { copy_at(p, &open_uri) }).await;
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{open_copy}/join"),
            &ulla,
            json!({"anonymous": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let counted = eventually("the anonymous RSVP at A", || async {
        let rows = all_participations(k, open);
        (rows.len() == 1).then(|| rows[0].clone())
    })
    .await;
    assert_eq!(counted.account_id, None);
    assert_eq!(counted.state, ParticipationState::Accepted);
    assert_eq!(counted.anonymous_domain.as_deref(), Some(p.domain.as_str()));
    let ulla_at_b = p
        .state
        .db
        .run_blocking(|c| kindred_db::accounts::find_local_by_username(c, "ulla"))
        .unwrap()
        .unwrap()
        .id;
    eventually("the anonymous acceptance at B", || async {
        participation(p, open_copy, Participant::Account(ulla_at_b))
            .filter(|r| r.state == ParticipationState::Accepted)
    })
    .await;
    let (_, seen) = p
        .get_json(&format!("/api/v1/pleroma/events/{open_copy}"), Some(&ulla))
        .await;
    assert!(seen.to_string().contains("Lindenstr. 3"), "{seen}");
    let ulla_known_at_a = k
        .state
        .db
        .run_blocking(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::accounts;
            Ok(accounts::table
                .filter(accounts::username.eq("ulla"))
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap();
    assert_eq!(
        ulla_known_at_a, 0,
        "A learned the anonymous member's account"
    );
    // Leaving anonymously withdraws the token's participation at A.
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{open_copy}/leave"),
            &ulla,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the anonymous Leave at A", || async {
        all_participations(k, open).is_empty().then_some(())
    })
    .await;
    // Anonymous answers are only for other servers' meetings.
    let (status, _) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{open}/join"),
            &fran,
            json!({"anonymous": true}),
        )
        .await;
    assert_eq!(status, 422);
    drained(&[k, p]).await;
}

fn local_id(app: &TestApp, name: &'static str) -> i64 {
    app.state
        .db
        .run_blocking(move |c| kindred_db::accounts::find_local_by_username(c, name))
        .unwrap()
        .unwrap()
        .id
}

fn state_at(app: &TestApp, meeting: i64, account: i64) -> Option<String> {
    participation(app, meeting, Participant::Account(account)).map(|p| p.state.as_str().to_owned())
}

async fn answer(app: &TestApp, token: &str, meeting: i64, body: Value) -> Value {
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{meeting}/join"),
            token,
            body,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn leave_at(app: &TestApp, token: &str, meeting: i64) {
    let (status, v) = app
        .post_json(
            &format!("/api/v1/pleroma/events/{meeting}/leave"),
            token,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

/// Whether `token`'s member has been told of a place at this meeting.
async fn told_accepted(app: &TestApp, token: &str, meeting: i64) -> bool {
    let (status, notes) = app
        .get_json(
            "/api/v1/notifications?types[]=pleroma:participation_accepted",
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{notes}");
    let meeting = meeting.to_string();
    notes.as_array().unwrap().iter().any(|n| {
        n["type"] == "pleroma:participation_accepted"
            && n["kindred"]["meeting_id"].as_str() == Some(meeting.as_str())
    })
}

/// The event as `token` sees it at `app`; asserts whether it shows the place.
async fn sees_place(app: &TestApp, token: Option<&str>, meeting: i64) -> bool {
    let (status, e) = app
        .get_json(&format!("/api/v1/pleroma/events/{meeting}"), token)
        .await;
    assert_eq!(status, 200, "{e}");
    let body = e.to_string();
    let shown = body.contains("Lindenstr. 3");
    if !shown {
        for s in SECRETS {
            assert!(
                !contains_secret(&body, s),
                "{s} shown without acceptance: {body}"
            );
        }
    }
    shown
}

async fn wait_list_across_instances(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    // B is a partner trusted with RSVPs (today's behaviour; strangers wait for a
    // facilitator: `a_stranger_kindred_waits_for_approval`).
    trust_rsvps(k, &p.domain).await;
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    let (ulla, _) = p.member("ulla").await;
    let (sam, _) = p.member("sam").await;
    let (vic, _) = p.member("vic").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({"capacity": 1})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;
    let (ola_b, ulla_b, sam_b) = (local_id(p, "ola"), local_id(p, "ulla"), local_id(p, "sam"));

    // Ola takes the one place.
    answer(p, &ola, copy, json!({})).await;
    eventually("Ola accepted at B", || async {
        (state_at(p, copy, ola_b).as_deref() == Some("accepted")).then_some(())
    })
    .await;
    assert!(sees_place(p, Some(&ola), copy).await);
    // Ulla waits at A; B keeps her request pending and shows her no place.
    answer(p, &ulla, copy, json!({})).await;
    let ulla_uri = p.url("/users/ulla");
    let ulla_a = eventually("Ulla wait-listed at A", || async {
        let a = account_at(k, &ulla_uri)?;
        participation(k, id, Participant::Account(a))
            .filter(|r| r.state == ParticipationState::Waitlisted)
            .map(|_| a)
    })
    .await;
    // Sam waits too, anonymously (after Ulla).
    answer(p, &sam, copy, json!({"anonymous": true})).await;
    eventually("Sam wait-listed at A", || async {
        all_participations(k, id)
            .into_iter()
            .find(|r| r.account_id.is_none() && r.state == ParticipationState::Waitlisted)
    })
    .await;
    drained(&[k, p]).await;
    assert_eq!(state_at(p, copy, ulla_b).as_deref(), Some("requested"));
    assert_eq!(state_at(p, copy, sam_b).as_deref(), Some("requested"));
    assert!(!sees_place(p, Some(&ulla), copy).await);
    assert!(!sees_place(p, Some(&sam), copy).await);
    assert!(!told_accepted(p, &ulla, copy).await);

    // Ola leaves: Ulla moves up at A, and B shows her accepted with the place.
    leave_at(p, &ola, copy).await;
    eventually("Ulla accepted at A", || async {
        participation(k, id, Participant::Account(ulla_a))
            .filter(|r| r.state == ParticipationState::Accepted)
    })
    .await;
    eventually("Ulla accepted at B", || async {
        (state_at(p, copy, ulla_b).as_deref() == Some("accepted")).then_some(())
    })
    .await;
    assert!(sees_place(p, Some(&ulla), copy).await);
    assert!(told_accepted(p, &ulla, copy).await);
    assert!(!sees_place(p, Some(&ola), copy).await, "Ola left");
    assert!(!sees_place(p, Some(&sam), copy).await, "Sam still waits");
    assert!(!sees_place(p, Some(&vic), copy).await);
    assert!(!sees_place(p, None, copy).await);

    // Ulla leaves: the anonymous Sam moves up; A's Accept goes to B's instance
    // actor with Sam's token, and B tells Sam and shows the place.
    leave_at(p, &ulla, copy).await;
    let sam_at_a = eventually("Sam accepted at A", || async {
        all_participations(k, id)
            .into_iter()
            .find(|r| r.account_id.is_none() && r.state == ParticipationState::Accepted)
    })
    .await;
    assert_eq!(
        sam_at_a.anonymous_domain.as_deref(),
        Some(p.domain.as_str())
    );
    eventually("Sam accepted at B", || async {
        (state_at(p, copy, sam_b).as_deref() == Some("accepted")).then_some(())
    })
    .await;
    assert!(sees_place(p, Some(&sam), copy).await);
    assert!(told_accepted(p, &sam, copy).await);
    assert!(!sees_place(p, Some(&ulla), copy).await, "Ulla left");
    assert!(!sees_place(p, Some(&vic), copy).await);
    // A still knows no account of Sam.
    let sam_known_at_a = k
        .state
        .db
        .run_blocking(|c| {
            use diesel::prelude::*;
            use kindred_db::schema::accounts;
            Ok(accounts::table
                .filter(accounts::username.eq("sam"))
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap();
    assert_eq!(sam_known_at_a, 0);

    // A member of A waits behind Sam; Sam leaves anonymously (by token): A's member
    // moves up and is told, as when a local attendee leaves.
    let (mia, _) = k.member("mia").await;
    let v = answer(k, &mia, id, json!({})).await;
    assert_eq!(v["participation"]["state"], "waitlisted", "{v}");
    leave_at(p, &sam, copy).await;
    eventually("Mia accepted at A", || async {
        let (_, e) = k
            .get_json(&format!("/api/v1/pleroma/events/{id}"), Some(&mia))
            .await;
        (e["participation"]["state"] == "accepted").then_some(())
    })
    .await;
    assert!(told_accepted(k, &mia, id).await);
    assert!(all_participations(k, id)
        .iter()
        .all(|r| r.account_id.is_some()));
    assert!(!sees_place(p, Some(&sam), copy).await, "Sam left");
    drained(&[k, p]).await;
}

async fn cancelled_meeting_refused_across_instances(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    // B is a partner trusted with RSVPs (today's behaviour; strangers wait for a
    // facilitator: `a_stranger_kindred_waits_for_approval`).
    trust_rsvps(k, &p.domain).await;
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/cancel"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the cancellation at B", || async {
        let (_, e) = p
            .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
            .await;
        (e["status"] == "cancelled").then_some(())
    })
    .await;
    drained(&[k, p]).await;

    // Going, openly or anonymously: refused at B, nothing stored or sent anywhere.
    for body in [json!({}), json!({"anonymous": true})] {
        let (status, v) = p
            .post_json(&format!("/api/v1/pleroma/events/{copy}/join"), &ola, body)
            .await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["error_code"], "meeting_cancelled", "{v}");
    }
    assert_eq!(backlog(p).await, 0, "something was sent");
    assert!(all_participations(p, copy).is_empty());
    let ola_b = local_id(p, "ola");
    let token = p
        .state
        .db
        .run_blocking(move |c| kindred_db::models::remote_meetings::rsvp_token(c, copy, ola_b))
        .unwrap();
    assert!(token.is_none(), "a token was kept");
    drained(&[k, p]).await;
    assert!(all_participations(k, id).is_empty());
    let (_, e) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
        .await;
    assert!(e["participation"].is_null(), "{e}");
}

async fn facilitator_decides_on_anonymous_attendees(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    // B is a partner trusted with RSVPs (today's behaviour; strangers wait for a
    // facilitator: `a_stranger_kindred_waits_for_approval`).
    trust_rsvps(k, &p.domain).await;
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    let (ulla, _) = p.member("ulla").await;
    let (sam, _) = p.member("sam").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({"join_mode": "approval"})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;
    let (ulla_b, sam_b) = (local_id(p, "ulla"), local_id(p, "sam"));
    answer(p, &ulla, copy, json!({"anonymous": true})).await;
    answer(p, &sam, copy, json!({"anonymous": true})).await;
    let tokens: Vec<String> = [ulla_b, sam_b]
        .into_iter()
        .map(|m| {
            p.state
                .db
                .run_blocking(move |c| kindred_db::models::remote_meetings::rsvp_token(c, copy, m))
                .unwrap()
                .expect("the member's token at B")
        })
        .collect();
    let path = format!("/api/v1/pleroma/events/{id}/participation_requests");
    let requests = eventually("both requests at A", || async {
        let (status, v) = k.get_json(&path, Some(&fran)).await;
        assert_eq!(status, 200, "{v}");
        (v.as_array().unwrap().len() == 2).then_some(v)
    })
    .await;
    // The facilitator sees "an anonymous attendee via B", never the token.
    for r in requests.as_array().unwrap() {
        assert!(r["account"].is_null(), "{r}");
        assert_eq!(r["anonymous_domain"], p.domain.as_str());
        assert!(r["anonymous_id"]
            .as_str()
            .is_some_and(|s| s.starts_with("anonymous-")));
    }
    for t in &tokens {
        assert!(!requests.to_string().contains(t.as_str()), "token listed");
    }
    // The facilitator was told of each request, from B's instance actor (no one).
    let (status, notes) = k
        .get_json(
            "/api/v1/notifications?types[]=pleroma:participation_request",
            Some(&fran),
        )
        .await;
    assert_eq!(status, 200, "{notes}");
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    let meeting_id = id.to_string();
    for n in notes {
        assert_eq!(
            n["kindred"]["meeting_id"].as_str(),
            Some(meeting_id.as_str())
        );
        let acct = n["account"]["acct"].as_str().unwrap_or_default();
        assert!(acct.ends_with(&format!("@{}", p.domain)), "{n}");
        for t in &tokens {
            assert!(!n.to_string().contains(t.as_str()));
        }
        for name in ["ulla", "sam"] {
            assert!(!n.to_string().contains(name), "{n}");
        }
    }
    // Which request is whose is known only at B: map each by its token at A.
    let id_of = |token: &str| {
        let rows = all_participations(k, id);
        let row = rows
            .iter()
            .find(|r| r.anonymous_token.as_deref() == Some(token))
            .unwrap();
        format!("anonymous-{}", row.id)
    };
    let (ulla_anon, sam_anon) = (id_of(&tokens[0]), id_of(&tokens[1]));
    let decide = |who: &str, action: &str| {
        format!("/api/v1/pleroma/events/{id}/participation_requests/{who}/{action}")
    };
    let (status, v) = k
        .post_json(&decide(&ulla_anon, "authorize"), &fran, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = k
        .post_json(&decide(&sam_anon, "reject"), &fran, json!({}))
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("Ulla accepted at B", || async {
        (state_at(p, copy, ulla_b).as_deref() == Some("accepted")).then_some(())
    })
    .await;
    eventually("Sam declined at B", || async {
        (state_at(p, copy, sam_b).as_deref() == Some("rejected")).then_some(())
    })
    .await;
    assert!(sees_place(p, Some(&ulla), copy).await);
    assert!(told_accepted(p, &ulla, copy).await);
    assert!(!sees_place(p, Some(&sam), copy).await);
    assert!(!told_accepted(p, &sam, copy).await);
    assert!(!sees_place(p, Some(&ola), copy).await);
    assert!(!sees_place(p, None, copy).await);
    let (_, served) = ap_get(k, &format!("/meetings/{id}")).await;
    for s in SECRETS {
        assert!(
            !contains_secret(&served.to_string(), s),
            "{s} in the served Event"
        );
    }
    for t in &tokens {
        assert!(!served.to_string().contains(t.as_str()));
    }
    drained(&[k, p]).await;
}

/// An anonymous `Join` of `meeting` from `remote`'s instance actor.
fn anonymous_join(remote: &Remote, n: u32, meeting: &str, token: &str) -> Value {
    let mut j = join(remote, n, meeting);
    j["id"] = json!(format!("{}/anonymous-joins/{n}", remote.base));
    j["actor"] = json!(remote.instance_actor());
    j["anonymousToken"] = json!(token);
    j
}

/// Issue 21, item 2, host side against recording remotes. A server the admin has not
/// made a partner with the `rsvps` scope (the instance is in open mode) gets no
/// place without a facilitator: its going on a free meeting is a request, no
/// Accept and no address leave until a facilitator approves; its anonymous answers
/// are refused whatever the token. A trusted partner's anonymous answers come only
/// from its instance actor, and one actor trying many tokens holds at most the
/// meeting's `max_per_remote_domain` (then the group's default); the rest are
/// rejected. The published `Event` says whether anonymous answers are taken.
async fn strangers_rsvps_wait_for_a_facilitator(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let stranger = Remote::start(None);
    let partner = Remote::start(None);
    let free = create_meeting(&k, &fran, cafe, json!({"max_per_remote_domain": 2})).await;
    let url = k.url(&format!("/meetings/{free}"));
    let (status, served) = ap_get(&k, &format!("/meetings/{free}")).await;
    assert_eq!(status, 200);
    assert_eq!(served["anonymousParticipationEnabled"], false, "{served}");
    assert_eq!(served["joinMode"], "free");

    // A stranger's going on a free meeting: a request for the facilitators.
    let (status, v) = stranger.post(&k, &join(&stranger, 1, &url)).await;
    assert_eq!(status, 202, "{v}");
    let s = account_of(&k, &stranger).expect("the stranger's account");
    assert_eq!(
        participation(&k, free, Participant::Account(s))
            .unwrap()
            .state,
        ParticipationState::Requested
    );
    let (status, requests) = k
        .get_json(
            &format!("/api/v1/pleroma/events/{free}/participation_requests"),
            Some(&fran),
        )
        .await;
    assert_eq!(status, 200, "{requests}");
    assert_eq!(requests.as_array().map(Vec::len), Some(1), "{requests}");
    // Its instance actor's anonymous answers are refused, every token.
    for n in 0..5 {
        let token = format!("stranger-token-{n:04}-abcdef");
        let anon = anonymous_join(&stranger, n, &url, &token);
        let (status, v) = stranger
            .post_as(&k, &stranger.instance_actor(), &anon)
            .await;
        assert_eq!(status, 403, "{v}");
    }
    assert_eq!(all_participations(&k, free).len(), 1);

    // A partner trusted with RSVPs: the Event now says anonymous answers are taken.
    trust_rsvps(&k, &partner.domain()).await;
    let (_, served) = ap_get(&k, &format!("/meetings/{free}")).await;
    assert_eq!(served["anonymousParticipationEnabled"], true, "{served}");
    // Not from one of its people: only from its instance actor.
    let mut from_person = join(&partner, 1, &url);
    from_person["anonymousToken"] = json!("partner-person-token-0001");
    let (status, v) = partner.post(&k, &from_person).await;
    assert_eq!(status, 403, "{v}");
    // One actor, many tokens: the meeting's cap of 2 holds.
    for n in 0..6 {
        let token = format!("partner-token-{n:04}-abcdef");
        let anon = anonymous_join(&partner, n, &url, &token);
        let (status, v) = partner.post_as(&k, &partner.instance_actor(), &anon).await;
        assert_eq!(status, 202, "{v}");
    }
    let held: Vec<_> = all_participations(&k, free)
        .into_iter()
        .filter(|p| p.anonymous_domain.as_deref() == Some(partner.domain().as_str()))
        .collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.iter().all(|p| p.state == ParticipationState::Accepted));
    eventually("the partner's answers", || async {
        let accepts = answers(&partner, "Accept", &url).len();
        let rejects = answers(&partner, "Reject", &url).len();
        (accepts == 2 && rejects == 4).then_some(())
    })
    .await;
    for r in answers(&partner, "Reject", &url) {
        assert!(r.get("location").is_none(), "{r}");
    }

    // Nothing with the place reached the stranger while it waited.
    drained(&[&k]).await;
    assert!(answers(&stranger, "Accept", &url).is_empty());
    for body in stranger.bodies() {
        for secret in SECRETS {
            assert!(
                !contains_secret(&body, secret),
                "{secret} reached a stranger"
            );
        }
    }
    // A facilitator's approval is what sends it the place.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{free}/participation_requests/{s}/authorize"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let accept = stranger
        .wait_for("the approved Accept", |v| {
            v["type"] == "Accept" && v["object"]["object"] == url.as_str()
        })
        .await;
    assert_eq!(
        accept["location"]["address"]["streetAddress"],
        "Lindenstr. 3"
    );

    // The group's default applies to a meeting that sets no cap.
    let (status, v) = k
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{cafe}"),
            Some(&fran),
            json!({"max_per_remote_domain": 1}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["max_per_remote_domain"], 1, "{v}");
    let other = create_meeting(&k, &fran, cafe, json!({})).await;
    let other_url = k.url(&format!("/meetings/{other}"));
    for n in 10..13 {
        let token = format!("partner-token-{n:04}-abcdef");
        let anon = anonymous_join(&partner, n, &other_url, &token);
        let (status, v) = partner.post_as(&k, &partner.instance_actor(), &anon).await;
        assert_eq!(status, 202, "{v}");
    }
    assert_eq!(all_participations(&k, other).len(), 1);
}

/// Issue 21, item 2, between two Kindred instances: B is not A's partner (both
/// in open mode). B's member going to A's free meeting is a request at A and stays
/// pending at B, without the place; A's facilitator approves and B's member, and
/// nobody else at B, then sees it. B's anonymous answer is refused at A and
/// stores nothing there.
async fn a_stranger_kindred_waits_for_approval(backend: Backend) {
    let Some(apps) = instances(backend, 2).await else {
        return;
    };
    let (k, p) = (&apps[0], &apps[1]);
    let (fran, cafe) = facilitator_and_cafe(k).await;
    let (ola, _) = p.member("ola").await;
    let (ulla, _) = p.member("ulla").await;
    follow(p, &ola, k, "cafe").await;
    let id = create_meeting(k, &fran, cafe, json!({})).await;
    let uri = k.url(&format!("/meetings/{id}"));
    let copy = eventually("the listing at B", || async { copy_at(p, &uri) }).await;
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{copy}/join"),
            &ola,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let ola_uri = p.url("/users/ola");
    let ola_at_a = eventually("the request at A", || async {
        let a = account_at(k, &ola_uri)?;
        participation(k, id, Participant::Account(a))
            .filter(|r| r.state == ParticipationState::Requested)
            .map(|_| a)
    })
    .await;
    // B's anonymous answer for ulla: refused at A, nothing stored there.
    let (status, v) = p
        .post_json(
            &format!("/api/v1/pleroma/events/{copy}/join"),
            &ulla,
            json!({"anonymous": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    drained(&[k, p]).await;
    assert_eq!(all_participations(k, id).len(), 1, "only ola's request");
    let ola_at_b = local_id(p, "ola");
    assert_eq!(
        participation(p, copy, Participant::Account(ola_at_b))
            .unwrap()
            .state,
        ParticipationState::Requested
    );
    let (_, seen) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
        .await;
    for s in SECRETS {
        assert!(
            !contains_secret(&seen.to_string(), s),
            "{s} before approval"
        );
    }
    // Approval at A: the place reaches ola at B.
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{id}/participation_requests/{ola_at_a}/authorize"),
            &fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    eventually("the acceptance at B", || async {
        participation(p, copy, Participant::Account(ola_at_b))
            .filter(|r| r.state == ParticipationState::Accepted)
    })
    .await;
    let (_, seen) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ola))
        .await;
    assert!(seen.to_string().contains("Lindenstr. 3"), "{seen}");
    let (_, other) = p
        .get_json(&format!("/api/v1/pleroma/events/{copy}"), Some(&ulla))
        .await;
    for s in SECRETS {
        assert!(!contains_secret(&other.to_string(), s), "{s} shown to ulla");
    }
}

/// Notifications stored at `k` for the account `account` (local or remote), of `kind`.
fn stored_notices(k: &TestApp, account: i64, kind: &str) -> Vec<(i64, Option<i64>)> {
    let q = kindred_db::models::notifications::NotificationQuery {
        types: vec![kindred_domain::NotificationKind::parse(kind).expect("a known kind")],
        limit: 100,
        ..Default::default()
    };
    k.state
        .db
        .run_blocking(move |c| kindred_db::models::notifications::list(c, account, &q))
        .unwrap()
        .into_iter()
        .map(|n| (n.from_account_id, n.meeting_id))
        .collect()
}

fn leave(remote: &Remote, n: u32, meeting: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/leaves/{n}", remote.base),
        "type": "Leave",
        "actor": remote.actor(),
        "object": meeting,
    })
}

async fn decide_on(k: &TestApp, fran: &str, meeting: i64, account: i64, action: &str) {
    let (status, v) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{meeting}/participation_requests/{account}/{action}"),
            fran,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

/// A place freed through either entrance (a member's leave in the API, a remote
/// Leave in the inbox) and a facilitator's approval seat people the same way and
/// tell them the same way: people of this instance by `participation_accepted`,
/// remote people by an Accept only (no notification row for a remote account, which
/// no one could read). Requests notify the facilitators alike from both entrances.
/// Before `kindred_core`, the API path stored notifications for remote accounts.
async fn places_freed_tell_local_people_from_both_entrances(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let fran_id = local_id(&k, "fran");
    let (lou, _) = k.member("lou").await;
    let (mia, mia_id) = k.member("mia").await;
    let mia_id: i64 = mia_id.parse().unwrap();
    let r1 = Remote::start(None);
    trust_rsvps(&k, &r1.domain()).await;

    // One place: Lou takes it, R1 then Mia wait.
    let free = create_meeting(&k, &fran, cafe, json!({"capacity": 1})).await;
    let free_url = k.url(&format!("/meetings/{free}"));
    answer(&k, &lou, free, json!({})).await;
    let (status, v) = r1.post(&k, &join(&r1, 1, &free_url)).await;
    assert_eq!(status, 202, "{v}");
    let a1 = account_of(&k, &r1).unwrap();
    answer(&k, &mia, free, json!({})).await;
    assert_eq!(state_at(&k, free, a1).as_deref(), Some("waitlisted"));
    assert_eq!(state_at(&k, free, mia_id).as_deref(), Some("waitlisted"));

    // Lou leaves through the API: R1 moves up and hears it by an Accept alone.
    leave_at(&k, &lou, free).await;
    assert_eq!(state_at(&k, free, a1).as_deref(), Some("accepted"));
    r1.wait_for("the Accept from the wait list", |v| {
        v["type"] == "Accept" && v["object"]["object"] == free_url.as_str()
    })
    .await;
    // R1 leaves through the inbox: Mia moves up and is told (the positive control
    // for the absence below: the same kind of notice is stored for a local person).
    let (status, v) = r1.post(&k, &leave(&r1, 1, &free_url)).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(state_at(&k, free, mia_id).as_deref(), Some("accepted"));
    assert!(told_accepted(&k, &mia, free).await);
    assert_eq!(
        stored_notices(&k, mia_id, "pleroma:participation_accepted"),
        vec![(cafe, Some(free))]
    );
    assert!(stored_notices(&k, a1, "pleroma:participation_accepted").is_empty());

    // Requests from both entrances reach the facilitator alike, from the asker.
    let approval = create_meeting(&k, &fran, cafe, json!({"join_mode": "approval"})).await;
    let approval_url = k.url(&format!("/meetings/{approval}"));
    answer(&k, &mia, approval, json!({})).await;
    let (status, v) = r1.post(&k, &join(&r1, 2, &approval_url)).await;
    assert_eq!(status, 202, "{v}");
    let mut asked = stored_notices(&k, fran_id, "pleroma:participation_request");
    asked.sort_unstable();
    let mut expected = vec![(mia_id, Some(approval)), (a1, Some(approval))];
    expected.sort_unstable();
    assert_eq!(asked, expected);

    // A facilitator's approval: the member is told, the remote attendee answered.
    decide_on(&k, &fran, approval, mia_id, "authorize").await;
    decide_on(&k, &fran, approval, a1, "authorize").await;
    r1.wait_for("the facilitator's Accept", |v| {
        v["type"] == "Accept" && v["object"]["object"] == approval_url.as_str()
    })
    .await;
    assert!(told_accepted(&k, &mia, approval).await);
    assert!(stored_notices(&k, a1, "pleroma:participation_accepted").is_empty());
}

/// Someone the group banned does not come, through the API (403, as before) nor
/// the inbox (a Reject, nothing stored; before, a banned remote account's Join was
/// seated); anyone may always leave (before, a banned member's leave was refused
/// with 403 and kept their place).
async fn banned_people_do_not_come_from_either_entrance(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let (olly, olly_id) = k.member("olly").await;
    let r1 = Remote::start(None);
    trust_rsvps(&k, &r1.domain()).await;
    let first = create_meeting(&k, &fran, cafe, json!({})).await;
    let first_url = k.url(&format!("/meetings/{first}"));
    let second = create_meeting(&k, &fran, cafe, json!({})).await;
    let second_url = k.url(&format!("/meetings/{second}"));

    // Positive controls: both come while not banned.
    answer(&k, &olly, first, json!({})).await;
    let (status, _) = r1.post(&k, &join(&r1, 1, &first_url)).await;
    assert_eq!(status, 202);
    let a1 = account_of(&k, &r1).unwrap();
    assert_eq!(state_at(&k, first, a1).as_deref(), Some("accepted"));

    for id in [olly_id.clone(), a1.to_string()] {
        let (status, v) = k
            .post_json(
                &format!("/api/v1/groups/{cafe}/accounts/{id}/ban"),
                &fran,
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }

    // Neither entrance seats them now.
    let (status, err) = k
        .post_json(
            &format!("/api/v1/pleroma/events/{second}/join"),
            &olly,
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "{err}");
    assert!(
        err["error"].as_str().unwrap().contains("no longer"),
        "{err}"
    );
    let (status, _) = r1.post(&k, &join(&r1, 2, &second_url)).await;
    assert_eq!(status, 202);
    r1.wait_for("the Reject of the banned account", |v| {
        v["type"] == "Reject" && v["object"]["object"] == second_url.as_str()
    })
    .await;
    assert!(all_participations(&k, second).is_empty());

    // Leaving stays possible through both.
    leave_at(&k, &olly, first).await;
    let olly_id: i64 = olly_id.parse().unwrap();
    assert_eq!(state_at(&k, first, olly_id), None);
    let (status, _) = r1.post(&k, &leave(&r1, 1, &first_url)).await;
    assert_eq!(status, 202);
    assert_eq!(state_at(&k, first, a1), None);
}

/// A group that blocked a partner server's instance actor takes no anonymous RSVP it
/// sends: the sender is checked as well as the attendee (an anonymous attendee names
/// no account, so the sender is all there is to hold against them).
async fn a_blocked_server_seats_nobody_anonymously(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let r2 = Remote::start(None);
    trust_rsvps(&k, &r2.domain()).await;
    let first = create_meeting(&k, &fran, cafe, json!({})).await;
    let first_url = k.url(&format!("/meetings/{first}"));
    let second = create_meeting(&k, &fran, cafe, json!({})).await;
    let second_url = k.url(&format!("/meetings/{second}"));

    // Positive control: seated while not blocked.
    let mut anonymous = join(&r2, 1, &first_url);
    anonymous["anonymousToken"] = json!("anon0123456789abcdef");
    anonymous["actor"] = json!(r2.instance_actor());
    let (status, v) = r2.post_as(&k, &r2.instance_actor(), &anonymous).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(all_participations(&k, first).len(), 1);
    let server = account_at(&k, &r2.instance_actor()).expect("the instance actor is known");

    k.state
        .db
        .run_blocking(move |c| {
            kindred_db::models::social::block(
                c,
                999_001,
                cafe,
                server,
                chrono::Utc::now().naive_utc(),
            )
        })
        .unwrap();

    let mut again = join(&r2, 2, &second_url);
    again["anonymousToken"] = json!("anon0123456789abcdef");
    again["actor"] = json!(r2.instance_actor());
    let (status, v) = r2.post_as(&k, &r2.instance_actor(), &again).await;
    assert_eq!(status, 202, "{v}");
    r2.wait_for("the Reject of the blocked server", |v| {
        v["type"] == "Reject" && v["object"]["object"] == second_url.as_str()
    })
    .await;
    assert!(all_participations(&k, second).is_empty());
}

/// A larger capacity moves the wait list up whoever waits: the member is told, the
/// remote attendee gets its Accept with the place (before, remote people moved up by
/// a capacity change were never answered).
async fn larger_capacity_answers_remote_people_moved_up(backend: Backend) {
    let Some(k) = instance(backend).await else {
        return;
    };
    let (fran, cafe) = facilitator_and_cafe(&k).await;
    let (lou, _) = k.member("lou").await;
    let (mia, mia_id) = k.member("mia").await;
    let mia_id: i64 = mia_id.parse().unwrap();
    let r1 = Remote::start(None);
    trust_rsvps(&k, &r1.domain()).await;
    let id = create_meeting(&k, &fran, cafe, json!({"capacity": 1})).await;
    let url = k.url(&format!("/meetings/{id}"));
    answer(&k, &lou, id, json!({})).await;
    let (status, _) = r1.post(&k, &join(&r1, 1, &url)).await;
    assert_eq!(status, 202);
    let a1 = account_of(&k, &r1).unwrap();
    answer(&k, &mia, id, json!({})).await;
    assert_eq!(state_at(&k, id, a1).as_deref(), Some("waitlisted"));
    drained(&[&k]).await;
    assert!(answers(&r1, "Accept", &url).is_empty());

    let (status, v) = k
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/pleroma/events/{id}"),
            Some(&fran),
            json!({"capacity": 3}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(state_at(&k, id, a1).as_deref(), Some("accepted"));
    assert_eq!(state_at(&k, id, mia_id).as_deref(), Some("accepted"));
    assert!(told_accepted(&k, &mia, id).await);
    let accept = r1
        .wait_for("the Accept of the larger capacity", |v| {
            v["type"] == "Accept" && v["object"]["object"] == url.as_str()
        })
        .await;
    assert_eq!(accept["to"], json!([r1.actor()]));
    assert_eq!(
        accept["location"]["address"]["streetAddress"],
        "Lindenstr. 3"
    );
    assert!(stored_notices(&k, a1, "pleroma:participation_accepted").is_empty());
}
