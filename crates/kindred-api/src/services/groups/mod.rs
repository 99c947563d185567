//! Peer-support groups: creating and changing them, joining and leaving, and what
//! facilitators do (approve, ban, mute, promote, review, remove, pin). The rules are
//! `kindred_domain::groups`; each operation here loads the facts, asks the rule and
//! writes in one transaction. Who belongs to a group is answered to its
//! facilitators only (invariant 3).

pub mod blocking;
pub mod followers;

use chrono::{Duration, NaiveDateTime, Utc};
use kindred_core::groups::membership;
use kindred_db::models::accounts::NewAccount;
use kindred_db::models::groups::{self, GroupRow, MembershipRow};
use kindred_db::models::statuses as repo;
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError, StatusRow};
use kindred_domain::groups::GroupVisibility;
use kindred_domain::groups::{
    invitation_reaches, may_moderate, parse_answers, GroupRole, GroupSettings, MembershipState,
};
use kindred_domain::reports::ActionKind as ReportAction;
use kindred_domain::{AccountId, AccountRole, GroupId, Role, Username};
use kindred_federation::outbox::Outbox;

use super::ServiceError;
use crate::entities::groups::{opt_timestamp, Group, OwnMembership};
use crate::entities::status::timestamp;
use crate::AppState;

/// A group and its account, as loaded for an operation.
pub struct Loaded {
    pub group: GroupRow,
    pub account: AccountRow,
}

/// The group, if it exists for `viewer`: a private group exists only for its
/// members (and whoever it invited), everyone else gets "not found".
pub async fn find_visible(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> Result<(Loaded, Option<MembershipRow>), ServiceError> {
    let (found, membership) = state
        .db
        .run(move |c| {
            let found = groups::find(c, id)?;
            let membership = match viewer {
                Some(v) if found.is_some() => groups::membership(c, id, v)?,
                _ => None,
            };
            Ok((found, membership))
        })
        .await?;
    let Some((group, account)) = found else {
        return Err(ServiceError::NotFound);
    };
    if account.suspended {
        return Err(ServiceError::NotFound);
    }
    let standing = membership.as_ref().map(|m| m.state);
    if !group.visibility.exists_for(standing) {
        return Err(ServiceError::NotFound);
    }
    Ok((Loaded { group, account }, membership))
}

/// The caller's role if they moderate the group; otherwise 403 (or 404 for a private
/// group they cannot see).
pub async fn as_moderator(
    state: &AppState,
    me: &AccountRow,
    id: i64,
) -> Result<(Loaded, GroupRole), ServiceError> {
    let (loaded, membership) = find_visible(state, Some(me.id), id).await?;
    let role = membership
        .filter(MembershipRow::is_member)
        .map(|m| m.role)
        .filter(|r| r.moderates())
        .ok_or(ServiceError::Forbidden(
            "only the group's facilitators can do this",
        ))?;
    Ok((loaded, role))
}

pub fn entity(
    state: &AppState,
    loaded: &Loaded,
    members_count: i64,
    own: Option<&MembershipRow>,
) -> Group {
    let Loaded { group, account } = loaded;
    Group {
        id: account.id.to_string(),
        acct: account.username.clone(),
        display_name: account.display_name.clone(),
        note: kindred_domain::text::plain_text_to_html(&account.note),
        url: state.urls.profile_page(&account.username).to_string(),
        visibility: group.visibility.as_str().to_owned(),
        rules: group.rules.clone(),
        questions: serde_json::from_str(&group.questions).unwrap_or_default(),
        content_warning: group.content_warning.clone(),
        review_first_posts: group.review_first_posts,
        show_participant_count: group.show_participant_count,
        // A setting of the group's meetings: its facilitators' business only.
        max_per_remote_domain: own
            .filter(|m| m.state == MembershipState::Member)
            .map(|m| m.role)
            .filter(|r| r.moderates())
            .and(group.max_per_remote_domain),
        retention_days: state.instance.retention.effective(group.retention_days),
        members_count,
        created_at: timestamp(account.created_at),
        membership: own.map(|m| OwnMembership {
            state: m.state.as_str().to_owned(),
            role: m.role.as_str().to_owned(),
            muted_until: opt_timestamp(m.muted_until),
        }),
    }
}

pub async fn entities(
    state: &AppState,
    viewer: i64,
    list: Vec<(GroupRow, AccountRow)>,
) -> Result<Vec<Group>, ServiceError> {
    let ids: Vec<i64> = list.iter().map(|(g, _)| g.account_id).collect();
    let (counts, mine) = state
        .db
        .run(move |c| {
            Ok((
                groups::member_counts(c, &ids)?,
                groups::memberships_of(c, viewer, &ids)?,
            ))
        })
        .await?;
    Ok(list
        .into_iter()
        .map(|(group, account)| {
            let n = counts.get(&group.account_id).copied().unwrap_or(0);
            let own = mine.get(&group.account_id);
            entity(state, &Loaded { group, account }, n, own)
        })
        .collect())
}

pub async fn show(state: &AppState, viewer: i64, id: i64) -> Result<Group, ServiceError> {
    let (loaded, own) = find_visible(state, Some(viewer), id).await?;
    let n = state
        .db
        .run(move |c| groups::member_counts(c, &[id]))
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0);
    Ok(entity(state, &loaded, n, own.as_ref()))
}

