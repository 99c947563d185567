//! Meetings storage (`kindred_db::models::meetings`) on both backends: creating and
//! listing (public listings never carry members-only meetings nor those of private
//! groups), the private place kept apart, answers with approval, invitations and a
//! wait list that advances by itself, refusals that change nothing, single-occurrence
//! cancellations, anonymous remote attendees, and personal feed tokens.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use kindred_db::models::groups::{self, GroupRow, MembershipRow};
use kindred_db::models::meetings::{self as store, Cursor, MeetingStoreError, Participant, Scope};
use kindred_db::schema::{accounts, meeting_participations};
use kindred_db::{migrate, AnyConnection, Db, DbSettings, NewAccount};
use kindred_domain::meetings::{
    Disclosure, FacilitatorAction, MeetingDetails, MeetingInput, ParticipationState, PlaceInput,
    Rsvp, Viewer,
};

use crate::common::{database_url, Backend, TempDir};

const FACILITATOR: i64 = 10;
const GROUP: i64 = 100;
const PRIVATE_GROUP: i64 = 101;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at("2026-11-26T12:00:00Z")
}

fn naive_now() -> NaiveDateTime {
    now().naive_utc()
}

fn account(id: i64, role: &str) -> NewAccount {
    NewAccount {
        id,
        username: format!("a{id}"),
        username_lower: format!("a{id}"),
        domain: String::new(),
        display_name: String::new(),
        note: String::new(),
        role: kindred_domain::AccountRole::parse(role).unwrap(),
        public_key_pem: String::new(),
        approved: true,
        created_at: naive_now(),
        updated_at: naive_now(),
    }
}

fn group(conn: &mut AnyConnection, id: i64, visibility: &str) {
    let group = GroupRow {
        account_id: id,
        visibility: kindred_domain::groups::GroupVisibility::parse(visibility).unwrap(),
        rules: String::new(),
        questions: "[]".into(),
        content_warning: String::new(),
        review_first_posts: 0,
        private_key_pem: String::new(),
        created_at: naive_now(),
        updated_at: naive_now(),
        show_participant_count: false,
        max_per_remote_domain: None,
        retention_days: None,
    };
    let owner = MembershipRow {
        id: id * 10,
        group_id: id,
        account_id: FACILITATOR,
        role: kindred_domain::groups::GroupRole::Owner,
        state: kindred_domain::groups::MembershipState::Member,
        answers: "[]".into(),
        approved_posts: 0,
        muted_until: None,
        created_at: naive_now(),
        updated_at: naive_now(),
    };
    groups::create(
        conn,
        &account(id, kindred_domain::AccountRole::GROUP),
        &group,
        &owner,
    )
    .unwrap();
}

fn setup(backend: Backend, dir: &TempDir) -> Option<Db> {
    let url = database_url(backend, dir)?;
    let db = Db::connect(&DbSettings {
        url,
        max_connections: 4,
    })
    .unwrap();
    migrate::run_pending(&db).unwrap();
    db.run_blocking(|conn| {
        diesel::insert_into(accounts::table)
            .values(account(FACILITATOR, "facilitator"))
            .execute(conn)?;
        for id in 11..=20 {
            diesel::insert_into(accounts::table)
                .values(account(id, "member"))
                .execute(conn)?;
        }
        group(conn, GROUP, "public");
        group(conn, PRIVATE_GROUP, "private");
        Ok(())
    })
    .unwrap();
    Some(db)
}

#[derive(Clone, Copy)]
struct Spec<'a> {
    start: &'a str,
    end: &'a str,
    recurrence: &'a str,
    join_mode: &'a str,
    audience: &'a str,
    capacity: Option<i64>,
}

const SPEC: Spec<'static> = Spec {
    start: "2026-12-01T18:30",
    end: "2026-12-01T20:00",
    recurrence: "",
    join_mode: "free",
    audience: "public",
    capacity: None,
};

fn details(s: Spec<'_>) -> MeetingDetails {
    let acc = ["step_free".to_owned()];
    MeetingDetails::parse(&MeetingInput {
        title: "Peer café",
        description: "Tea and talk",
        start: s.start,
        end: s.end,
        time_zone: "Europe/Berlin",
        recurrence: s.recurrence,
        join_mode: s.join_mode,
        audience: s.audience,
        capacity: s.capacity,
        place: PlaceInput {
            locality: "Leipzig",
            region: "Saxony",
            country: "Germany",
            venue_name: "Haus der Begegnung",
            street_address: "Lindenstr. 3",
            postal_code: "04109",
            access_notes: "Ring the bell marked 3",
            accessibility: &acc,
            online_link: "https://meet.example/room",
        },
        ..MeetingInput::default()
    })
    .unwrap()
}

