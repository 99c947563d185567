//! Peer-support groups: the group row beside its account, memberships, and the
//! statuses posted in each group. The rules (who may join, post, moderate) are in
//! `kindred_domain::groups`; this module stores and reads.

use kindred_domain::groups::{GroupRole, GroupVisibility, MembershipState, PostKind};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use kindred_domain::{AccountId, GroupId, Visibility};

use crate::models::accounts::NewAccount;
use crate::models::search_index;
use crate::models::statuses::{Page, StatusRow};
use crate::schema::{
    accounts, blocks, group_memberships as gm, group_posts as gp, groups, mutes, statuses,
};
use crate::{AccountRow, AnyConnection, DbError};

type Multi = <AnyConnection as diesel::Connection>::Backend;

/// The group roles that moderate (`GroupRole::moderates`), as stored.
fn moderating() -> [&'static str; 2] {
    [GroupRole::Owner, GroupRole::Facilitator].map(GroupRole::as_str)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = groups)]
pub struct GroupRow {
    pub account_id: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub visibility: GroupVisibility,
    pub rules: String,
    /// JSON array of strings.
    pub questions: String,
    pub content_warning: String,
    pub review_first_posts: i64,
    pub private_key_pem: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Outsiders see a meeting's attendee count (docs/api/groups.md).
    pub show_participant_count: bool,
    /// Default cap on places held through one remote server, for the group's
    /// meetings that set none (`None`: the instance's setting).
    pub max_per_remote_domain: Option<i64>,
    /// Days its discussion posts are kept (`None`: the instance's default).
    pub retention_days: Option<i64>,
}

impl GroupRow {
    /// The group's id (its account's), typed.
    pub fn group_id(&self) -> GroupId {
        GroupId::new(self.account_id)
    }

