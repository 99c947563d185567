//! Pictures (issue 28): uploading (checked, decoded and re-encoded off the async
//! executor, then stored), alt text and focus, the `MediaAttachment` entity, and
//! who may fetch a picture's file. A picture follows its post's audience, decided by
//! the one rule the status read path uses (`statuses::visible`); an upload not yet
//! posted is its uploader's only. Apps load image URLs without their token, so a
//! picture that is not public is shown with a signed URL that expires
//! (`crypto::MediaUrlKey`, docs/security.md).

use chrono::{DateTime, Utc};
use kindred_core::media::{self as core_media, process, Variant};
use kindred_db::models::groups;
use kindred_db::models::media::{self as store, MediaRow};
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::media::{self as rules, Focus, MediaRefusal};

use super::viewer::Viewer;
use super::ServiceError;
use crate::entities::media::{MediaAttachment, MediaFocus, MediaMeta, MediaSize};
use crate::AppState;

/// How long a signed picture URL works: until the end of the day after the one it
/// was made on (stable within a day, so apps and proxies can cache it).
const SIGNED_DAYS: i64 = 2;

fn refused(r: MediaRefusal) -> ServiceError {
    ServiceError::Refused(r.code(), r.message())
}

/// Alt text and focus as sent (`None`: not sent).
#[derive(Debug, Default)]
pub struct Details {
    pub description: Option<String>,
    pub focus: Option<String>,
}

/// Checks [`Details`] before anything is stored.
fn parse_details(d: &Details) -> Result<(Option<Option<String>>, Option<String>), ServiceError> {
    let description = d
        .description
        .as_deref()
        .map(rules::description)
        .transpose()
        .map_err(refused)?;
    let focus = d
        .focus
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(|f| Focus::parse(f).map(|f| f.stored()))
        .transpose()
        .map_err(refused)?;
    Ok((description, focus))
}

/// Stores an upload: refused with nothing stored unless it is a picture within the
/// limits; the stored files are our own re-encoding, never the bytes sent.
pub async fn upload(
    state: &AppState,
    account: &AccountRow,
    bytes: Vec<u8>,
    details: Details,
) -> Result<MediaRow, ServiceError> {
    let (description, focus) = parse_details(&details)?;
    let limits = state.media.limits;
    let processed = {
        // Decoding is CPU work: bounded like password hashing, off the executor.
        let _permit = state.limits.expensive_work().await;
        tokio::task::spawn_blocking(move || process::process(&bytes, &limits))
            .await
            .map_err(|_| ServiceError::Internal("media_processing_failed"))?
    };
    let p = match processed {
        Ok(p) => p,
        Err(r) => {
            tracing::info!(refusal = r.code(), "upload refused");
            return Err(refused(r));
        }
    };
    let now = Utc::now();
    let row = MediaRow {
        id: state.ids.next_at(now),
        token: core_media::new_token(),
        account_id: account.id,
        status_id: None,
        position: 0,
        content_type: p.format.content_type().to_owned(),
        width: i32::try_from(p.width).ok(),
        height: i32::try_from(p.height).ok(),
        blurhash: Some(p.blurhash.clone()),
        description: description.flatten(),
        focus,
        stored_bytes: (p.original.len() + p.small.len()) as i64,
        remote_url: None,
        fetched_at: None,
        created_at: now.naive_utc(),
    };
    put_files(state, &row, p.original, p.small).await?;
    let r = row.clone();
    if let Err(e) = state.db.run(move |c| store::insert(c, &r)).await {
        // No file without its row.
        let _ = delete_files(state, &row).await;
        return Err(e.into());
    }
    tracing::info!(
        media_id = row.id,
        bytes = row.stored_bytes,
        "picture stored"
    );
    Ok(row)
}

async fn put_files(
    state: &AppState,
    row: &MediaRow,
    original: Vec<u8>,
    small: Vec<u8>,
) -> Result<(), ServiceError> {
    let (Some((ok, _)), Some((sk, _))) = (
        core_media::key(row, Variant::Original),
        core_media::key(row, Variant::Small),
    ) else {
        return Err(ServiceError::Internal("media_key"));
    };
    let files = state.media.store.clone();
    tokio::task::spawn_blocking(move || {
        files.put(&ok, &original)?;
        files.put(&sk, &small)
    })
    .await
    .map_err(|_| ServiceError::Internal("file_store_failed"))?
    .map_err(|_| ServiceError::Internal("file_store_failed"))
}

async fn delete_files(state: &AppState, row: &MediaRow) -> Result<(), ServiceError> {
    let files = state.media.store.clone();
    let row = row.clone();
    tokio::task::spawn_blocking(move || core_media::delete_files(files.as_ref(), &row))
        .await
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .map_err(ServiceError::from)
}

/// The account's own upload (anyone else's is "not found").
pub async fn own(
    state: &AppState,
    account: &AccountRow,
    id: i64,
) -> Result<MediaRow, ServiceError> {
    let me = account.id;
    state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .filter(|r| r.account_id == me && !r.is_remote())
        .ok_or(ServiceError::NotFound)
}

