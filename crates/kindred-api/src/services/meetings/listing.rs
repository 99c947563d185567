//! Reading meetings: one as the viewer may see it, many at once, the upcoming
//! listings of a group, the instance or the directory, and a member's own.

use std::collections::HashMap;

use chrono::Utc;
use kindred_db::models::meetings::{self as store, Cursor, Meeting, Participant, Scope};
use kindred_db::{AccountRow, DbError};

use super::{access_to_holder, is_local_user, sees, Access, Loaded};
use crate::services::ServiceError;
use crate::AppState;

/// The meeting as the viewer may see it; "not found" when it does not exist for them.
pub async fn load(
    state: &AppState,
    viewer: Option<&AccountRow>,
    id: i64,
) -> Result<Loaded, ServiceError> {
    let meeting = state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (mut access, _) = access_to_holder(state, viewer, meeting.meeting.group_id).await?;
    if !sees(&meeting, &access) {
        return Err(ServiceError::NotFound);
    }
    if state
        .db
        .run(move |c| kindred_db::models::remote_meetings::of_meeting(c, id))
        .await?
        .is_some()
    {
        // Another server's listing: its staff run it, not ours.
        access.remote = true;
        access.facilitator = false;
        access.counts_public = false;
    }
    if let Some(me) = viewer {
        let me_id = me.id;
        access.participation = state
            .db
            .run(move |c| store::participation(c, id, &Participant::Account(me_id)))
            .await?;
    }
    Ok(Loaded { meeting, access })
}

/// Many meetings with the viewer's access, dropping those they may not see.
pub async fn load_many(
    state: &AppState,
    viewer: Option<&AccountRow>,
    meetings: Vec<Meeting>,
) -> Result<Vec<Loaded>, ServiceError> {
    let mut holders: HashMap<Option<i64>, Option<Access>> = HashMap::new();
    for m in &meetings {
        let g = m.meeting.group_id;
        if holders.contains_key(&g) {
            continue;
        }
        let access = match access_to_holder(state, viewer, g).await {
            Ok((a, _)) => Some(a),
            Err(ServiceError::NotFound) => None,
            Err(e) => return Err(e),
        };
        holders.insert(g, access);
    }
    let mut out: Vec<Loaded> = meetings
        .into_iter()
        .filter_map(|meeting| {
            let access = holders.get(&meeting.meeting.group_id).cloned().flatten()?;
            sees(&meeting, &access).then_some(Loaded { meeting, access })
        })
        .collect();
    if let Some(me) = viewer {
        let me_id = me.id;
        let ids: Vec<i64> = out.iter().map(|l| l.meeting.meeting.id).collect();
        let mut mine = state
            .db
            .run(move |c| store::participations_of(c, me_id, &ids))
            .await?;
        for l in &mut out {
            l.access.participation = mine.remove(&l.meeting.meeting.id);
        }
    }
    let ids: Vec<i64> = out.iter().map(|l| l.meeting.meeting.id).collect();
    let remote = state
        .db
        .run(move |c| kindred_db::models::remote_meetings::among(c, &ids))
        .await?;
    for l in &mut out {
        if remote.contains(&l.meeting.meeting.id) {
            l.access.remote = true;
            l.access.facilitator = false;
            l.access.counts_public = false;
        }
    }
    Ok(out)
}

/// Which upcoming meetings to list.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    Group(i64),
    Instance,
    /// Every public listing of this instance (the directory).
    Directory,
}

/// Upcoming meetings the viewer may see, after the meeting `after` (by start, id).
pub async fn upcoming(
    state: &AppState,
    viewer: Option<&AccountRow>,
    listing: Listing,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Loaded>, ServiceError> {
    let (scope, members) = match listing {
        Listing::Group(g) => {
            let (access, _) = access_to_holder(state, viewer, Some(g)).await?;
            (Scope::Group(g), access.member || access.facilitator)
        }
        Listing::Instance => (Scope::Instance, viewer.is_some_and(is_local_user)),
        Listing::Directory => (Scope::Public, false),
    };
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| {
            let cursor = match after {
                Some(a) => Some(store::find(c, a)?.ok_or(DbError::NotFound)?.cursor()),
                None => None,
            };
            store::upcoming(c, scope, members, now, cursor, limit)
        })
        .await
        .map_err(|e| match e {
            DbError::NotFound => ServiceError::Unprocessable("after names no meeting"),
            other => other.into(),
        })?;
    load_many(state, viewer, list).await
}

/// The caller's upcoming meetings (going: accepted, wait-listed or asking).
pub async fn joined(
    state: &AppState,
    me: &AccountRow,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Loaded>, ServiceError> {
    let me_id = me.id;
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| store::joined(c, me_id, now, after, limit))
        .await?;
    load_many(state, Some(me), list.into_iter().map(|(m, _)| m).collect()).await
}

/// The cursor of a meeting (for `joined` paging).
pub async fn cursor_of(state: &AppState, id: i64) -> Result<Cursor, ServiceError> {
    state
        .db
        .run(move |c| store::find(c, id))
        .await?
        .map(|m| m.cursor())
        .ok_or(ServiceError::Unprocessable("after names no meeting"))
}
