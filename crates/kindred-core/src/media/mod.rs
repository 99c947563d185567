//! Pictures (issue 28) with storage: which uploads a post may take, the files'
//! names in the media store, and the sweep that deletes the files of pictures
//! whose post or account is gone. Decoding is in [`process`]; the limits and
//! formats are `kindred_domain::media`'s.

pub mod process;

use chrono::{DateTime, Duration, Utc};
use kindred_db::models::media::{self as store, MediaRow};
use kindred_db::AnyConnection;
use kindred_domain::media::{self as rules, MediaRefusal, StoredFormat};
use rand::RngCore;

use crate::files::{FileKey, FileStore};
use crate::CoreError;

/// An upload not attached to a post within this time is deleted.
pub const UNATTACHED_FOR: Duration = Duration::hours(24);

/// A new file token: 128 random bits in lower-case hex (file store keys are lower
/// case), never derived from an id, so no picture's URL can be guessed.
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The two versions of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Small,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Small => "small",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "original" => Some(Self::Original),
            "small" => Some(Self::Small),
            _ => None,
        }
    }
}

/// Where a version of a picture is kept in the media store, and its type.
pub fn key(row: &MediaRow, variant: Variant) -> Option<(FileKey, &'static str)> {
    let original = StoredFormat::from_content_type(&row.content_type)?;
    let format = match variant {
        Variant::Original => original,
        Variant::Small => original.small_for(),
    };
    let k = FileKey::parse(&format!(
        "{}/{}.{}",
        variant.as_str(),
        row.token,
        format.extension()
    ))?;
    Some((k, format.content_type()))
}

/// Which uploads a new or edited status (`status_id`, `None` for a new one) may
/// take: at most four, each the author's own and free (or already this status's).
/// Checked before the post's transaction, so a refusal changes nothing.
pub fn attachable(
    c: &mut AnyConnection,
    author_id: i64,
    status_id: Option<i64>,
    ids: &[i64],
) -> Result<Vec<i64>, CoreError> {
    let ids = rules::attachment_ids(ids).map_err(CoreError::Media)?;
    let rows = store::find_many(c, &ids)?;
    for id in &ids {
        let ok = rows.iter().find(|r| r.id == *id).is_some_and(|r| {
            r.account_id == author_id
                && !r.is_remote()
                && (r.status_id.is_none() || r.status_id == status_id)
        });
        if !ok {
            return Err(CoreError::Media(MediaRefusal::NotAttachable));
        }
    }
    Ok(ids)
}

/// Attaches the checked uploads `ids` ([`attachable`]) to the status in the
/// post's transaction, in that order; any earlier picture of the status not in
/// `ids` is let go (the sweep deletes it). `Conflict` if one was taken meanwhile.
pub fn attach(
    c: &mut AnyConnection,
    author_id: i64,
    status_id: i64,
    ids: &[i64],
) -> Result<(), kindred_db::DbError> {
    for old in store::ids_of_status(c, status_id)? {
        if !ids.contains(&old) {
            store::detach(c, old)?;
        }
    }
    for (position, id) in ids.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        if !store::attach(c, *id, author_id, status_id, position)? {
            return Err(kindred_db::DbError::Conflict);
        }
    }
    Ok(())
}

/// Deletes a picture's files (both versions; missing ones are no error).
pub fn delete_files(files: &dyn FileStore, row: &MediaRow) -> Result<(), CoreError> {
    for v in [Variant::Original, Variant::Small] {
        if let Some((k, _)) = key(row, v) {
            files
                .delete(&k)
                .map_err(|e| CoreError::Files(e.to_string()))?;
        }
    }
    Ok(())
}

/// Deletes the pictures (files first, then rows) whose post or account is gone,
/// and uploads never attached within [`UNATTACHED_FOR`]; at most `limit`. Run by
/// the server's erasure job every minute, so a deleted post, a post removed by
/// retention and a purged account take their pictures with them.
pub fn sweep(
    c: &mut AnyConnection,
    files: &dyn FileStore,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, CoreError> {
    let rows = store::orphans(c, (now - UNATTACHED_FOR).naive_utc(), limit)?;
    for row in &rows {
        delete_files(files, row)?;
        store::delete(c, row.id)?;
    }
    Ok(rows.len())
}

/// Deletes every picture an account uploaded, files first (its erasure: at once,
/// not at the purge).
pub fn delete_all_of(
    c: &mut AnyConnection,
    files: &dyn FileStore,
    account_id: i64,
) -> Result<usize, CoreError> {
    let rows = store::of_account(c, account_id)?;
    for row in &rows {
        delete_files(files, row)?;
        store::delete(c, row.id)?;
    }
    Ok(rows.len())
}
