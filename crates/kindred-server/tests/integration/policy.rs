//! The federation policy between two real instances: a suspension severs follows,
//! refuses the domain's inbox traffic before its signature is checked, drops what
//! was queued for it and stops fetches; lifting it restores traffic; allowlist mode
//! refuses strangers both ways and partner scopes limit the kinds of traffic.

use std::time::{Duration, Instant};

use kindred_api::services::federation_policy::{self as policy, BlockRequest};
use serde_json::json;

use crate::common::{both_backends, spawn_app_with, Backend, TestApp};

async fn instance(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[("KINDRED__SERVER__RATE_LIMITS", "false")]).await
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn resolve(app: &TestApp, token: &str, handle: &str) -> Option<String> {
    let (status, v) = app
        .get_json(
            &format!(
                "/api/v2/search?type=accounts&resolve=true&q={}",
                handle.replace('@', "%40").replace(':', "%3A")
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["accounts"][0]["id"].as_str().map(str::to_owned)
}

async fn following(app: &TestApp, token: &str, id: &str) -> bool {
    let (_, r) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    r[0]["following"] == true
}

async fn home_has(app: &TestApp, token: &str, text: &str) -> bool {
    let (_, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
    v.to_string().contains(text)
}

async fn backlog(app: &TestApp) -> i64 {
    app.state
        .db
        .run(kindred_db::models::deliveries::backlog)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// An unsigned POST to the shared inbox claiming to come from `actor`.
async fn unsigned_post(app: &TestApp, actor: &str, kind: &str) -> (u16, serde_json::Value) {
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}#x-{}", rand::random::<u32>()),
        "type": kind,
        "actor": actor,
        "object": { "id": format!("{actor}/statuses/1"), "type": "Note", "to": ["https://www.w3.org/ns/activitystreams#Public"] },
    });
    let resp = app
        .client
        .post(app.url("/inbox"))
        .header("Content-Type", "application/activity+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

async fn suspend_lift_and_allowlist(backend: Backend) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    let bob_at_a = resolve(&a, &alice, &format!("bob@{}", b.domain))
        .await
        .expect("bob resolves");
    a.post_ok(
        &format!("/api/v1/accounts/{bob_at_a}/follow"),
        &alice,
        json!({}),
    )
    .await;
    eventually("alice follows bob", || following(&a, &alice, &bob_at_a)).await;

    // Suspend B, spelled differently from how accounts store it.
    let (host, port) = b.domain.split_once(':').unwrap();
    let spelled = format!("{}.:{port}", host.to_uppercase());
    let block = policy::block(
        &a.state,
        "test",
        BlockRequest {
            domain: spelled.clone(),
            severity: Some("suspend".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(block.domain, b.domain, "stored normalized ({spelled})");
    assert!(
        !following(&a, &alice, &bob_at_a).await,
        "the follow is severed"
    );

    // B's inbox traffic is refused before any signature check.
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error_code"], "domain_blocked");
    // What bob posts does not arrive (B's delivery is refused and dropped).
    b.post_status(
        &bob,
        json!({ "status": "while suspended", "visibility": "public" }),
    )
    .await;
    eventually("B's queue drains", || async { backlog(&b).await == 0 }).await;
    assert!(!home_has(&a, &alice, "while suspended").await);
    // A delivery queued for B after the block is dropped, never sent.
    let alice_id = a
        .state
        .db
        .run(|c| {
            Ok(
                kindred_db::models::accounts::find_local_by_username(c, "alice")?
                    .unwrap()
                    .id,
            )
        })
        .await
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let item = kindred_db::models::deliveries::NewDelivery {
        id: rand::random::<i64>().abs(),
        domain: b.domain.clone(),
        inbox_url: b.url("/inbox"),
        signer_account_id: Some(alice_id),
        activity_id: a.url("/users/alice#queued-before"),
        body: json!({ "id": a.url("/users/alice#queued-before"), "type": "Like", "actor": a.url("/users/alice"), "object": b.url("/users/bob") }).to_string(),
        next_attempt_at: now,
        created_at: now,
        traffic: "announcements".into(),
    };
    a.state
        .db
        .run(move |c| kindred_db::models::deliveries::enqueue(c, &[item], now))
        .await
        .unwrap();
    a.state.delivery.wake();
    eventually("A drops the queued delivery", || async {
        backlog(&a).await == 0
    })
    .await;
    // Fetches are refused too: an unknown account of B is not found.
    b.member("carol").await;
    assert_eq!(
        resolve(&a, &alice, &format!("carol@{}", b.domain)).await,
        None
    );

    // Lifting the block restores traffic.
    policy::unblock(&a.state, "test", block.id).await.unwrap();
    a.post_ok(
        &format!("/api/v1/accounts/{bob_at_a}/follow"),
        &alice,
        json!({}),
    )
    .await;
    eventually("alice follows bob again", || {
        following(&a, &alice, &bob_at_a)
    })
    .await;
    b.post_status(
        &bob,
        json!({ "status": "after the block", "visibility": "public" }),
    )
    .await;
    eventually("the post arrives", || {
        home_has(&a, &alice, "after the block")
    })
    .await;

    // Allowlist mode: B is a stranger until allowed, then only for its scope.
    policy::set_mode(&a.state, "test", "allowlist")
        .await
        .unwrap();
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("domain_blocked"))
    );
    policy::allow(&a.state, "test", &b.domain, Some("follows"))
        .await
        .unwrap();
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Create").await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (403, Some("traffic_not_allowed"))
    );
    // A Follow is in scope: it passes the policy (and fails later, unsigned).
    let (status, v) = unsigned_post(&a, &b.url("/users/bob"), "Follow").await;
    assert_eq!(status, 401, "{v}");

    // Every change is in the audit log.
    let log = a
        .state
        .db
        .run(|c| kindred_db::models::domain_policy::audit_log(c, 10))
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["allow", "mode", "unblock", "block"]);
    assert!(log.iter().all(|e| e.actor == "test"));
}

both_backends!(suspend_lift_and_allowlist);

/// Mastodon's admin API for domain blocks and allows, the public list, and the
/// Kindred extension for the mode and partner scopes.
async fn admin_api(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        &[
            ("KINDRED__SERVER__RATE_LIMITS", "false"),
            ("KINDRED__INSTANCE__SHOW_DOMAIN_BLOCKS", "all"),
        ],
    )
    .await
    else {
        return;
    };
    use kindred_domain::Role;
    let admin_scopes = "read write admin:read admin:write";
    let boss = app.user_with_token("boss", Role::Admin, admin_scopes).await;
    let eve = app.user_with_token("eve", Role::Member, admin_scopes).await;
    let reader = app
        .user_with_token("reader", Role::Admin, "read admin:read")
        .await;

    // Create, read, list.
    let (s, block) = app
        .post_json(
            "/api/v1/admin/domain_blocks",
            &boss,
            json!({ "domain": "Spam.EXAMPLE.", "severity": "suspend", "public_comment": "spam", "private_comment": "seen in reports", "obfuscate": true }),
        )
        .await;
    assert_eq!(s, 200, "{block}");
    assert_eq!(block["domain"], "spam.example");
    assert_eq!(block["severity"], "suspend");
    assert_eq!(block["digest"].as_str().unwrap().len(), 64);
    let id = block["id"].as_str().unwrap().to_owned();
    let (s, v) = app
        .get_json(&format!("/api/v1/admin/domain_blocks/{id}"), Some(&reader))
        .await;
    assert_eq!((s, &v["domain"]), (200, &json!("spam.example")), "{v}");
    let (s, list) = app
        .get_json("/api/v1/admin/domain_blocks", Some(&reader))
        .await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // A second block of the same domain, however spelled: 422 naming the first.
    let (s, v) = app
        .post_json(
            "/api/v1/admin/domain_blocks",
            &boss,
            json!({ "domain": "https://spam.example:443/" }),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["existing_domain_block"]["id"], json!(id));
    // Update: only the given fields change.
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/domain_blocks/{id}"),
            Some(&boss),
            json!({ "severity": "silence" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["severity"], "silence");
    assert_eq!(v["public_comment"], "spam");
    assert_eq!(v["obfuscate"], true);

    // The public list: masked, no private comment.
    let (s, public) = app.get_json("/api/v1/instance/domain_blocks", None).await;
    assert_eq!(s, 200, "{public}");
    assert_eq!(public[0]["domain"], "spam.****ple");
    assert_eq!(public[0]["comment"], "spam");
    assert!(!public.to_string().contains("seen in reports"));

    // Refused: members, missing scopes, bad input — and nothing changes.
    let before = app
        .get_json("/api/v1/admin/domain_blocks", Some(&reader))
        .await
        .1;
    for (who, token, body, want) in [
        ("member", &eve, json!({ "domain": "x.example" }), 403),
        (
            "read-only token",
            &reader,
            json!({ "domain": "x.example" }),
            403,
        ),
        ("no domain", &boss, json!({ "severity": "suspend" }), 400),
        (
            "bad domain",
            &boss,
            json!({ "domain": "not a domain" }),
            422,
        ),
        (
            "bad severity",
            &boss,
            json!({ "domain": "x.example", "severity": "ban" }),
            422,
        ),
    ] {
        let (s, v) = app
            .post_json("/api/v1/admin/domain_blocks", token, body)
            .await;
        assert_eq!(s, want, "{who}: {v}");
        assert!(v["error"].is_string(), "{who}: {v}");
    }
    let (s, _) = app
        .get_json("/api/v1/admin/domain_blocks", Some(&eve))
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .get_json("/api/v1/admin/domain_blocks/12345", Some(&reader))
        .await;
    assert_eq!(s, 404);
    let after = app
        .get_json("/api/v1/admin/domain_blocks", Some(&reader))
        .await
        .1;
    assert_eq!(before, after);

    // Allows and the Kindred extension.
    let (s, allow) = app
        .post_json(
            "/api/v1/admin/domain_allows",
            &boss,
            json!({ "domain": "Partner.example", "scope": "announcements,meetings" }),
        )
        .await;
    assert_eq!(s, 200, "{allow}");
    assert_eq!(allow["domain"], "partner.example");
    let allow_id = allow["id"].as_str().unwrap().to_owned();
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/admin/kindred/federation",
            Some(&boss),
            json!({ "mode": "allowlist" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["mode"], "allowlist");
    assert_eq!(
        v["partners"][0]["scope"],
        json!(["announcements", "meetings"])
    );
    let (s, v) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/admin/kindred/federation",
            Some(&boss),
            json!({ "mode": "sometimes" }),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = app
        .get_json("/api/v1/admin/kindred/federation", Some(&reader))
        .await;
    assert_eq!((s, &v["mode"]), (200, &json!("allowlist")));

    // Delete both.
    for path in [
        format!("/api/v1/admin/domain_blocks/{id}"),
        format!("/api/v1/admin/domain_allows/{allow_id}"),
    ] {
        let (s, v) = app
            .send_json(reqwest::Method::DELETE, &path, Some(&boss), json!({}))
            .await;
        assert_eq!(s, 200, "{path}: {v}");
        let (s, _) = app.get_json(&path, Some(&reader)).await;
        assert_eq!(s, 404, "{path}");
    }
    // The audit log names the admin.
    let log = app
        .state
        .db
        .run(|c| kindred_db::models::domain_policy::audit_log(c, 10))
        .await
        .unwrap();
    assert!(log.iter().all(|e| e.actor == "admin:boss"), "{log:?}");
    assert_eq!(log.len(), 6);
}

both_backends!(admin_api);

async fn is_silenced(app: &TestApp, id: &str) -> bool {
    let id: i64 = id.parse().unwrap();
    app.state
        .db
        .run(move |c| kindred_db::models::silenced::is_silenced(c, id))
        .await
        .unwrap()
}

/// (type, acct) of each notification the member is shown.
async fn notes(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let (s, v) = app
        .get_json("/api/v1/notifications?limit=40", Some(token))
        .await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap().to_owned(),
                n["account"]["acct"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn shows(app: &TestApp, token: &str, path: &str, text: &str) -> bool {
    let (s, v) = app.get_json(path, Some(token)).await;
    assert_eq!(s, 200, "{path}: {v}");
    v.to_string().contains(text)
}

/// Where a non-follower could come across a remote account's public posts.
const PUBLIC_PLACES: [&str; 4] = [
    "/api/v1/timelines/public",
    "/api/v1/timelines/public?remote=true",
    "/api/v1/timelines/tag/quiet",
    "/api/v2/search?type=statuses&q=quiet",
];

/// Silence (Mastodon's "limit"): a silenced domain's accounts reach only those who
/// follow them — kept out of the public, remote and hashtag timelines and status
/// search of everyone else, their notifications to non-followers hidden, their
/// follows turned into requests; new accounts of the domain silenced when first
/// seen; lifting (or lowering to noop) restores all of it.
async fn in_conversations(app: &TestApp, token: &str, text: &str) -> bool {
    let (_, v) = app.get_json("/api/v1/conversations", Some(token)).await;
    v.to_string().contains(text)
}

async fn silence_reaches_only_followers(backend: Backend) {
    let (Some(a), Some(b)) = (instance(backend).await, instance(backend).await) else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (carol, _) = a.member("carol").await;
    let (bob, _) = b.member("bob").await;
    let bob_acct = format!("bob@{}", b.domain);
    let bob_at_a = resolve(&a, &alice, &bob_acct).await.expect("bob resolves");
    a.post_ok(
        &format!("/api/v1/accounts/{bob_at_a}/follow"),
        &alice,
        json!({}),
    )
    .await;
    eventually("alice follows bob", || following(&a, &alice, &bob_at_a)).await;

    // Before the silence bob's public posts are public to carol too.
    b.post_status(
        &bob,
        json!({ "status": "loud before #quiet", "visibility": "public" }),
    )
    .await;
    eventually("the post arrives", || home_has(&a, &alice, "loud before")).await;
    for place in PUBLIC_PLACES {
        assert!(shows(&a, &carol, place, "loud before").await, "{place}");
    }

    let block = policy::block(
        &a.state,
        "test",
        BlockRequest {
            domain: b.domain.to_uppercase(),
            severity: Some("silence".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(is_silenced(&a, &bob_at_a).await, "bob is silenced");
    // Apps show his profile behind a warning (Mastodon's `limited`).
    let (_, acct) = a
        .get_json(&format!("/api/v1/accounts/{bob_at_a}"), Some(&carol))
        .await;
    assert_eq!(acct["limited"], true, "{acct}");
    // The traffic still flows.
    b.post_status(
        &bob,
        json!({
            "status": format!("quiet after #quiet @alice@{} @carol@{}", a.domain, a.domain),
            "visibility": "public",
        }),
    )
    .await;
    eventually("alice, a follower, still gets it in home", || {
        home_has(&a, &alice, "quiet after")
    })
    .await;
    for place in PUBLIC_PLACES {
        for text in ["quiet after", "loud before"] {
            assert!(
                !shows(&a, &carol, place, text).await,
                "a non-follower sees {text:?} in {place}"
            );
            assert!(
                shows(&a, &alice, place, text).await,
                "a follower misses {text:?} in {place}"
            );
        }
    }
    // A direct message from the silenced bob: alice, who follows him, has the
    // conversation; carol, who does not, has none.
    b.post_status(
        &bob,
        json!({
            "status": format!("@alice@{} @carol@{} quiet direct word", a.domain, a.domain),
            "visibility": "direct",
        }),
    )
    .await;
    eventually("alice has the conversation", || {
        in_conversations(&a, &alice, "quiet direct word")
    })
    .await;
    assert!(!in_conversations(&a, &carol, "quiet direct word").await);

    // carol's home has no way in either, even by a followed hashtag.
    a.post_ok("/api/v1/tags/quiet/follow", &carol, json!({}))
        .await;
    assert!(!home_has(&a, &carol, "quiet after").await);

    // bob favourites a post of carol's and asks to follow her.
    let carol_post = a
        .post_status(
            &carol,
            json!({ "status": format!("carol's thought @bob@{}", b.domain), "visibility": "public" }),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let at_b = loop {
        let (_, n) = b
            .get_json("/api/v1/notifications?types[]=mention", Some(&bob))
            .await;
        if let Some(id) = n[0]["status"]["id"].as_str() {
            break id.to_owned();
        }
        assert!(Instant::now() < deadline, "carol's post never reached bob");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (s, v) = b
        .post_json(
            &format!("/api/v1/statuses/{at_b}/favourite"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let carol_at_b = resolve(&b, &bob, &format!("carol@{}", a.domain))
        .await
        .expect("carol resolves");
    let (s, v) = b
        .post_json(
            &format!("/api/v1/accounts/{carol_at_b}/follow"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    eventually("the Like arrives", || async {
        let (_, s) = a
            .get_json(&format!("/api/v1/statuses/{carol_post}"), Some(&carol))
            .await;
        s["favourites_count"] == 1
    })
    .await;
    // carol is unlocked, yet bob's follow is only a request.
    eventually("the follow request arrives", || async {
        let (_, v) = a.get_json("/api/v1/follow_requests", Some(&carol)).await;
        v.to_string().contains(&bob_acct)
    })
    .await;
    let (_, rel) = a
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={bob_at_a}"),
            Some(&carol),
        )
        .await;
    assert_eq!(rel[0]["followed_by"], false, "{rel}");
    // None of it notifies carol; alice, who follows bob, gets her mention.
    let carol_notes = notes(&a, &carol).await;
    assert!(
        carol_notes.iter().all(|(_, from)| from != &bob_acct),
        "{carol_notes:?}"
    );
    let (_, count) = a
        .get_json("/api/v1/notifications/unread_count", Some(&carol))
        .await;
    assert_eq!(count["count"], 0, "{count}");
    assert!(notes(&a, &alice)
        .await
        .contains(&("mention".to_owned(), bob_acct.clone())));

    // An account of the silenced domain first seen now is silenced at once.
    b.member("dave").await;
    let dave_at_a = resolve(&a, &carol, &format!("dave@{}", b.domain))
        .await
        .expect("dave resolves");
    assert!(is_silenced(&a, &dave_at_a).await, "dave is silenced");

    // Lifting the block restores everything.
    policy::unblock(&a.state, "test", block.id).await.unwrap();
    assert!(!is_silenced(&a, &bob_at_a).await);
    let (_, acct) = a
        .get_json(&format!("/api/v1/accounts/{bob_at_a}"), Some(&carol))
        .await;
    assert!(acct.get("limited").is_none(), "{acct}");
    assert!(!is_silenced(&a, &dave_at_a).await);
    for place in PUBLIC_PLACES {
        assert!(shows(&a, &carol, place, "quiet after").await, "{place}");
    }
    assert!(
        home_has(&a, &carol, "quiet after").await,
        "by the followed tag"
    );
    let carol_notes = notes(&a, &carol).await;
    for kind in ["mention", "favourite", "follow_request"] {
        assert!(
            carol_notes.contains(&(kind.to_owned(), bob_acct.clone())),
            "{kind}: {carol_notes:?}"
        );
    }

    // Raised again, then lowered to noop: the mark follows the block.
    let again = BlockRequest {
        domain: b.domain.clone(),
        severity: Some("silence".into()),
        ..Default::default()
    };
    policy::block(&a.state, "test", again.clone())
        .await
        .unwrap();
    assert!(is_silenced(&a, &bob_at_a).await);
    assert!(!shows(&a, &carol, PUBLIC_PLACES[0], "quiet after").await);
    policy::block(
        &a.state,
        "test",
        BlockRequest {
            severity: Some("noop".into()),
            ..again
        },
    )
    .await
    .unwrap();
    assert!(!is_silenced(&a, &bob_at_a).await);
    assert!(!is_silenced(&a, &dave_at_a).await);
    assert!(shows(&a, &carol, PUBLIC_PLACES[0], "quiet after").await);
}

both_backends!(silence_reaches_only_followers);

/// Suspended accounts follow the most specific rule (issue 7): `noop` on
/// `a.example` under `suspend` on `example` leaves `a.example` alone, and lifting
/// `example` leaves a separately suspended `b.example` suspended. Same for a
/// blocklist import.
async fn specific_rules_decide_suspension(backend: Backend) {
    use kindred_db::models::remote_accounts::{self, RemoteProfile};
    let Some(app) = instance(backend).await else {
        return;
    };
    let mut uris = Vec::new();
    for domain in ["example", "a.example", "b.example", "other.test"] {
        let uri = format!("https://{domain}/users/x");
        let p = RemoteProfile {
            uri: uri.clone(),
            username: "x".into(),
            domain: domain.into(),
            display_name: String::new(),
            note: String::new(),
            public_key_pem: String::new(),
            locked: false,
            bot: false,
            discoverable: false,
            inbox_url: format!("https://{domain}/inbox"),
            shared_inbox_url: None,
            followers_url: None,
            url: None,
            actor_type: "Person".into(),
        };
        let id = app.state.ids.next_at(chrono::Utc::now());
        app.state
            .db
            .run(move |c| remote_accounts::upsert(c, id, &p, chrono::Utc::now().naive_utc()))
            .await
            .unwrap();
        uris.push(uri);
    }
    let suspended = || async {
        let uris = uris.clone();
        app.state
            .db
            .run(move |c| {
                let mut out = Vec::new();
                for u in &uris {
                    let (a, _) = remote_accounts::find_by_uri(c, u)?.unwrap();
                    out.push(a.suspended);
                }
                Ok(out)
            })
            .await
            .unwrap()
    };
    let block = |domain: &str, severity: &str| BlockRequest {
        domain: domain.to_owned(),
        severity: Some(severity.to_owned()),
        reject_media: false,
        reject_reports: false,
        private_comment: None,
        public_comment: None,
        obfuscate: false,
    };
    // [example, a.example, b.example, other.test]
    policy::block(&app.state, "test", block("example", "suspend"))
        .await
        .unwrap();
    assert_eq!(suspended().await, [true, true, true, false]);
    policy::block(&app.state, "test", block("a.example", "noop"))
        .await
        .unwrap();
    assert_eq!(suspended().await, [true, false, true, false]);
    let b = policy::block(&app.state, "test", block("b.example", "suspend"))
        .await
        .unwrap();
    let parent = policy::find_block(&app.state, "example").await.unwrap();
    policy::unblock(&app.state, "test", parent.id)
        .await
        .unwrap();
    assert_eq!(suspended().await, [false, false, true, false]);
    // Removing the `noop` while `example` is suspended again suspends a.example.
    policy::block(&app.state, "test", block("example", "suspend"))
        .await
        .unwrap();
    let noop = policy::find_block(&app.state, "a.example").await.unwrap();
    policy::unblock(&app.state, "test", noop.id).await.unwrap();
    assert_eq!(suspended().await, [true, true, true, false]);
    // Lowering a suspension to silence lifts it.
    policy::block(&app.state, "test", block("example", "silence"))
        .await
        .unwrap();
    assert_eq!(suspended().await, [false, false, true, false]);
    policy::unblock(&app.state, "test", b.id).await.unwrap();
    assert_eq!(suspended().await, [false, false, false, false]);
    // An imported list applies the same rule: other.test suspended, the `noop`
    // row keeps a.example alone under the suspended parent.
    let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
               example,suspend,false,false,,false\n\
               a.example,noop,false,false,,false\n\
               other.test,suspend,false,false,,false\n";
    let list = policy::parse_blocklist(csv).unwrap();
    policy::import(&app.state, "test", list, false)
        .await
        .unwrap();
    assert_eq!(suspended().await, [true, false, true, true]);
}

both_backends!(specific_rules_decide_suspension);
