//! Who is asking: the facts about the requesting account that every visibility
//! decision needs, loaded once per request.

use std::collections::HashSet;

use chrono::Utc;
use kindred_db::models::social;
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::visibility::{may_see, StatusFacts, ViewerFacts};
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
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self {
            account: None,
            following: HashSet::new(),
            blocked: HashSet::new(),
            hidden: Vec::new(),
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
        let (following, shunned) = state
            .db
            .run(move |c| Ok((social::following_ids(c, id)?, social::shunned(c, id, now)?)))
            .await?;
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
        })
    }

    pub fn id(&self) -> Option<i64> {
        self.account.as_ref().map(|a| a.id)
    }

    pub fn is_local_member(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_local())
    }

    /// Whether the viewer may see this status, given who it mentions.
    pub fn may_see(&self, status: &StatusRow, author: &AccountRow, mentioned: &[i64]) -> bool {
        let facts = StatusFacts {
            author_id: status.account_id,
            visibility: status.visibility.parse().unwrap_or(Visibility::Direct),
            local_only: status.local_only,
            author_active: author.is_active(),
        };
        let viewer = ViewerFacts {
            id: self.id(),
            local_member: self.is_local_member(),
            follows_author: self.following.contains(&status.account_id),
            mentioned: self.id().is_some_and(|v| mentioned.contains(&v)),
            blocked_either_way: self.blocked.contains(&status.account_id),
        };
        may_see(&facts, &viewer)
    }
}
