//! Browser sessions. A session is an OAuth access token of the built-in "web
//! browser" application, held in an `HttpOnly` cookie: so sessions are listed,
//! expire and are revoked exactly as apps' tokens are (settings, password change,
//! suspension, erasure), and every check the API makes on a token holds for a page.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::HttpRequest;
use chrono::Utc;
use kindred_api::auth::{authenticate, Authenticated};
use kindred_api::crypto::sha256_hex;
use kindred_api::services::oauth;
use kindred_api::AppState;
use kindred_db::models::oauth as oauth_db;
use kindred_db::models::oauth::{ApplicationRow, NewApplication};
use kindred_domain::Scopes;

pub const COOKIE: &str = oauth::WEB_SESSION_COOKIE;

/// The web application's fixed client id. It has no usable secret and no redirect:
/// no one can run an OAuth flow as it.
pub const WEB_CLIENT_ID: &str = oauth::WEB_CLIENT_ID;
pub const WEB_APP_NAME: &str = "Web browser";
/// Everything a member can do; the role checks (`Authenticated::moderator`, ...)
/// still decide who may use the admin scopes.
pub const WEB_SCOPES: &str = "read write follow push admin:read admin:write";

/// The signed-in member behind the request's session cookie, if it is live.
pub async fn current(state: &AppState, req: &HttpRequest) -> Option<Authenticated> {
    let token = req.cookie(COOKIE)?.value().to_owned();
    if token.is_empty() || token.len() > 128 {
        return None;
    }
    let auth = authenticate(state, &token).await.ok()?;
    auth.account.as_ref()?;
    Some(auth)
}

async fn web_app(state: &AppState) -> Result<ApplicationRow, kindred_db::DbError> {
    if let Some(app) = state
        .db
        .run(|c| oauth_db::find_application_by_client_id(c, WEB_CLIENT_ID))
        .await?
    {
        return Ok(app);
    }
    let now = Utc::now();
    let new = NewApplication {
        id: state.ids.next_at(now),
        name: WEB_APP_NAME.to_owned(),
        website: None,
        redirect_uris: String::new(),
        scopes: WEB_SCOPES.to_owned(),
        client_id: WEB_CLIENT_ID.to_owned(),
        // Not a hash of anything: no secret can match it.
        client_secret_hash: "!".to_owned(),
        created_at: now.naive_utc(),
    };
    // Two first sign-ins at once: one insert wins, both read the winner.
    let _ = state
        .db
        .run(move |c| oauth_db::insert_application(c, &new))
        .await;
    state
        .db
        .run(|c| oauth_db::find_application_by_client_id(c, WEB_CLIENT_ID))
        .await?
        .ok_or(kindred_db::DbError::NotFound)
}

/// Starts a session for `account_id`: the cookie to set.
pub async fn start(
    state: &AppState,
    account_id: i64,
) -> Result<Cookie<'static>, kindred_db::DbError> {
    let app = web_app(state).await?;
    let scopes = Scopes::parse(WEB_SCOPES).unwrap_or_default();
    let issued = oauth::issue_token(state, &app, Some(account_id), scopes).await?;
    Ok(session_cookie(state, issued.access_token, false))
}

/// Ends the request's session (its token is revoked) and returns the cookie that
/// clears it in the browser.
pub async fn end(state: &AppState, req: &HttpRequest) -> Cookie<'static> {
    if let Some(token) = req.cookie(COOKIE).map(|c| c.value().to_owned()) {
        let hash = sha256_hex(&token);
        let now = Utc::now().naive_utc();
        let _ = state
            .db
            .run(move |c| {
                if let Some(t) = oauth_db::find_live_token(c, &hash)? {
                    oauth_db::revoke_token(c, &hash, t.application_id, now)?;
                }
                Ok(())
            })
            .await;
    }
    session_cookie(state, String::new(), true)
}

fn session_cookie(state: &AppState, value: String, clear: bool) -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(state.urls.is_https())
        // Lax: a link from an email or another site opens the page signed in, but no
        // other site can post a form with it.
        .same_site(SameSite::Lax)
        .finish();
    if clear {
        c.set_max_age(CookieDuration::ZERO);
    }
    c
}