fn create(conn: &mut AnyConnection, id: i64, group: Option<i64>, s: Spec<'_>) -> MeetingDetails {
    let d = details(s);
    let (m, t, p) = store::rows(id, group, Some(FACILITATOR), &d, naive_now());
    store::create(conn, &m, &t, &p).unwrap();
    d
}

fn go(conn: &mut AnyConnection, meeting: i64, who: i64, rsvp: Rsvp) -> store::Applied {
    store::answer(
        conn,
        meeting,
        &Participant::Account(who),
        rsvp,
        None,
        now(),
        meeting * 1000 + who,
    )
    .unwrap()
}

fn state(conn: &mut AnyConnection, meeting: i64, who: i64) -> Option<String> {
    store::participation(conn, meeting, &Participant::Account(who))
        .unwrap()
        .map(|p| p.state.as_str().to_owned())
}

fn refused(r: Result<store::Applied, MeetingStoreError>) -> &'static str {
    match r {
        Err(MeetingStoreError::Refused(e)) => e.code(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn row_count(conn: &mut AnyConnection) -> i64 {
    meeting_participations::table
        .count()
        .get_result(conn)
        .unwrap()
}

fn listings(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        create(conn, 1, Some(GROUP), SPEC);
        create(
            conn,
            2,
            Some(GROUP),
            Spec {
                audience: "members",
                ..SPEC
            },
        );
        create(conn, 3, Some(PRIVATE_GROUP), SPEC);
        create(
            conn,
            4,
            None,
            Spec {
                start: "2026-12-02T10:00",
                end: "2026-12-02T11:00",
                ..SPEC
            },
        );
        // Over before `now`.
        create(
            conn,
            5,
            Some(GROUP),
            Spec {
                start: "2026-11-01T10:00",
                end: "2026-11-01T11:00",
                ..SPEC
            },
        );
        // Began before `now` but recurs without end.
        create(
            conn,
            6,
            Some(GROUP),
            Spec {
                start: "2026-11-03T10:00",
                end: "2026-11-03T11:00",
                recurrence: "FREQ=WEEKLY;BYDAY=TU",
                ..SPEC
            },
        );
        let ids = |v: Vec<store::Meeting>| v.iter().map(|m| m.meeting.id).collect::<Vec<_>>();
        let n = naive_now();
        assert_eq!(
            ids(store::upcoming(conn, Scope::Public, true, n, None, 20)?),
            [6, 1, 4]
        );
        assert_eq!(
            ids(store::upcoming(
                conn,
                Scope::Group(GROUP),
                false,
                n,
                None,
                20
            )?),
            [6, 1]
        );
        assert_eq!(
            ids(store::upcoming(
                conn,
                Scope::Group(GROUP),
                true,
                n,
                None,
                20
            )?),
            [6, 1, 2]
        );
        assert_eq!(
            ids(store::upcoming(conn, Scope::Instance, true, n, None, 20)?),
            [4]
        );
        // Paging by first start, then id.
        let first = store::upcoming(conn, Scope::Group(GROUP), true, n, None, 2)?;
        let after: Cursor = first[1].cursor();
        assert_eq!(
            ids(store::upcoming(
                conn,
                Scope::Group(GROUP),
                true,
                n,
                Some(after),
                2
            )?),
            [2]
        );

        // The stored meeting reads back; the series end is kept for listings.
        let m = store::find(conn, 6)?.unwrap();
        assert_eq!(m.time.recurrence.as_deref(), Some("FREQ=WEEKLY;BYDAY=TU"));
        assert_eq!(m.time.series_ends_at, None);
        assert!(m.meeting.online);
        let (time, rule) = m.time.schedule().unwrap();
        assert_eq!(time.start_local().to_string(), "2026-11-03 10:00:00");
        assert!(rule.is_some());
        // The public row holds no address; the private one does, apart.
        assert_eq!(m.meeting.public_place().label(), "Leipzig, Saxony, Germany");
        let private = store::private_place(conn, 6)?.unwrap();
        assert_eq!(private.street_address, "Lindenstr. 3");
        let place = m.meeting.place(&private);
        let facilitator = Viewer {
            facilitator: true,
            participation: None,
        };
        let d = Disclosure::decide(&facilitator).unwrap();
        assert_eq!(place.full(&d).access_notes, "Ring the bell marked 3");
        assert_eq!(
            place.full(&d).online_link.as_ref().map(|u| u.as_str()),
            Some("https://meet.example/room")
        );
        assert_eq!(place, details(SPEC).place);
        Ok(())
    })
    .unwrap();
}

