//! Crisis resources and the opt-in gentle notice (issue 24, docs/moderation.md).
//!
//! The list: admins add, change and remove help lines (the API and the CLI both call
//! here); everyone reads them. The notice: when the instance turned it on
//! (`crisis.notice_enabled`), a member whose OWN new local post matches one of the
//! configured phrases gets one private notification carrying the resources. Nothing
//! else happens: no one else is told, nothing is reported, logged or federated, and
//! the notification is the only record (it names neither the post nor the phrase;
//! dismissing it removes it). At most one a day per member, counted from the
//! notification itself.

use chrono::{DateTime, Duration, Utc};
use kindred_db::models::crisis_resources::{self as store, CrisisResourceRow, MAX_RESOURCES};
use kindred_db::models::notifications::{self, NotificationRow};
use kindred_db::{AnyConnection, DbError, StatusRow};
use kindred_domain::crisis::{CrisisPhrases, CrisisResource, CrisisResourceInput};
use kindred_domain::{DomainError, IdGenerator, NotificationKind};

/// The shortest time between two notices to one member.
pub const NOTICE_INTERVAL_HOURS: i64 = 24;

/// The instance's gentle notice, when turned on: the phrases it listens for.
#[derive(Debug, Clone)]
pub struct CrisisNotice {
    phrases: CrisisPhrases,
}

impl CrisisNotice {
    pub fn new(phrases: CrisisPhrases) -> Self {
        Self { phrases }
    }
}

/// What a status just stored brings under the notice, in the caller's transaction:
/// the notification stored for its author, if any. Only a member's own new post
/// counts: a remote status, a boost or a post by a group's actor never does, and
/// with the notice off (`None`) nothing is even read.
pub fn after_post(
    c: &mut AnyConnection,
    notice: Option<&CrisisNotice>,
    row: &StatusRow,
    ids: &IdGenerator,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, DbError> {
    let Some(notice) = notice else {
        return Ok(Vec::new());
    };
    if !row.local || row.reblog_of_id.is_some() {
        return Ok(Vec::new());
    }
    if !notice.phrases.matches(&row.text, &row.spoiler_text) {
        return Ok(Vec::new());
    }
    let author = row.account_id;
    let is_person = kindred_db::models::accounts::find(c, author)?
        .is_some_and(|a| a.is_local() && !a.role.is_group());
    if !is_person || store::count(c)? == 0 {
        return Ok(Vec::new());
    }
    let since = (now - Duration::hours(NOTICE_INTERVAL_HOURS)).naive_utc();
    if notifications::holds_since(c, author, NotificationKind::CrisisResources, since)? {
        return Ok(Vec::new());
    }
    // From the member to the member (Mastodon's way for notices from the instance),
    // about no status: nothing ties the notice to the post that prompted it.
    let note = NotificationRow::new(
        ids.next_at(now),
        kindred_domain::AccountId::new(author),
        kindred_domain::AccountId::new(author),
        NotificationKind::CrisisResources,
        None,
        now.naive_utc(),
    );
    notifications::insert(c, &[note])
}

/// Every resource, in order.
pub fn list(c: &mut AnyConnection) -> Result<Vec<CrisisResourceRow>, DbError> {
    store::list(c)
}

/// Every resource, in order, checked.
pub fn resources(
    c: &mut AnyConnection,
) -> Result<Vec<(CrisisResourceRow, CrisisResource)>, DbError> {
    store::list(c)?
        .into_iter()
        .map(|row| row.resource().map(|r| (row, r)))
        .collect()
}

/// Adds a resource (at the end of the list unless it names a position). The inner
/// result is the rule's refusal, nothing written; run it inside a transaction.
pub fn add(
    c: &mut AnyConnection,
    ids: &IdGenerator,
    input: CrisisResourceInput,
    now: DateTime<Utc>,
) -> Result<Result<CrisisResourceRow, DomainError>, DbError> {
    if store::count(c)? >= MAX_RESOURCES {
        return Ok(Err(DomainError::InvalidCrisisResource(
            "at most 50 crisis resources",
        )));
    }
    let resource = match CrisisResource::parse(input, store::next_position(c)?) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let at = now.naive_utc();
    let row = CrisisResourceRow::new(ids.next_at(now), &resource, at, at);
    store::insert(c, &row)?;
    Ok(Ok(row))
}

/// Changes a resource: fields not given keep their value, a blank one is cleared.
/// `DbError::NotFound` when there is none; run it inside a transaction.
pub fn update(
    c: &mut AnyConnection,
    id: i64,
    input: CrisisResourceInput,
    now: DateTime<Utc>,
) -> Result<Result<CrisisResourceRow, DomainError>, DbError> {
    let old = store::find(c, id)?.ok_or(DbError::NotFound)?;
    let merged = input.over(&old.resource()?);
    let resource = match CrisisResource::parse(merged, old.position) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let row = CrisisResourceRow::new(id, &resource, old.created_at, now.naive_utc());
    if !store::update(c, &row)? {
        return Err(DbError::NotFound);
    }
    Ok(Ok(row))
}

/// Removes a resource; false when there was none.
pub fn remove(c: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    store::delete(c, id)
}
