use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kindred_db::models::oauth as repo;
use kindred_domain::Role;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{both_backends, spawn_app, Backend, TestApp};

both_backends!(
    apps_register_from_form_json_and_multipart,
    app_registration_rejects_bad_input,
    password_grant_by_username_or_email,
    wrong_credentials_do_not_reveal_accounts,
    client_credentials_and_scopes,
    authorization_code_flow_with_pkce,
    authorize_form_refuses_forged_posts,
    authorize_page_escapes_app_data,
    deny_redirects_with_access_denied,
    revoked_tokens_stop_working,
    tokens_and_secrets_are_stored_hashed,
    one_client_cannot_lock_a_member_out,
    password_spraying_from_one_client_is_throttled,
    the_authorize_form_throttles_one_client_only,
    oauth_endpoints_carry_rate_limit_headers,
    cors_for_api_but_not_for_the_login_page,
    a_portal_session_authorizes_without_the_password,
);

const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

async fn apps_register_from_form_json_and_multipart(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // form, with scopes as a space-separated string
    let c = app.register_app("read write", OOB).await;
    assert!(!c.client_id.is_empty() && !c.client_secret.is_empty());
    // JSON, with arrays, and a trailing slash on the path
    let resp = app
        .client
        .post(app.url("/api/v1/apps/"))
        .json(&json!({"client_name": "json app", "redirect_uris": ["https://app.example/cb", OOB], "scopes": "read follow", "website": "https://app.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["name"], "json app");
    assert_eq!(v["redirect_uris"], json!(["https://app.example/cb", OOB]));
    assert_eq!(v["scopes"], json!(["follow", "read"]));
    assert_eq!(v["website"], "https://app.example");
    assert!(v["client_secret"].is_string());
    // multipart, as some apps send it
    let form = reqwest::multipart::Form::new()
        .text("client_name", "multipart app")
        .text("redirect_uris", OOB)
        .text("scopes[]", "read")
        .text("scopes[]", "push");
    let resp = app
        .client
        .post(app.url("/api/v1/apps"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["scopes"], json!(["push", "read"]));

    // verify_credentials with an app token shows the app, never its secret
    let token = client_token(&app, &c, "read").await;
    let (status, body) = app
        .get_json("/api/v1/apps/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "test app");
    assert!(body.get("client_secret").is_none());
}

async fn app_registration_rejects_bad_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let cases: Vec<(Value, u16)> = vec![
        (json!({"redirect_uris": OOB}), 422),
        (json!({"client_name": "x"}), 422),
        (
            json!({"client_name": "x", "redirect_uris": "not a uri"}),
            422,
        ),
        (
            json!({"client_name": "x", "redirect_uris": "javascript:alert(1)"}),
            422,
        ),
        (
            json!({"client_name": "x", "redirect_uris": OOB, "scopes": "read everything"}),
            422,
        ),
        (json!({"client_name": ["a"], "redirect_uris": OOB}), 422),
    ];
    for (body, want) in cases {
        let resp = app
            .client
            .post(app.url("/api/v1/apps"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), want, "{body}");
        let v: Value = resp.json().await.unwrap();
        assert!(v["error"].is_string(), "{v}");
    }
    // malformed JSON
    let resp = app
        .client
        .post(app.url("/api/v1/apps"))
        .header("Content-Type", "application/json")
        .body("{\"client_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"].is_string());
    // malformed form
    let resp = app
        .client
        .post(app.url("/api/v1/apps"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("client_name=%ZZ&&==")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
}

async fn client_token(app: &TestApp, c: &crate::common::Client, scope: &str) -> String {
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    v["access_token"].as_str().unwrap().to_owned()
}

async fn password_grant_by_username_or_email(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "willow",
        "willow's password",
        Some("Willow@Example.org"),
        Role::Member,
    )
    .await;
    let c = app.register_app("read write follow", OOB).await;
    for login in [
        "willow",
        "WILLOW",
        "willow@example.org",
        "WILLOW@EXAMPLE.ORG",
    ] {
        let resp = app
            .password_token(&c, login, "willow's password", "read write")
            .await;
        assert_eq!(resp.status(), 200, "{login}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["scope"], "read write");
        assert!(v["created_at"].is_i64());
        let (status, me) = app
            .get_json(
                "/api/v1/accounts/verify_credentials",
                v["access_token"].as_str(),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(me["username"], "willow");
    }
    // JSON body works too, and HTTP Basic client authentication
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .json(&json!({"grant_type": "password", "username": "willow", "password": "willow's password", "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

async fn wrong_credentials_do_not_reveal_accounts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user(
        "cedar",
        "cedar's password",
        Some("cedar@example.org"),
        Role::Member,
    )
    .await;
    let c = app.register_app("read", OOB).await;
    let wrong = app
        .password_token(&c, "cedar", "not the password", "read")
        .await;
    let unknown = app
        .password_token(&c, "nobody_here", "not the password", "read")
        .await;
    let unknown_email = app
        .password_token(&c, "nobody@example.org", "not the password", "read")
        .await;
    let (s1, s2, s3) = (wrong.status(), unknown.status(), unknown_email.status());
    let (b1, b2, b3): (Value, Value, Value) = (
        wrong.json().await.unwrap(),
        unknown.json().await.unwrap(),
        unknown_email.json().await.unwrap(),
    );
    assert_eq!(s1, 401);
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!((s1, &b1), (s3, &b3));
    assert_eq!(b1["error"], "invalid_grant");
    // a wrong client secret
    let bad = crate::common::Client {
        client_id: c.client_id.clone(),
        client_secret: "wrong".into(),
    };
    let resp = app
        .password_token(&bad, "cedar", "cedar's password", "read")
        .await;
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    // unsupported grant
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "implicit"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "unsupported_grant_type");
}

async fn client_credentials_and_scopes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("birch", "birch's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    // more than the app registered
    let resp = app
        .password_token(&c, "birch", "birch's password", "read write")
        .await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_scope");
    // an app token is not a user
    let token = client_token(&app, &c, "read").await;
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, 422, "{body}");
    // a read-only user token cannot write
    let resp = app
        .password_token(&c, "birch", "birch's password", "read:accounts")
        .await;
    let v: Value = resp.json().await.unwrap();
    let t = v["access_token"].as_str().unwrap();
    let resp = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(t)
        .form(&[("display_name", "B")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(t))
        .await;
    assert_eq!(status, 200);
    // no token, bad token
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", None)
        .await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some("garbage"))
        .await;
    assert_eq!(status, 401);
}

/// Hidden inputs of the authorization form, and its CSRF token.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input ").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            let end = tag[start..].find('"')? + start;
            Some(
                tag[start..end]
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">"),
            )
        };
        out.push((attr("name").unwrap(), attr("value").unwrap_or_default()));
    }
    out
}

fn pkce_pair() -> (String, String) {
    let verifier = format!("v{}", "x".repeat(50));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn authorize_page(app: &TestApp, query: &[(&str, &str)]) -> (u16, String) {
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

async fn authorization_code_flow_with_pkce(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("maple", "maple's password", None, Role::Member)
        .await;
    let redirect = "https://app.example/callback";
    let c = app.register_app("read write", redirect).await;
    let (verifier, challenge) = pkce_pair();
    let query = [
        ("response_type", "code"),
        ("client_id", c.client_id.as_str()),
        ("redirect_uri", redirect),
        ("scope", "read"),
        ("state", "xyz&<state>"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let (status, html) = authorize_page(&app, &query).await;
    assert_eq!(status, 200);
    assert!(html.contains("test app"));
    let mut form = hidden_inputs(&html);
    assert!(form.iter().any(|(k, _)| k == "csrf_token"));
    assert!(form.iter().any(|(k, v)| k == "state" && v == "xyz&<state>"));
    // wrong password: the form again, no code
    let mut bad = form.clone();
    bad.extend([
        ("username".into(), "maple".into()),
        ("password".into(), "nope nope".into()),
        ("decision".into(), "approve".into()),
    ]);
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.unwrap().contains("Invalid username"));

    form.extend([
        ("username".into(), "maple".into()),
        ("password".into(), "maple's password".into()),
        ("decision".into(), "approve".into()),
    ]);
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["state"], "xyz&<state>");
    let code = params["code"].clone();

    let exchange = |verifier: &str, code: &str| {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", c.client_id.clone()),
            ("client_secret", c.client_secret.clone()),
            ("redirect_uri", redirect.to_owned()),
            ("code", code.to_owned()),
            ("code_verifier", verifier.to_owned()),
        ];
        app.client.post(app.url("/oauth/token")).form(&form).send()
    };
    // the wrong verifier fails and burns the code (one use)
    let resp = exchange("wrong-verifier-wrong-verifier-wrong-verifier-00", &code)
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = exchange(&verifier, &code).await.unwrap();
    assert_eq!(resp.status(), 400, "a code works once");

    // a fresh code with the right verifier
    let (_, html) = authorize_page(&app, &query).await;
    let mut form = hidden_inputs(&html);
    form.extend([
        ("username".into(), "maple".into()),
        ("password".into(), "maple's password".into()),
        ("decision".into(), "approve".into()),
    ]);
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code: String = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let resp = exchange(&verifier, &code).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["scope"], "read");
    let (status, me) = app
        .get_json(
            "/api/v1/accounts/verify_credentials",
            v["access_token"].as_str(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "maple");

    // out-of-band: the code is shown on the page
    let c2 = app.register_app("read", OOB).await;
    let (_, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &c2.client_id),
            ("redirect_uri", OOB),
            ("scope", "read"),
        ],
    )
    .await;
    let mut form = hidden_inputs(&html);
    form.extend([
        ("username".into(), "maple".into()),
        ("password".into(), "maple's password".into()),
        ("decision".into(), "approve".into()),
    ]);
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let start =
        html.find("id=\"authorization-code\">").unwrap() + "id=\"authorization-code\">".len();
    let code = &html[start..start + html[start..].find('<').unwrap()];
    // A code issued without a PKCE challenge needs the client secret: a made-up
    // verifier is no proof of possession (and the attempt burns the code).
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &c2.client_id),
            ("redirect_uri", OOB),
            ("code", code),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &c2.client_id),
            ("client_secret", &c2.client_secret),
            ("redirect_uri", OOB),
            ("code", code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        400,
        "the code was used up by the failed attempt"
    );
    let (_, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &c2.client_id),
            ("redirect_uri", OOB),
            ("scope", "read"),
        ],
    )
    .await;
    let mut form = hidden_inputs(&html);
    form.extend([
        ("username".into(), "maple".into()),
        ("password".into(), "maple's password".into()),
        ("decision".into(), "approve".into()),
    ]);
    let html = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start =
        html.find("id=\"authorization-code\">").unwrap() + "id=\"authorization-code\">".len();
    let code = &html[start..start + html[start..].find('<').unwrap()];
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &c2.client_id),
            ("client_secret", &c2.client_secret),
            ("redirect_uri", OOB),
            ("code", code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // unknown client, unregistered redirect, plain PKCE: error page, no redirect
    for q in [
        vec![
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", redirect),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", c.client_id.as_str()),
            ("redirect_uri", "https://evil.example/cb"),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", c.client_id.as_str()),
            ("redirect_uri", redirect),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "plain"),
        ],
        vec![
            ("response_type", "token"),
            ("client_id", c.client_id.as_str()),
            ("redirect_uri", redirect),
        ],
    ] {
        let resp = app
            .client
            .get(app.url("/oauth/authorize"))
            .query(&q)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{q:?}");
        assert!(resp.headers().get("location").is_none());
    }
}