fn wait_list(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        create(
            conn,
            1,
            Some(GROUP),
            Spec {
                capacity: Some(2),
                ..SPEC
            },
        );
        assert_eq!(
            go(conn, 1, 11, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Accepted
        );
        assert_eq!(
            go(conn, 1, 12, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Accepted
        );
        assert_eq!(
            go(conn, 1, 13, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Waitlisted
        );
        assert_eq!(
            go(conn, 1, 14, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Waitlisted
        );
        assert_eq!(
            go(conn, 1, 15, Rsvp::Interested)
                .participation
                .unwrap()
                .state,
            ParticipationState::Interested
        );
        // Answering going twice changes nothing.
        assert_eq!(go(conn, 1, 11, Rsvp::Going).promoted, []);
        let counts = store::counts(conn, &[1])?;
        assert_eq!(counts[&1]["accepted"], 2);
        assert_eq!(counts[&1]["waitlisted"], 2);

        // A place frees: the longest waiting gets it, and only they.
        let left = go(conn, 1, 11, Rsvp::NotGoing);
        assert_eq!(left.participation, None);
        assert_eq!(left.promoted.len(), 1);
        assert_eq!(left.promoted[0].account_id, Some(13));
        assert_eq!(state(conn, 1, 13).as_deref(), Some("accepted"));
        assert_eq!(state(conn, 1, 14).as_deref(), Some("waitlisted"));
        assert_eq!(state(conn, 1, 11), None);

        // Capacity below the accepted count is refused and nothing changes.
        let mut d = details(Spec {
            capacity: Some(1),
            ..SPEC
        });
        d.title = "Renamed".into();
        let (m, t, p) = store::rows(1, Some(GROUP), Some(FACILITATOR), &d, naive_now());
        match store::update(conn, &m, &t, &p) {
            Err(MeetingStoreError::Refused(e)) => assert_eq!(e.code(), "capacity_below_accepted"),
            other => panic!("{other:?}"),
        }
        assert_eq!(store::find(conn, 1)?.unwrap().meeting.title, "Peer café");
        assert_eq!(store::find(conn, 1)?.unwrap().meeting.capacity, Some(2));

        // A larger capacity lets the wait list in.
        let d = details(Spec {
            capacity: Some(5),
            ..SPEC
        });
        let (m, t, p) = store::rows(1, Some(GROUP), Some(FACILITATOR), &d, naive_now());
        let promoted = store::update(conn, &m, &t, &p).unwrap();
        assert_eq!(
            promoted.iter().map(|p| p.account_id).collect::<Vec<_>>(),
            [Some(14)]
        );

        // Joined meetings of an account.
        let joined = store::joined(conn, 14, naive_now(), None, 10)?;
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].1.state, ParticipationState::Accepted);
        assert!(store::joined(conn, 15, naive_now(), None, 10)?.is_empty());
        Ok(())
    })
    .unwrap();
}

