use actix_web::{web, HttpResponse};
use chrono::Utc;
use kindred_domain::{DisplayName, Note, PostingPrivacy};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Authenticated;
use crate::entities::{CredentialAccount, Token};
use crate::params::{lenient, Params, FILE_MARKER};
use crate::services::accounts::{
    self as service, sign_up, PreferenceChanges, ProfileChanges, SignUp,
};
use crate::services::oauth::issue_token;
use crate::services::present;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub struct RegisterParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    agreement: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    invite_code: Option<String>,
}

/// `POST /api/v1/accounts`: sign-up with an app token, per `registration.mode`.
/// Returns a token for the new account; in approval mode it works once an admin
/// approves the account.
pub async fn register(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<RegisterParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let required = |v: Option<String>, name: &str| {
        v.filter(|s| !s.is_empty()).ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_parameters",
                format!("Validation failed: {name} can't be blank"),
            )
        })
    };
    let account = sign_up(
        &state,
        SignUp {
            username: required(p.username, "username")?,
            email: p.email,
            password: required(p.password, "password")?,
            agreement: p.agreement.unwrap_or(false),
            reason: p.reason,
            invite_code: p.invite_code,
        },
    )
    .await?;
    let app_id = auth.token.application_id;
    let app = crate::services::oauth::find_application(&state, app_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let token = issue_token(&state, &app, Some(account.id), auth.scopes.clone()).await?;
    Ok(HttpResponse::Ok().json(Token::from(token)))
}

pub async fn verify_credentials(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    // Mastodon 4.3 added `profile` for apps that only need to know who logged in.
    auth.require_any(&["read:accounts", "profile"])?;
    let account = auth.user()?.clone();
    let user = service::find_user(&state, account.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(HttpResponse::Ok().json(credential(&state, &account, &user).await?))
}

#[derive(Deserialize)]
pub struct SourceParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    privacy: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
}

#[derive(Deserialize)]
pub struct UpdateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    note: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    bot: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    discoverable: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    hide_collections: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    indexable: Option<bool>,
    #[serde(default)]
    source: Option<SourceParams>,
    #[serde(default)]
    avatar: Option<Value>,
    #[serde(default)]
    header: Option<Value>,
    #[serde(default)]
    fields_attributes: Option<Value>,
}

/// True when a profile-field list carries any non-empty name or value.
fn has_profile_fields(v: &Value) -> bool {
    let entries: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => return false,
    };
    entries.iter().any(|e| {
        ["name", "value"].iter().any(|k| {
            e.get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        })
    })
}

pub async fn update_credentials(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<UpdateParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let account = auth.user()?.clone();
    // Said plainly rather than silently dropped: no pictures (they identify people more
    // than a pseudonym does) and no profile fields yet.
    let is_upload = |v: &Option<Value>| {
        v.as_ref()
            .is_some_and(|v| v.as_str().is_none_or(|s| s == FILE_MARKER || !s.is_empty()))
    };
    if is_upload(&p.avatar) || is_upload(&p.header) {
        return Err(ApiError::unprocessable(
            "unsupported_media",
            "Validation failed: profile pictures are not supported on this server",
        ));
    }
    if p.fields_attributes.as_ref().is_some_and(has_profile_fields) {
        return Err(ApiError::unprocessable(
            "unsupported_fields",
            "Validation failed: profile fields are not supported on this server",
        ));
    }
    let _ = p.indexable; // accepted for compatibility; posts are never indexable here
    let profile = ProfileChanges {
        display_name: p
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()?
            .map(|d| d.as_str().to_owned()),
        note: p
            .note
            .as_deref()
            .map(Note::parse)
            .transpose()?
            .map(|n| n.as_str().to_owned()),
        locked: p.locked,
        bot: p.bot,
        discoverable: p.discoverable,
        hide_collections: p.hide_collections,
        updated_at: Some(Utc::now().naive_utc()),
    };
    let mut prefs = PreferenceChanges::default();
    if let Some(source) = p.source {
        prefs.default_privacy = source
            .privacy
            .as_deref()
            .map(PostingPrivacy::parse)
            .transpose()?
            .map(|v| v.as_str().to_owned());
        prefs.default_sensitive = source.sensitive;
        if let Some(lang) = source.language {
            let lang = lang.trim().to_ascii_lowercase();
            if !(lang.is_empty()
                || (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()))
            {
                return Err(ApiError::unprocessable(
                    "invalid_language",
                    "Validation failed: language must be an ISO 639 code",
                ));
            }
            prefs.default_language = Some((!lang.is_empty()).then_some(lang));
        }
    }
    let (account, user) = service::update_profile(&state, account.id, profile, prefs).await?;
    Ok(HttpResponse::Ok().json(credential(&state, &account, &user).await?))
}

/// `GET /api/v1/accounts/:id`: active accounts only.
pub async fn show(
    state: web::Data<AppState>,
    auth: crate::auth::MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.user("read:accounts")?.map(|a| a.id);
    let id: i64 = path.parse().map_err(|_| ApiError::not_found())?;
    // A suspended account answers as Mastodon's does (`suspended: true`, no
    // profile); a pending sign-up does not exist yet for anyone.
    let account = service::find(&state, id)
        .await?
        .filter(|a| a.approved)
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(present::account(&state, viewer, account).await?))
}

#[derive(Deserialize)]
pub struct LookupParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    acct: Option<String>,
}

/// `GET /api/v1/accounts/lookup?acct=`: an account by address, without asking
/// another server (Mastodon's rule): local accounts by username (`name` or
/// `name@our.domain`), remote groups already known here by `name@their.domain`
/// (remote persons answer as unknown). A leading `@` is allowed, or `!` as Lemmy
/// users write a community.
pub async fn lookup(
    state: web::Data<AppState>,
    auth: crate::auth::MaybeAuthenticated,
    Params(p): Params<LookupParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.user("read:accounts")?.map(|a| a.id);
    let acct = p.acct.unwrap_or_default();
    let acct = kindred_domain::handle::lookup_address(&acct).to_owned();
    let (name, remote) = match acct.split_once('@') {
        Some((name, domain)) => {
            let ours = kindred_domain::InstanceDomain::parse(domain)
                .is_ok_and(|d| &d == state.urls.domain());
            let remote = (!ours).then(|| domain.trim().to_owned());
            (name.to_owned(), remote)
        }
        None => (acct.clone(), None),
    };
    if name.is_empty() || remote.as_ref().is_some_and(|d| d.is_empty()) {
        return Err(ApiError::not_found());
    }
    // Only a remote group (a community someone may look for): whether a remote
    // person is stored here would tell a stranger they dealt with this instance.
    let account = service::find_by_address(&state, name, remote)
        .await?
        .filter(|a| a.is_active())
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(present::account(&state, viewer, account).await?))
}

/// The owner's view with real totals and the pending follow-request count.
async fn credential(
    state: &AppState,
    account: &crate::services::AccountRow,
    user: &service::UserRow,
) -> Result<CredentialAccount, ApiError> {
    let mut c = CredentialAccount::from_rows(account, user, &state.urls);
    c.account = present::account(state, Some(account.id), account.clone()).await?;
    let requests = service::follow_request_count(state, account.id).await?;
    c.source.follow_requests_count = requests.max(0) as u64;
    Ok(c)
}
