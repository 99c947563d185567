//! The member's own login and email, a Kindred extension (docs/api/account.md):
//! `/api/v1/kindred/account/password`, `/api/v1/kindred/account/email` and
//! `/api/v1/kindred/authorized_apps`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Authenticated;
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::{authorized_apps, email, passwords};
use crate::{ApiError, AppState};

#[derive(Deserialize, Default)]
pub struct PasswordParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    current_password: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
}

fn wrong_password() -> ApiError {
    ApiError::unprocessable(
        "invalid_password",
        "Validation failed: the current password is wrong",
    )
}

/// `POST /api/v1/kindred/account/password`: needs the current password; every
/// other token of the account ends, the one presented stays.
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<PasswordParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?;
    let outcome = passwords::change(
        &state,
        me.id,
        auth.token.id,
        p.current_password.as_deref().unwrap_or_default(),
        p.password.as_deref().unwrap_or_default(),
    )
    .await?;
    match outcome {
        passwords::Change::Changed => Ok(HttpResponse::Ok().json(json!({}))),
        passwords::Change::WrongPassword => Err(wrong_password()),
    }
}

fn email_json(v: &email::EmailView) -> serde_json::Value {
    json!({
        "has_address": v.has_address,
        "confirmed": v.confirmed,
        "meeting_reminders": v.meeting_reminders,
        "place_confirmed": v.place_confirmed,
    })
}

/// `GET /api/v1/kindred/account/email`: whether there is an address and whether it
/// is confirmed (never the address), and the opt-in messages.
pub async fn email_settings(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?;
    let v = email::view(&state, me.id).await?;
    Ok(HttpResponse::Ok().json(email_json(&v)))
}

#[derive(Deserialize, Default)]
pub struct EmailChoices {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    meeting_reminders: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    place_confirmed: Option<bool>,
}

/// `PATCH /api/v1/kindred/account/email`: the opt-in messages.
pub async fn choose_email(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<EmailChoices>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?;
    let v = email::choose(&state, me.id, p.meeting_reminders, p.place_confirmed).await?;
    Ok(HttpResponse::Ok().json(email_json(&v)))
}

#[derive(Deserialize, Default)]
pub struct AddressParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    current_password: Option<String>,
}

/// `POST /api/v1/kindred/account/email` (`email`, `current_password`): adds or
/// changes the address; a confirmation link goes to it.
pub async fn set_address(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AddressParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?;
    let outcome = email::set_address(
        &state,
        me.id,
        p.current_password.as_deref().unwrap_or_default(),
        p.email.as_deref().unwrap_or_default(),
    )
    .await?;
    match outcome {
        email::SetAddress::Set => {
            let v = email::view(&state, me.id).await?;
            Ok(HttpResponse::Ok().json(email_json(&v)))
        }
        email::SetAddress::WrongPassword => Err(wrong_password()),
    }
}

/// `GET /api/v1/kindred/authorized_apps`.
pub async fn authorized_apps(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require("read:accounts")?;
    let me = auth.user()?;
    let apps = authorized_apps::list(&state, me.id).await?;
    let body: Vec<serde_json::Value> = apps
        .iter()
        .map(|a| {
            json!({
                "id": a.id.to_string(),
                "name": a.name,
                "website": a.website,
                "scopes": a.scopes,
                "created_at": a.authorized_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "last_used_at": a.last_used_at.date().to_string(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `DELETE /api/v1/kindred/authorized_apps/{id}`: every token of the app for this
/// member ends (404 when it holds none).
pub async fn revoke_app(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require("write:accounts")?;
    let me = auth.user()?;
    let id = parse_id(&path)?;
    authorized_apps::revoke(&state, me.id, id).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