pub struct NewGroup {
    pub username: String,
    pub display_name: String,
    pub note: String,
    pub rules: String,
    pub questions: Vec<String>,
    pub content_warning: String,
    pub visibility: String,
    pub review_first_posts: i64,
    pub show_participant_count: bool,
    /// Default cap for the group's meetings; `None`: the instance's setting.
    pub max_per_remote_domain: Option<i64>,
    /// Days discussion posts are kept; `None`: the instance's default.
    pub retention_days: Option<i64>,
}

/// Creates a group owned by `me`. Facilitators and admins of the instance create
/// groups; members ask them.
pub async fn create(
    state: &AppState,
    me: &AccountRow,
    new: NewGroup,
) -> Result<Group, ServiceError> {
    // A group's own account (no person role) creates nothing either.
    let role = me.role.person().unwrap_or(Role::Member);
    if role == Role::Member {
        return Err(ServiceError::Forbidden(
            "only facilitators and admins can create groups",
        ));
    }
    let username = Username::parse(&new.username)?;
    if username.is_reserved() {
        return Err(kindred_domain::DomainError::ReservedUsername.into());
    }
    let mut settings = GroupSettings::parse(
        &new.display_name,
        &new.note,
        &new.rules,
        &new.questions,
        &new.content_warning,
        &new.visibility,
        new.review_first_posts,
    )?;
    settings.show_participant_count = new.show_participant_count;
    settings.max_per_remote_domain = new
        .max_per_remote_domain
        .map(GroupSettings::remote_cap)
        .transpose()?;
    let retention = new
        .retention_days
        .map(|d| state.instance.retention.check(d))
        .transpose()?;
    let description = settings.description.clone();
    let _permit = state.limits.expensive_work().await;
    let keys = tokio::task::spawn_blocking(kindred_federation::keys::generate_keypair)
        .await
        .map_err(|_| ServiceError::Internal("key_generation_failed"))?
        .map_err(|_| ServiceError::Internal("key_generation_failed"))?;
    let now = Utc::now();
    let id = state.ids.next_at(now);
    let membership_id = state.ids.next_at(now);
    let now = now.naive_utc();
    let account = NewAccount {
        id,
        username: username.as_str().to_owned(),
        username_lower: username.canonical(),
        domain: String::new(),
        display_name: settings.name.clone(),
        // Plain text, as for every account: entities render it to HTML.
        note: description,
        role: AccountRole::Group,
        public_key_pem: keys.public_key_pem,
        approved: true,
        created_at: now,
        updated_at: now,
    };
    let mut group = group_row(id, &settings, keys.private_key_pem, now, now);
    group.retention_days = retention;
    let owner = MembershipRow {
        id: membership_id,
        group_id: id,
        account_id: me.id,
        role: GroupRole::Owner,
        state: MembershipState::Member,
        answers: "[]".into(),
        approved_posts: 0,
        muted_until: None,
        created_at: now,
        updated_at: now,
    };
    match state
        .db
        .run(move |c| groups::create(c, &account, &group, &owner))
        .await
    {
        Ok(()) => {}
        Err(DbError::Conflict) => return Err(ServiceError::UsernameTaken),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(
        group_id = id,
        visibility = settings.visibility.as_str(),
        "group created"
    );
    show(state, me.id, id).await
}

fn group_row(
    id: i64,
    s: &GroupSettings,
    private_key_pem: String,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> GroupRow {
    GroupRow {
        account_id: id,
        visibility: s.visibility,
        rules: s.rules.clone(),
        questions: serde_json::to_string(&s.questions).unwrap_or_else(|_| "[]".into()),
        content_warning: s.content_warning.clone(),
        review_first_posts: s.review_first_posts,
        private_key_pem,
        created_at,
        updated_at: now,
        show_participant_count: s.show_participant_count,
        max_per_remote_domain: s.max_per_remote_domain.map(i64::from),
        retention_days: None,
    }
}

/// Settings as sent; `None` keeps the current value.
#[derive(Default)]
pub struct GroupChanges {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub rules: Option<String>,
    pub questions: Option<Vec<String>>,
    pub content_warning: Option<String>,
    pub visibility: Option<String>,
    pub review_first_posts: Option<i64>,
    pub show_participant_count: Option<bool>,
    /// `Some(None)`: back to the instance's setting.
    pub max_per_remote_domain: Option<Option<i64>>,
    /// `Some(None)`: back to the instance's default.
    pub retention_days: Option<Option<i64>>,
}

pub async fn update(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    ch: GroupChanges,
) -> Result<Group, ServiceError> {
    let (loaded, _) = as_moderator(state, me, id).await?;
    let Loaded { group, account } = loaded;
    let current_questions: Vec<String> = serde_json::from_str(&group.questions).unwrap_or_default();
    let mut settings = GroupSettings::parse(
        ch.display_name.as_deref().unwrap_or(&account.display_name),
        ch.note.as_deref().unwrap_or(&account.note),
        ch.rules.as_deref().unwrap_or(&group.rules),
        ch.questions.as_deref().unwrap_or(&current_questions),
        ch.content_warning
            .as_deref()
            .unwrap_or(&group.content_warning),
        ch.visibility
            .as_deref()
            .unwrap_or(group.visibility.as_str()),
        ch.review_first_posts.unwrap_or(group.review_first_posts),
    )?;
    settings.show_participant_count = ch
        .show_participant_count
        .unwrap_or(group.show_participant_count);
    settings.max_per_remote_domain = ch
        .max_per_remote_domain
        .unwrap_or(group.max_per_remote_domain)
        .map(GroupSettings::remote_cap)
        .transpose()?;
    let retention = ch
        .retention_days
        .unwrap_or(group.retention_days)
        .map(|d| state.instance.retention.check(d))
        .transpose()?;
    let now = Utc::now().naive_utc();
    let mut row = group_row(
        id,
        &settings,
        group.private_key_pem.clone(),
        group.created_at,
        now,
    );
    row.retention_days = retention;
    let note = settings.description.clone();
    let name = settings.name.clone();
    let was_private = group.is_private();
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                groups::update(c, &row, &name, &note)?;
                let account =
                    kindred_db::models::accounts::find(c, id)?.ok_or(DbError::NotFound)?;
                if row.is_private() {
                    // Turning private: nothing about the group federates any more,
                    // and what it distributed is taken back (before its followers,
                    // the audience, go).
                    if !was_private {
                        outbox.group_withdrawn(c, &account)?;
                    }
                    followers::sever_all(c, &outbox, &account)?;
                } else {
                    outbox.group_updated(c, &account, &row)?;
                }
                Ok(())
            })
        })
        .await?;
    state.delivery.wake();
    tracing::info!(group_id = id, "group settings changed");
    show(state, me.id, id).await
}