fn approval_and_refusals(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        create(
            conn,
            1,
            Some(GROUP),
            Spec {
                join_mode: "approval",
                capacity: Some(1),
                ..SPEC
            },
        );
        let r = store::answer(
            conn,
            1,
            &Participant::Account(11),
            Rsvp::Going,
            Some("  Sam  "),
            now(),
            501,
        )
        .unwrap();
        let p = r.participation.unwrap();
        assert_eq!(
            (p.state.as_str(), p.meeting_name.as_deref()),
            ("requested", Some("Sam"))
        );
        go(conn, 1, 12, Rsvp::Going);
        go(conn, 1, 13, Rsvp::Going);
        let who = |a| Participant::Account(a);
        let a = store::facilitate(conn, 1, &who(11), FacilitatorAction::Approve, now(), 0).unwrap();
        assert_eq!(a.participation.unwrap().state, ParticipationState::Accepted);
        // Full: approving puts the next one on the wait list.
        let a = store::facilitate(conn, 1, &who(12), FacilitatorAction::Approve, now(), 0).unwrap();
        assert_eq!(
            a.participation.unwrap().state,
            ParticipationState::Waitlisted
        );
        // Rejecting the accepted one moves the wait list up.
        let a = store::facilitate(conn, 1, &who(11), FacilitatorAction::Reject, now(), 0).unwrap();
        assert_eq!(a.participation.unwrap().state, ParticipationState::Rejected);
        assert_eq!(a.promoted[0].account_id, Some(12));
        // A rejected person can't answer going again, and "leaving" keeps the rejection.
        let before = row_count(conn);
        assert_eq!(
            refused(store::answer(
                conn,
                1,
                &who(11),
                Rsvp::Going,
                None,
                now(),
                0
            )),
            "participation_rejected"
        );
        go(conn, 1, 11, Rsvp::NotGoing);
        assert_eq!(state(conn, 1, 11).as_deref(), Some("rejected"));
        assert_eq!(
            refused(store::facilitate(
                conn,
                1,
                &who(14),
                FacilitatorAction::Approve,
                now(),
                0
            )),
            "nothing_to_approve"
        );
        assert_eq!(row_count(conn), before);

        // The facilitators' list, by state.
        let requested =
            store::participations(conn, 1, Some(ParticipationState::Requested), None, 10)?;
        assert_eq!(
            requested.iter().map(|p| p.account_id).collect::<Vec<_>>(),
            [Some(13)]
        );
        assert_eq!(store::participations(conn, 1, None, None, 10)?.len(), 3);

        // Invitation only.
        create(
            conn,
            2,
            Some(GROUP),
            Spec {
                join_mode: "invite",
                ..SPEC
            },
        );
        assert_eq!(
            refused(store::answer(
                conn,
                2,
                &who(15),
                Rsvp::Going,
                None,
                now(),
                0
            )),
            "invitation_required"
        );
        assert_eq!(state(conn, 2, 15), None);
        store::facilitate(conn, 2, &who(15), FacilitatorAction::Invite, now(), 2015).unwrap();
        assert_eq!(state(conn, 2, 15).as_deref(), Some("invited"));
        assert_eq!(
            go(conn, 2, 15, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Accepted
        );

        // Cancelled and past meetings refuse answers and keep no row.
        create(conn, 3, Some(GROUP), SPEC);
        assert!(store::cancel(conn, 3, naive_now())?);
        assert_eq!(
            refused(store::answer(
                conn,
                3,
                &who(16),
                Rsvp::Going,
                None,
                now(),
                3016
            )),
            "meeting_cancelled"
        );
        create(
            conn,
            4,
            Some(GROUP),
            Spec {
                start: "2026-11-01T10:00",
                end: "2026-11-01T11:00",
                ..SPEC
            },
        );
        assert_eq!(
            refused(store::answer(
                conn,
                4,
                &who(16),
                Rsvp::Interested,
                None,
                now(),
                4016
            )),
            "meeting_over"
        );
        assert_eq!(state(conn, 3, 16), None);
        assert_eq!(state(conn, 4, 16), None);
        // An unknown meeting is not found, not a panic.
        assert!(matches!(
            store::answer(conn, 99, &who(16), Rsvp::Going, None, now(), 1),
            Err(MeetingStoreError::Db(kindred_db::DbError::NotFound))
        ));
        Ok(())
    })
    .unwrap();
}

