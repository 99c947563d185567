use std::sync::atomic::{AtomicU32, Ordering};

use kindred_db::models::accounts as repo;
use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{
    assert_no_email, at_rest_contains, both_backends, spawn_app, spawn_app_with, Backend, TestApp,
};

both_backends!(
    open_sign_up_returns_a_working_token,
    approval_sign_up_waits_for_an_admin,
    closed_sign_up_is_refused,
    invite_sign_up_needs_a_valid_code,
    sign_up_validates_input,
    one_email_may_hold_several_pseudonyms,
    email_is_encrypted_at_rest,
    update_credentials_edits_the_profile,
    accounts_can_be_fetched_and_looked_up,
    instance_entities_have_mastodon_shapes,
    sign_up_is_rate_limited_per_address,
);

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

/// Signs up as a new client each time: sign-up is limited to 5 per 30 minutes per
/// address, and the harness connects from loopback, so it may name the client address
/// in `X-Forwarded-For` as a local reverse proxy would.
async fn sign_up(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let client = format!("198.51.{}.{}", (n >> 8) % 256, n % 256);
    sign_up_from(app, &client, token, body).await.0
}

async fn sign_up_from(
    app: &TestApp,
    client: &str,
    token: &str,
    body: Value,
) -> ((u16, Value), reqwest::header::HeaderMap) {
    let resp = app
        .client
        .post(app.url("/api/v1/accounts"))
        .header("X-Forwarded-For", client)
        .header("Origin", "https://elk.example")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let headers = resp.headers().clone();
    (
        (resp.status().as_u16(), resp.json().await.unwrap()),
        headers,
    )
}

async fn sign_up_is_rate_limited_per_address(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = app_token(&app).await;
    let (status, _) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(status, 200);
    // Refused attempts count too: they say whether a name is taken.
    for i in 0..5 {
        let ((status, body), headers) = sign_up_from(
            &app,
            "203.0.113.7",
            &token,
            json!({"username": format!("name{i}"), "password": "short", "agreement": true}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(headers["x-ratelimit-limit"], "5");
        assert_eq!(
            headers["x-ratelimit-remaining"],
            (4 - i).to_string().as_str()
        );
        assert!(headers["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .ends_with('Z'));
    }
    let ((status, body), headers) = sign_up_from(
        &app,
        "203.0.113.7",
        &token,
        json!({"username": "willow", "password": "willow's password", "agreement": true}),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["error_code"], "too_many_requests");
    assert_eq!(body["error"], "Too many requests");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // A browser app can read the refusal and its headers.
    assert_eq!(headers["access-control-allow-origin"], "*");
    let exposed = headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        exposed.to_lowercase().contains("x-ratelimit-reset"),
        "{exposed}"
    );
    let ((status, body), _) = sign_up_from(
        &app,
        "2001:db8::7",
        &token,
        json!({"username": "willow", "password": "willow's password", "agreement": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn open_sign_up_returns_a_working_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = app_token(&app).await;
    let (status, body) = sign_up(&app, &token, json!({"username": "fern", "email": "fern@example.org", "password": "fern's password", "agreement": true, "locale": "en"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let user_token = body["access_token"].as_str().unwrap();
    let (status, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(user_token))
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "fern");
    assert_eq!(me["acct"], "fern");
    assert_eq!(me["source"]["privacy"], "private");
    assert_eq!(me["role"]["name"], "");
    assert_eq!(me["group"], false);
    assert!(me["created_at"]
        .as_str()
        .unwrap()
        .ends_with("T00:00:00.000Z"));
    assert_no_email(&me, "fern@example.org");
    // without a token sign-up is refused
    let resp = app
        .client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"username": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

async fn approval_sign_up_waits_for_an_admin(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "approval")]).await
    else {
        return;
    };
    let (_, inst) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(inst["registrations"]["enabled"], true);
    assert_eq!(inst["registrations"]["approval_required"], true);
    app.create_user("boss", "boss's password", None, Role::Admin)
        .await;
    let boss = app.login("boss", "boss's password").await;
    let (member, _) = app.member("plain").await;
    let token = app_token(&app).await;
    let (status, body) = sign_up(&app, &token, json!({"username": "hazel", "email": "hazel@example.org", "password": "hazel's password", "agreement": "true", "reason": "I was told about this group"})).await;
    assert_eq!(status, 200, "{body}");
    // Admins (only) are told, with the pseudonym and never the address.
    let (_, notes) = app
        .get_json("/api/v1/notifications?types[]=admin.sign_up", Some(&boss))
        .await;
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    assert_eq!(notes[0]["type"], "admin.sign_up");
    assert_eq!(notes[0]["account"]["username"], "hazel");
    assert_no_email(&notes, "hazel@example.org");
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&member)).await;
    assert_eq!(notes, json!([]));
    let user_token = body["access_token"].as_str().unwrap().to_owned();
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&user_token))
        .await;
    assert_eq!(status, 403);
    assert!(body["error"].as_str().unwrap().contains("pending approval"));
    // invisible to the outside until approved
    let (status, _) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:hazel@{}", app.domain),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let c = app.register_app("read", OOB).await;
    let resp = app
        .password_token(&c, "hazel", "hazel's password", "read")
        .await;
    assert_eq!(resp.status(), 400);

    assert!(
        kindred_api::services::accounts::approve(&app.state, "hazel")
            .await
            .unwrap()
    );
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&user_token))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:hazel@{}", app.domain),
            None,
        )
        .await;
    assert_eq!(status, 200);
}

