//! `/oauth/*`: the HTML authorization page, the token endpoint and revocation.

use crate::services::{AccountRow, ApplicationRow};
use actix_web::http::header::{AUTHORIZATION, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use crate::entities::Token;
use crate::html::{self, AuthorizeForm};
use crate::params::{lenient, Params};
use crate::services::oauth::{self as svc, OAuthError, OOB_REDIRECT};
use crate::AppState;

use crate::csrf_cookie::OAUTH as CSRF;

#[derive(Deserialize, Default)]
pub struct AuthorizeParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    response_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    redirect_uri: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    state: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    code_challenge: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    code_challenge_method: Option<String>,
    // POST only
    #[serde(default, deserialize_with = "lenient::opt_string")]
    csrf_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    decision: Option<String>,
}

/// Page headers: never cached, never framed (clickjacking), no referrer leaks.
pub(crate) fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .body(body)
}

fn error_page(status: StatusCode, text: &str) -> HttpResponse {
    html_response(
        status,
        html::message("Authorization failed", text).into_string(),
    )
}

/// A validated authorization request.
struct Request {
    app: ApplicationRow,
    redirect_uri: String,
    scopes: kindred_domain::Scopes,
    state: Option<String>,
    code_challenge: Option<String>,
}

/// Problems with the client or redirect URI are shown on the page, never redirected
/// (RFC 6749 §4.1.2.1: an unverified redirect URI must not receive anything).
async fn validate(app_state: &AppState, p: &AuthorizeParams) -> Result<Request, HttpResponse> {
    let client_id = p.client_id.as_deref().unwrap_or_default();
    let app = svc::find_client(app_state, client_id, None)
        .await
        .map_err(|_| error_page(StatusCode::BAD_REQUEST, "Unknown application (client_id)."))?;
    let registered = svc::app_redirect_uris(&app);
    let redirect_uri = match p.redirect_uri.as_deref() {
        Some(r) => r.to_owned(),
        None if registered.len() == 1 => registered[0].clone(),
        None => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "redirect_uri is required.",
            ))
        }
    };
    if !registered.contains(&redirect_uri) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "The redirect URI is not registered for this application.",
        ));
    }
    if p.response_type.as_deref() != Some("code") {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "Only response_type=code is supported.",
        ));
    }
    let scopes = svc::requested_scopes(&app, p.scope.as_deref()).map_err(|_| {
        error_page(
            StatusCode::BAD_REQUEST,
            "The requested scope is invalid or not registered for this application.",
        )
    })?;
    let code_challenge = match (
        p.code_challenge.as_deref().filter(|c| !c.is_empty()),
        p.code_challenge_method.as_deref(),
    ) {
        (None, _) => None,
        (Some(c), Some("S256")) if (43..=128).contains(&c.len()) => Some(c.to_owned()),
        (Some(_), Some("S256")) => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "code_challenge is malformed.",
            ))
        }
        (Some(_), _) => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "Only the S256 code challenge method is supported.",
            ))
        }
    };
    Ok(Request {
        app,
        redirect_uri,
        scopes,
        state: p.state.clone(),
        code_challenge,
    })
}

fn hidden_fields(r: &Request) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("response_type", "code".to_owned()),
        ("client_id", r.app.client_id.clone()),
        ("redirect_uri", r.redirect_uri.clone()),
        ("scope", r.scopes.to_string()),
    ];
    if let Some(s) = &r.state {
        v.push(("state", s.clone()));
    }
    if let Some(c) = &r.code_challenge {
        v.push(("code_challenge", c.clone()));
        v.push(("code_challenge_method", "S256".to_owned()));
    }
    v
}

/// The member signed in to the web portal in this browser, if the session is live
/// and may act.
async fn session_account(state: &AppState, req: &HttpRequest) -> Option<AccountRow> {
    let token = req.cookie(svc::WEB_SESSION_COOKIE)?.value().to_owned();
    if token.is_empty() || token.len() > 128 {
        return None;
    }
    let auth = crate::auth::authenticate(state, &token).await.ok()?;
    let app = svc::find_application(state, auth.token.application_id)
        .await
        .ok()
        .flatten()?;
    if app.client_id != svc::WEB_CLIENT_ID {
        return None;
    }
    auth.account.filter(|a| a.is_active())
}