fn cancellations_and_anonymous(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        let d = create(
            conn,
            1,
            Some(GROUP),
            Spec {
                recurrence: "FREQ=WEEKLY;BYDAY=TU",
                ..SPEC
            },
        );
        let second = d.time.start_local() + Duration::weeks(1);
        store::cancel_occurrence(conn, 1, second, naive_now()).unwrap();
        // Twice is fine.
        store::cancel_occurrence(conn, 1, second, naive_now()).unwrap();
        let off = second + Duration::hours(1);
        match store::cancel_occurrence(conn, 1, off, naive_now()) {
            Err(MeetingStoreError::Refused(e)) => assert_eq!(e.code(), "invalid_meeting"),
            other => panic!("{other:?}"),
        }
        assert_eq!(store::cancellations(conn, &[1])?[&1], [second]);
        create(conn, 2, Some(GROUP), SPEC);
        assert!(matches!(
            store::cancel_occurrence(conn, 2, d.time.start_local(), naive_now()),
            Err(MeetingStoreError::Refused(_))
        ));
        // Moving the series to Wednesdays drops the cancellation that no longer fits.
        let moved = details(Spec {
            start: "2026-12-02T18:30",
            end: "2026-12-02T20:00",
            recurrence: "FREQ=WEEKLY;BYDAY=WE",
            ..SPEC
        });
        let (m, t, p) = store::rows(1, Some(GROUP), Some(FACILITATOR), &moved, naive_now());
        store::update(conn, &m, &t, &p).unwrap();
        assert!(store::cancellations(conn, &[1])?.is_empty());
        let wed = moved.time.start_local() + Duration::weeks(1);
        store::cancel_occurrence(conn, 1, wed, naive_now()).unwrap();
        assert!(store::restore_occurrence(conn, 1, wed, naive_now())?);

        // An anonymous remote attendee is counted, known only by their token.
        create(
            conn,
            3,
            Some(GROUP),
            Spec {
                capacity: Some(1),
                ..SPEC
            },
        );
        let anon = Participant::Anonymous {
            token: "tok-7f3a".into(),
            domain: "other.example".into(),
        };
        let r = store::answer(conn, 3, &anon, Rsvp::Going, None, now(), 3001).unwrap();
        let p = r.participation.unwrap();
        assert_eq!((p.account_id, p.state.as_str()), (None, "accepted"));
        assert_eq!(
            go(conn, 3, 11, Rsvp::Going).participation.unwrap().state,
            ParticipationState::Waitlisted
        );
        let r = store::answer(conn, 3, &anon, Rsvp::NotGoing, None, now(), 0).unwrap();
        assert_eq!(r.promoted[0].account_id, Some(11));
        assert!(store::participation(conn, 3, &anon)?.is_none());
        Ok(())
    })
    .unwrap();
}

/// Eight people answer at once for three places: exactly three get one, the rest
/// wait, on both backends (the meeting row is locked for the decision).
fn racing_for_the_last_places(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        create(
            conn,
            1,
            Some(GROUP),
            Spec {
                capacity: Some(3),
                ..SPEC
            },
        );
        Ok(())
    })
    .unwrap();
    std::thread::scope(|s| {
        for who in 11..=18 {
            let db = db.clone();
            s.spawn(move || {
                db.run_blocking(|conn| Ok(go(conn, 1, who, Rsvp::Going)))
                    .unwrap();
            });
        }
    });
    db.run_blocking(|conn| {
        let counts = store::counts(conn, &[1])?;
        assert_eq!(counts[&1]["accepted"], 3);
        assert_eq!(counts[&1]["waitlisted"], 5);
        Ok(())
    })
    .unwrap();
}

fn feed_tokens(backend: Backend) {
    let dir = TempDir::new("kindred-meetings");
    let Some(db) = setup(backend, &dir) else {
        return;
    };
    db.run_blocking(|conn| {
        store::create_feed_token(conn, 11, "hash-one", naive_now())?;
        assert_eq!(store::feed_token_account(conn, "hash-one")?, Some(11));
        // A new token revokes the old one.
        store::create_feed_token(conn, 11, "hash-two", naive_now())?;
        assert_eq!(store::feed_token_account(conn, "hash-one")?, None);
        assert_eq!(store::feed_token_account(conn, "hash-two")?, Some(11));
        // Hashes are unique across accounts.
        assert!(matches!(
            store::create_feed_token(conn, 12, "hash-two", naive_now()),
            Err(kindred_db::DbError::Conflict)
        ));
        assert!(store::revoke_feed_token(conn, 11)?);
        assert!(!store::revoke_feed_token(conn, 11)?);
        assert_eq!(store::feed_token_account(conn, "hash-two")?, None);
        Ok(())
    })
    .unwrap();
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::common::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name(crate::common::Backend::Postgres)
            }
        }
    )*};
}

both!(
    listings,
    wait_list,
    approval_and_refusals,
    cancellations_and_anonymous,
    racing_for_the_last_places,
    feed_tokens
);