/// Closes a group for good (its owner only): remote followers receive the group's
/// `Delete`, memberships and follows go, and the group no longer exists for anyone.
pub async fn delete(state: &AppState, me: &AccountRow, id: i64) -> Result<(), ServiceError> {
    let (loaded, role) = as_moderator(state, me, id).await?;
    if role != GroupRole::Owner {
        return Err(ServiceError::Forbidden(
            "only the owner can delete the group",
        ));
    }
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let account = loaded.account;
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if !loaded.group.is_private() {
                    // What it distributed is taken back first, then the group goes.
                    outbox.group_withdrawn(c, &account)?;
                    outbox.group_deleted(c, &account)?;
                }
                groups::close(c, id, now.naive_utc())
            })
        })
        .await?;
    state.delivery.wake();
    tracing::info!(group_id = id, "group deleted");
    Ok(())
}

/// Asks to join (or accepts an invitation): a member at once in a public group, a
/// request with answers in a closed one. Returns the caller's new standing.
pub async fn join(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    answers: Vec<String>,
) -> Result<Group, ServiceError> {
    if !me.is_local() || me.role.is_group() {
        return Err(ServiceError::Forbidden(
            "only members of this instance can join",
        ));
    }
    let (loaded, current) = find_visible(state, Some(me.id), id).await?;
    let visibility = loaded.group.visibility;
    // As following an account one blocks: refused until the block is lifted.
    let asker = me.clone();
    let closed = visibility == GroupVisibility::Closed;
    if state
        .db
        .run(move |c| membership::refused(c, &asker, GroupId::new(id), closed))
        .await?
    {
        return Err(ServiceError::Forbidden("This action is not allowed"));
    }
    let current_state = current.as_ref().map(|m| m.state);
    let Some(next) = visibility.on_join_request(current_state) else {
        return Err(match current_state {
            Some(MembershipState::Banned) => {
                ServiceError::Forbidden("you can no longer join this group")
            }
            _ => ServiceError::NotFound,
        });
    };
    let questions: Vec<String> = serde_json::from_str(&loaded.group.questions).unwrap_or_default();
    let answers = parse_answers(&questions, &answers)?;
    if current_state == Some(next) {
        return show(state, me.id, id).await;
    }
    let now_utc = Utc::now();
    let mid = state.ids.next_at(now_utc);
    let ids = state.ids.clone();
    let now = now_utc.naive_utc();
    let me_id = me.id;
    let answers = serde_json::to_string(&answers).unwrap_or_else(|_| "[]".into());
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                match &current {
                    Some(m) => groups::set_membership(c, m.id, next, m.role, now)?,
                    None => groups::insert_membership(
                        c,
                        &MembershipRow {
                            id: mid,
                            group_id: id,
                            account_id: me_id,
                            role: GroupRole::Member,
                            state: next,
                            answers,
                            approved_posts: 0,
                            muted_until: None,
                            created_at: now,
                            updated_at: now,
                        },
                    )?,
                }
                if next != MembershipState::Requested {
                    return Ok(Vec::new());
                }
                membership::requested(c, &ids, GroupId::new(id), AccountId::new(me_id), now_utc)
            })
        })
        .await?;
    state.streaming.notifications(&stored);
    tracing::info!(group_id = id, state = next.as_str(), "group join");
    show(state, me.id, id).await
}

