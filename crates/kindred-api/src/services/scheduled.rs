//! Scheduled posts: stored as sent, published by the job through `statuses::create`
//! — the same rules as a post made at that moment, so an author who left the group,
//! was suspended or may no longer reach whom the post names gets nothing published
//! (the row is marked failed).

use actix_web::web::Data;
use chrono::{DateTime, Duration, Utc};
use kindred_db::models::accounts;
use kindred_db::models::scheduled_statuses::{self as repo, ScheduledRow};
use kindred_db::transaction::atomically;
use serde::{Deserialize, Serialize};

use super::statuses::{self, NewPost, PollInput};
use super::viewer::Viewer;
use super::ServiceError;
use crate::AppState;

/// How far ahead a post must be scheduled (Mastodon's five minutes).
pub const MIN_AHEAD: Duration = Duration::minutes(5);
/// A claim older than this is taken as its process's death, and taken again.
pub const LEASE: Duration = Duration::minutes(10);
/// Most posts published in one pass of the job.
const BATCH: i64 = 50;

/// A scheduled post's parameters, stored as JSON and shown as Mastodon's
/// `ScheduledStatus.params`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScheduledParams {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Option<String>,
    pub local_only: bool,
    pub in_reply_to_id: Option<String>,
    pub language: Option<String>,
    pub poll: Option<ScheduledPoll>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScheduledPoll {
    pub options: Vec<String>,
    pub expires_in: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl ScheduledParams {
    pub fn from_post(post: &NewPost) -> Self {
        Self {
            text: post.text.clone(),
            spoiler_text: post.spoiler_text.clone(),
            sensitive: post.sensitive,
            visibility: post.visibility.clone(),
            local_only: post.local_only,
            in_reply_to_id: post.in_reply_to_id.map(|i| i.to_string()),
            language: post.language.clone(),
            poll: post.poll.as_ref().map(|p| ScheduledPoll {
                options: p.options.clone(),
                expires_in: p.expires_in,
                multiple: p.multiple,
                hide_totals: p.hide_totals,
            }),
        }
    }

    fn into_post(self, idempotency_key: String) -> NewPost {
        NewPost {
            text: self.text,
            spoiler_text: self.spoiler_text,
            sensitive: self.sensitive,
            visibility: self.visibility,
            local_only: self.local_only,
            in_reply_to_id: self.in_reply_to_id.and_then(|i| i.parse().ok()),
            language: self.language,
            idempotency_key: Some(idempotency_key),
            poll: self.poll.map(|p| PollInput {
                options: p.options,
                expires_in: p.expires_in,
                multiple: p.multiple,
                hide_totals: p.hide_totals,
            }),
            // Refused at scheduling (`handlers::statuses`): unattached uploads are
            // swept after a day, before a later post could take them.
            media_ids: Vec::new(),
        }
    }
}

/// A stored scheduled post, its parameters read back.
pub struct Scheduled {
    pub row: ScheduledRow,
    pub params: ScheduledParams,
}

fn read(row: ScheduledRow) -> Result<Scheduled, ServiceError> {
    let params = serde_json::from_str(&row.params)
        .map_err(|_| ServiceError::Internal("scheduled_params_unreadable"))?;
    Ok(Scheduled { row, params })
}

fn check_time(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ServiceError> {
    if at < now + MIN_AHEAD {
        return Err(ServiceError::Refused(
            "scheduled_too_soon",
            "Validation failed: Scheduled at the scheduled date must be at least 5 minutes in the future",
        ));
    }
    Ok(())
}

/// Stores `post` for `at`. What can be checked now is (`statuses::precheck`: text,
/// length, poll, audience); the rest is checked when it is published.
pub async fn schedule(
    state: &AppState,
    author: &kindred_db::AccountRow,
    post: NewPost,
    at: DateTime<Utc>,
) -> Result<Scheduled, ServiceError> {
    let now = Utc::now();
    check_time(at, now)?;
    statuses::precheck(state, &post)?;
    let params = ScheduledParams::from_post(&post);
    let json = serde_json::to_string(&params)
        .map_err(|_| ServiceError::Internal("scheduled_params_unwritable"))?;
    let id = state.ids.next_at(now);
    let author_id = author.id;
    let row = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if repo::pending_count(c, author_id)? >= repo::MAX_SCHEDULED {
                    return Ok(None);
                }
                repo::insert(c, id, author_id, at.naive_utc(), &json, now.naive_utc())?;
                repo::find(c, id)
            })
        })
        .await?
        .ok_or(ServiceError::Refused(
            "too_many_scheduled",
            "Validation failed: you have too many scheduled posts",
        ))?;
    read(row)
}

