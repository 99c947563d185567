use kindred_domain::Role;
use serde_json::Value;

use crate::common::{assert_no_email, both_backends, spawn_app, Backend};

both_backends!(
    healthz_answers,
    webfinger_finds_local_accounts_only,
    nodeinfo_declares_kindred,
    actor_documents_negotiate,
    host_meta_and_oauth_metadata,
    unknown_api_routes_are_json_404
);

async fn healthz_answers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (status, body) = app.get_json("/healthz", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

async fn webfinger_finds_local_accounts_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "Quiet_River",
        "a long password",
        Some("river@example.org"),
        Role::Member,
    )
    .await;
    let d = &app.domain;

    let (status, body) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:quiet_river@{d}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["subject"], format!("acct:Quiet_River@{d}"));
    let links = body["links"].as_array().unwrap();
    let self_link = links.iter().find(|l| l["rel"] == "self").unwrap();
    assert_eq!(self_link["type"], "application/activity+json");
    assert_eq!(self_link["href"], format!("http://{d}/users/Quiet_River"));
    assert_no_email(&body, "river@example.org");

    // by actor URL
    let (status, _) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=http://{d}/users/Quiet_River"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // the instance actor
    let (status, body) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:kindred.internal@{d}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["links"][0]["href"], format!("http://{d}/actor"));
    // Also by Mastodon's convention, `domain@domain`, which is its subject.
    let (status, body) = app
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:{d}@{d}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["subject"], format!("acct:{d}@{d}"));
    assert_eq!(body["links"][0]["href"], format!("http://{d}/actor"));

    for (resource, want) in [
        (format!("acct:nobody@{d}"), 404),
        ("acct:quiet_river@elsewhere.example".to_owned(), 404),
        ("acct:quiet_river".to_owned(), 400),
        ("acct:@".to_owned(), 400),
        ("acct:x@127.0.0.1".to_owned(), 400),
    ] {
        let (status, body) = app
            .get_json(
                &format!("/.well-known/webfinger?resource={}", urlencode(&resource)),
                None,
            )
            .await;
        assert_eq!(status, want, "{resource}: {body}");
        assert!(body["error"].is_string(), "{resource}: {body}");
    }
    let (status, body) = app.get_json("/.well-known/webfinger", None).await;
    assert_eq!(status, 400);
    assert!(body["error"].is_string());
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

async fn nodeinfo_declares_kindred(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("member1", "a long password", None, Role::Member)
        .await;
    let (status, body) = app.get_json("/.well-known/nodeinfo", None).await;
    assert_eq!(status, 200);
    let href = body["links"][0]["href"].as_str().unwrap().to_owned();
    assert_eq!(href, app.url("/nodeinfo/2.1"));
    assert_eq!(
        body["links"][0]["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    let (status, ni) = app.get_json("/nodeinfo/2.1", None).await;
    assert_eq!(status, 200);
    assert_eq!(ni["version"], "2.1");
    assert_eq!(ni["software"]["name"], "kindred");
    // The release version, from Cargo's package version (CHANGELOG.md).
    assert_eq!(ni["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(ni["protocols"][0], "activitypub");
    assert_eq!(ni["usage"]["users"]["total"], 1);
    assert!(ni["metadata"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "mastodon_api"));
    assert!(ni["metadata"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "mastodon_api_streaming"));
    assert_eq!(ni["openRegistrations"], true);
}

async fn actor_documents_negotiate(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "harbor",
        "a long password",
        Some("harbor@example.org"),
        Role::Member,
    )
    .await;
    let d = &app.domain;
    for accept in [
        "application/activity+json",
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    ] {
        let resp = app
            .client
            .get(app.url("/users/harbor"))
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/activity+json"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["type"], "Person");
        assert_eq!(body["id"], format!("http://{d}/users/harbor"));
        assert_eq!(body["preferredUsername"], "harbor");
        assert_eq!(body["inbox"], format!("http://{d}/users/harbor/inbox"));
        assert_eq!(body["outbox"], format!("http://{d}/users/harbor/outbox"));
        assert_eq!(
            body["followers"],
            format!("http://{d}/users/harbor/followers")
        );
        assert_eq!(
            body["following"],
            format!("http://{d}/users/harbor/following")
        );
        assert_eq!(
            body["endpoints"]["sharedInbox"],
            format!("http://{d}/inbox")
        );
        assert_eq!(
            body["publicKey"]["id"],
            format!("http://{d}/users/harbor#main-key")
        );
        assert_eq!(body["publicKey"]["owner"], body["id"]);
        let pem = body["publicKey"]["publicKeyPem"].as_str().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let text = body.to_string();
        assert!(!text.contains("PRIVATE KEY"));
        assert_no_email(&body, "harbor@example.org");
    }
    // Browsers get HTML.
    let resp = app
        .client
        .get(app.url("/users/harbor"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("@harbor@"));
    assert!(!html.contains("harbor@example.org"));

    let resp = app
        .client
        .get(app.url("/users/nobody"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    let resp = app
        .client
        .get(app.url("/users/harbor/followers"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "OrderedCollection");
    assert!(
        body.get("orderedItems").is_none(),
        "member lists are never published"
    );

    let resp = app
        .client
        .get(app.url("/actor"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "Application");
    assert_eq!(body["id"], format!("http://{d}/actor"));
    assert!(body["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .contains("PUBLIC KEY"));
}

async fn host_meta_and_oauth_metadata(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let resp = app
        .client
        .get(app.url("/.well-known/host-meta"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xrd+xml"));
    let xml = resp.text().await.unwrap();
    assert!(xml.contains(&format!(
        "template=\"http://{}/.well-known/webfinger?resource={{uri}}\"",
        app.domain
    )));

    let (status, meta) = app
        .get_json("/.well-known/oauth-authorization-server", None)
        .await;
    assert_eq!(status, 200);
    let grants: Vec<&str> = meta["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    for g in ["authorization_code", "password", "client_credentials"] {
        assert!(grants.contains(&g));
    }
    assert_eq!(meta["token_endpoint"], app.url("/oauth/token"));
    assert_eq!(meta["authorization_endpoint"], app.url("/oauth/authorize"));
    assert_eq!(meta["code_challenge_methods_supported"][0], "S256");
    assert!(meta["scopes_supported"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "admin:write"));
}

async fn unknown_api_routes_are_json_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for path in ["/api/v1/nothing", "/api/v2/nothing/here", "/oauth/nothing"] {
        let (status, body) = app.get_json(path, None).await;
        assert_eq!(status, 404, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    // trailing slashes are accepted as apps send them
    let (status, body) = app.get_json("/api/v1/instance/", None).await;
    assert_eq!(status, 200, "{body}");
}
