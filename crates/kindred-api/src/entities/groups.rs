//! Entities of the groups extension API (`/api/v1/groups`), documented in
//! docs/api/groups.md. A group is also a Mastodon Account with `"group": true`; these
//! add what Mastodon has no field for. Membership details appear only in answers to
//! the group's facilitators (invariant 3).

use serde::Serialize;

use super::status::timestamp;
use super::Account;

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    /// The account handle (`acct`), used to mention the group.
    pub acct: String,
    pub display_name: String,
    pub note: String,
    pub url: String,
    /// public | closed | private
    pub visibility: String,
    pub rules: String,
    pub questions: Vec<String>,
    pub content_warning: String,
    pub review_first_posts: i64,
    /// Whether everyone who sees the group's meetings sees their attendee counts.
    pub show_participant_count: bool,
    /// Default for the group's meetings: the most places people answering through
    /// any one other server may hold; `null`: the instance's setting.
    pub max_per_remote_domain: Option<i64>,
    /// How many days its discussion posts are kept (its own setting, else the
    /// instance's default, at most the instance's maximum); `null`: until deleted.
    pub retention_days: Option<i64>,
    /// Members in good standing: the only membership figure outsiders see.
    pub members_count: i64,
    pub created_at: String,
    /// The caller's own standing in the group.
    pub membership: Option<OwnMembership>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnMembership {
    /// requested | member | banned | invited
    pub state: String,
    /// owner | facilitator | member
    pub role: String,
    pub muted_until: Option<String>,
}

/// A membership as a group's facilitators see it.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub id: String,
    pub account: Account,
    pub state: String,
    pub role: String,
    /// Answers to the join questions, for a request.
    pub answers: Vec<String>,
    pub approved_posts: i64,
    pub muted_until: Option<String>,
    pub created_at: String,
}

pub fn opt_timestamp(t: Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(timestamp)
}
