//! OAuth 2 for Mastodon apps: app registration, the authorization-code grant with
//! PKCE, the password grant, client credentials, revocation. Tokens, codes and client
//! secrets are stored only as SHA-256 hashes.

use chrono::{Duration, Utc};
use kindred_db::models::{accounts, oauth};
use kindred_db::{AccountRow, ApplicationRow, NewApplication, NewAuthorizationCode, NewToken};
use kindred_domain::{EmailAddress, Scopes};
use url::Url;

use super::ServiceError;
use crate::crypto::{
    burn_password_check, constant_time_eq, random_token, sha256_hex, verify_password,
};
use crate::ratelimit::ClientKey;
use crate::AppState;

/// The web portal's session cookie: an access token of the built-in web app
/// (`kindred_web::session`). The authorization page reads it, so a member signed
/// in to the portal lets an app in without typing the password again.
pub const WEB_SESSION_COOKIE: &str = "kindred_session";
/// The built-in web app's client id (no secret, no redirect: no one can run an
/// OAuth flow as it).
pub const WEB_CLIENT_ID: &str = "kindred-web-portal";

pub const OOB_REDIRECT: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_LIFETIME_MINUTES: i64 = 10;

/// Why an OAuth request failed, in RFC 6749 terms.
#[derive(Debug, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest(&'static str),
    InvalidClient,
    InvalidGrant(&'static str),
    /// Wrong username or password in the password grant: `invalid_grant`, but 401.
    InvalidCredentials,
    /// Too many failed login attempts from one client.
    Throttled,
    InvalidScope,
    UnsupportedGrantType,
    Internal,
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) | Self::InvalidCredentials => "invalid_grant",
            Self::Throttled => "too_many_requests",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Internal => "server_error",
        }
    }

    pub fn description(&self) -> &'static str {
        match self {
            Self::InvalidRequest(d) | Self::InvalidGrant(d) => d,
            Self::InvalidClient => "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
            Self::InvalidCredentials => "Invalid username, email or password.",
            Self::Throttled => "Too many login attempts. Please wait a few minutes and try again.",
            Self::InvalidScope => "The requested scope is invalid, unknown, or malformed.",
            Self::UnsupportedGrantType => "The authorization grant type is not supported by the authorization server.",
            Self::Internal => "The authorization server encountered an unexpected condition.",
        }
    }
}

impl From<kindred_db::DbError> for OAuthError {
    fn from(e: kindred_db::DbError) -> Self {
        tracing::error!(code = e.code(), "database error during oauth");
        Self::Internal
    }
}

/// A redirect URI an app may register: the out-of-band marker or an absolute URI
/// without a fragment (custom schemes like `tusky://oauth` are fine).
pub fn valid_redirect_uri(uri: &str) -> bool {
    if uri == OOB_REDIRECT {
        return true;
    }
    // Whitespace or control characters would split the newline-separated list we
    // store, or smuggle a second URI in.
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match Url::parse(uri) {
        Ok(u) => {
            u.fragment().is_none()
                && !matches!(u.scheme(), "javascript" | "data" | "file" | "vbscript")
        }
        Err(_) => false,
    }
}

pub struct RegisteredApp {
    pub app: ApplicationRow,
    pub client_secret: String,
}

pub async fn register_app(
    state: &AppState,
    name: String,
    redirect_uris: Vec<String>,
    scopes: Scopes,
    website: Option<String>,
) -> Result<RegisteredApp, ServiceError> {
    let client_id = random_token();
    let client_secret = random_token();
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let new = NewApplication {
        id,
        name,
        website,
        redirect_uris: redirect_uris.join("\n"),
        scopes: scopes.to_string(),
        client_id,
        client_secret_hash: sha256_hex(&client_secret),
        created_at: now.naive_utc(),
    };
    let app = state
        .db
        .run(move |c| {
            oauth::insert_application(c, &new)?;
            oauth::find_application(c, id)?.ok_or(kindred_db::DbError::NotFound)
        })
        .await?;
    Ok(RegisteredApp { app, client_secret })
}