fn render_form(
    state: &AppState,
    r: &Request,
    nonce: String,
    username: &str,
    signed_in: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let token = state.secrets.csrf.token_for(&nonce);
    let body = html::authorize(&AuthorizeForm {
        instance_name: &state.instance.name,
        app_name: &r.app.name,
        app_website: r.app.website.as_deref(),
        scopes: r.scopes.to_vec(),
        hidden: hidden_fields(r),
        csrf_token: &token,
        username,
        signed_in,
        error,
    })
    .into_string();
    let mut resp = html_response(status, body);
    let _ = resp.add_cookie(&CSRF.cookie(state, nonce));
    resp
}

pub async fn authorize_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(p): Params<AuthorizeParams>,
) -> HttpResponse {
    let r = match validate(&state, &p).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let (nonce, _) = CSRF.nonce(&req);
    let me = session_account(&state, &req).await;
    let name = me.as_ref().map(|a| a.username.as_str());
    render_form(&state, &r, nonce, "", name, None, StatusCode::OK)
}

fn redirect_with(r: &Request, params: &[(&str, &str)]) -> HttpResponse {
    let Ok(mut url) = Url::parse(&r.redirect_uri) else {
        return error_page(StatusCode::BAD_REQUEST, "The redirect URI is invalid.");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        if let Some(s) = &r.state {
            q.append_pair("state", s);
        }
    }
    HttpResponse::Found()
        .insert_header((LOCATION, url.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish()
}

pub async fn authorize_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(p): Params<AuthorizeParams>,
) -> HttpResponse {
    let r = match validate(&state, &p).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let (nonce, _) = CSRF.nonce(&req);
    if !CSRF.verify(&state, &req, p.csrf_token.as_deref()) {
        tracing::warn!("authorization form rejected: csrf token mismatch");
        return error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site. Please go back and try again.",
        );
    }
    if p.decision.as_deref() == Some("deny") {
        if r.redirect_uri == OOB_REDIRECT {
            return html_response(
                StatusCode::OK,
                html::message("Authorization denied", "You did not authorize the app.")
                    .into_string(),
            );
        }
        return redirect_with(
            &r,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The resource owner denied the request.",
                ),
            ],
        );
    }
    let login = p.username.clone().unwrap_or_default();
    let password = p.password.clone().unwrap_or_default();
    // Signed in to the portal and no credentials typed: the session's member.
    let session = if login.is_empty() && password.is_empty() {
        session_account(&state, &req).await
    } else {
        None
    };
    let client = state.limits.client(&req);
    let checked = match session {
        Some(a) => Ok(svc::Login::Valid(Box::new(a))),
        None => svc::check_credentials(&state, &client, &login, &password).await,
    };
    let account = match checked {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(code = e.code(), "login check failed");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong. Please try again.",
            );
        }
    };
    let account = match account {
        svc::Login::Valid(account) => *account,
        svc::Login::Invalid => {
            return render_form(
                &state,
                &r,
                nonce,
                &login,
                None,
                Some("Invalid username, email or password."),
                StatusCode::UNAUTHORIZED,
            )
        }
        svc::Login::Throttled => {
            return render_form(
                &state,
                &r,
                nonce,
                &login,
                None,
                Some("Too many attempts. Please wait a few minutes and try again."),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
    };
    if !account.is_active() {
        let msg = if account.suspended {
            "This account is disabled."
        } else {
            "Your account is waiting for approval by the organization."
        };
        return render_form(
            &state,
            &r,
            nonce,
            &login,
            None,
            Some(msg),
            StatusCode::FORBIDDEN,
        );
    }
    let code = match svc::issue_code(
        &state,
        &r.app,
        account.id,
        &r.redirect_uri,
        &r.scopes,
        r.code_challenge.clone(),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(code = e.code(), "could not store authorization code");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong. Please try again.",
            );
        }
    };
    tracing::info!(
        account_id = account.id,
        application_id = r.app.id,
        "authorization granted"
    );
    if r.redirect_uri == OOB_REDIRECT {
        return html_response(
            StatusCode::OK,
            html::authorization_code(&state.instance.name, &code).into_string(),
        );
    }
    redirect_with(&r, &[("code", &code)])
}

#[derive(Deserialize, Default)]
pub struct TokenParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    grant_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_secret: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    redirect_uri: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    code_verifier: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    token: Option<String>,
}

