//! Remote pictures: fetched by this server (never by a member's app, which would
//! tell the other server the member's address), only from domains the federation
//! policy lets us fetch pictures from (`Policy::fetches_media`: not refused, no
//! `reject_media` block), stripped exactly as uploads are (`media::process`), kept
//! in the media store and served from our origin. The cache is bounded: at most
//! `media.remote_cache_mb`, each picture at most `media.remote_cache_days` after
//! its fetch (`evict`, run by the server's job); an evicted picture is fetched
//! again on its next view.

use chrono::{Duration, Utc};
use kindred_core::media::{self as core_media, process, Variant};
use kindred_db::models::media::{self as store, MediaRow};
use kindred_federation::http::{self, HttpPolicy};
use url::Url;

use super::ServiceError;
use crate::AppState;

/// Whether the policy lets us fetch a picture at `url`.
async fn allowed(state: &AppState, url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let domain = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    match state.policy.current().await {
        Ok(policy) => policy.fetches_media(&domain),
        Err(_) => false,
    }
}

/// Fetches, strips and caches a remote picture; "not found" when the policy
/// refuses it or the other server does not give a picture we take.
pub async fn fetch(state: &AppState, row: MediaRow) -> Result<MediaRow, ServiceError> {
    let url = row
        .remote_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .ok_or(ServiceError::NotFound)?;
    if !allowed(state, &url).await {
        tracing::info!(media_id = row.id, "remote picture not fetched: policy");
        return Err(ServiceError::NotFound);
    }
    let policy = HttpPolicy {
        allow_private_networks: state.instance.allow_private_networks,
        allow_http: state.instance.allow_http,
    };
    let client = http::client(policy, "Kindred (media)", Some(state.policy.clone()), None)
        .map_err(|_| ServiceError::Internal("http_client"))?;
    let limits = state.media.limits;
    let resp = client
        .get(url.as_str())
        .send()
        .await
        .ok()
        .filter(|r| r.status().is_success())
        .ok_or(ServiceError::NotFound)?;
    let bytes = http::read_limited(resp, limits.max_bytes as usize)
        .await
        .map_err(|_| ServiceError::NotFound)?;
    let processed = {
        let _permit = state.limits.expensive_work().await;
        tokio::task::spawn_blocking(move || process::process(&bytes, &limits))
            .await
            .map_err(|_| ServiceError::Internal("media_processing_failed"))?
    };
    let p = processed.map_err(|r| {
        tracing::info!(
            media_id = row.id,
            refusal = r.code(),
            "remote picture refused"
        );
        ServiceError::NotFound
    })?;
    let now = Utc::now();
    let mut cached = row.clone();
    cached.content_type = p.format.content_type().to_owned();
    let (Some((ok, _)), Some((sk, _))) = (
        core_media::key(&cached, Variant::Original),
        core_media::key(&cached, Variant::Small),
    ) else {
        return Err(ServiceError::Internal("media_key"));
    };
    let bytes_stored = (p.original.len() + p.small.len()) as i64;
    let files = state.media.store.clone();
    let (original, small) = (p.original, p.small);
    tokio::task::spawn_blocking(move || {
        files.put(&ok, &original)?;
        files.put(&sk, &small)
    })
    .await
    .map_err(|_| ServiceError::Internal("file_store_failed"))?
    .map_err(|_| ServiceError::Internal("file_store_failed"))?;
    let id = row.id;
    let ct = cached.content_type.clone();
    let dims = |a: u32| i32::try_from(a).unwrap_or(i32::MAX);
    let size = (dims(p.width), dims(p.height));
    let blurhash = p.blurhash;
    state
        .db
        .run(move |c| store::set_cached(c, id, &ct, size, &blurhash, bytes_stored, now.naive_utc()))
        .await?;
    tracing::info!(media_id = id, bytes = bytes_stored, "remote picture cached");
    evict(state).await?;
    state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Keeps the cache within its bounds: pictures fetched more than
/// `media.remote_cache_days` ago, then the oldest while over `remote_cache_mb`, go
/// (files first). Returns how many went.
pub async fn evict(state: &AppState) -> Result<usize, ServiceError> {
    let max = i64::try_from(state.media.cache_max_bytes).unwrap_or(i64::MAX);
    let before = (Utc::now() - Duration::days(i64::from(state.media.cache_days))).naive_utc();
    let files = state.media.store.clone();
    let n = state
        .db
        .run(move |c| {
            let mut gone = 0;
            let mut total = store::cached_bytes(c)?;
            loop {
                let oldest = store::cached_oldest_first(c, 50)?;
                if oldest.is_empty() {
                    break;
                }
                let mut progressed = false;
                for row in oldest {
                    let expired = row.fetched_at.is_some_and(|t| t < before);
                    if !expired && total <= max {
                        return Ok(gone);
                    }
                    if core_media::delete_files(files.as_ref(), &row).is_err() {
                        return Ok(gone);
                    }
                    store::set_uncached(c, row.id)?;
                    total -= row.stored_bytes;
                    gone += 1;
                    progressed = true;
                }
                if !progressed {
                    break;
                }
            }
            Ok(gone)
        })
        .await?;
    Ok(n)
}