/// Leaves a group (or withdraws a request, or declines an invitation). A ban stays.
pub async fn leave(state: &AppState, me: &AccountRow, id: i64) -> Result<(), ServiceError> {
    let me_id = me.id;
    let current = state
        .db
        .run(move |c| groups::membership(c, id, me_id))
        .await?
        .filter(|m| m.state != MembershipState::Banned)
        .ok_or(ServiceError::NotFound)?;
    if current.role == GroupRole::Owner {
        return Err(ServiceError::Unprocessable(
            "the owner cannot leave: make another facilitator the owner first",
        ));
    }
    state
        .db
        .run(move |c| atomically(c, |c| membership::leave(c, &current)))
        .await?;
    tracing::info!(group_id = id, "group left");
    Ok(())
}

/// Memberships in one state, for facilitators only.
pub async fn memberships(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    which: MembershipState,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(MembershipRow, AccountRow)>, ServiceError> {
    as_moderator(state, me, id).await?;
    Ok(state
        .db
        .run(move |c| groups::memberships(c, id, which, after, limit))
        .await?)
}

/// What a facilitator does to one account's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Invite,
    Remove,
    Ban,
    Unban,
    Mute(Option<i64>),
    Unmute,
    Promote,
    Demote,
    TransferOwnership,
}