async fn authorize_form_refuses_forged_posts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("aspen", "aspen's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let (_, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &c.client_id),
            ("redirect_uri", OOB),
            ("scope", "read"),
        ],
    )
    .await;
    let form = hidden_inputs(&html);
    let creds = [
        ("username".to_owned(), "aspen".to_owned()),
        ("password".to_owned(), "aspen's password".to_owned()),
        ("decision".to_owned(), "approve".to_owned()),
    ];

    // forged token with the right cookie
    let mut forged: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .cloned()
        .collect();
    forged.push(("csrf_token".into(), "forged".into()));
    forged.extend(creds.clone());
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(!resp.text().await.unwrap().contains("authorization-code"));

    // the right token from a client without the cookie (a cross-site post)
    let stranger = reqwest::Client::new();
    let mut stolen = form.clone();
    stolen.extend(creds);
    let resp = stranger
        .post(app.url("/oauth/authorize"))
        .form(&stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // the page cannot be framed and is not cached
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", &c.client_id),
            ("redirect_uri", OOB),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

async fn authorize_page_escapes_app_data(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let resp = app
        .client
        .post(app.url("/api/v1/apps"))
        .json(&json!({"client_name": "<script>alert('x')</script>", "redirect_uris": OOB, "website": "https://x.example/\"><img src=x>"}))
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    let client_id = v["client_id"].as_str().unwrap();
    let (status, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", OOB),
            ("state", "\"><script>"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("\"><img"));
    assert!(!html.contains("\"><script>"));
}

async fn deny_redirects_with_access_denied(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let redirect = "myapp://oauth";
    let c = app.register_app("read", redirect).await;
    let (_, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &c.client_id),
            ("redirect_uri", redirect),
            ("state", "s1"),
        ],
    )
    .await;
    let mut form = hidden_inputs(&html);
    form.push(("decision".into(), "deny".into()));
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with("myapp://oauth?"), "{loc}");
    assert!(
        loc.contains("error=access_denied") && loc.contains("state=s1"),
        "{loc}"
    );
    assert!(!loc.contains("code="));
}

