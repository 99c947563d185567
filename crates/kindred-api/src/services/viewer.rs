//! Who is asking: the facts about the requesting account that every visibility
//! decision needs, loaded once per request.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use kindred_db::models::groups::{self, GroupPostRow};
use kindred_db::models::social;
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::groups::GroupRole;
use kindred_domain::visibility::{may_see, GroupAccess, StatusFacts, ViewerFacts};
use kindred_domain::Visibility;

use super::ServiceError;
use crate::AppState;

pub struct Viewer {
    pub account: Option<AccountRow>,
    /// Accounts the viewer follows.
    pub following: HashSet<i64>,
    /// Blocked by or blocking the viewer: never shown either way.
    pub blocked: HashSet<i64>,
    /// Blocked, blocking or muted: left out of timelines and notifications.
    pub hidden: Vec<i64>,
    /// Groups the viewer is a member of, with the viewer's role in each.
    pub groups: HashMap<i64, GroupRole>,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self {
            account: None,
            following: HashSet::new(),
            blocked: HashSet::new(),
            hidden: Vec::new(),
            groups: HashMap::new(),
        }
    }

    pub async fn load(
        state: &AppState,
        account: Option<&AccountRow>,
    ) -> Result<Self, ServiceError> {
        let Some(account) = account.cloned() else {
            return Ok(Self::anonymous());
        };
        let id = account.id;
        let now = Utc::now().naive_utc();
        let (following, shunned, member_of) = state
            .db
            .run(move |c| {
                Ok((
                    social::following_ids(c, id)?,
                    social::shunned(c, id, now)?,
                    groups::member_of(c, id)?,
                ))
            })
            .await?;
        let groups = member_of.into_iter().collect();
        let blocked: HashSet<i64> = shunned.blocked_either_way.iter().copied().collect();
        let mut hidden = shunned.blocked_either_way;
        hidden.extend(shunned.muted);
        hidden.sort_unstable();
        hidden.dedup();
        let following: HashSet<i64> = following.into_iter().collect();
        Ok(Self {
            account: Some(account),
            following,
            blocked,
            hidden,
            groups,
        })
    }

    pub fn id(&self) -> Option<i64> {
        self.account.as_ref().map(|a| a.id)
    }

    pub fn is_local_member(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_local())
    }

    /// The viewer's standing in a group, as the visibility rule needs it.
    pub fn group_access(&self, group_id: i64) -> GroupAccess {
        match self.groups.get(&group_id) {
            Some(role) if role.moderates() => GroupAccess::Moderator,
            Some(_) => GroupAccess::Member,
            None => GroupAccess::None,
        }
    }

    /// Whether the viewer may see this status, given who it mentions and, for a
    /// group post, where it was posted.
    pub fn may_see(
        &self,
        status: &StatusRow,
        author: &AccountRow,
        mentioned: &[i64],
        placed: Option<&GroupPostRow>,
    ) -> bool {
        let visibility = status.visibility;
        // A group-only status whose placement is unknown is seen by its author only.
        if visibility == Visibility::Group && placed.is_none() && self.id() != Some(author.id) {
            return false;
        }
        let facts = StatusFacts {
            author_id: status.account_id,
            visibility,
            local_only: status.local_only,
            author_active: author.is_active(),
            held: placed.is_some_and(|p| p.held),
        };
        let viewer = ViewerFacts {
            id: self.id(),
            local_member: self.is_local_member(),
            follows_author: self.following.contains(&status.account_id),
            mentioned: self.id().is_some_and(|v| mentioned.contains(&v)),
            group: placed.map_or(GroupAccess::None, |p| self.group_access(p.group_id)),
            // A post in a group the viewer blocked is hidden as the group's own.
            blocked_either_way: self.blocked.contains(&status.account_id)
                || placed.is_some_and(|p| self.blocked.contains(&p.group_id)),
        };
        may_see(&facts, &viewer)
    }
}

/// Of `ids`, the accounts that exist for `viewer`: active, and not a private group
/// the viewer is not in (`GroupVisibility::exists_for`) unless they block or mute it
/// (so they can lift that). What `GET /api/v1/accounts/relationships` answers for.
pub fn existing_for(
    conn: &mut kindred_db::AnyConnection,
    viewer: i64,
    ids: &[i64],
) -> Result<Vec<i64>, kindred_db::DbError> {
    let found: Vec<i64> = kindred_db::models::social::find_accounts(conn, ids)?
        .into_iter()
        .filter(|a| a.is_active())
        .map(|a| a.id)
        .collect();
    let hidden = kindred_db::models::groups::hidden_unless_shunned(
        conn,
        viewer,
        &found,
        chrono::Utc::now().naive_utc(),
    )?;
    Ok(found
        .into_iter()
        .filter(|id| !hidden.contains(id))
        .collect())
}
