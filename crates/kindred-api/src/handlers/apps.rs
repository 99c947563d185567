use actix_web::{web, HttpResponse};
use kindred_domain::Scopes;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::entities::{Application, CredentialApplication};
use crate::params::{lenient, Params};
use crate::services::oauth::{register_app, valid_redirect_uri};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub struct CreateApp {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    redirect_uris: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    website: Option<String>,
}

pub async fn create(
    state: web::Data<AppState>,
    Params(p): Params<CreateApp>,
) -> Result<HttpResponse, ApiError> {
    let name = p
        .client_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_parameters",
                "Validation failed: client_name can't be blank",
            )
        })?;
    if name.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: client_name is too long",
        ));
    }
    let redirect_uris = p.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: redirect_uris can't be blank",
        ));
    }
    if redirect_uris.len() > 10
        || !redirect_uris
            .iter()
            .all(|u| u.len() <= 2000 && valid_redirect_uri(u))
    {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: redirect_uris must be absolute URIs",
        ));
    }
    let scopes = match p.scopes {
        Some(list) if !list.is_empty() => Scopes::parse(&list.join(" "))?,
        _ => Scopes::read(),
    };
    let website = p
        .website
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty());
    if website
        .as_deref()
        .is_some_and(|w| url::Url::parse(w).is_err() || w.len() > 2000)
    {
        return Err(ApiError::unprocessable(
            "invalid_parameters",
            "Validation failed: website is not a valid URL",
        ));
    }
    let registered = register_app(&state, name, redirect_uris, scopes, website).await?;
    Ok(HttpResponse::Ok().json(CredentialApplication {
        application: Application::from_row(&registered.app),
        client_secret: registered.client_secret,
        client_secret_expires_at: 0,
    }))
}

pub async fn verify_credentials(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let app_id = auth.token.application_id;
    let app = crate::services::oauth::find_application(&state, app_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(HttpResponse::Ok().json(Application::from_row(&app)))
}
