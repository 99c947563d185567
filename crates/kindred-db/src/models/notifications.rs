//! Notifications and read markers. Notifications from a silenced account the
//! recipient does not follow are stored but not read back (as Mastodon filters
//! them), so lifting the silence shows them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::{AccountId, MeetingId, NotificationKind, StatusId};

use crate::connection::native;
use crate::models::silenced::limited_for;
use crate::schema::{group_posts, markers, notifications};
use crate::{AnyConnection, DbError};

type Multi = <AnyConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: NotificationKind,
    pub status_id: Option<i64>,
    pub created_at: NaiveDateTime,
    /// The meeting a meeting notification is about (`pleroma:event_*` types).
    pub meeting_id: Option<i64>,
    /// The report an `admin.report` notification is about.
    pub report_id: Option<i64>,
}

impl NotificationRow {
    pub fn new(
        id: i64,
        recipient: AccountId,
        from: AccountId,
        kind: NotificationKind,
        status_id: Option<StatusId>,
        created_at: NaiveDateTime,
    ) -> Self {
        Self {
            id,
            account_id: recipient.get(),
            from_account_id: from.get(),
            kind,
            status_id: status_id.map(StatusId::get),
            created_at,
            meeting_id: None,
            report_id: None,
        }
    }

    /// The same notification, about a report (`admin.report`).
    pub fn about_report(mut self, report_id: i64) -> Self {
        self.report_id = Some(report_id);
        self
    }

    /// Who is told.
    pub fn recipient(&self) -> AccountId {
        AccountId::new(self.account_id)
    }

    /// The same notification, about a meeting.
    pub fn about_meeting(mut self, meeting_id: MeetingId) -> Self {
        self.meeting_id = Some(meeting_id.get());
        self
    }
}

/// Stores notifications, leaving out any to oneself (but a notice from the instance,
/// stored as from its recipient) and any across a block in either direction: every
/// notification passes this one check, whoever creates it. Returns
/// the rows stored, for the streaming API to announce once the work is committed.
pub fn insert(
    conn: &mut AnyConnection,
    rows: &[NotificationRow],
) -> Result<Vec<NotificationRow>, DbError> {
    let mut stored = Vec::with_capacity(rows.len());
    // One statement per row: SQLite through the multi-backend connection has no
    // batch insert, and notifications come a few at a time.
    for row in rows {
        if (row.account_id == row.from_account_id && !row.kind.may_reach_self())
            || crate::models::social::blocked_either_way(conn, row.account_id, row.from_account_id)?
        {
            continue;
        }
        native!(conn, c => diesel::insert_into(notifications::table)
            .values(row.clone())
            .execute(c))?;
        stored.push(row.clone());
    }
    Ok(stored)
}

/// Whether the account holds a notification of this kind made since `since` (the
/// gentle crisis notice's once-a-day limit reads the notice itself, so dismissing
/// it leaves no trace behind).
pub fn holds_since(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: NotificationKind,
    since: NaiveDateTime,
) -> Result<bool, DbError> {
    let found: Option<i64> = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::kind.eq(kind.as_str()))
        .filter(notifications::created_at.gt(since))
        .select(notifications::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Filters for listing. Types are Mastodon's names.
#[derive(Debug, Clone, Default)]
pub struct NotificationQuery {
    pub types: Vec<NotificationKind>,
    pub exclude_types: Vec<NotificationKind>,
    pub from_account_id: Option<i64>,
    /// Accounts whose notifications the viewer has muted or blocked.
    pub hidden_from: Vec<i64>,
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

/// The stored words of these kinds, for SQL filters.
fn words(kinds: &[NotificationKind]) -> Vec<&'static str> {
    kinds.iter().map(|k| k.as_str()).collect()
}

pub fn list(
    conn: &mut AnyConnection,
    account_id: i64,
    q: &NotificationQuery,
) -> Result<Vec<NotificationRow>, DbError> {
    let mut query = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .into_boxed::<Multi>();
    if !q.types.is_empty() {
        query = query.filter(notifications::kind.eq_any(words(&q.types)));
    }
    if !q.exclude_types.is_empty() {
        query = query.filter(diesel::dsl::not(
            notifications::kind.eq_any(words(&q.exclude_types)),
        ));
    }
    if let Some(from) = q.from_account_id {
        query = query.filter(notifications::from_account_id.eq(from));
    }
    if !q.hidden_from.is_empty() {
        query = query
            .filter(diesel::dsl::not(
                notifications::from_account_id.eq_any(q.hidden_from.clone()),
            ))
            .filter(not_in_groups(&q.hidden_from));
    }
    query = query.filter(diesel::dsl::not(
        notifications::from_account_id.eq_any(limited_for(Some(account_id))),
    ));
    let rows: Vec<NotificationRow> = crate::models::paging::page_by_id!(
        query,
        notifications::id,
        q.max_id,
        q.since_id,
        q.min_id
    )
    .limit(q.limit)
    .select(NotificationRow::as_select())
    .load(conn)?;
    Ok(crate::models::paging::newest_first(rows, q.min_id))
}

/// Notifications about statuses not posted in any of these groups: a group the
/// recipient muted or blocked is hidden like a muted account, whoever wrote the post
/// (the group's own notifications, such as its meetings', come from the group and go
/// with `hidden_from`).
#[allow(clippy::type_complexity)]
fn not_in_groups(
    groups: &[i64],
) -> Box<
    dyn BoxableExpression<
        notifications::table,
        Multi,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
> {
    let placed = group_posts::table
        .filter(group_posts::group_id.eq_any(groups.to_vec()))
        .select(group_posts::status_id.nullable());
    Box::new(
        notifications::status_id
            .is_null()
            .nullable()
            .or(diesel::dsl::not(notifications::status_id.eq_any(placed))),
    )
}

pub fn find(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
) -> Result<Option<NotificationRow>, DbError> {
    Ok(notifications::table
        .into_boxed::<Multi>()
        .filter(notifications::id.eq(id))
        .filter(notifications::account_id.eq(account_id))
        .filter(diesel::dsl::not(
            notifications::from_account_id.eq_any(limited_for(Some(account_id))),
        ))
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn dismiss(conn: &mut AnyConnection, account_id: i64, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::account_id.eq(account_id)),
    )
    .execute(conn)?
        > 0)
}

