//! A member's data export (issue 26; the rights of access and portability).
//! `request` records a pending export; the server builds it in the background
//! (`build_pending`, woken by the request and run by the export job), keeps the zip
//! in the file store, and `status` gives its state and, once ready, its URL: a keyed
//! token (`crypto::DownloadKey`) that also needs the owner's own login to fetch.
//! The archive is deleted `exports.keep_hours` after it is built (`expire`).
//! `archive` builds the zip; `kindred admin accounts export NAME` calls it too.
//! Logs carry ids only.

mod archive;

use chrono::{DateTime, Duration, Utc};
use kindred_core::files::FileKey;
use kindred_db::models::exports::{self as store, ExportRow};
use kindred_db::models::notifications::{self, NotificationRow};
use kindred_db::models::{accounts, erasure};
use kindred_db::transaction::atomically;
use kindred_db::AccountRow;
use kindred_domain::NotificationKind;

use super::ServiceError;
use crate::crypto::sha256_hex;
use crate::AppState;

pub use archive::build as build_archive;

/// What `GET /api/v1/kindred/account/export` answers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportStatus {
    /// pending | ready | failed
    pub state: &'static str,
    pub url: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
}

fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn present(state: &AppState, row: &ExportRow) -> ExportStatus {
    let shown = match row.state.as_str() {
        store::READY => "ready",
        store::FAILED => "failed",
        _ => "pending",
    };
    let url = (shown == "ready").then(|| {
        state
            .urls
            .path(&format!(
                "/api/v1/kindred/account/export/{}",
                state.secrets.downloads.token(row.id)
            ))
            .to_string()
    });
    ExportStatus {
        state: shown,
        url,
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.filter(|_| shown == "ready").map(rfc3339),
    }
}

/// Starts an export, unless one is already being made (then that one answers).
pub async fn request(state: &AppState, me: &AccountRow) -> Result<ExportStatus, ServiceError> {
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let token_hash = sha256_hex(&state.secrets.downloads.token(id));
    let account_id = me.id;
    let row = state
        .db
        .run(move |c| {
            if let Some(current) = store::latest(c, account_id)? {
                if current.state == store::PENDING || current.state == store::BUILDING {
                    return Ok(current);
                }
            }
            let row = ExportRow {
                id,
                account_id,
                state: store::PENDING.to_owned(),
                token_hash,
                file_key: None,
                created_at: now.naive_utc(),
                expires_at: None,
            };
            store::create(c, &row)?;
            Ok(row)
        })
        .await?;
    tracing::info!(account_id, export_id = row.id, "data export requested");
    Ok(present(state, &row))
}

/// The member's latest export; not found when there is none.
pub async fn status(state: &AppState, me: &AccountRow) -> Result<ExportStatus, ServiceError> {
    let id = me.id;
    let row = state
        .db
        .run(move |c| store::latest(c, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(present(state, &row))
}

/// The archive behind a download URL, for its owner only: anyone else (and an
/// unknown, expired or unfinished export) is answered "not found".
pub async fn download(
    state: &AppState,
    me: &AccountRow,
    token: &str,
) -> Result<Vec<u8>, ServiceError> {
    let hash = sha256_hex(token);
    let row = state
        .db
        .run(move |c| store::by_token(c, &hash))
        .await?
        .filter(|r| r.account_id == me.id && r.state == store::READY)
        .filter(|r| r.expires_at.is_some_and(|t| t > Utc::now().naive_utc()))
        .ok_or(ServiceError::NotFound)?;
    let key = row
        .file_key
        .as_deref()
        .and_then(FileKey::parse)
        .ok_or(ServiceError::NotFound)?;
    let files = state.files.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&key))
        .await
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .ok_or(ServiceError::NotFound)?;
    tracing::info!(
        account_id = me.id,
        export_id = row.id,
        "data export downloaded"
    );
    Ok(bytes)
}

/// Builds pending exports until none is left; returns how many were built.
pub async fn build_pending(state: &AppState) -> Result<usize, ServiceError> {
    let mut built = 0;
    while let Some(row) = state.db.run(store::claim_next).await? {
        build_one(state, row).await?;
        built += 1;
    }
    Ok(built)
}

async fn build_one(state: &AppState, row: ExportRow) -> Result<(), ServiceError> {
    let (id, account_id) = (row.id, row.account_id);
    let account = state
        .db
        .run(move |c| {
            let erased = erasure::is_erased(c, account_id)?;
            Ok(accounts::find(c, account_id)?.filter(|_| !erased))
        })
        .await?;
    let key = FileKey::parse(&format!("exports/{id}.zip"));
    let outcome = match (account, key) {
        (Some(account), Some(key)) => match archive::build(state, &account).await {
            Ok(bytes) => {
                let files = state.files.clone();
                let k = key.clone();
                match tokio::task::spawn_blocking(move || files.put(&k, &bytes)).await {
                    Ok(Ok(())) => Some(key),
                    _ => None,
                }
            }
            Err(e) => {
                tracing::warn!(export_id = id, error = e.code(), "data export failed");
                None
            }
        },
        _ => None,
    };
    let expires = Utc::now() + Duration::hours(i64::from(state.instance.export_keep_hours));
    let (state_word, file_key) = match &outcome {
        Some(k) => (store::READY, Some(k.as_str().to_owned())),
        None => (store::FAILED, None),
    };
    let ready = outcome.is_some();
    let note_id = state.ids.next();
    let notices = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                store::finish(c, id, state_word, file_key.as_deref(), expires.naive_utc())?;
                if !ready {
                    return Ok(Vec::new());
                }
                // The member hears it is ready (from the instance: stored as their own).
                let me = kindred_domain::AccountId::new(account_id);
                let note = NotificationRow::new(
                    note_id,
                    me,
                    me,
                    NotificationKind::ExportReady,
                    None,
                    Utc::now().naive_utc(),
                );
                notifications::insert(c, &[note])
            })
        })
        .await?;
    state.streaming.notifications(&notices);
    tracing::info!(export_id = id, state = state_word, "data export built");
    Ok(())
}

/// Deletes exports whose time is over, file first; returns how many went.
pub async fn expire(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let rows = state
        .db
        .run(move |c| store::expired(c, now.naive_utc()))
        .await?;
    for row in &rows {
        delete_file(state, row).await?;
        let id = row.id;
        state.db.run(move |c| store::delete(c, id)).await?;
    }
    Ok(rows.len())
}

/// Deletes the files of every export of an account (its erasure).
pub async fn delete_all(state: &AppState, account_id: i64) -> Result<(), ServiceError> {
    let rows = state
        .db
        .run(move |c| store::of_account(c, account_id))
        .await?;
    for row in &rows {
        delete_file(state, row).await?;
    }
    Ok(())
}

async fn delete_file(state: &AppState, row: &ExportRow) -> Result<(), ServiceError> {
    let Some(key) = row.file_key.as_deref().and_then(FileKey::parse) else {
        return Ok(());
    };
    let files = state.files.clone();
    tokio::task::spawn_blocking(move || files.delete(&key))
        .await
        .map_err(|_| ServiceError::Internal("file_store_failed"))?
        .map_err(|_| ServiceError::Internal("file_store_failed"))
}
