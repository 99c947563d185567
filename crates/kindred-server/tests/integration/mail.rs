//! Email (issue 26) against a real SMTP server process on loopback (`aiosmtpd` from
//! PyPI, installed by scripts/test.sh into .venv; its `Mailbox` handler writes what
//! arrives into a Maildir that the tests read): the password-reset link arrives
//! and works once, an unknown address gets the same answer and no mail, a message
//! survives the SMTP server being down, no message carries a post, a group or a
//! meeting's place, and no log line carries an address. Also without SMTP: change
//! password, authorized apps, token expiry, the admin's reset command.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kindred_db::models::email as outbox;
use kindred_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{
    both_backends, free_port, meeting_at, spawn_app, spawn_app_with, Backend, TempDir, TestApp,
};

both_backends!(
    reset_link_arrives_and_works_once,
    reset_mails_are_limited_per_address_and_client,
    a_message_waits_for_the_smtp_server,
    mails_carry_no_post_group_or_place,
    change_password_ends_other_tokens,
    authorized_apps_are_listed_and_revoked,
    unused_tokens_expire,
    admin_reset_password_link,
    sign_up_decisions_are_mailed,
);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A Python with aiosmtpd, or None (a skip, loud; a failure in CI).
fn python() -> Option<String> {
    let candidates = [
        std::env::var("KINDRED_TEST_PYTHON").ok(),
        Some(
            repo_root()
                .join(".venv/bin/python")
                .to_string_lossy()
                .into_owned(),
        ),
        Some("python3".to_owned()),
    ];
    let found = candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    });
    if found.is_none() {
        if std::env::var("KINDRED_REQUIRE_CLIENT_TESTS").is_ok_and(|v| v == "1") {
            panic!("aiosmtpd is required (KINDRED_REQUIRE_CLIENT_TESTS=1) but not installed");
        }
        eprintln!("\n*** SKIPPED email test: aiosmtpd is not installed. Run scripts/test.sh, which installs it. ***\n");
    }
    found
}

/// An aiosmtpd process on a loopback port, writing every message it takes into a
/// Maildir.
struct Smtp {
    python: String,
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl Smtp {
    /// Not started yet: the port is chosen (for the instance's settings).
    fn new() -> Option<Smtp> {
        Some(Smtp {
            python: python()?,
            port: free_port(),
            dir: TempDir::new("kindred-smtp"),
            child: None,
        })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let child = Command::new(&self.python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.dir.0.join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every message received so far, raw (headers and body).
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.0.join("maildir/new")) else {
            return Vec::new();
        };
        let mut out: Vec<(std::time::SystemTime, String)> = entries
            .flatten()
            .map(|e| {
                let t = e.metadata().and_then(|m| m.modified()).unwrap();
                (t, unfold(&std::fs::read_to_string(e.path()).unwrap()))
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, m)| m).collect()
    }

    /// Waits until `n` messages have arrived, and returns them.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {n} messages, have {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A message as read: quoted-printable soft breaks joined and `=3D` decoded, so a
/// link reads whole whatever encoding lettre chose.
fn unfold(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    if !raw.contains("quoted-printable") {
        return raw;
    }
    raw.replace("=\n", "").replace("=3D", "=")
}

fn header<'a>(message: &'a str, name: &str) -> &'a str {
    message
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_default()
}