pub fn clear(conn: &mut AnyConnection, account_id: i64) -> Result<(), DbError> {
    diesel::delete(notifications::table.filter(notifications::account_id.eq(account_id)))
        .execute(conn)?;
    Ok(())
}

/// Removes notifications about a follow, favourite or boost that was undone.
pub fn retract(
    conn: &mut AnyConnection,
    account_id: i64,
    from_account_id: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
) -> Result<(), DbError> {
    let mut q = diesel::delete(notifications::table)
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::from_account_id.eq(from_account_id))
        .filter(notifications::kind.eq(kind.as_str()))
        .into_boxed();
    if let Some(s) = status_id {
        q = q.filter(notifications::status_id.eq(s));
    }
    q.execute(conn)?;
    Ok(())
}

/// Notifications newer than the read marker (capped, as Mastodon caps the count).
pub fn unread_count(
    conn: &mut AnyConnection,
    account_id: i64,
    hidden_from: &[i64],
    limit: i64,
) -> Result<i64, DbError> {
    let last_read: i64 = marker(conn, account_id, "notifications")?
        .and_then(|m| m.last_read_id.parse().ok())
        .unwrap_or(0);
    let ids: Vec<i64> = notifications::table
        .into_boxed::<Multi>()
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::id.gt(last_read))
        .filter(diesel::dsl::not(
            notifications::from_account_id.eq_any(hidden_from.to_vec()),
        ))
        .filter(not_in_groups(hidden_from))
        .filter(diesel::dsl::not(
            notifications::from_account_id.eq_any(limited_for(Some(account_id))),
        ))
        .select(notifications::id)
        .limit(limit)
        .load(conn)?;
    Ok(ids.len() as i64)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = markers)]
pub struct MarkerRow {
    pub account_id: i64,
    pub timeline: String,
    pub last_read_id: String,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

pub fn marker(
    conn: &mut AnyConnection,
    account_id: i64,
    timeline: &str,
) -> Result<Option<MarkerRow>, DbError> {
    Ok(markers::table
        .filter(markers::account_id.eq(account_id))
        .filter(markers::timeline.eq(timeline))
        .select(MarkerRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a marker, bumping its version (Mastodon's optimistic-locking counter).
pub fn set_marker(
    conn: &mut AnyConnection,
    account_id: i64,
    timeline: &str,
    last_read_id: &str,
    now: NaiveDateTime,
) -> Result<MarkerRow, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n = diesel::update(
            markers::table
                .filter(markers::account_id.eq(account_id))
                .filter(markers::timeline.eq(timeline)),
        )
        .set((
            markers::last_read_id.eq(last_read_id),
            markers::version.eq(markers::version + 1),
            markers::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            diesel::insert_into(markers::table)
                .values((
                    markers::account_id.eq(account_id),
                    markers::timeline.eq(timeline),
                    markers::last_read_id.eq(last_read_id),
                    markers::version.eq(0),
                    markers::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        marker(conn, account_id, timeline)?.ok_or(DbError::NotFound)
    })
}