pub async fn act(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    target: i64,
    action: Action,
) -> Result<(), ServiceError> {
    let (loaded, my_role) = as_moderator(state, me, id).await?;
    if target == me.id {
        return Err(ServiceError::Unprocessable(
            "facilitators cannot do this to themselves",
        ));
    }
    let (current, target_row, blocks_group) = state
        .db
        .run(move |c| {
            Ok((
                groups::membership(c, id, target)?,
                kindred_db::models::accounts::find(c, target)?,
                blocking::blocks_group(c, target, id)?,
            ))
        })
        .await?;
    let Some(target_row) = target_row.filter(|a| !a.role.is_group()) else {
        return Err(ServiceError::NotFound);
    };
    if !target_row.is_local() {
        // A remote follower of the group's announcements, never a member.
        return followers::act(state, &loaded, target_row, action).await;
    }
    let current_state = current.as_ref().map(|m| m.state);
    let target_role = current.as_ref().map_or(GroupRole::Member, |m| m.role);
    if !may_moderate(my_role, target_role) {
        return Err(ServiceError::Forbidden(
            "only the owner can act on a facilitator",
        ));
    }
    use MembershipState as S;
    let owner_only = matches!(
        action,
        Action::Promote | Action::Demote | Action::TransferOwnership
    );
    if owner_only && my_role != GroupRole::Owner {
        return Err(ServiceError::Forbidden("only the owner can change roles"));
    }
    let now = Utc::now().naive_utc();
    // (new state, new role) or removal, from the current standing.
    enum Change {
        Set(S, GroupRole),
        Delete,
        Mute(Option<NaiveDateTime>),
        Transfer,
        /// Answered as done, nothing written.
        Unchanged,
    }
    let change = match (action, current_state) {
        (Action::Approve, Some(S::Requested)) => Change::Set(S::Member, GroupRole::Member),
        (Action::Reject, Some(S::Requested)) => Change::Delete,
        // Someone who blocked the group never hears of it; the facilitator is
        // answered as for anyone (and inviting twice is no error for anyone).
        (Action::Invite, None) if !invitation_reaches(blocks_group) => Change::Unchanged,
        (Action::Invite, Some(S::Invited)) => Change::Unchanged,
        (Action::Invite, None) => Change::Set(S::Invited, GroupRole::Member),
        (Action::Invite, Some(S::Requested)) => Change::Set(S::Member, GroupRole::Member),
        (Action::Remove, Some(S::Member | S::Invited)) => Change::Delete,
        // Not in the group (never invited, or blocks it so the invitation was never
        // stored): answered as a removal, so the answer never tells who blocked it.
        (Action::Remove, None) => Change::Unchanged,
        (Action::Ban, Some(S::Member | S::Requested | S::Invited) | None) => {
            Change::Set(S::Banned, GroupRole::Member)
        }
        (Action::Unban, Some(S::Banned)) => Change::Delete,
        (Action::Mute(secs), Some(S::Member)) => Change::Mute(Some(match secs {
            Some(s) if s > 0 => now + Duration::seconds(s.min(366 * 24 * 3600)),
            // Without a duration, until a facilitator lifts it.
            _ => now + Duration::days(365 * 100),
        })),
        (Action::Unmute, Some(S::Member)) => Change::Mute(None),
        (Action::Promote, Some(S::Member)) => Change::Set(S::Member, GroupRole::Facilitator),
        (Action::Demote, Some(S::Member)) => Change::Set(S::Member, GroupRole::Member),
        (Action::TransferOwnership, Some(S::Member)) => Change::Transfer,
        _ => {
            return Err(ServiceError::Unprocessable(
                "this action does not apply to the account's current standing",
            ))
        }
    };
    if matches!(change, Change::Unchanged) {
        return Ok(());
    }
    let mid = state.ids.next_at(Utc::now());
    let me_id = me.id;
    // A ban or mute is recorded against the open reports about the member that
    // reach this group, so moderators see what facilitators did.
    let recorded = match action {
        Action::Ban => Some(ReportAction::Ban),
        Action::Mute(_) => Some(ReportAction::Mute),
        _ => None,
    };
    let ids = state.ids.clone();
    state
        .db
        .run(move |c| {
            atomically(c, |c| {
                if let Some(kind) = recorded {
                    kindred_core::reports::record_group_action(
                        c, &ids, id, me_id, target, None, kind, now,
                    )?;
                }
                match (change, &current) {
                    (Change::Set(s, r), Some(m)) => groups::set_membership(c, m.id, s, r, now)?,
                    (Change::Set(s, r), None) => groups::insert_membership(
                        c,
                        &MembershipRow {
                            id: mid,
                            group_id: id,
                            account_id: target,
                            role: r,
                            state: s,
                            answers: "[]".into(),
                            approved_posts: 0,
                            muted_until: None,
                            created_at: now,
                            updated_at: now,
                        },
                    )?,
                    (Change::Delete, Some(m)) => groups::delete_membership(c, m.id)?,
                    (Change::Mute(until), Some(m)) => groups::set_muted_until(c, m.id, until, now)?,
                    (Change::Transfer, Some(m)) => {
                        groups::set_membership(
                            c,
                            m.id,
                            MembershipState::Member,
                            GroupRole::Owner,
                            now,
                        )?;
                        let mine = groups::membership(c, id, me_id)?.ok_or(DbError::NotFound)?;
                        groups::set_membership(
                            c,
                            mine.id,
                            MembershipState::Member,
                            GroupRole::Facilitator,
                            now,
                        )?;
                    }
                    _ => return Err(DbError::NotFound),
                }
                if current.as_ref().map(|m| m.state) == Some(S::Requested) {
                    // Every change here answers the request (approved, rejected,
                    // banned): the facilitators' notice has done its work.
                    membership::withdrawn(
                        c,
                        GroupId::of_account(AccountId::new(id)),
                        AccountId::new(target),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    tracing::info!(group_id = id, action = ?action, "group membership changed");
    Ok(())
}

/// A post in the group a facilitator acts on: approve from review, remove, pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    Approve,
    Remove,
    Pin,
    Unpin,
}

pub async fn act_on_post(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    status_id: i64,
    action: PostAction,
) -> Result<Option<StatusRow>, ServiceError> {
    as_moderator(state, me, id).await?;
    let now = Utc::now();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let now = now.naive_utc();
    let ids = state.ids.clone();
    let me_id = me.id;
    let row = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let placed = groups::posts_of(c, &[status_id])?
                    .remove(&status_id)
                    .filter(|p| p.group_id == id)
                    .ok_or(DbError::NotFound)?;
                let status = repo::find(c, status_id)?.ok_or(DbError::NotFound)?;
                match action {
                    PostAction::Approve => {
                        if !groups::release_post(c, status_id)? {
                            return Err(DbError::NotFound);
                        }
                        groups::count_approved_post(c, id, placed.account_id)?;
                    }
                    PostAction::Remove => {
                        let author = kindred_db::models::accounts::find(c, status.account_id)?
                            .ok_or(DbError::NotFound)?;
                        // A public announcement that left is withdrawn where it went.
                        outbox.deleted(c, &author, &status)?;
                        repo::delete(c, status_id)?;
                        // Recorded against the open reports that name the post.
                        kindred_core::reports::record_group_action(
                            c,
                            &ids,
                            id,
                            me_id,
                            status.account_id,
                            Some(status_id),
                            ReportAction::RemovePost,
                            now,
                        )?;
                    }
                    PostAction::Pin | PostAction::Unpin => {
                        if !placed.is_announcement() {
                            return Err(DbError::Conflict);
                        }
                        let at = (action == PostAction::Pin).then_some(now);
                        groups::set_pinned(c, status_id, at)?;
                    }
                }
                Ok(status)
            })
        })
        .await
        .map_err(|e| match e {
            DbError::Conflict => ServiceError::Unprocessable("only announcements can be pinned"),
            other => other.into(),
        })?;
    state.delivery.wake();
    tracing::info!(group_id = id, status_id, action = ?action, "group post moderated");
    Ok(Some(row))
}

/// A page of the group directory for `viewer`: listed groups and their own
/// (`member_only`: only their own).
pub async fn directory(
    state: &AppState,
    viewer: i64,
    member_only: bool,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(GroupRow, AccountRow)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| groups::directory(c, viewer, member_only, max_id, limit))
        .await?)
}