async fn revoked_tokens_stop_working(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("elm", "elm's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let v: Value = app
        .password_token(&c, "elm", "elm's password", "read")
        .await
        .json()
        .await
        .unwrap();
    let token = v["access_token"].as_str().unwrap();
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(token))
        .await;
    assert_eq!(status, 200);
    // another app cannot revoke it
    let other = app.register_app("read", OOB).await;
    let resp = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", &other.client_id),
            ("client_secret", &other.client_secret),
            ("token", &token.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(token))
        .await;
    assert_eq!(status, 200);
    // a bad client secret is refused
    let resp = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", c.client_id.as_str()),
            ("client_secret", "bad"),
            ("token", token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // its own app can
    let resp = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("token", token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(token))
        .await;
    assert_eq!(status, 401);
}

async fn tokens_and_secrets_are_stored_hashed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("oak", "oak's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let v: Value = app
        .password_token(&c, "oak", "oak's password", "read")
        .await
        .json()
        .await
        .unwrap();
    let token = v["access_token"].as_str().unwrap().to_owned();
    let hash = hex_sha256(&token);
    let (plain, hashed, app_row) = {
        let token = token.clone();
        let client_id = c.client_id.clone();
        app.state
            .db
            .run(move |conn| {
                Ok((
                    repo::find_live_token(conn, &token)?.is_some(),
                    repo::find_live_token(conn, &hash)?.is_some(),
                    repo::find_application_by_client_id(conn, &client_id)?,
                ))
            })
            .await
            .unwrap()
    };
    assert!(!plain, "a token is never stored as given");
    assert!(hashed);
    let app_row = app_row.unwrap();
    assert_ne!(app_row.client_secret_hash, c.client_secret);
    assert_eq!(app_row.client_secret_hash, hex_sha256(&c.client_secret));
}

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The password grant as sent from `client` (through a local proxy that names it in
/// `X-Forwarded-For`, as the server is told to believe by default).
async fn password_token_from(
    app: &TestApp,
    c: &crate::common::Client,
    client: &str,
    login: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/oauth/token"))
        .header("X-Forwarded-For", client)
        .form(&[
            ("grant_type", "password"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("username", login),
            ("password", password),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
}

/// Wrong passwords for one name from one client throttle that client for that name,
/// never the owner logging in from another client (issue 21, item 6).
async fn one_client_cannot_lock_a_member_out(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("hazel", "hazel's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let attacker = "203.0.113.7";
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            password_token_from(&app, &c, attacker, "hazel", "guess guess")
                .await
                .status()
                .as_u16(),
        );
    }
    // The throttle is there: the guessing client waits, even with the right password.
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(statuses[10], 429);
    let resp = password_token_from(&app, &c, attacker, "HAZEL", "hazel's password").await;
    assert_eq!(resp.status(), 429);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "too_many_requests");
    // The owner, from another client, logs in at once.
    let resp = password_token_from(&app, &c, "198.51.100.20", "hazel", "hazel's password").await;
    assert_eq!(resp.status(), 200);
    // Successful logins are not counted against anyone (a shared office address).
    for _ in 0..12 {
        let resp = password_token_from(&app, &c, "192.0.2.44", "hazel", "hazel's password").await;
        assert_eq!(resp.status(), 200);
    }
}

/// One client trying one password on many names is throttled across the names; the
/// owners of those names, elsewhere, are not.
async fn password_spraying_from_one_client_is_throttled(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("alder", "alder's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let sprayer = "203.0.113.9";
    let mut statuses = Vec::new();
    for i in 0..40 {
        let name = if i == 0 {
            "alder".to_owned()
        } else {
            format!("name{i}")
        };
        statuses.push(
            password_token_from(&app, &c, sprayer, &name, "Summer2026!")
                .await
                .status()
                .as_u16(),
        );
    }
    let first_refused = statuses.iter().position(|s| *s == 429);
    assert!(
        first_refused.is_some_and(|n| (10..=30).contains(&n)),
        "{statuses:?}"
    );
    assert!(statuses[..first_refused.unwrap()].iter().all(|s| *s == 401));
    assert!(statuses[first_refused.unwrap()..].iter().all(|s| *s == 429));
    // A name the sprayer never tried, from the sprayer: refused too.
    let resp = password_token_from(&app, &c, sprayer, "name99", "Summer2026!").await;
    assert_eq!(resp.status(), 429);
    // alder, from home, is unaffected.
    let resp = password_token_from(&app, &c, "198.51.100.21", "alder", "alder's password").await;
    assert_eq!(resp.status(), 200);
}

/// The sign-in form of `/oauth/authorize` as posted from `client` (named in
/// `X-Forwarded-For` by a local proxy), with the page's CSRF token and cookie.
async fn authorize_from(
    app: &TestApp,
    form: &[(String, String)],
    client: &str,
    login: &str,
    password: &str,
) -> (u16, String) {
    let mut form = form.to_vec();
    form.extend([
        ("username".into(), login.into()),
        ("password".into(), password.into()),
        ("decision".into(), "approve".into()),
    ]);
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .header("X-Forwarded-For", client)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The login throttle guards the authorize form as it guards the password grant:
/// one client's wrong passwords refuse that client, never the owner elsewhere.
async fn the_authorize_form_throttles_one_client_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("rowan", "rowan's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    let (status, html) = authorize_page(
        &app,
        &[
            ("response_type", "code"),
            ("client_id", &c.client_id),
            ("redirect_uri", OOB),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let form = hidden_inputs(&html);
    assert!(form.iter().any(|(k, _)| k == "csrf_token"));
    let attacker = "203.0.113.8";
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, page) = authorize_from(&app, &form, attacker, "rowan", "guess guess").await;
        assert!(!page.contains("authorization-code"), "{page}");
        statuses.push(status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(statuses[10], 429);
    // Refused even with the right password, on the page, with no code.
    let (status, page) = authorize_from(&app, &form, attacker, "rowan", "rowan's password").await;
    assert_eq!(status, 429);
    assert!(page.contains("Too many attempts"), "{page}");
    assert!(!page.contains("authorization-code"), "{page}");
    // The owner, from another client, signs in at once and gets a code.
    let (status, page) =
        authorize_from(&app, &form, "198.51.100.22", "rowan", "rowan's password").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("authorization-code"), "{page}");
}

fn assert_rate_limit_headers(what: &str, headers: &reqwest::header::HeaderMap) {
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(headers.contains_key(h), "{what}: {h} missing: {headers:?}");
    }
}

/// `/oauth/token` and `/oauth/authorize` count against the client's API rate limit
/// and say so, as every `/api` answer does.
async fn oauth_endpoints_carry_rate_limit_headers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("rowan", "rowan's password", None, Role::Member)
        .await;
    let c = app.register_app("read", OOB).await;
    // Positive control: an /api answer has them.
    let resp = app
        .client
        .get(app.url("/api/v1/instance"))
        .send()
        .await
        .unwrap();
    assert_rate_limit_headers("/api/v1/instance", resp.headers());
    let resp = app
        .password_token(&c, "rowan", "rowan's password", "read")
        .await;
    assert_eq!(resp.status(), 200);
    assert_rate_limit_headers("POST /oauth/token", resp.headers());
    let resp = app.password_token(&c, "rowan", "wrong", "read").await;
    assert_eq!(resp.status(), 401);
    assert_rate_limit_headers("refused POST /oauth/token", resp.headers());
    let query = [
        ("response_type", "code"),
        ("client_id", c.client_id.as_str()),
        ("redirect_uri", OOB),
        ("scope", "read"),
    ];
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_rate_limit_headers("GET /oauth/authorize", resp.headers());
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .form(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "no CSRF token");
    assert_rate_limit_headers("POST /oauth/authorize", resp.headers());
}

async fn cors_for_api_but_not_for_the_login_page(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let preflight = |path: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url(path))
            .header("Origin", "https://elk.example")
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    for path in ["/api/v1/apps", "/oauth/token", "/api/v1/statuses"] {
        let resp = preflight(path).await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        assert_eq!(resp.headers()["access-control-allow-origin"], "*", "{path}");
    }
    let resp = app
        .client
        .get(app.url("/api/v1/instance"))
        .header("Origin", "https://elk.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .header("Origin", "https://elk.example")
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

/// Signed in to the web portal, a member lets an app in with one click: the
/// authorization page names them and asks for no password; another browser (no
/// session) still gets the sign-in fields, and an app token as a cookie is no
/// session.
async fn a_portal_session_authorizes_without_the_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.create_user("maple", "maple's password", None, Role::Member)
        .await;
    let maple = kindred_api::services::accounts::find_local(&app.state, "maple")
        .await
        .unwrap()
        .unwrap();
    let session = kindred_web::session::start(&app.state, maple.id)
        .await
        .unwrap();
    let redirect = "https://app.example/callback";
    let c = app.register_app("read write", redirect).await;
    let query = [
        ("response_type", "code"),
        ("client_id", c.client_id.as_str()),
        ("redirect_uri", redirect),
        ("scope", "read"),
    ];
    // No session: the sign-in fields (the control).
    let (status, html) = authorize_page(&app, &query).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"password\""), "{html}");
    // An app's token in the cookie is not a portal session.
    let app_token = app.login("maple", "maple's password").await;
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .query(&query)
        .header("Cookie", format!("kindred_session={app_token}"))
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("name=\"password\""));
    // The session: named, no password field.
    let cookie = format!("kindred_session={}", session.value());
    let resp = app
        .client
        .get(app.url("/oauth/authorize"))
        .query(&query)
        .header("Cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    let csrf = resp
        .cookies()
        .find(|c| c.name() == "kindred_csrf")
        .map(|c| c.value().to_owned())
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("You are signed in as <strong>maple</strong>"),
        "{html}"
    );
    assert!(!html.contains("name=\"password\""));
    let mut form = hidden_inputs(&html);
    form.push(("decision".into(), "approve".into()));
    let resp = app
        .client
        .post(app.url("/oauth/authorize"))
        .header("Cookie", format!("{cookie}; kindred_csrf={csrf}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(redirect) && location.contains("code="),
        "{location}"
    );
}