async fn closed_sign_up_is_refused(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "closed")]).await
    else {
        return;
    };
    let token = app_token(&app).await;
    let (status, body) = sign_up(
        &app,
        &token,
        json!({"username": "ivy", "password": "ivy's password", "agreement": true}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].is_string());
    let (_, inst) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(inst["registrations"], false);
}

async fn invite_sign_up_needs_a_valid_code(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "invite")]).await
    else {
        return;
    };
    let token = app_token(&app).await;
    let (status, _) = sign_up(
        &app,
        &token,
        json!({"username": "juniper", "password": "juniper's password", "agreement": true}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = sign_up(&app, &token, json!({"username": "juniper", "password": "juniper's password", "agreement": true, "invite_code": "made-up"})).await;
    assert_eq!(status, 422);
    let code = kindred_api::services::accounts::create_invite(
        &app.state,
        None,
        Some(1),
        Some(chrono::Duration::days(1)),
    )
    .await
    .unwrap();
    // A taken name does not use up the one-use invite.
    app.create_user("rowan", "rowan's password", None, Role::Member)
        .await;
    let (status, body) = sign_up(&app, &token, json!({"username": "Rowan", "password": "juniper's password", "agreement": true, "invite_code": code})).await;
    assert_eq!(status, 422);
    assert_eq!(body["error_code"], "username_taken");
    let (status, body) = sign_up(&app, &token, json!({"username": "juniper", "password": "juniper's password", "agreement": true, "invite_code": code})).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .get_json(
            "/api/v1/accounts/verify_credentials",
            body["access_token"].as_str(),
        )
        .await;
    assert_eq!(status, 200, "invited accounts need no approval");
    // used up
    let (status, _) = sign_up(&app, &token, json!({"username": "juniper2", "password": "juniper's password", "agreement": true, "invite_code": code})).await;
    assert_eq!(status, 422);
    // expired
    let old = kindred_api::services::accounts::create_invite(
        &app.state,
        None,
        Some(5),
        Some(chrono::Duration::seconds(-1)),
    )
    .await
    .unwrap();
    let (status, _) = sign_up(&app, &token, json!({"username": "juniper3", "password": "juniper's password", "agreement": true, "invite_code": old})).await;
    assert_eq!(status, 422);
    // Invite-only is not open registration, wherever it is advertised.
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(v1["registrations"], false);
    assert_eq!(v1["invites_enabled"], true);
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(v2["registrations"]["enabled"], false);
    let (_, ni) = app.get_json("/nodeinfo/2.1", None).await;
    assert_eq!(ni["openRegistrations"], false);
}

async fn sign_up_validates_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("Taken", "a long password", None, Role::Member)
        .await;
    let token = app_token(&app).await;
    let cases = [
        json!({"username": "taken", "password": "long enough pw", "agreement": true}),
        json!({"username": "has space", "password": "long enough pw", "agreement": true}),
        json!({"username": "admin", "password": "long enough pw", "agreement": true}),
        json!({"username": "okname", "password": "short", "agreement": true}),
        json!({"username": "okname", "password": "long enough pw", "agreement": false}),
        json!({"username": "okname", "password": "long enough pw"}),
        json!({"username": "okname", "email": "not-an-email", "password": "long enough pw", "agreement": true}),
        json!({"password": "long enough pw", "agreement": true}),
        json!({"username": "okname", "agreement": true}),
    ];
    for body in cases {
        let (status, resp) = sign_up(&app, &token, body.clone()).await;
        assert_eq!(status, 422, "{body} -> {resp}");
        assert!(resp["error"].is_string());
        // never echoes the password back
        assert!(!resp.to_string().contains("long enough pw"));
    }
    // nothing was created by the refusals
    let found = app
        .state
        .db
        .run(|c| repo::find_local_by_username(c, "okname"))
        .await
        .unwrap();
    assert!(found.is_none());
}

