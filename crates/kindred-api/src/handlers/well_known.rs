use actix_web::{web, HttpResponse};
use kindred_federation::webfinger::{self, LocalResource};
use kindred_federation::{nodeinfo, FederationError};
use serde::Deserialize;
use serde_json::json;

use crate::params::{lenient, Params};
use crate::services::instance::stats;
use crate::{ApiError, AppState, KINDRED_VERSION};

#[derive(Deserialize)]
pub struct WebfingerQuery {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    resource: Option<String>,
}

/// Answers only for active local accounts and the instance actor. Pending and
/// suspended accounts do not exist as far as the outside world can tell.
pub async fn webfinger(
    state: web::Data<AppState>,
    Params(q): Params<WebfingerQuery>,
) -> Result<HttpResponse, ApiError> {
    let resource = q
        .resource
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("The resource parameter is required"))?;
    let parsed = webfinger::parse_resource(&resource, &state.urls).map_err(|e| match e {
        FederationError::MalformedResource => {
            ApiError::bad_request("The resource parameter is malformed")
        }
        _ => ApiError::not_found(),
    })?;
    let body = match parsed {
        // Named `domain@domain`, as Mastodon names its instance actor, so a peer
        // asking by that convention gets back the subject it asked for.
        LocalResource::InstanceActor => webfinger::response(
            &state.urls.domain().to_string(),
            state.urls.instance_actor(),
            None,
            &state.urls,
        ),
        LocalResource::Account(name) => {
            // People and groups that are not private; a private group is as
            // unknown as a name nobody has.
            let (account, _) = crate::services::actors::federated(&state, name)
                .await?
                .ok_or_else(ApiError::not_found)?;
            webfinger::response(
                &account.username,
                state.urls.actor(&account.username),
                Some(state.urls.profile_page(&account.username)),
                &state.urls,
            )
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("application/jrd+json; charset=utf-8")
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .json(body))
}

pub async fn host_meta(state: web::Data<AppState>) -> HttpResponse {
    let template = format!(
        "{}.well-known/webfinger?resource={{uri}}",
        state.urls.base()
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        kindred_domain::text::escape_html(&template)
    );
    HttpResponse::Ok()
        .content_type("application/xrd+xml; charset=utf-8")
        .body(body)
}

pub async fn nodeinfo_discovery(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(nodeinfo::discovery(&state.urls))
}

pub async fn nodeinfo_21(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = stats(&state).await?;
    let doc = nodeinfo::document(&nodeinfo::NodeInfoInput {
        version: KINDRED_VERSION,
        node_name: &state.instance.name,
        node_description: &state.instance.description,
        open_registrations: state.instance.registration.open_to_public(),
        users_total: s.user_count,
        local_posts: s.status_count,
    });
    Ok(HttpResponse::Ok()
        .content_type(format!(
            "application/json; profile=\"{}#\"",
            nodeinfo::SCHEMA_21
        ))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(doc.to_string()))
}

/// RFC 8414 metadata, which apps read to discover endpoints and scopes.
pub async fn oauth_authorization_server(state: web::Data<AppState>) -> HttpResponse {
    let u = &state.urls;
    HttpResponse::Ok().json(json!({
        "issuer": u.base().to_string(),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": u.path("/oauth/authorize").to_string(),
        "token_endpoint": u.path("/oauth/token").to_string(),
        "revocation_endpoint": u.path("/oauth/revoke").to_string(),
        "app_registration_endpoint": u.path("/api/v1/apps").to_string(),
        "scopes_supported": [
            "read", "write", "follow", "push", "profile", "admin:read", "admin:write",
            "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
            "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
            "read:statuses", "write:accounts", "write:blocks", "write:bookmarks",
            "write:conversations", "write:favourites", "write:filters", "write:follows",
            "write:lists", "write:media", "write:mutes", "write:notifications", "write:reports",
            "write:statuses", "admin:read:accounts", "admin:read:reports",
            "admin:read:domain_allows", "admin:read:domain_blocks", "admin:write:accounts",
            "admin:write:reports", "admin:write:domain_allows", "admin:write:domain_blocks"
        ],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"]
    }))
}

/// The instance actor's stored row; made on first use (it signs fetches too).
pub async fn instance_actor_row(
    state: &AppState,
) -> Result<crate::services::instance::InstanceActorRow, ApiError> {
    Ok(crate::services::instance::ensure_instance_actor(state).await?)
}