/// `PUT /api/v1/media/:id`: alt text and focus of one's own picture.
pub async fn update(
    state: &AppState,
    account: &AccountRow,
    id: i64,
    details: Details,
) -> Result<MediaRow, ServiceError> {
    let row = own(state, account, id).await?;
    let (description, focus) = parse_details(&details)?;
    state
        .db
        .run(move |c| store::set_details(c, row.id, description, focus))
        .await?;
    own(state, account, id).await
}

/// Whether anyone at all, signed in or not, may see this status: the status read
/// path's own rule asked for an anonymous viewer.
pub fn is_public(
    status: &StatusRow,
    author: &AccountRow,
    mentioned: &[i64],
    placed: Option<&groups::GroupPostRow>,
) -> bool {
    Viewer::anonymous().may_see(status, author, mentioned, placed)
}

fn signed_until(now: DateTime<Utc>) -> i64 {
    let day = 86_400;
    (now.timestamp().div_euclid(day) + SIGNED_DAYS) * day
}

fn file_url(state: &AppState, row: &MediaRow, variant: Variant, public: bool) -> Option<String> {
    let (key, _) = core_media::key(row, variant)?;
    let ext = key.name().rsplit_once('.').map(|(_, e)| e).unwrap_or("jpg");
    let mut url = state.urls.media_file(&row.token, variant.as_str(), ext);
    if !public {
        let until = signed_until(Utc::now());
        let sig = state
            .secrets
            .media_urls
            .sign(&row.token, variant.as_str(), until);
        url.query_pairs_mut()
            .append_pair("e", &until.to_string())
            .append_pair("s", &sig);
    }
    Some(url.to_string())
}

fn small_size(row: &MediaRow) -> Option<MediaSize> {
    let (w, h) = (
        u32::try_from(row.width?).ok()?,
        u32::try_from(row.height?).ok()?,
    );
    let (sw, sh) = rules::small_size(w, h);
    MediaSize::of(i32::try_from(sw).ok(), i32::try_from(sh).ok())
}

/// The entity, for a viewer already allowed to see it; `public` says whether its
/// URLs need no signature.
pub fn entity(state: &AppState, row: &MediaRow, public: bool) -> MediaAttachment {
    let focus = row.focus.as_deref().and_then(|f| Focus::parse(f).ok());
    MediaAttachment {
        id: row.id.to_string(),
        kind: "image",
        url: file_url(state, row, Variant::Original, public),
        preview_url: file_url(state, row, Variant::Small, public),
        remote_url: None,
        meta: MediaMeta {
            original: MediaSize::of(row.width, row.height),
            small: small_size(row),
            focus: focus.map(|f| MediaFocus { x: f.x, y: f.y }),
        },
        description: row.description.clone(),
        blurhash: row.blurhash.clone(),
    }
}

/// A picture's file, for `GET /media/:token/:file`: served when the URL is signed
/// and unexpired, or the viewer may see the post it belongs to (an upload not yet
/// posted: its uploader). Anything else is "not found", as for a status.
pub async fn file(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
    file: &str,
    signature: Option<(i64, &str)>,
) -> Result<(Vec<u8>, &'static str), ServiceError> {
    let (variant, _) = file.split_once('.').unwrap_or((file, ""));
    let variant = Variant::parse(variant).ok_or(ServiceError::NotFound)?;
    // A token is 32 lower-case hex digits; anything else is not looked up.
    if token.len() != 32
        || !token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(ServiceError::NotFound);
    }
    let t = token.to_owned();
    let row = state
        .db
        .run(move |c| store::by_token(c, &t))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let signed = signature.is_some_and(|(until, sig)| {
        until >= Utc::now().timestamp()
            && state
                .secrets
                .media_urls
                .verify(&row.token, variant.as_str(), until, sig)
    });
    if !signed {
        match row.status_id {
            None if viewer.id() == Some(row.account_id) => {}
            None => return Err(ServiceError::NotFound),
            Some(status_id) => {
                super::statuses::visible(state, viewer, status_id).await?;
            }
        }
    }
    let row = if row.is_remote() && row.fetched_at.is_none() {
        super::remote_media::fetch(state, row).await?
    } else {
        row
    };
    let (key, content_type) = core_media::key(&row, variant).ok_or(ServiceError::NotFound)?;
    let files = state.media.store.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&key))
        .await
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .ok_or(ServiceError::NotFound)?;
    Ok((bytes, content_type))
}

/// Deletes pictures whose post or account is gone and uploads never attached
/// (`kindred_core::media::sweep`), files first. Run every minute by the server.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let files = state.media.store.clone();
    let n = state
        .db
        .run(move |c| Ok(core_media::sweep(c, files.as_ref(), now, 500)))
        .await??;
    if n > 0 {
        tracing::info!(pictures = n, "pictures swept");
    }
    Ok(n)
}

/// Deletes every picture of an account at once (its erasure), files first.
pub async fn delete_all(state: &AppState, account_id: i64) -> Result<usize, ServiceError> {
    let files = state.media.store.clone();
    Ok(state
        .db
        .run(move |c| Ok(core_media::delete_all_of(c, files.as_ref(), account_id)))
        .await??)
}