async fn one_email_may_hold_several_pseudonyms(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = app_token(&app).await;
    // The second sign-up with a known address is not told that the address is known.
    for (name, pw) in [
        ("first_self", "first password"),
        ("second_self", "second password"),
    ] {
        let (status, body) = sign_up(&app, &token, json!({"username": name, "email": "same@example.org", "password": pw, "agreement": true})).await;
        assert_eq!(status, 200, "{body}");
    }
    let c = app.register_app("read", OOB).await;
    for (name, pw) in [
        ("first_self", "first password"),
        ("second_self", "second password"),
    ] {
        let v: Value = app
            .password_token(&c, "same@example.org", pw, "read")
            .await
            .json()
            .await
            .unwrap();
        let (_, me) = app
            .get_json(
                "/api/v1/accounts/verify_credentials",
                v["access_token"].as_str(),
            )
            .await;
        assert_eq!(me["username"], name);
    }
}

async fn email_is_encrypted_at_rest(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "moss",
        "moss's password",
        Some("moss.private@example.org"),
        Role::Member,
    )
    .await;
    let user = app
        .state
        .db
        .run(|c| {
            let a = repo::find_local_by_username(c, "moss")?.unwrap();
            repo::find_user(c, a.id)
        })
        .await
        .unwrap()
        .unwrap();
    let sealed = user.email_ciphertext.unwrap();
    assert!(!sealed.windows(12).any(|w| w == b"moss.private"));
    assert!(!user.email_lookup.as_deref().unwrap().contains("moss"));
    assert_eq!(
        app.state.secrets.email.decrypt(&sealed).as_deref(),
        Some("moss.private@example.org")
    );
    assert!(user
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    // Nothing the database keeps holds the address (SQLite's file, PostgreSQL's
    // rows); the same search finds moss's password hash, a value stored as it is.
    let rest = app.at_rest().await;
    let hash = user.password_hash.unwrap();
    assert!(at_rest_contains(&rest, &hash), "the positive control");
    assert!(!at_rest_contains(&rest, "moss.private"));
}