pub fn app_redirect_uris(app: &ApplicationRow) -> Vec<String> {
    app.redirect_uris
        .lines()
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn app_scopes(app: &ApplicationRow) -> Scopes {
    Scopes::parse(&app.scopes).unwrap_or_else(|_| Scopes::read())
}

/// Finds the app by client id; the secret is checked when given (public clients in the
/// authorization-code flow with PKCE need not send it).
pub async fn find_client(
    state: &AppState,
    client_id: &str,
    client_secret: Option<&str>,
) -> Result<ApplicationRow, OAuthError> {
    let id = client_id.to_owned();
    let app = state
        .db
        .run(move |c| oauth::find_application_by_client_id(c, &id))
        .await?
        .ok_or(OAuthError::InvalidClient)?;
    if let Some(secret) = client_secret {
        if !constant_time_eq(
            sha256_hex(secret).as_bytes(),
            app.client_secret_hash.as_bytes(),
        ) {
            return Err(OAuthError::InvalidClient);
        }
    }
    Ok(app)
}

/// Scopes asked for, defaulting to `read`, and never more than the app registered.
pub fn requested_scopes(app: &ApplicationRow, scope: Option<&str>) -> Result<Scopes, OAuthError> {
    let requested = match scope.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Scopes::parse(s).map_err(|_| OAuthError::InvalidScope)?,
        None => Scopes::read(),
    };
    if !app_scopes(app).contains_all(&requested) {
        return Err(OAuthError::InvalidScope);
    }
    Ok(requested)
}

/// What a login attempt came to.
pub enum Login {
    Valid(Box<AccountRow>),
    Invalid,
    /// Too many attempts for this login name recently; nothing was checked.
    Throttled,
}

/// Accounts one email address may log in to; more are never checked, and fewer are
/// padded with dummy checks, so timing does not tell how many accounts share it.
const EMAIL_CANDIDATES: usize = 3;

/// Checks a username-or-email and password. The same answer and about the same time
/// whether the account exists or not.
/// `client` is who is trying (`Limits::client`): failed attempts are throttled per
/// client, for one name and across names, so nobody elsewhere can lock the owner out.
pub async fn check_credentials(
    state: &AppState,
    client: &ClientKey,
    login: &str,
    password: &str,
) -> Result<Login, kindred_db::DbError> {
    let login = login.trim().to_owned();
    let Some(charge) = state.limits.begin_login(client, &login) else {
        tracing::warn!("failed login attempts throttled for one client");
        return Ok(Login::Throttled);
    };
    let lookup = EmailAddress::parse(&login)
        .ok()
        .map(|e| state.secrets.email.lookup(&e));
    let by_email = lookup.is_some();
    let candidates = state
        .db
        .run(move |c| {
            let mut found = Vec::new();
            if let Some(lookup) = lookup {
                for (account, user) in accounts::find_local_by_email_lookup(c, &lookup)? {
                    found.push((account, user.password_hash));
                }
            } else if let Some(account) = accounts::find_local_by_username(c, &login)? {
                let user = accounts::find_user(c, account.id)?;
                found.push((account, user.and_then(|u| u.password_hash)));
            }
            Ok(found)
        })
        .await?;
    let checks = if by_email { EMAIL_CANDIDATES } else { 1 };
    let password = password.to_owned();
    let _permit = state.limits.expensive_work().await;
    let verified = tokio::task::spawn_blocking(move || {
        let mut verified = None;
        let mut candidates = candidates.into_iter().take(checks);
        for _ in 0..checks {
            match candidates.next() {
                Some((account, Some(hash))) => {
                    if verify_password(&hash, &password) && verified.is_none() {
                        verified = Some(account);
                    }
                }
                _ => burn_password_check(&password),
            }
        }
        verified
    })
    .await
    .map_err(|_| kindred_db::DbError::Task)?;
    match verified {
        Some(mut account) => {
            state.limits.login_succeeded(charge);
            // A moderator's `disable`: the login is refused as a suspended one is
            // (callers check `is_active`), after the password, like every refusal.
            let id = account.id;
            let may = state
                .db
                .run(move |c| kindred_core::moderation::may_log_in(c, id))
                .await?;
            if !may {
                account.suspended = true;
            }
            Ok(Login::Valid(Box::new(account)))
        }
        None => Ok(Login::Invalid),
    }
}

pub struct IssuedToken {
    pub access_token: String,
    pub scopes: Scopes,
    pub created_at: i64,
}

