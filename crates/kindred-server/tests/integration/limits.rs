//! Every throttle is a setting (`limits.*`), from the configuration to the answer a
//! client gets, and `server.rate_limits = false` lifts them all. (The parsing of
//! the settings and their exact errors: `config.rs`'s tests; the counters:
//! `kindred-api/src/limits.rs`'s.)

use serde_json::{json, Value};

use crate::common::{spawn_app_with, Backend, TestApp};

const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

async fn app_token(app: &TestApp) -> String {
    let c = app.register_app("read write follow", OOB).await;
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// Signs `name` up from `client` (named in `X-Forwarded-For`, as a local proxy
/// would); the status.
async fn sign_up(app: &TestApp, token: &str, client: &str, name: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/accounts"))
        .header("X-Forwarded-For", client)
        .bearer_auth(token)
        .json(&json!({
            "username": name,
            "password": format!("{name}'s password, long enough"),
            "agreement": "true",
        }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A password grant with a wrong password; the status (401, or 429 when throttled).
async fn wrong_password(app: &TestApp, c: &crate::common::Client, name: &str) -> u16 {
    app.password_token(c, name, "not the password at all", "read")
        .await
        .status()
        .as_u16()
}

/// A room of 40 people at a workshop, signing up over the venue's one network: with
/// the per-address limit raised for the day, the instance-wide default lets all of
/// them through (it stopped the 21st before it was a setting).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workshop_of_forty_signs_up_from_one_network() {
    let Some(app) = spawn_app_with(
        Backend::Sqlite,
        &[("KINDRED__LIMITS__API_SIGN_UPS", "50/1h")],
    )
    .await
    else {
        return;
    };
    let token = app_token(&app).await;
    for i in 0..40 {
        let status = sign_up(&app, &token, "203.0.113.40", &format!("workshop{i}")).await;
        assert_eq!(status, 200, "sign-up {i}");
    }
    // The per-address limit still holds: 50, then 429.
    for i in 40..50 {
        assert_eq!(
            sign_up(&app, &token, "203.0.113.40", &format!("workshop{i}")).await,
            200
        );
    }
    assert_eq!(
        sign_up(&app, &token, "203.0.113.40", "workshop50").await,
        429,
        "the 51st from one address"
    );
}

/// The instance-wide limit, set tighter: the third sign-up is refused, from
/// whichever address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tighter_instance_sign_up_limit_refuses_sooner() {
    let Some(app) = spawn_app_with(Backend::Sqlite, &[("KINDRED__LIMITS__SIGN_UPS", "2/1h")]).await
    else {
        return;
    };
    let token = app_token(&app).await;
    assert_eq!(sign_up(&app, &token, "203.0.113.1", "first").await, 200);
    assert_eq!(sign_up(&app, &token, "203.0.113.2", "second").await, 200);
    assert_eq!(sign_up(&app, &token, "203.0.113.3", "third").await, 429);
}

/// The login throttle, both ways: 2 failures per name refuses the third; 20 lets
/// 15 through (the default, 10, would not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_throttle_is_a_setting() {
    let Some(tight) = spawn_app_with(
        Backend::Sqlite,
        &[("KINDRED__LIMITS__LOGIN_FAILURES_PER_NAME", "2/1h")],
    )
    .await
    else {
        return;
    };
    tight
        .create_user(
            "rowan",
            "rowan's password",
            None,
            kindred_domain::Role::Member,
        )
        .await;
    let c = tight.register_app("read", OOB).await;
    assert_eq!(wrong_password(&tight, &c, "rowan").await, 401);
    assert_eq!(wrong_password(&tight, &c, "rowan").await, 401);
    assert_eq!(wrong_password(&tight, &c, "rowan").await, 429);

    let Some(wide) = spawn_app_with(
        Backend::Sqlite,
        &[("KINDRED__LIMITS__LOGIN_FAILURES_PER_NAME", "20/1h")],
    )
    .await
    else {
        return;
    };
    wide.create_user(
        "rowan",
        "rowan's password",
        None,
        kindred_domain::Role::Member,
    )
    .await;
    let c = wide.register_app("read", OOB).await;
    for i in 0..15 {
        assert_eq!(wrong_password(&wide, &c, "rowan").await, 401, "attempt {i}");
    }
}

/// `server.rate_limits = false` lifts the sign-up limits and the login throttle, how
/// tight their settings are notwithstanding; the same settings with it on refuse
/// (the positive control).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_off_lift_every_throttle() {
    let tight = [
        ("KINDRED__LIMITS__SIGN_UPS", "1/1h"),
        ("KINDRED__LIMITS__API_SIGN_UPS", "1/1h"),
        ("KINDRED__LIMITS__LOGIN_FAILURES_PER_NAME", "1/1h"),
    ];
    for off in [false, true] {
        let mut settings = tight.to_vec();
        if off {
            settings.push(("KINDRED__SERVER__RATE_LIMITS", "false"));
        }
        let Some(app) = spawn_app_with(Backend::Sqlite, &settings).await else {
            return;
        };
        let token = app_token(&app).await;
        let statuses = [
            sign_up(&app, &token, "203.0.113.9", "ash1").await,
            sign_up(&app, &token, "203.0.113.9", "ash2").await,
            sign_up(&app, &token, "203.0.113.10", "ash3").await,
        ];
        let c = app.register_app("read", OOB).await;
        let logins = [
            wrong_password(&app, &c, "ash1").await,
            wrong_password(&app, &c, "ash1").await,
        ];
        if off {
            assert_eq!(statuses, [200, 200, 200], "sign-ups with limits off");
            assert_eq!(logins, [401, 401], "failed logins with limits off");
        } else {
            assert_eq!(statuses[0], 200);
            assert!(
                statuses[1..].iter().all(|s| *s == 429),
                "sign-ups with limits on: {statuses:?}"
            );
            assert_eq!(logins, [401, 429], "failed logins with limits on");
        }
    }
}
