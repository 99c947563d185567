//! Where a new status lands: `kindred_domain::groups::place_post` with the facts it
//! needs loaded, and the group-post row written with the status.

use chrono::Utc;
use kindred_db::models::groups::{self, GroupPostRow};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::groups::{place_post, Placement, PostKind, PostRequest, Standing};
use kindred_domain::{Audience, GroupId, Visibility};

use crate::CoreError;

/// A decided placement and what the status takes from its group.
#[derive(Debug, Clone)]
pub struct Placed {
    pub placement: Placement,
    pub content_warning: String,
    /// Counts toward the author's first-posts window at once (not held).
    pub counts: bool,
}

/// Decides whether the status `author` is writing goes into a group. `mentioned` are
/// the accounts its text mentions; `reply_group` the group of the post it answers.
pub fn place(
    c: &mut AnyConnection,
    author: &AccountRow,
    mentioned: &[AccountRow],
    reply_group: Option<GroupId>,
    audience: Audience,
) -> Result<Option<Placed>, CoreError> {
    // Storage and the domain's rule take the groups as numbers.
    let reply_group = reply_group.map(GroupId::get);
    let mentioned_groups: Vec<i64> = mentioned
        .iter()
        .filter(|a| a.role.is_group() && a.is_local())
        .map(|a| a.id)
        .collect();
    if mentioned_groups.is_empty() && reply_group.is_none() {
        return Ok(None);
    }
    let people: Vec<i64> = mentioned
        .iter()
        .filter(|a| !a.role.is_group() && a.id != author.id)
        .map(|a| a.id)
        .collect();
    let target = reply_group.or_else(|| mentioned_groups.first().copied());
    let facts = match target {
        Some(group_id) => match groups::find(c, group_id)? {
            Some((group, _)) => {
                let membership = groups::membership(c, group_id, author.id)?;
                let members = groups::are_members(c, group_id, &people)?;
                Some((group, membership, people.len() == members.len()))
            }
            None => None,
        },
        None => None,
    };
    let now = Utc::now().naive_utc();
    let group_facts = facts.as_ref().map(|(group, membership, _)| {
        let standing = membership.as_ref().map(|m| Standing {
            state: m.state,
            role: m.role,
            approved_posts: m.approved_posts,
            muted: m.muted_at(now),
        });
        (group.account_id, standing, group.review_first_posts)
    });
    let req = PostRequest {
        mentioned_groups: &mentioned_groups,
        reply_group,
        requested: audience.visibility,
        local_only: audience.local_only,
        mentions_only_members: facts.as_ref().is_none_or(|(_, _, only)| *only),
    };
    let mut placement = place_post(&req, group_facts).map_err(CoreError::PostRefused)?;
    let Some((group, membership, _)) = facts else {
        return Ok(None);
    };
    let Some(mut p) = placement.take() else {
        return Ok(None);
    };
    // Nothing about a private group leaves the instance or reaches non-members:
    // its announcements are for members too.
    if group.is_private() && p.kind == PostKind::Announcement {
        p.visibility = Visibility::Group;
        p.local_only = true;
    }
    let moderates = membership.as_ref().is_some_and(|m| m.role.moderates());
    Ok(Some(Placed {
        counts: !p.held && !moderates,
        placement: p,
        content_warning: group.content_warning,
    }))
}

/// Writes the group-post row in the status's transaction.
pub fn record(c: &mut AnyConnection, row: &StatusRow, placed: &Placed) -> Result<(), DbError> {
    groups::insert_post(
        c,
        &GroupPostRow {
            status_id: row.id,
            group_id: placed.placement.group_id,
            account_id: row.account_id,
            kind: placed.placement.kind,
            held: placed.placement.held,
            pinned_at: None,
            created_at: row.created_at,
        },
    )?;
    if placed.counts {
        groups::count_approved_post(c, placed.placement.group_id, row.account_id)?;
    }
    Ok(())
}