fn link_in(message: &str, path: &str) -> String {
    let at = message.find(path).expect("link in the message");
    let start = message[..at].rfind("http").unwrap();
    message[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

async fn app_with_smtp(backend: Backend, smtp: &Smtp) -> Option<TestApp> {
    let url = smtp.url();
    spawn_app_with(
        backend,
        &[
            ("KINDRED__EMAIL__SMTP_URL", url.as_str()),
            (
                "KINDRED__EMAIL__FROM",
                "Kindred test <no-reply@kindred.test>",
            ),
            ("KINDRED__EMAIL__RETRY_SECONDS", "1"),
            ("KINDRED__LOG__LEVEL", "info"),
        ],
    )
    .await
}

/// The page's `csrf_token` (the client keeps the cookie).
async fn form(app: &TestApp, path: &str) -> (u16, String, String) {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let page = resp.text().await.unwrap();
    let token = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    (status, page, token)
}

async fn submit(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let resp = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn queued(app: &TestApp) -> i64 {
    app.state.db.run(outbox::queued).await.unwrap()
}

async fn verify(app: &TestApp, token: &str) -> u16 {
    app.get_json("/api/v1/accounts/verify_credentials", Some(token))
        .await
        .0
}

async fn reset_link_arrives_and_works_once(backend: Backend) {
    let logs = crate::meetings::logs();
    let Some(mut smtp) = Smtp::new() else {
        return;
    };
    smtp.start().await;
    let Some(app) = app_with_smtp(backend, &smtp).await else {
        return;
    };
    const ADDRESS: &str = "ines.reset@mailbox.example";
    app.create_user("ines", "ines's old password", Some(ADDRESS), Role::Member)
        .await;
    // The sign-up's confirmation link arrives first (and shows the server works).
    let first = smtp.wait_for(1).await;
    assert!(header(&first[0], "Subject").starts_with("Confirm your email address at Kindred test"));
    let old_token = app.login("ines", "ines's old password").await;
    assert_eq!(verify(&app, &old_token).await, 200);

    // An unknown address and a known one: the same page, word for word.
    let (status, page, csrf) = form(&app, "/auth/password/reset").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"email\""), "{page}");
    let (s1, unknown) = submit(
        &app,
        "/auth/password/reset",
        &[
            ("email", "nobody.here@mailbox.example"),
            ("csrf_token", &csrf),
        ],
    )
    .await;
    let (s2, known) = submit(
        &app,
        "/auth/password/reset",
        &[("email", ADDRESS), ("csrf_token", &csrf)],
    )
    .await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(unknown, known);
    // A form without its token changes nothing.
    let (s3, _) = submit(&app, "/auth/password/reset", &[("email", ADDRESS)]).await;
    assert_eq!(s3, 403);
    // The service itself queues nothing for an unknown address.
    let none =
        kindred_api::services::passwords::request_reset(&app.state, "nobody.here@mailbox.example")
            .await
            .unwrap();
    assert_eq!(none, 0);

    let got = smtp.wait_for(2).await;
    let reset = &got[1];
    assert_eq!(
        header(reset, "Subject"),
        "Reset your password at Kindred test"
    );
    assert!(header(reset, "To").contains(ADDRESS), "{reset}");
    // Never the pseudonym: a shared mailbox must not learn it.
    assert!(
        !reset.to_lowercase().contains("ines\n") && !reset.contains("@ines"),
        "{reset}"
    );
    let link = link_in(reset, "/auth/password/reset/");
    let path = link
        .strip_prefix(&app.base)
        .expect("link to this instance")
        .to_owned();

    // The link's form; a new password ends every token.
    let (status, page, csrf) = form(&app, &path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"password\""));
    let (status, _) = submit(&app, &path, &[("password", "ines's new password")]).await;
    assert_eq!(status, 403, "without csrf_token nothing happens");
    assert_eq!(verify(&app, &old_token).await, 200);
    let (status, page) = submit(
        &app,
        &path,
        &[("password", "ines's new password"), ("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(verify(&app, &old_token).await, 401);
    let fresh = app.login("ines", "ines's new password").await;
    assert_eq!(verify(&app, &fresh).await, 200);
    let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let old = app
        .password_token(&c, "ines", "ines's old password", "read")
        .await;
    assert_eq!(old.status(), 401);
    // Once only.
    let (status, _) = submit(
        &app,
        &path,
        &[("password", "someone else's pick"), ("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(form(&app, &path).await.0, 404);
    assert_eq!(verify(&app, &fresh).await, 200);

    // Nothing more arrived (the unknown address got nothing), nothing waits.
    assert_eq!(queued(&app).await, 0);
    assert_eq!(smtp.messages().len(), 2);
    // Logs: the control lines are there, the address is not.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.contains("password reset link queued"), "control line");
    assert!(text.contains("email sent"), "control line");
    assert!(
        !text.to_lowercase().contains(ADDRESS),
        "address in the logs"
    );
    assert!(!text.contains("nobody.here"), "asked address in the logs");
    // Only ids: never the link's token, the passwords or the name.
    let token = path.rsplit('/').next().unwrap();
    assert!(token.len() >= 16, "{path}");
    crate::erasure::assert_logged_by_id(
        &text,
        "password reset link queued",
        &[token, "ines's new password", "ines's old password", "ines"],
    );
    crate::erasure::assert_logged_by_id(&text, "password reset", &[]);
}

/// Moves every emailed token an hour into the past, so the one-mail-per-account
/// quiet time is over and only the request limits decide.
async fn age_tokens(app: &TestApp) {
    use diesel::prelude::*;
    use kindred_db::schema::email_tokens;
    let then = (chrono::Utc::now() - chrono::Duration::hours(1)).naive_utc();
    app.state
        .db
        .run(move |c| {
            diesel::update(email_tokens::table)
                .set(email_tokens::created_at.eq(then))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// `POST /auth/password/reset` is limited per address and per client (here 2 and
/// 3 an hour): over either, the page is the same and no mail goes. Each absence is
/// judged once a later message (a positive control) has arrived.
async fn reset_mails_are_limited_per_address_and_client(backend: Backend) {
    let logs = crate::meetings::logs();
    let Some(mut smtp) = Smtp::new() else {
        return;
    };
    smtp.start().await;
    let url = smtp.url();
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__EMAIL__SMTP_URL", url.as_str()),
            (
                "KINDRED__EMAIL__FROM",
                "Kindred test <no-reply@kindred.test>",
            ),
            ("KINDRED__EMAIL__RETRY_SECONDS", "1"),
            ("KINDRED__LOG__LEVEL", "info"),
            ("KINDRED__LIMITS__PASSWORD_RESETS_PER_ADDRESS", "2/1h"),
            ("KINDRED__LIMITS__PASSWORD_RESETS_PER_CLIENT", "3/1h"),
        ],
    )
    .await
    else {
        return;
    };
    const A: &str = "ines.limited@mailbox.example";
    const B: &str = "jon.limited@mailbox.example";
    app.create_user("ines", "ines's password", Some(A), Role::Member)
        .await;
    app.create_user("jon", "jon's password", Some(B), Role::Member)
        .await;
    smtp.wait_for(2).await; // the two address confirmations
    let (_, _, csrf) = form(&app, "/auth/password/reset").await;
    let ask = |address: &'static str| {
        let csrf = csrf.clone();
        let app = &app;
        async move {
            let (status, page) = submit(
                app,
                "/auth/password/reset",
                &[("email", address), ("csrf_token", &csrf)],
            )
            .await;
            assert_eq!(status, 200, "{page}");
            page
        }
    };
    let resets_to = |messages: &[String], address: &str| {
        messages
            .iter()
            .filter(|m| header(m, "Subject").starts_with("Reset your password"))
            .filter(|m| header(m, "To").contains(address))
            .count()
    };
    // Two for A arrive.
    let answer = ask(A).await;
    smtp.wait_for(3).await;
    age_tokens(&app).await;
    assert_eq!(ask(A).await, answer);
    smtp.wait_for(4).await;
    age_tokens(&app).await;
    // A third for A is over the address limit: the same page, no mail...
    assert_eq!(ask(A).await, answer);
    // ... judged once B's mail, asked after it, has arrived.
    assert_eq!(ask(B).await, answer);
    let got = smtp.wait_for(5).await;
    assert_eq!(resets_to(&got, B), 1);
    age_tokens(&app).await;
    // The client has asked three times (the refused one not counted): a fourth,
    // for B (under its address limit), is over the client limit.
    assert_eq!(ask(B).await, answer);
    // The positive control: the service itself (no limit) still mails B, which it
    // would not if the refused request had (one mail per account per 2 minutes).
    let sent = kindred_api::services::passwords::request_reset(&app.state, B)
        .await
        .unwrap();
    assert_eq!(sent, 1, "the refused request queued a mail for B");
    let got = smtp.wait_for(6).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while queued(&app).await > 0 {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = if smtp.messages().len() > got.len() {
        smtp.messages()
    } else {
        got
    };
    assert_eq!(resets_to(&got, A), 2, "A got more than its limit");
    assert_eq!(resets_to(&got, B), 2);
    assert_eq!(got.len(), 6);
    // Logs: the refusals by kind only, never an address.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.contains("password reset request over the limit"),
        "control line"
    );
    for address in [A, B] {
        assert!(
            !text.to_lowercase().contains(address),
            "{address} in the logs"
        );
    }
}

async fn a_message_waits_for_the_smtp_server(backend: Backend) {
    let Some(mut smtp) = Smtp::new() else {
        return;
    };
    // The SMTP server is down at first.
    let Some(app) = app_with_smtp(backend, &smtp).await else {
        return;
    };
    const ADDRESS: &str = "kai.waits@mailbox.example";
    app.create_user("kai", "kai's password", Some(ADDRESS), Role::Member)
        .await;
    // Asking still answers at once, and the message is kept.
    let (_, _, csrf) = form(&app, "/auth/password/reset").await;
    let (status, _) = submit(
        &app,
        "/auth/password/reset",
        &[("email", ADDRESS), ("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(status, 200);
    // Both messages (confirmation, reset) failed at least once and are still queued.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let far = (chrono::Utc::now() + chrono::Duration::days(1)).naive_utc();
        let rows = app
            .state
            .db
            .run(move |c| outbox::due(c, far, 10))
            .await
            .unwrap();
        if rows.len() == 2 && rows.iter().all(|r| r.attempts >= 1) {
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempt recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(smtp.messages().is_empty());
    // Back up: both arrive, and the queue empties.
    smtp.start().await;
    let got = smtp.wait_for(2).await;
    let subjects: Vec<&str> = got.iter().map(|m| header(m, "Subject")).collect();
    assert!(
        subjects.contains(&"Reset your password at Kindred test"),
        "{subjects:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while queued(&app).await > 0 {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(smtp.messages().len(), 2, "each message once");
}

const STREET: &str = "Lindenallee 23";
const POSTAL: &str = "28195";
const NOTES: &str = "side door by the bakery";
const TITLE: &str = "Hearing voices circle";
const GROUP: &str = "Voices Bremen";
const POST: &str = "I had a hard week and nobody outside knows";

async fn mails_carry_no_post_group_or_place(backend: Backend) {
    let Some(mut smtp) = Smtp::new() else {
        return;
    };
    smtp.start().await;
    let Some(app) = app_with_smtp(backend, &smtp).await else {
        return;
    };
    app.create_user("fran", "fran's password", None, Role::Facilitator)
        .await;
    let fac = app.login("fran", "fran's password").await;
    app.create_user(
        "mo",
        "mo's password",
        Some("mo.member@mailbox.example"),
        Role::Member,
    )
    .await;
    let mo = app.login("mo", "mo's password").await;
    let mo_id = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&mo))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Mo confirms the address (the sign-up's link) and opts in.
    let got = smtp.wait_for(1).await;
    let link = link_in(&got[0], "/auth/email/confirm/");
    let path = link.strip_prefix(&app.base).unwrap().to_owned();
    let (status, _) = app
        .get_json("/api/v1/kindred/account/email", Some(&mo))
        .await;
    assert_eq!(status, 200);
    let (_, before) = app
        .get_json("/api/v1/kindred/account/email", Some(&mo))
        .await;
    assert_eq!(before["has_address"], true);
    assert_eq!(before["confirmed"], false);
    crate::common::assert_no_email(&before, "mo.member@mailbox.example");
    let (_, _, csrf) = form(&app, &path).await;
    let (status, page) = submit(&app, &path, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, 200, "{page}");
    let v = app
        .send_ok(
            Method::PATCH,
            "/api/v1/kindred/account/email",
            Some(&mo),
            json!({"meeting_reminders": true, "place_confirmed": true}),
        )
        .await;
    assert_eq!(v["confirmed"], true, "{v}");
    assert_eq!(v["place_confirmed"], true, "{v}");

    // A group, a discussion post, a meeting with a place; Mo is given a place.
    let g = app
        .post_ok(
            "/api/v1/groups",
            &fac,
            json!({"username": "voicesbremen", "display_name": GROUP, "visibility": "public"}),
        )
        .await;
    let gid = g["id"].as_str().unwrap().to_owned();
    app.post_ok(&format!("/api/v1/groups/{gid}/join"), &mo, json!({}))
        .await;
    app.post_status(&mo, json!({"status": format!("@voicesbremen {POST}")}))
        .await;
    let e = app
        .post_ok(
            "/api/v1/pleroma/events",
            &fac,
            json!({
                "group_id": gid,
                "title": TITLE,
                "start_time": meeting_at(0, "18:30"),
                "end_time": meeting_at(0, "20:00"),
                "time_zone": "Europe/Berlin",
                "join_mode": "approval",
                "locality": "Bremen",
                "country": "Germany",
                "street_address": STREET,
                "postal_code": POSTAL,
                "access_notes": NOTES,
            }),
        )
        .await;
    let ev = format!("/api/v1/pleroma/events/{}", e["id"].as_str().unwrap());
    app.post_ok(&format!("{ev}/join"), &mo, json!({})).await;
    app.post_ok(
        &format!("{ev}/participation_requests/{mo_id}/authorize"),
        &fac,
        json!({}),
    )
    .await;

    // "Your place is confirmed" arrives, and says nothing of what or where.
    let got = smtp.wait_for(2).await;
    let place = &got[1];
    assert_eq!(header(place, "Subject"), "News from Kindred test");
    assert!(
        place.contains("Your place at a meeting is confirmed"),
        "{place}"
    );
    for secret in [
        STREET,
        POSTAL,
        NOTES,
        TITLE,
        GROUP,
        "voicesbremen",
        POST,
        "Bremen",
    ] {
        for m in &got {
            assert!(!m.contains(secret), "{secret:?} in a mail: {m}");
        }
    }
    // Someone who did not opt in hears nothing by email: opt out, then another
    // place; the notification comes, the mail does not (judged after a later mail).
    app.send_ok(
        Method::PATCH,
        "/api/v1/kindred/account/email",
        Some(&mo),
        json!({"place_confirmed": false}),
    )
    .await;
    let e2 = app
        .post_ok(
            "/api/v1/pleroma/events",
            &fac,
            json!({
                "group_id": gid,
                "title": "Second",
                "start_time": meeting_at(1, "18:30"),
                "end_time": meeting_at(1, "20:00"),
                "time_zone": "Europe/Berlin",
                "join_mode": "approval",
                "locality": "Bremen",
                "country": "Germany",
            }),
        )
        .await;
    let ev2 = format!("/api/v1/pleroma/events/{}", e2["id"].as_str().unwrap());
    app.post_ok(&format!("{ev2}/join"), &mo, json!({})).await;
    app.post_ok(
        &format!("{ev2}/participation_requests/{mo_id}/authorize"),
        &fac,
        json!({}),
    )
    .await;
    // The later mail: a reset Mo asks for.
    let queued_reset =
        kindred_api::services::passwords::request_reset(&app.state, "mo.member@mailbox.example")
            .await
            .unwrap();
    assert_eq!(queued_reset, 1);
    let got = smtp.wait_for(3).await;
    assert_eq!(
        header(&got[2], "Subject"),
        "Reset your password at Kindred test"
    );
    assert_eq!(got.len(), 3, "no second place mail");
}

async fn change_password_ends_other_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("lu", "lu's password", None, Role::Member)
        .await;
    let phone = app.login("lu", "lu's password").await;
    let laptop = app.login("lu", "lu's password").await;
    let path = "/api/v1/kindred/account/password";
    // A wrong current password: refused, nothing ends.
    let (status, v) = app
        .post_json(
            path,
            &phone,
            json!({"current_password": "not it at all", "password": "lu's new password"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error_code"], "invalid_password");
    assert_eq!(verify(&app, &laptop).await, 200);
    // A too short new one: refused.
    let (status, _) = app
        .post_json(
            path,
            &phone,
            json!({"current_password": "lu's password", "password": "short"}),
        )
        .await;
    assert_eq!(status, 422);
    // Anonymous: 401.
    let (status, _) = app
        .send_json(
            Method::POST,
            path,
            None,
            json!({"current_password": "lu's password", "password": "lu's new password"}),
        )
        .await;
    assert_eq!(status, 401);
    app.post_ok(
        path,
        &phone,
        json!({"current_password": "lu's password", "password": "lu's new password"}),
    )
    .await;
    assert_eq!(
        verify(&app, &phone).await,
        200,
        "the token that changed it stays"
    );
    assert_eq!(verify(&app, &laptop).await, 401, "the others end");
    let c = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    assert_eq!(
        app.password_token(&c, "lu", "lu's password", "read")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.password_token(&c, "lu", "lu's new password", "read")
            .await
            .status(),
        200
    );
}

async fn authorized_apps_are_listed_and_revoked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("ada", "ada's password", None, Role::Member)
        .await;
    let (other, _) = app.member("bo").await;
    let a = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let b = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let (a_id, b_id) = client_app_ids(&app, &a, &b).await;
    let mut tokens = Vec::new();
    for c in [&a, &a, &b] {
        let r = app
            .password_token(c, "ada", "ada's password", "read write")
            .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        tokens.push(v["access_token"].as_str().unwrap().to_owned());
    }
    let (ta1, ta2, tb) = (&tokens[0], &tokens[1], &tokens[2]);
    let (status, list) = app
        .get_json("/api/v1/kindred/authorized_apps", Some(tb))
        .await;
    assert_eq!(status, 200, "{list}");
    let mut ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![a_id.as_str(), b_id.as_str()];
    want.sort();
    assert_eq!(ids, want, "{list}");
    assert!(list[0]["last_used_at"].is_string() && list[0]["scopes"].is_array());
    // Bo's list does not show Ada's apps, and Bo cannot revoke them.
    let (_, bos) = app
        .get_json("/api/v1/kindred/authorized_apps", Some(&other))
        .await;
    assert!(bos
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != a_id.as_str() && x["id"] != b_id.as_str()));
    let revoke = |id: &str| format!("/api/v1/kindred/authorized_apps/{id}");
    let (status, _) = app
        .send_json(Method::DELETE, &revoke(&a_id), Some(&other), json!({}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .send_json(Method::DELETE, &revoke(&a_id), None, json!({}))
        .await;
    assert_eq!(status, 401);
    for t in [ta1, ta2, tb] {
        assert_eq!(verify(&app, t).await, 200);
    }
    // Ada revokes app A: both its tokens end; app B's stays.
    let v = app
        .send_ok(Method::DELETE, &revoke(&a_id), Some(tb), json!({}))
        .await;
    assert_eq!(v, json!({}));
    assert_eq!(verify(&app, ta1).await, 401);
    assert_eq!(verify(&app, ta2).await, 401);
    assert_eq!(verify(&app, tb).await, 200);
    let (_, list) = app
        .get_json("/api/v1/kindred/authorized_apps", Some(tb))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], b_id.as_str());
    // Again: nothing left to end.
    let (status, _) = app
        .send_json(Method::DELETE, &revoke(&a_id), Some(tb), json!({}))
        .await;
    assert_eq!(status, 404);
}

/// The stored ids of two registered apps, by their client ids.
async fn client_app_ids(
    app: &TestApp,
    a: &crate::common::Client,
    b: &crate::common::Client,
) -> (String, String) {
    let (ca, cb) = (a.client_id.clone(), b.client_id.clone());
    app.state
        .db
        .run(move |c| {
            let a = kindred_db::models::oauth::find_application_by_client_id(c, &ca)?.unwrap();
            let b = kindred_db::models::oauth::find_application_by_client_id(c, &cb)?.unwrap();
            Ok((a.id.to_string(), b.id.to_string()))
        })
        .await
        .unwrap()
}

async fn unused_tokens_expire(backend: Backend) {
    let Some(app) =
        spawn_app_with(backend, &[("KINDRED__SECURITY__TOKEN_EXPIRY_DAYS", "30")]).await
    else {
        return;
    };
    let (t_old, _) = app.member("old").await;
    let (t_recent, _) = app.member("recent").await;
    assert_eq!(verify(&app, &t_old).await, 200);
    // Last used 31 and 29 days ago.
    for (token, days) in [(&t_old, 31), (&t_recent, 29)] {
        let hash = kindred_domain::digest::sha256_hex(token.as_bytes());
        let at = (chrono::Utc::now() - chrono::Duration::days(days)).naive_utc();
        app.state
            .db
            .run(move |c| {
                use diesel::prelude::*;
                use kindred_db::schema::oauth_tokens as t;
                diesel::update(t::table.filter(t::token_hash.eq(hash)))
                    .set((t::last_used_at.eq(Some(at)), t::created_at.eq(at)))
                    .execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
    }
    assert_eq!(verify(&app, &t_recent).await, 200);
    assert_eq!(verify(&app, &t_old).await, 401);
    // The recent one was used today: recorded once, at the day's start.
    let hash = kindred_domain::digest::sha256_hex(t_recent.as_bytes());
    let last = app
        .state
        .db
        .run(move |c| {
            Ok(kindred_db::models::oauth::find_live_token(c, &hash)?
                .unwrap()
                .last_used_at)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        last,
        chrono::Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    );
}

async fn admin_reset_password_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, _) = app.member("nia").await;
    let out = kindred_server::admin_accounts::run(
        &app.state,
        kindred_server::cli::AccountsCommand::ResetPassword {
            username: "nia".into(),
            new_password: false,
        },
    )
    .await
    .unwrap();
    let link = out.iter().find(|l| l.starts_with("http")).unwrap().clone();
    let path = link.strip_prefix(&app.base).unwrap().to_owned();
    assert_eq!(verify(&app, &token).await, 200);
    let (status, _, csrf) = form(&app, &path).await;
    assert_eq!(status, 200);
    let (status, _) = submit(
        &app,
        &path,
        &[("password", "nia's chosen password"), ("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(verify(&app, &token).await, 401);
    app.login("nia", "nia's chosen password").await;
    // --new-password: a printed password that works, and the sessions end.
    let t2 = app.login("nia", "nia's chosen password").await;
    let out = kindred_server::admin_accounts::run(
        &app.state,
        kindred_server::cli::AccountsCommand::ResetPassword {
            username: "nia".into(),
            new_password: true,
        },
    )
    .await
    .unwrap();
    let password = out[0].rsplit(": ").next().unwrap().to_owned();
    assert_eq!(verify(&app, &t2).await, 401);
    app.login("nia", &password).await;
    // Unknown names are refused.
    assert!(kindred_server::admin_accounts::run(
        &app.state,
        kindred_server::cli::AccountsCommand::ResetPassword {
            username: "nobody".into(),
            new_password: false,
        },
    )
    .await
    .is_err());
}

async fn sign_up_decisions_are_mailed(backend: Backend) {
    use kindred_api::services::accounts::{approve, sign_up, SignUp};
    let Some(mut smtp) = Smtp::new() else {
        return;
    };
    smtp.start().await;
    let url = smtp.url();
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__EMAIL__SMTP_URL", url.as_str()),
            ("KINDRED__EMAIL__FROM", "no-reply@kindred.test"),
            ("KINDRED__EMAIL__RETRY_SECONDS", "1"),
            ("KINDRED__REGISTRATION__MODE", "approval"),
        ],
    )
    .await
    else {
        return;
    };
    let apply = |name: &str, email: &str| SignUp {
        username: name.to_owned(),
        email: Some(email.to_owned()),
        password: format!("{name}'s password"),
        agreement: true,
        reason: Some("I would like to join".to_owned()),
        invite_code: None,
    };
    let ana = sign_up(&app.state, apply("ana", "ana.applies@mailbox.example"))
        .await
        .unwrap();
    let rex = sign_up(&app.state, apply("rex", "rex.applies@mailbox.example"))
        .await
        .unwrap();
    assert!(!ana.approved && !rex.approved);
    smtp.wait_for(2).await; // the two confirmation links
    assert!(approve(&app.state, "ana").await.unwrap());
    let got = smtp.wait_for(3).await;
    assert_eq!(header(&got[2], "Subject"), "Welcome to Kindred test");
    assert!(header(&got[2], "To").contains("ana.applies@mailbox.example"));
    // Approving again sends nothing more.
    assert!(approve(&app.state, "ana").await.unwrap());
    // Rex is rejected: the message is queued, then the account goes; the message
    // still reaches the address it kept (encrypted).
    let (ids, id) = (app.state.ids.clone(), rex.id);
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            kindred_core::mail::sign_up_decided(c, &ids, id, false, chrono::Utc::now())?;
            diesel::delete(kindred_db::schema::accounts::table.find(id)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let got = smtp.wait_for(4).await;
    assert_eq!(
        header(&got[3], "Subject"),
        "Your request to join Kindred test"
    );
    assert!(header(&got[3], "To").contains("rex.applies@mailbox.example"));
    assert_eq!(got.len(), 4, "one approval mail only");
    // Sent, the message (and the address it kept) leaves the database.
    let deadline = Instant::now() + Duration::from_secs(30);
    while queued(&app).await > 0 {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