    pub fn is_private(&self) -> bool {
        self.visibility == GroupVisibility::Private
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = gm)]
pub struct MembershipRow {
    pub id: i64,
    pub group_id: i64,
    pub account_id: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: GroupRole,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub state: MembershipState,
    /// JSON array of answers.
    pub answers: String,
    pub approved_posts: i64,
    pub muted_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MembershipRow {
    /// The group, typed.
    pub fn group(&self) -> GroupId {
        GroupId::new(self.group_id)
    }

    /// The member (or asker, or invitee), typed.
    pub fn member(&self) -> AccountId {
        AccountId::new(self.account_id)
    }

    pub fn is_member(&self) -> bool {
        self.state == MembershipState::Member
    }

    pub fn muted_at(&self, now: NaiveDateTime) -> bool {
        self.muted_until.is_some_and(|t| t > now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = gp)]
pub struct GroupPostRow {
    pub status_id: i64,
    pub group_id: i64,
    pub account_id: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: PostKind,
    pub held: bool,
    pub pinned_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl GroupPostRow {
    pub fn is_announcement(&self) -> bool {
        self.kind == PostKind::Announcement
    }
}

/// Creates the group's account, its group row and the owner's membership together.
pub fn create(
    conn: &mut AnyConnection,
    account: &NewAccount,
    group: &GroupRow,
    owner: &MembershipRow,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        // An erased member's name is never given to someone else.
        if crate::models::erasure::name_reserved(conn, &account.username_lower)? {
            return Err(DbError::Conflict);
        }
        diesel::insert_into(accounts::table)
            .values(account.clone())
            .execute(conn)?;
        let listed = group.visibility.is_listed();
        diesel::update(accounts::table.find(account.id))
            .set((
                accounts::locked.eq(group.visibility != GroupVisibility::Public),
                accounts::discoverable.eq(listed),
                accounts::hide_collections.eq(true),
            ))
            .execute(conn)?;
        // A private group is never found by searching.
        if listed {
            search_index::index_account(conn, account.id, &account.display_name)?;
        }
        diesel::insert_into(groups::table)
            .values(group.clone())
            .execute(conn)?;
        diesel::insert_into(gm::table)
            .values(owner.clone())
            .execute(conn)?;
        Ok(())
    })
}

/// Changes settings; the account's name, note, lock and listing follow.
pub fn update(
    conn: &mut AnyConnection,
    group: &GroupRow,
    display_name: &str,
    note: &str,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        let listed = group.visibility.is_listed();
        diesel::update(accounts::table.find(group.account_id))
            .set((
                accounts::display_name.eq(display_name),
                accounts::note.eq(note),
                accounts::locked.eq(group.visibility != GroupVisibility::Public),
                accounts::discoverable.eq(listed),
                accounts::updated_at.eq(group.updated_at),
            ))
            .execute(conn)?;
        search_index::index_account(
            conn,
            group.account_id,
            if listed { display_name } else { "" },
        )?;
        diesel::update(groups::table.find(group.account_id))
            .set((
                groups::visibility.eq(group.visibility.as_str()),
                groups::rules.eq(&group.rules),
                groups::questions.eq(&group.questions),
                groups::content_warning.eq(&group.content_warning),
                groups::review_first_posts.eq(group.review_first_posts),
                groups::show_participant_count.eq(group.show_participant_count),
                groups::max_per_remote_domain.eq(group.max_per_remote_domain),
                groups::retention_days.eq(group.retention_days),
                groups::updated_at.eq(group.updated_at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<(GroupRow, AccountRow)>, DbError> {
    Ok(groups::table
        .inner_join(accounts::table.on(accounts::id.eq(groups::account_id)))
        .filter(groups::account_id.eq(id))
        .select((GroupRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The groups among these accounts.
pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<GroupRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(groups::table
        .filter(groups::account_id.eq_any(ids.to_vec()))
        .select(GroupRow::as_select())
        .load(conn)?)
}

/// Groups a viewer may see in the directory: listed ones, plus any they belong to
/// (private groups only to members). By id, newest first, after `max_id`.
pub fn directory(
    conn: &mut AnyConnection,
    viewer: i64,
    member_only: bool,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(GroupRow, AccountRow)>, DbError> {
    let mine = gm::table
        .filter(gm::account_id.eq(viewer))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .select(gm::group_id);
    let mut q = groups::table
        .inner_join(accounts::table.on(accounts::id.eq(groups::account_id)))
        .into_boxed();
    q = if member_only {
        q.filter(groups::account_id.eq_any(mine))
    } else {
        q.filter(
            groups::visibility
                .ne(GroupVisibility::Private.as_str())
                .or(groups::account_id.eq_any(mine)),
        )
    };
    if let Some(m) = max_id {
        q = q.filter(groups::account_id.lt(m));
    }
    Ok(q.filter(accounts::suspended.eq(false))
        .order(groups::account_id.desc())
        .limit(limit)
        .select((GroupRow::as_select(), AccountRow::as_select()))
        .load(conn)?)
}

pub fn membership(
    conn: &mut AnyConnection,
    group_id: i64,
    account_id: i64,
) -> Result<Option<MembershipRow>, DbError> {
    Ok(gm::table
        .filter(gm::group_id.eq(group_id))
        .filter(gm::account_id.eq(account_id))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

/// One account's memberships (any state) in each of these groups, by group.
pub fn memberships_of(
    conn: &mut AnyConnection,
    account_id: i64,
    group_ids: &[i64],
) -> Result<HashMap<i64, MembershipRow>, DbError> {
    if group_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::group_id.eq_any(group_ids.to_vec()))
        .select(MembershipRow::as_select())
        .load::<MembershipRow>(conn)?
        .into_iter()
        .map(|m| (m.group_id, m))
        .collect())
}

/// The viewer's memberships (state `member`), by group: what timelines and the
/// visibility rule need about groups.
pub fn member_of(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<HashMap<i64, GroupRole>, DbError> {
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .select(MembershipRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|m| (m.group_id, m.role))
        .collect())
}

/// The groups an account has asked to join and is waiting on.
pub fn requested_groups(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::state.eq(MembershipState::Requested.as_str()))
        .select(gm::group_id)
        .load(conn)?)
}

pub fn insert_membership(conn: &mut AnyConnection, row: &MembershipRow) -> Result<(), DbError> {
    diesel::insert_into(gm::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Sets state and role of an existing membership.
pub fn set_membership(
    conn: &mut AnyConnection,
    id: i64,
    state: MembershipState,
    role: GroupRole,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(gm::table.find(id))
        .set((
            gm::state.eq(state.as_str()),
            gm::role.eq(role.as_str()),
            gm::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_muted_until(
    conn: &mut AnyConnection,
    id: i64,
    until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(gm::table.find(id))
        .set((gm::muted_until.eq(until), gm::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn delete_membership(conn: &mut AnyConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(gm::table.find(id)).execute(conn)?;
    Ok(())
}

/// Memberships of a group in one state, oldest first after `since`, with accounts.
pub fn memberships(
    conn: &mut AnyConnection,
    group_id: i64,
    state: MembershipState,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(MembershipRow, AccountRow)>, DbError> {
    let mut q = gm::table
        .inner_join(accounts::table.on(accounts::id.eq(gm::account_id)))
        .filter(gm::group_id.eq(group_id))
        .filter(gm::state.eq(state.as_str()))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(gm::id.gt(a));
    }
    Ok(q.order(gm::id.asc())
        .limit(limit)
        .select((MembershipRow::as_select(), AccountRow::as_select()))
        .load(conn)?)
}

/// Members (state `member`) per group, the only membership figure outsiders see.
pub fn member_counts(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(gm::table
        .filter(gm::group_id.eq_any(ids.to_vec()))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .group_by(gm::group_id)
        .select((gm::group_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// [`hidden_private`], less the groups `viewer` blocks or mutes (an unexpired mute):
/// those stay listed to them, in relationships and in their lists of blocks and
/// mutes, so they can lift it.
pub fn hidden_unless_shunned(
    conn: &mut AnyConnection,
    viewer: i64,
    ids: &[i64],
    now: NaiveDateTime,
) -> Result<HashSet<i64>, DbError> {
    let mut hidden = hidden_private(conn, Some(viewer), ids)?;
    if hidden.is_empty() {
        return Ok(hidden);
    }
    let candidates: Vec<i64> = hidden.iter().copied().collect();
    let blocked: Vec<i64> = blocks::table
        .filter(blocks::account_id.eq(viewer))
        .filter(blocks::target_account_id.eq_any(candidates.clone()))
        .select(blocks::target_account_id)
        .load(conn)?;
    let muted: Vec<i64> = mutes::table
        .filter(mutes::account_id.eq(viewer))
        .filter(mutes::target_account_id.eq_any(candidates))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select(mutes::target_account_id)
        .load(conn)?;
    for id in blocked.into_iter().chain(muted) {
        hidden.remove(&id);
    }
    Ok(hidden)
}

/// Of these accounts, the private groups `viewer` is neither a member of nor invited
/// to: they do not exist for that viewer.
pub fn hidden_private(
    conn: &mut AnyConnection,
    viewer: Option<i64>,
    ids: &[i64],
) -> Result<HashSet<i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let private: Vec<i64> = groups::table
        .filter(groups::account_id.eq_any(ids.to_vec()))
        .filter(groups::visibility.eq(GroupVisibility::Private.as_str()))
        .select(groups::account_id)
        .load(conn)?;
    if private.is_empty() {
        return Ok(HashSet::new());
    }
    let mine: HashSet<i64> = match viewer {
        Some(v) => gm::table
            .filter(gm::account_id.eq(v))
            // Members and invitees: the accounts a private group exists for
            // (`GroupVisibility::exists_for`).
            .filter(gm::state.eq_any(
                [MembershipState::Member, MembershipState::Invited].map(MembershipState::as_str),
            ))
            .filter(gm::group_id.eq_any(private.clone()))
            .select(gm::group_id)
            .load::<i64>(conn)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    Ok(private.into_iter().filter(|g| !mine.contains(g)).collect())
}

pub fn insert_post(conn: &mut AnyConnection, row: &GroupPostRow) -> Result<(), DbError> {
    diesel::insert_into(gp::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Counts a post that needed no review (or was approved) toward the author's window.
pub fn count_approved_post(
    conn: &mut AnyConnection,
    group_id: i64,
    account_id: i64,
) -> Result<(), DbError> {
    diesel::update(
        gm::table
            .filter(gm::group_id.eq(group_id))
            .filter(gm::account_id.eq(account_id)),
    )
    .set(gm::approved_posts.eq(gm::approved_posts + 1))
    .execute(conn)?;
    Ok(())
}

/// Group placement of each given status that is a group post.
pub fn posts_of(
    conn: &mut AnyConnection,
    status_ids: &[i64],
) -> Result<HashMap<i64, GroupPostRow>, DbError> {
    if status_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(gp::table
        .filter(gp::status_id.eq_any(status_ids.to_vec()))
        .select(GroupPostRow::as_select())
        .load::<GroupPostRow>(conn)?
        .into_iter()
        .map(|p| (p.status_id, p))
        .collect())
}

pub fn release_post(conn: &mut AnyConnection, status_id: i64) -> Result<bool, DbError> {
    Ok(
        diesel::update(gp::table.find(status_id).filter(gp::held.eq(true)))
            .set(gp::held.eq(false))
            .execute(conn)?
            == 1,
    )
}

pub fn set_pinned(
    conn: &mut AnyConnection,
    status_id: i64,
    at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(gp::table.find(status_id))
        .set(gp::pinned_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Which statuses a group timeline reads.
#[derive(Debug, Clone, Copy)]
pub struct GroupScope {
    /// Discussion posts too (members); otherwise announcements only.
    pub discussions: bool,
    /// Held posts too (facilitators' review queue is `held_only`).
    pub held: HeldPosts,
    pub pinned_only: bool,
    /// The viewer, whose own held posts are always included.
    pub viewer: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldPosts {
    Exclude,
    Include,
    Only,
}

/// A group's statuses, newest first, in a page window. The visibility rule still
/// applies to each row when presented.
pub fn timeline(
    conn: &mut AnyConnection,
    group_id: i64,
    scope: GroupScope,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let mut q = statuses::table
        .inner_join(gp::table.on(gp::status_id.eq(statuses::id)))
        .filter(gp::group_id.eq(group_id))
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(hidden.to_vec()),
        ))
        .into_boxed::<Multi>();
    if !scope.discussions {
        q = q.filter(gp::kind.eq(PostKind::Announcement.as_str()));
    }
    q = match (scope.held, scope.viewer) {
        (HeldPosts::Only, _) => q.filter(gp::held.eq(true)),
        (HeldPosts::Include, _) => q,
        (HeldPosts::Exclude, Some(v)) => q.filter(gp::held.eq(false).or(gp::account_id.eq(v))),
        (HeldPosts::Exclude, None) => q.filter(gp::held.eq(false)),
    };
    if scope.pinned_only {
        q = q.filter(gp::pinned_at.is_not_null());
    }
    let rows: Vec<StatusRow> = crate::models::paging::page_by_id!(q, statuses::id, page)
        .limit(page.limit)
        .select(StatusRow::as_select())
        .load(conn)?;
    Ok(crate::models::paging::newest_first(rows, page.min_id))
}

/// Whether the account is a member of any group (most home reads can skip groups).
pub fn belongs_anywhere(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .select(gm::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Of these statuses, those placed in any of these groups.
pub fn placed_in(
    conn: &mut AnyConnection,
    status_ids: &[i64],
    group_ids: &[i64],
) -> Result<HashSet<i64>, DbError> {
    if status_ids.is_empty() || group_ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(gp::table
        .filter(gp::status_id.eq_any(status_ids.to_vec()))
        .filter(gp::group_id.eq_any(group_ids.to_vec()))
        .select(gp::status_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// Discussion posts and announcements of every group the viewer belongs to, for the
/// home feed (held posts only the viewer's own).
pub fn member_feed(
    conn: &mut AnyConnection,
    viewer: i64,
    hidden: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    // A group the viewer muted (or blocked) is left out like a muted account.
    let mine = gm::table
        .filter(gm::account_id.eq(viewer))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(diesel::dsl::not(gm::group_id.eq_any(hidden.to_vec())))
        .select(gm::group_id);
    let posts = gp::table
        .filter(gp::group_id.eq_any(mine))
        .filter(gp::held.eq(false).or(gp::account_id.eq(viewer)))
        .select(gp::status_id);
    let q = statuses::table
        .into_boxed()
        .filter(statuses::id.eq_any(posts))
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(hidden.to_vec()),
        ));
    page.load(conn, q)
}

/// Members of a group (state member), for the discussion's mention check.
pub fn are_members(
    conn: &mut AnyConnection,
    group_id: i64,
    ids: &[i64],
) -> Result<HashSet<i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(gm::table
        .filter(gm::group_id.eq(group_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::account_id.eq_any(ids.to_vec()))
        .select(gm::account_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// A local account by username as other servers may see it: a person, or a group
/// that is not private (with its group row). Private groups, pending and suspended
/// accounts are `None` — they do not exist outside the instance.
pub fn federated_actor(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<(AccountRow, Option<GroupRow>)>, DbError> {
    let Some(account) = crate::models::accounts::find_local_by_username(conn, username)? else {
        return Ok(None);
    };
    if !account.is_active() {
        return Ok(None);
    }
    if !account.role.is_group() {
        return Ok(Some((account, None)));
    }
    let group = groups::table
        .find(account.id)
        .select(GroupRow::as_select())
        .first::<GroupRow>(conn)
        .optional()?;
    Ok(group
        .filter(|g| !g.is_private())
        .map(|g| (account, Some(g))))
}

/// The figures a group's actor document shows: totals only, never who.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicFigures {
    pub members: i64,
    pub facilitators: i64,
    /// Remote accounts following the group (local people are members instead).
    pub remote_followers: i64,
    /// Public announcements that are not held.
    pub public_announcements: i64,
}

pub fn public_figures(conn: &mut AnyConnection, group_id: i64) -> Result<PublicFigures, DbError> {
    use crate::schema::follows;
    let members: i64 = gm::table
        .filter(gm::group_id.eq(group_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .count()
        .get_result(conn)?;
    let facilitators: i64 = gm::table
        .filter(gm::group_id.eq(group_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::role.eq_any(moderating()))
        .count()
        .get_result(conn)?;
    let remote_followers: i64 = follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
        .filter(follows::target_account_id.eq(group_id))
        .filter(accounts::domain.ne(""))
        .count()
        .get_result(conn)?;
    let public_announcements: i64 = gp::table
        .inner_join(statuses::table.on(statuses::id.eq(gp::status_id)))
        .filter(gp::group_id.eq(group_id))
        .filter(gp::kind.eq(PostKind::Announcement.as_str()))
        .filter(gp::held.eq(false))
        .filter(statuses::visibility.eq(Visibility::Public.as_str()))
        .filter(statuses::local_only.eq(false))
        .count()
        .get_result(conn)?;
    Ok(PublicFigures {
        members,
        facilitators,
        remote_followers,
        public_announcements,
    })
}

/// Pinned public announcements of a group, newest pin first (its `featured`).
pub fn pinned_public(
    conn: &mut AnyConnection,
    group_id: i64,
    limit: i64,
) -> Result<Vec<StatusRow>, DbError> {
    Ok(statuses::table
        .inner_join(gp::table.on(gp::status_id.eq(statuses::id)))
        .filter(gp::group_id.eq(group_id))
        .filter(gp::kind.eq(PostKind::Announcement.as_str()))
        .filter(gp::held.eq(false))
        .filter(gp::pinned_at.is_not_null())
        .filter(statuses::visibility.eq(Visibility::Public.as_str()))
        .filter(statuses::local_only.eq(false))
        .order(gp::pinned_at.desc())
        .limit(limit)
        .select(StatusRow::as_select())
        .load(conn)?)
}

/// Remote accounts following the group or asking to, for severing when it turns
/// private: (account id, whether it is only a request).
pub fn remote_followers(
    conn: &mut AnyConnection,
    group_id: i64,
) -> Result<Vec<(i64, bool)>, DbError> {
    use crate::schema::{follow_requests, follows};
    let mut out: Vec<(i64, bool)> = follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
        .filter(follows::target_account_id.eq(group_id))
        .filter(accounts::domain.ne(""))
        .select(follows::account_id)
        .load::<i64>(conn)?
        .into_iter()
        .map(|id| (id, false))
        .collect();
    out.extend(
        follow_requests::table
            .inner_join(accounts::table.on(accounts::id.eq(follow_requests::account_id)))
            .filter(follow_requests::target_account_id.eq(group_id))
            .filter(accounts::domain.ne(""))
            .select(follow_requests::account_id)
            .load::<i64>(conn)?
            .into_iter()
            .map(|id| (id, true)),
    );
    Ok(out)
}

/// The owner and facilitators of a group (members in good standing), who hear of
/// requests to join.
pub fn facilitators(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(gm::table
        .filter(gm::group_id.eq(group_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::role.eq_any(moderating()))
        .select(gm::account_id)
        .load(conn)?)
}

/// Closes a group for good: its memberships and follows go, and its account is
/// suspended (the handle stays taken, so nobody can take the group's name). Its
/// posts stay with their authors; with no members left, a discussion post is seen
/// by its author only.
pub fn close(conn: &mut AnyConnection, group_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    use crate::schema::{follow_requests, follows};
    diesel::delete(gm::table.filter(gm::group_id.eq(group_id))).execute(conn)?;
    diesel::delete(follows::table.filter(follows::target_account_id.eq(group_id))).execute(conn)?;
    diesel::delete(follow_requests::table.filter(follow_requests::target_account_id.eq(group_id)))
        .execute(conn)?;
    diesel::update(accounts::table.find(group_id))
        .set((accounts::suspended.eq(true), accounts::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// What a group distributed to other servers (its withdrawal when it turns private
/// or closes): its public announcements (not held, not local-only), at most
/// `limit`, newest first.
pub fn distributed_announcements(
    conn: &mut AnyConnection,
    group_id: i64,
    limit: i64,
) -> Result<Vec<StatusRow>, DbError> {
    Ok(statuses::table
        .inner_join(gp::table.on(gp::status_id.eq(statuses::id)))
        .filter(gp::group_id.eq(group_id))
        .filter(gp::kind.eq(PostKind::Announcement.as_str()))
        .filter(gp::held.eq(false))
        .filter(statuses::visibility.eq(Visibility::Public.as_str()))
        .filter(statuses::local_only.eq(false))
        .filter(statuses::reblog_of_id.is_null())
        .order(statuses::id.desc())
        .limit(limit)
        .select(StatusRow::as_select())
        .load(conn)?)
}

/// The public replies (local or remote, not local-only, not boosts) to any of
/// `parents`, at most `limit`: one level of a thread a group relays.
pub fn public_replies(
    conn: &mut AnyConnection,
    parents: &[i64],
    limit: i64,
) -> Result<Vec<StatusRow>, DbError> {
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    Ok(statuses::table
        .filter(statuses::in_reply_to_id.eq_any(parents.to_vec()))
        .filter(statuses::visibility.eq(Visibility::Public.as_str()))
        .filter(statuses::local_only.eq(false))
        .filter(statuses::reblog_of_id.is_null())
        .order(statuses::id.asc())
        .limit(limit)
        .select(StatusRow::as_select())
        .load(conn)?)
}

/// The groups `account_id` owns (the owner's role, a member in good standing).
pub fn owned_by(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(gm::table
        .filter(gm::account_id.eq(account_id))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::role.eq(GroupRole::Owner.as_str()))
        .order(gm::group_id.asc())
        .select(gm::group_id)
        .load(conn)?)
}

/// The group's longest-serving facilitator other than `except`: a member in good
/// standing with the facilitator's role whose account is usable (not suspended;
/// an erased account is suspended at once), the earliest to have joined first.
pub fn longest_serving_facilitator(
    conn: &mut AnyConnection,
    group_id: i64,
    except: i64,
) -> Result<Option<MembershipRow>, DbError> {
    Ok(gm::table
        .inner_join(accounts::table.on(accounts::id.eq(gm::account_id)))
        .filter(gm::group_id.eq(group_id))
        .filter(gm::account_id.ne(except))
        .filter(gm::state.eq(MembershipState::Member.as_str()))
        .filter(gm::role.eq(GroupRole::Facilitator.as_str()))
        .filter(accounts::suspended.eq(false))
        .order((gm::created_at.asc(), gm::id.asc()))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDb;
    use diesel::connection::SimpleConnection;
    use kindred_domain::{AccountRole, Role};

    fn new_group(c: &mut AnyConnection, id: i64) -> Result<(), DbError> {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let account = |id, role| NewAccount {
            id,
            username: format!("a{id}"),
            username_lower: format!("a{id}"),
            domain: String::new(),
            display_name: String::new(),
            note: String::new(),
            role,
            public_key_pem: String::new(),
            approved: true,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(accounts::table)
            .values(account(id + 1, AccountRole::Person(Role::Facilitator)))
            .execute(c)?;
        let group = GroupRow {
            account_id: id,
            visibility: GroupVisibility::Closed,
            rules: String::new(),
            questions: "[]".into(),
            content_warning: String::new(),
            review_first_posts: 0,
            private_key_pem: String::new(),
            created_at: now,
            updated_at: now,
            show_participant_count: false,
            max_per_remote_domain: None,
            retention_days: None,
        };
        let owner = MembershipRow {
            id: id * 10,
            group_id: id,
            account_id: id + 1,
            role: GroupRole::Owner,
            state: MembershipState::Member,
            answers: "[]".into(),
            approved_posts: 0,
            muted_until: None,
            created_at: now,
            updated_at: now,
        };
        create(c, &account(id, AccountRole::Group), &group, &owner)
    }

    /// A group's actor account, its visibility and its owner's instance role are
    /// read back as the domain's enums; a word no version of Kindred stores, in
    /// `accounts.role` or `groups.visibility`, is an error of the read (not a
    /// panic, and not a default role or audience).
    #[test]
    fn unknown_stored_roles_and_group_visibilities_are_errors() {
        let scratch = ScratchDb::sqlite("groups-unknown-words");
        let ((kept, owner, role, visibility), _) = scratch.run_logged(|c| {
            new_group(c, 1)?;
            new_group(c, 3)?;
            let kept = find(c, 1)?;
            let owner = crate::models::accounts::find(c, 2)?;
            c.batch_execute("UPDATE accounts SET role = 'superuser' WHERE id = 4")?;
            c.batch_execute("UPDATE groups SET visibility = 'hidden' WHERE account_id = 3")?;
            let role = crate::models::accounts::find(c, 4).map(|_| ());
            let visibility = find(c, 3).map(|_| ());
            Ok((kept, owner, role, visibility))
        });
        let (group, account) = kept.expect("stored");
        assert_eq!(group.visibility, GroupVisibility::Closed);
        assert_eq!(account.role, AccountRole::Group);
        let owner = owner.expect("stored").role;
        assert_eq!(owner, AccountRole::Person(Role::Facilitator));
        let err = role.expect_err("unknown role read as a row");
        assert!(format!("{err}").contains("role"), "{err}");
        let err = visibility.expect_err("unknown visibility read as a row");
        assert!(format!("{err}").contains("visibility"), "{err}");
    }
}
