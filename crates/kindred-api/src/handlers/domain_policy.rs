//! Mastodon's admin API for domain blocks and allows (`/api/v1/admin/domain_blocks`,
//! `/api/v1/admin/domain_allows`), the public `/api/v1/instance/domain_blocks`, and
//! the Kindred extension for the mode and partner scopes
//! (`/api/v1/admin/kindred/federation`). Rules live in
//! `services::federation_policy`; every change is audited with the admin's name.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::crypto::sha256_hex;
use crate::entities::status::timestamp;
use crate::handlers::statuses::parse_id;
use crate::pagination::{link_header, PageParams};
use crate::params::{lenient, Params};
use crate::services::federation_policy::{
    self as service, BlockRequest, DomainAllowRow, DomainBlockRow,
};
use crate::{ApiError, AppState};

/// The caller's name for the audit log, if an admin holding `scope`.
fn admin(auth: &Authenticated, scope: &str) -> Result<String, ApiError> {
    Ok(format!("admin:{}", auth.admin(scope)?.username))
}

fn block_entity(b: &DomainBlockRow) -> Value {
    json!({
        "id": b.id.to_string(),
        "domain": b.domain,
        "digest": sha256_hex(&b.domain),
        "created_at": timestamp(b.created_at),
        "severity": b.severity,
        "reject_media": b.reject_media,
        "reject_reports": b.reject_reports,
        "private_comment": b.private_comment,
        "public_comment": b.public_comment,
        "obfuscate": b.obfuscate,
    })
}

fn allow_entity(a: &DomainAllowRow) -> Value {
    json!({
        "id": a.id.to_string(),
        "domain": a.domain,
        "created_at": timestamp(a.created_at),
    })
}

/// Newest first, Mastodon's window and `Link` header.
fn page<T>(
    req: &HttpRequest,
    state: &AppState,
    page: &PageParams,
    mut rows: Vec<T>,
    id: impl Fn(&T) -> i64,
    entity: impl Fn(&T) -> Value,
) -> Result<HttpResponse, ApiError> {
    let w = page.window(100, 200)?;
    rows.sort_by_key(|r| std::cmp::Reverse(id(r)));
    let mut picked: Vec<&T> = rows
        .iter()
        .filter(|r| w.max_id.is_none_or(|m| id(r) < m))
        .filter(|r| w.since_id.is_none_or(|m| id(r) > m))
        .filter(|r| w.min_id.is_none_or(|m| id(r) > m))
        .collect();
    if w.min_id.is_some() {
        // The page just after `min_id`: the oldest ones above it.
        let skip = picked.len().saturating_sub(w.limit as usize);
        picked.drain(..skip);
    } else {
        picked.truncate(w.limit as usize);
    }
    let ids: Vec<i64> = picked.iter().map(|r| id(r)).collect();
    let mut resp = HttpResponse::Ok();
    if let Some(link) = link_header(req, state.urls.base(), &ids) {
        resp.insert_header(("Link", link));
    }
    Ok(resp.json(picked.into_iter().map(entity).collect::<Vec<_>>()))
}

pub async fn blocks(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read:domain_blocks")?;
    let rows = service::blocks(&state).await?;
    page(&req, &state, &p, rows, |b| b.id, block_entity)
}