async fn update_credentials_edits_the_profile(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "rowan",
        "rowan's password",
        Some("rowan@example.org"),
        Role::Facilitator,
    )
    .await;
    let token = app.login("rowan", "rowan's password").await;
    // form-encoded with Rails-style nesting
    let resp = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&token)
        .form(&[
            ("display_name", "Rowan 🌿"),
            ("note", "Hi <b>there</b>\nsecond line"),
            ("locked", "1"),
            ("source[privacy]", "unlisted"),
            ("source[language]", "nb"),
            ("fields_attributes[0][name]", ""),
            ("fields_attributes[0][value]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["display_name"], "Rowan 🌿");
    assert_eq!(
        me["note"],
        "<p>Hi &lt;b&gt;there&lt;/b&gt;<br>second line</p>"
    );
    assert_eq!(me["source"]["note"], "Hi <b>there</b>\nsecond line");
    assert_eq!(me["locked"], true);
    assert_eq!(me["source"]["privacy"], "unlisted");
    assert_eq!(me["source"]["language"], "nb");
    assert_eq!(me["role"]["name"], "Facilitator");
    assert_no_email(&me, "rowan@example.org");
    // JSON
    let resp = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&token)
        .json(&json!({"locked": false, "source": {"sensitive": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["locked"], false);
    assert_eq!(me["source"]["sensitive"], true);
    assert_eq!(me["display_name"], "Rowan 🌿", "unchanged fields stay");
    // the actor document follows the profile
    let actor: Value = app
        .client
        .get(app.url("/users/rowan"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["name"], "Rowan 🌿");
    assert_eq!(actor["manuallyApprovesFollowers"], false);
    // refusals change nothing
    for (body, code) in [
        (json!({"display_name": "x".repeat(31)}), 422),
        (json!({"note": "x".repeat(501)}), 422),
        (json!({"source": {"privacy": "everyone"}}), 422),
        (json!({"locked": "perhaps"}), 422),
        (
            json!({"fields_attributes": [{"name": "Real name", "value": "Jane"}]}),
            422,
        ),
    ] {
        let resp = app
            .client
            .patch(app.url("/api/v1/accounts/update_credentials"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), code, "{body}");
    }
    let form = reqwest::multipart::Form::new().part(
        "avatar",
        reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("me.png"),
    );
    let resp = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(me["display_name"], "Rowan 🌿");
    assert_eq!(me["source"]["privacy"], "unlisted");
}

async fn accounts_can_be_fetched_and_looked_up(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "sorrel",
        "sorrel's password",
        Some("sorrel@example.org"),
        Role::Admin,
    )
    .await;
    let (status, a) = app
        .get_json("/api/v1/accounts/lookup?acct=Sorrel", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(a["username"], "sorrel");
    assert!(a.get("source").is_none() && a.get("role").is_none());
    assert_no_email(&a, "sorrel@example.org");
    let id = a["id"].as_str().unwrap().to_owned();
    let (status, b) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(b["id"], id);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/accounts/lookup?acct=sorrel@{}", app.domain),
            None,
        )
        .await;
    assert_eq!(status, 200);
    for path in [
        "/api/v1/accounts/lookup?acct=nobody",
        "/api/v1/accounts/lookup?acct=sorrel@elsewhere.example",
        "/api/v1/accounts/123",
        "/api/v1/accounts/not-a-number",
    ] {
        let (status, body) = app.get_json(path, None).await;
        assert_eq!(status, 404, "{path}");
        assert!(body["error"].is_string());
    }
    // the avatar placeholder exists
    let resp = app
        .client
        .get(a["avatar"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
}

async fn instance_entities_have_mastodon_shapes(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        &[
            (
                "KINDRED__INSTANCE__RULES",
                "[\"Be kind\", \"What is said here stays here\"]",
            ),
            ("KINDRED__INSTANCE__DESCRIPTION", "Peer support in Bergen"),
        ],
    )
    .await
    else {
        return;
    };
    app.create_user(
        "tansy",
        "tansy's password",
        Some("tansy@example.org"),
        Role::Member,
    )
    .await;
    let (status, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(status, 200);
    assert_eq!(v1["uri"], app.domain);
    assert_eq!(v1["title"], "Kindred test");
    assert_eq!(v1["description"], "Peer support in Bergen");
    assert!(v1["version"]
        .as_str()
        .unwrap()
        .starts_with("4.3.0 (compatible; Kindred "));
    assert_eq!(v1["stats"]["user_count"], 1);
    assert_eq!(v1["urls"]["streaming_api"], format!("ws://{}", app.domain));
    assert_eq!(v1["rules"][1]["text"], "What is said here stays here");
    assert!(v1["configuration"]["statuses"]["max_characters"].is_u64());
    let (status, v2) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(status, 200);
    assert_eq!(v2["domain"], app.domain);
    assert_eq!(v2["version"], v1["version"]);
    assert_eq!(v2["api_versions"]["mastodon"], 2);
    assert_eq!(v2["registrations"]["enabled"], true);
    assert!(v2["thumbnail"]["url"].is_string());
    assert_eq!(
        v2["configuration"]["urls"]["streaming"],
        format!("ws://{}", app.domain)
    );
    let (status, rules) = app.get_json("/api/v1/instance/rules", None).await;
    assert_eq!(status, 200);
    assert_eq!(rules[0], json!({"id": "1", "text": "Be kind", "hint": ""}));
    let (status, emojis) = app.get_json("/api/v1/custom_emojis", None).await;
    assert_eq!(status, 200);
    assert_eq!(emojis, json!([]));
    for v in [&v1, &v2] {
        assert_no_email(v, "tansy@example.org");
    }
}
