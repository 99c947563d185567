//! "A page never runs more than a fixed number of queries": each member page is
//! requested in-process (the portal's routes on the test app's state, a session
//! cookie) inside `kindred_db::counting`, which counts the database jobs the
//! request awaits. The bound holds at 5 and at 20 posts, so it does not grow with
//! the page's length, on both backends.

use actix_web::{test, App};
use serde_json::json;

use crate::common::{both_backends, spawn_app, Backend, TestApp};

/// Most database jobs one member page may run.
const BOUND: u64 = 16;

async fn jobs(app: &TestApp, cookie: &actix_web::cookie::Cookie<'static>, path: &str) -> u64 {
    let service = test::init_service(
        App::new()
            .app_data(app.state.clone())
            .configure(kindred_web::configure),
    )
    .await;
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(("Accept", "text/html"))
        .cookie(cookie.clone())
        .to_request();
    let (resp, n) = kindred_db::counting(test::call_service(&service, req)).await;
    assert_eq!(resp.status(), 200, "{path}");
    let body = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(
        body.contains("Signed in as reader"),
        "{path} is not the signed-in page"
    );
    n
}

async fn page_queries_do_not_grow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (writer, _) = app.member("writer").await;
    let (reader_token, _) = app.member("reader").await;
    let (_, w) = app
        .get_json("/api/v1/accounts/lookup?acct=writer", Some(&reader_token))
        .await;
    let wid = w["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &format!("/api/v1/accounts/{wid}/follow"),
        &reader_token,
        json!({}),
    )
    .await;
    let reader = kindred_api::services::accounts::find_local(&app.state, "reader")
        .await
        .unwrap()
        .unwrap();
    let cookie = kindred_web::session::start(&app.state, reader.id)
        .await
        .unwrap();
    // The session's first use of the day writes its "last used" day: once.
    jobs(&app, &cookie, "/help").await;
    let pages = ["/home", "/notifications", "/@writer", "/settings", "/help"];
    let mut counts = Vec::new();
    for total in [5, 20] {
        while app_posts(&app, &reader_token).await < total {
            app.post_status(
                &writer,
                json!({"status": "@reader a post for the count", "visibility": "public"}),
            )
            .await;
        }
        let mut row = Vec::new();
        for p in pages {
            let n = jobs(&app, &cookie, p).await;
            assert!(n <= BOUND, "{p} ran {n} database jobs with {total} posts");
            row.push(n);
        }
        counts.push(row);
    }
    // The same number of jobs with 5 posts as with 20: nothing per post.
    assert_eq!(
        counts[0], counts[1],
        "jobs per page {pages:?} grew with the posts"
    );
}

/// How many posts the reader's home shows (through the API), up to 40.
async fn app_posts(app: &TestApp, token: &str) -> usize {
    let (_, v) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    v.as_array().map(Vec::len).unwrap_or(0)
}

both_backends!(page_queries_do_not_grow);

/// A sign-up records which rules were accepted (their version, a hash of their
/// text) and when; without the agreement nothing is created.
async fn sign_up_records_the_rules(backend: Backend) {
    use kindred_api::services::accounts::{self, SignUp};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let form = |agreement| SignUp {
        username: "newcomer".into(),
        email: None,
        password: "a long enough password".into(),
        agreement,
        reason: None,
        invite_code: None,
    };
    let refused = accounts::sign_up(&app.state, form(false)).await;
    assert!(refused.is_err(), "a sign-up without agreement was taken");
    assert!(accounts::find_local(&app.state, "newcomer")
        .await
        .unwrap()
        .is_none());
    let before = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    let account = accounts::sign_up(&app.state, form(true)).await.unwrap();
    let user = accounts::find_user(&app.state, account.id)
        .await
        .unwrap()
        .unwrap();
    let version = accounts::rules_version(&app.state.instance.rules);
    assert_eq!(user.rules_version.as_deref(), Some(version.as_str()));
    assert!(user.rules_accepted_at.is_some_and(|t| t >= before));
    // Another text is another version.
    assert_ne!(version, accounts::rules_version(&["Be kind.".to_owned()]));
}

both_backends!(sign_up_records_the_rules);

/// The sign-up form in approval mode: without the agreement, the form again (422)
/// with the name kept and nothing created; with it, the pending page, an account
/// awaiting approval and no session.
async fn web_sign_up_in_approval_mode(backend: Backend) {
    let Some(app) =
        crate::common::spawn_app_with(backend, &[("KINDRED__REGISTRATION__MODE", "approval")])
            .await
    else {
        return;
    };
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(app.url("/auth/sign_up"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"reason\""),
        "no reason field in approval mode"
    );
    let token = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("username", "applicant"),
        ("password", "a long enough password"),
        ("reason", "A friend told me"),
    ];
    let resp = client
        .post(app.url("/auth/sign_up"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("value=\"applicant\"") && html.contains("A friend told me"));
    assert!(
        !html.contains("a long enough password"),
        "the password was sent back"
    );
    let find = || kindred_api::services::accounts::find_local(&app.state, "applicant");
    assert!(
        find().await.unwrap().is_none(),
        "a refused sign-up created the account"
    );
    fields.push(("agreement", "1"));
    let resp = client
        .post(app.url("/auth/sign_up"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/auth/sign_up/pending");
    assert!(resp
        .cookies()
        .all(|c| c.name() != "kindred_session" || c.value().is_empty()));
    let account = find().await.unwrap().unwrap();
    assert!(!account.approved);
}

both_backends!(web_sign_up_in_approval_mode);