async fn find_block(state: &AppState, raw: &str) -> Result<DomainBlockRow, ApiError> {
    let id = parse_id(raw)?;
    service::block_by_id(state, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn block(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read:domain_blocks")?;
    Ok(HttpResponse::Ok().json(block_entity(&find_block(&state, &path).await?)))
}

#[derive(Deserialize, Default)]
pub struct BlockParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    severity: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    reject_reports: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    private_comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    public_comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    obfuscate: Option<bool>,
}

pub async fn create_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<BlockParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write:domain_blocks")?;
    let domain = p
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: domain"))?;
    // As Mastodon: a domain already blocked is a 422 naming the existing block.
    if let Ok(existing) = service::find_block(&state, &domain).await {
        return Ok(HttpResponse::UnprocessableEntity().json(json!({
            "error": format!("You have already imposed stricter limits on {}.", existing.domain),
            "error_code": "already_blocked",
            "existing_domain_block": block_entity(&existing),
        })));
    }
    let stored = service::block(
        &state,
        &actor,
        BlockRequest {
            domain,
            severity: p.severity,
            reject_media: p.reject_media.unwrap_or(false),
            reject_reports: p.reject_reports.unwrap_or(false),
            private_comment: p.private_comment,
            public_comment: p.public_comment,
            obfuscate: p.obfuscate.unwrap_or(false),
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(block_entity(&stored)))
}

/// Changes only the given fields (the domain itself cannot change).
pub async fn update_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<BlockParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write:domain_blocks")?;
    let old = find_block(&state, &path).await?;
    let stored = service::block(
        &state,
        &actor,
        BlockRequest {
            domain: old.domain.clone(),
            severity: Some(p.severity.unwrap_or(old.severity)),
            reject_media: p.reject_media.unwrap_or(old.reject_media),
            reject_reports: p.reject_reports.unwrap_or(old.reject_reports),
            private_comment: p.private_comment.or(old.private_comment),
            public_comment: p.public_comment.or(old.public_comment),
            obfuscate: p.obfuscate.unwrap_or(old.obfuscate),
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(block_entity(&stored)))
}

pub async fn delete_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write:domain_blocks")?;
    let id = parse_id(&path)?;
    service::unblock(&state, &actor, id).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn allows(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<PageParams>,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read:domain_allows")?;
    let rows = service::allows(&state).await?;
    page(&req, &state, &p, rows, |a| a.id, allow_entity)
}

pub async fn allow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read:domain_allows")?;
    let id = parse_id(&path)?;
    let row = service::allow_by_id(&state, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(allow_entity(&row)))
}

#[derive(Deserialize, Default)]
pub struct AllowParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    domain: Option<String>,
    /// Kindred: the partner's traffic scope (default: all kinds).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
}

pub async fn create_allow(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<AllowParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write:domain_allows")?;
    let domain = p
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: domain"))?;
    let stored = service::allow(&state, &actor, &domain, p.scope.as_deref()).await?;
    Ok(HttpResponse::Ok().json(allow_entity(&stored)))
}

pub async fn delete_allow(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write:domain_allows")?;
    let id = parse_id(&path)?;
    service::disallow(&state, &actor, id).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `a****.example`-style masking, as Mastodon obfuscates: the middle half of the
/// characters (dots kept) hidden.
pub fn obfuscate(domain: &str) -> String {
    let chars: Vec<char> = domain.chars().collect();
    let n = chars.len();
    let visible = n / 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i > visible && i < n - visible && *c != '.' {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

/// `GET /api/v1/instance/domain_blocks`: shown as `instance.show_domain_blocks`
/// says — `disabled` (404), `users` (logged-in users) or `all`. Only blocks that
/// limit something are listed; obfuscated ones are masked; private comments never.
pub async fn public_blocks(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
) -> Result<HttpResponse, ApiError> {
    match state.instance.show_domain_blocks.as_str() {
        "all" => {}
        "users" => {
            if auth.user("read")?.is_none() {
                return Err(ApiError::unauthorized());
            }
        }
        _ => return Err(ApiError::not_found()),
    }
    let rows = service::blocks(&state).await?;
    let list: Vec<Value> = rows
        .iter()
        .filter(|b| b.severity != "noop" || b.reject_media || b.reject_reports)
        .map(|b| {
            json!({
                "domain": if b.obfuscate { obfuscate(&b.domain) } else { b.domain.clone() },
                "digest": sha256_hex(&b.domain),
                "severity": if b.severity == "noop" { "silence" } else { b.severity.as_str() },
                "comment": b.public_comment,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// `GET /api/v1/admin/kindred/federation`: the mode and every partner's scope.
pub async fn kindred_federation(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    admin(&auth, "admin:read")?;
    let mode = service::mode(&state).await?;
    let allows = service::allows(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "mode": mode.as_str(),
        "partners": allows.iter().map(|a| json!({
            "id": a.id.to_string(),
            "domain": a.domain,
            "scope": a.scopes.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
pub struct KindredFederationParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    mode: Option<String>,
}

/// `PUT /api/v1/admin/kindred/federation`: set the mode.
pub async fn update_kindred_federation(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<KindredFederationParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin(&auth, "admin:write")?;
    if let Some(mode) = p.mode {
        service::set_mode(&state, &actor, &mode).await?;
    }
    kindred_federation(state, auth).await
}

#[cfg(test)]
mod tests {
    use super::obfuscate;

    #[test]
    fn obfuscation_hides_the_middle() {
        assert_eq!(obfuscate("example.com"), "exa****.*om");
        assert_eq!(obfuscate("a.b"), "a.*");
    }
}