fn oauth_error(e: OAuthError) -> HttpResponse {
    let status = match e {
        OAuthError::InvalidClient | OAuthError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        OAuthError::Throttled => StatusCode::TOO_MANY_REQUESTS,
        OAuthError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "error": e.code(), "error_description": e.description() }))
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1) or from the body.
fn client_credentials(req: &HttpRequest, p: &TokenParams) -> (Option<String>, Option<String>) {
    let basic = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(i, s)| (i.to_owned(), s.to_owned())));
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (p.client_id.clone(), p.client_secret.clone()),
    }
}

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(p): Params<TokenParams>,
) -> HttpResponse {
    match token_inner(&req, &state, p).await {
        Ok(t) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Pragma", "no-cache"))
            .json(t),
        Err(e) => oauth_error(e),
    }
}

async fn token_inner(
    req: &HttpRequest,
    state: &AppState,
    p: TokenParams,
) -> Result<Token, OAuthError> {
    let grant = p
        .grant_type
        .clone()
        .ok_or(OAuthError::InvalidRequest("grant_type is required"))?;
    let (client_id, client_secret) = client_credentials(req, &p);
    let client_id = client_id.ok_or(OAuthError::InvalidClient)?;
    match grant.as_str() {
        "authorization_code" => {
            // A public client may omit the secret only for a code bound to a PKCE
            // challenge; exchange_code decides, since only the code row knows.
            let app = svc::find_client(state, &client_id, client_secret.as_deref()).await?;
            let code = p
                .code
                .as_deref()
                .ok_or(OAuthError::InvalidRequest("code is required"))?;
            let t = svc::exchange_code(
                state,
                &app,
                client_secret.is_some(),
                code,
                p.redirect_uri.as_deref(),
                p.code_verifier.as_deref(),
            )
            .await?;
            Ok(t.into())
        }
        "password" => {
            let secret = client_secret.ok_or(OAuthError::InvalidClient)?;
            let app = svc::find_client(state, &client_id, Some(&secret)).await?;
            let scopes = svc::requested_scopes(&app, p.scope.as_deref())?;
            let login = p.username.as_deref().unwrap_or_default();
            let password = p.password.as_deref().unwrap_or_default();
            let client = state.limits.client(req);
            let account = match svc::check_credentials(state, &client, login, password).await? {
                svc::Login::Valid(account) => *account,
                svc::Login::Invalid => return Err(OAuthError::InvalidCredentials),
                svc::Login::Throttled => return Err(OAuthError::Throttled),
            };
            if !account.is_active() {
                return Err(OAuthError::InvalidGrant(if account.suspended {
                    "Your login is currently disabled"
                } else {
                    "Your login is currently pending approval"
                }));
            }
            tracing::info!(
                account_id = account.id,
                application_id = app.id,
                "password grant"
            );
            Ok(svc::issue_token(state, &app, Some(account.id), scopes)
                .await?
                .into())
        }
        "client_credentials" => {
            let secret = client_secret.ok_or(OAuthError::InvalidClient)?;
            let app = svc::find_client(state, &client_id, Some(&secret)).await?;
            let scopes = svc::requested_scopes(&app, p.scope.as_deref())?;
            Ok(svc::issue_token(state, &app, None, scopes).await?.into())
        }
        _ => Err(OAuthError::UnsupportedGrantType),
    }
}

/// RFC 7009: the answer is the same whether or not the token existed.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(p): Params<TokenParams>,
) -> HttpResponse {
    let (client_id, client_secret) = client_credentials(&req, &p);
    let app = match svc::find_client(
        &state,
        client_id.as_deref().unwrap_or_default(),
        Some(client_secret.as_deref().unwrap_or_default()),
    )
    .await
    {
        Ok(app) => app,
        Err(OAuthError::Internal) => return oauth_error(OAuthError::Internal),
        Err(_) => {
            return HttpResponse::Forbidden().json(json!({
                "error": "unauthorized_client",
                "error_description": "You are not authorized to revoke this token"
            }))
        }
    };
    if let Some(token) = p.token.as_deref() {
        if let Err(e) = svc::revoke(&state, &app, token).await {
            tracing::error!(code = e.code(), "token revocation failed");
            return oauth_error(OAuthError::Internal);
        }
    }
    HttpResponse::Ok().json(json!({}))
}