pub async fn list(
    state: &AppState,
    owner: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Scheduled>, ServiceError> {
    state
        .db
        .run(move |c| repo::list(c, owner, max_id, since_id, limit))
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// One of the owner's waiting posts; anyone else's is not found.
pub async fn show(state: &AppState, owner: i64, id: i64) -> Result<Scheduled, ServiceError> {
    let row = state
        .db
        .run(move |c| repo::find_own(c, owner, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    read(row)
}

pub async fn reschedule(
    state: &AppState,
    owner: i64,
    id: i64,
    at: DateTime<Utc>,
) -> Result<Scheduled, ServiceError> {
    check_time(at, Utc::now())?;
    let moved = state
        .db
        .run(move |c| repo::reschedule(c, owner, id, at.naive_utc()))
        .await?;
    if !moved {
        return Err(ServiceError::NotFound);
    }
    show(state, owner, id).await
}

pub async fn delete(state: &AppState, owner: i64, id: i64) -> Result<(), ServiceError> {
    if state
        .db
        .run(move |c| repo::delete_own(c, owner, id))
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The job's work: publishes each post due by `now` once, even with several
/// processes on one database (`repo::claim` is one atomic update; a post whose
/// process died is claimed again after `LEASE`, and its idempotency key keeps it
/// from being published twice). Returns how many were published.
pub async fn publish_due(
    state: &Data<AppState>,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let (at, lease_before) = (now.naive_utc(), (now - LEASE).naive_utc());
    let due = state
        .db
        .run(move |c| repo::due(c, at, lease_before, BATCH))
        .await?;
    let mut published = 0;
    for id in due {
        let Some(row) = state
            .db
            .run(move |c| repo::claim(c, id, at, lease_before))
            .await?
        else {
            continue;
        };
        match publish(state, row).await {
            Ok(()) => {
                state.db.run(move |c| repo::published(c, id)).await?;
                published += 1;
            }
            // Storage trouble is not the author's: the claim lapses and the post is
            // tried again.
            Err(ServiceError::Db(e)) => {
                tracing::warn!(
                    scheduled_id = id,
                    error = e.code(),
                    "scheduled post delayed"
                );
            }
            Err(refused) => {
                let code = refused.code();
                tracing::info!(
                    scheduled_id = id,
                    refusal = code,
                    "scheduled post not published"
                );
                state.db.run(move |c| repo::failed(c, id, code)).await?;
            }
        }
    }
    Ok(published)
}

/// Publishes one claimed post as its author would post it now.
async fn publish(state: &Data<AppState>, row: ScheduledRow) -> Result<(), ServiceError> {
    let author_id = row.account_id;
    let author = state
        .db
        .run(move |c| accounts::find(c, author_id))
        .await?
        .filter(|a| a.is_local() && a.is_active())
        .ok_or(ServiceError::Forbidden("author_inactive"))?;
    let id = row.id;
    let params = read(row)?.params;
    let viewer = Viewer::load(state, Some(&author)).await?;
    let post = params.into_post(format!("scheduled:{id}"));
    statuses::create(state, &author, &viewer, post)
        .await
        .map(|_| ())
}