pub async fn issue_token(
    state: &AppState,
    app: &ApplicationRow,
    account_id: Option<i64>,
    scopes: Scopes,
) -> Result<IssuedToken, kindred_db::DbError> {
    let token = random_token();
    let now = Utc::now();
    let new = NewToken {
        id: state.ids.next_at(now),
        token_hash: sha256_hex(&token),
        application_id: app.id,
        account_id,
        scopes: scopes.to_string(),
        created_at: now.naive_utc(),
    };
    state.db.run(move |c| oauth::insert_token(c, &new)).await?;
    Ok(IssuedToken {
        access_token: token,
        scopes,
        created_at: now.timestamp(),
    })
}

/// Stores a fresh authorization code and returns it.
pub async fn issue_code(
    state: &AppState,
    app: &ApplicationRow,
    account_id: i64,
    redirect_uri: &str,
    scopes: &Scopes,
    code_challenge: Option<String>,
) -> Result<String, kindred_db::DbError> {
    let code = random_token();
    let now = Utc::now();
    let new = NewAuthorizationCode {
        id: state.ids.next_at(now),
        code_hash: sha256_hex(&code),
        application_id: app.id,
        account_id,
        redirect_uri: redirect_uri.to_owned(),
        scopes: scopes.to_string(),
        code_challenge,
        created_at: now.naive_utc(),
        expires_at: (now + Duration::minutes(CODE_LIFETIME_MINUTES)).naive_utc(),
    };
    state.db.run(move |c| oauth::insert_code(c, &new)).await?;
    Ok(code)
}

/// The authorization-code grant: one use, same app and redirect URI, PKCE when the
/// code was issued with a challenge, and only for an account that may still log in.
/// A client that did not authenticate with its secret is accepted only for a code that
/// was issued with a PKCE challenge: the verifier is then its proof of possession.
pub async fn exchange_code(
    state: &AppState,
    app: &ApplicationRow,
    client_authenticated: bool,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<IssuedToken, OAuthError> {
    let hash = sha256_hex(code);
    let now = Utc::now().naive_utc();
    let row = state
        .db
        .run(move |c| oauth::consume_code(c, &hash, now))
        .await?
        .ok_or(OAuthError::InvalidGrant("The provided authorization grant is invalid, expired, revoked, or was issued to another client."))?;
    if row.application_id != app.id {
        return Err(OAuthError::InvalidGrant(
            "The provided authorization grant was issued to another client.",
        ));
    }
    if !client_authenticated && row.code_challenge.is_none() {
        return Err(OAuthError::InvalidClient);
    }
    // RFC 6749 §4.1.3: the redirect URI must be repeated; we tolerate its absence only
    // when the app registered exactly that one URI, as Doorkeeper does.
    let matches = match redirect_uri {
        Some(r) => r == row.redirect_uri,
        None => app_redirect_uris(app) == [row.redirect_uri.clone()],
    };
    if !matches {
        return Err(OAuthError::InvalidGrant(
            "The redirect URI does not match the one used in the authorization request.",
        ));
    }
    if let Some(challenge) = &row.code_challenge {
        let verifier =
            code_verifier.ok_or(OAuthError::InvalidGrant("code_verifier is required"))?;
        if !crate::crypto::pkce_s256_matches(verifier, challenge) {
            return Err(OAuthError::InvalidGrant(
                "code_verifier does not match the code challenge",
            ));
        }
    }
    let account_id = row.account_id;
    let account = state.db.run(move |c| accounts::find(c, account_id)).await?;
    if !account.is_some_and(|a| a.is_active()) {
        return Err(OAuthError::InvalidGrant("The account cannot log in."));
    }
    let scopes = Scopes::parse(&row.scopes).map_err(|_| OAuthError::InvalidScope)?;
    Ok(issue_token(state, app, Some(account_id), scopes).await?)
}

pub async fn revoke(
    state: &AppState,
    app: &ApplicationRow,
    token: &str,
) -> Result<(), kindred_db::DbError> {
    let hash = sha256_hex(token);
    let app_id = app.id;
    let now = Utc::now().naive_utc();
    state
        .db
        .run(move |c| oauth::revoke_token(c, &hash, app_id, now))
        .await?;
    Ok(())
}

/// The app by its row id (a token's application).
pub async fn find_application(
    state: &AppState,
    id: i64,
) -> Result<Option<ApplicationRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| oauth::find_application(c, id))
        .await?)
}
