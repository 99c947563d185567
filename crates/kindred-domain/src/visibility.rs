//! Who may see a status. One function answers it for single look-ups; the timeline
//! queries in `kindred-db` are its SQL form, and the API tests assert both.

use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// Mastodon's four audiences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Unlisted,
    /// Followers only.
    Private,
    /// Mentioned accounts only.
    Direct,
    /// Members of the status's group only (a group discussion post). Never chosen by a
    /// client: `kindred_domain::groups::place_post` sets it, and it never federates.
    Group,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Private => "private",
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    /// What Mastodon clients are shown: they know four audiences, and a group post is
    /// closest to followers-only (a limited audience, shown with a lock).
    pub fn as_client_str(self) -> &'static str {
        match self {
            Self::Group => "private",
            other => other.as_str(),
        }
    }

    /// Boosting is allowed for public and unlisted statuses only, as in Mastodon.
    pub fn can_reblog(self) -> bool {
        matches!(self, Self::Public | Self::Unlisted)
    }

    /// A reply is never more public than what it answers.
    pub fn at_most(self, parent: Visibility) -> Visibility {
        if self.rank() < parent.rank() {
            parent
        } else {
            self
        }
    }

    fn rank(self) -> u8 {
        match self {
            Self::Public => 0,
            Self::Unlisted => 1,
            Self::Private => 2,
            Self::Group => 3,
            Self::Direct => 4,
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "public" => Ok(Self::Public),
            "unlisted" => Ok(Self::Unlisted),
            "private" => Ok(Self::Private),
            "direct" => Ok(Self::Direct),
            "group" => Ok(Self::Group),
            _ => Err(DomainError::InvalidVisibility),
        }
    }
}

/// The audience a client asked for: Mastodon's four plus `local` (public to members
/// of this instance, never federated), which some apps send as a visibility and
/// others as the `local_only` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    pub visibility: Visibility,
    pub local_only: bool,
}

impl Audience {
    pub fn parse(visibility: &str, local_only: bool) -> Result<Self, DomainError> {
        if visibility == "local" {
            return Ok(Self {
                visibility: Visibility::Public,
                local_only: true,
            });
        }
        let visibility: Visibility = visibility.parse()?;
        // Only the group rule places a status in a group.
        if visibility == Visibility::Group {
            return Err(DomainError::InvalidVisibility);
        }
        Ok(Self {
            visibility,
            local_only,
        })
    }

    /// Whether the status may leave this instance at all (invariant: local-only and
    /// direct statuses never federate).
    pub fn federates(self) -> bool {
        !self.local_only && !matches!(self.visibility, Visibility::Direct | Visibility::Group)
    }
}

/// Facts about a status needed to decide who sees it.
#[derive(Debug, Clone, Copy)]
pub struct StatusFacts {
    pub author_id: i64,
    pub visibility: Visibility,
    pub local_only: bool,
    /// Author approved and not suspended.
    pub author_active: bool,
    /// A group post waiting for a facilitator's review: its author and the group's
    /// facilitators see it, nobody else.
    pub held: bool,
}

/// What the viewer is to the group a status was posted in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GroupAccess {
    /// Not a member (or not a group post).
    #[default]
    None,
    Member,
    /// Facilitator or owner: also sees held posts.
    Moderator,
}

/// Facts about the viewer relative to the status and its author.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewerFacts {
    /// None for an anonymous request.
    pub id: Option<i64>,
    /// A member of this instance (local-only statuses are for them).
    pub local_member: bool,
    pub follows_author: bool,
    pub mentioned: bool,
    /// The viewer's standing in the status's group, for group posts.
    pub group: GroupAccess,
    /// Either of the two blocked the other.
    pub blocked_either_way: bool,
}

pub fn may_see(s: &StatusFacts, v: &ViewerFacts) -> bool {
    if v.id == Some(s.author_id) {
        return true;
    }
    if !s.author_active || v.blocked_either_way {
        return false;
    }
    if s.local_only && !v.local_member {
        return false;
    }
    if s.held && v.group != GroupAccess::Moderator {
        return false;
    }
    match s.visibility {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Private => v.id.is_some() && (v.follows_author || v.mentioned),
        Visibility::Direct => v.id.is_some() && v.mentioned,
        // Membership, not a mention or a follow, opens a group post.
        Visibility::Group => v.id.is_some() && v.group != GroupAccess::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(visibility: Visibility, local_only: bool) -> StatusFacts {
        StatusFacts {
            author_id: 1,
            visibility,
            local_only,
            author_active: true,
            held: false,
        }
    }

    fn member(id: i64) -> ViewerFacts {
        ViewerFacts {
            id: Some(id),
            local_member: true,
            ..ViewerFacts::default()
        }
    }

    #[test]
    fn group_posts_need_membership_not_a_mention_or_follow() {
        let s = status(Visibility::Group, true);
        let outsider = ViewerFacts {
            follows_author: true,
            mentioned: true,
            ..member(2)
        };
        assert!(!may_see(&s, &outsider));
        assert!(!may_see(&s, &ViewerFacts::default()));
        let m = ViewerFacts {
            group: GroupAccess::Member,
            ..member(2)
        };
        assert!(may_see(&s, &m));
        // A remote account can never be a member of the discussion.
        assert!(!may_see(
            &s,
            &ViewerFacts {
                local_member: false,
                ..m
            }
        ));
    }

    #[test]
    fn held_posts_show_to_author_and_moderators_only() {
        let s = StatusFacts {
            held: true,
            ..status(Visibility::Group, true)
        };
        assert!(may_see(&s, &member(1)));
        assert!(!may_see(
            &s,
            &ViewerFacts {
                group: GroupAccess::Member,
                ..member(2)
            }
        ));
        assert!(may_see(
            &s,
            &ViewerFacts {
                group: GroupAccess::Moderator,
                ..member(2)
            }
        ));
    }

    #[test]
    fn clients_cannot_choose_the_group_audience() {
        assert!(Audience::parse("group", false).is_err());
        assert_eq!(Visibility::Group.as_client_str(), "private");
        assert!(!Visibility::Group.can_reblog());
    }

    #[test]
    fn author_always_sees_own_status() {
        for v in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Private,
            Visibility::Direct,
            Visibility::Group,
        ] {
            assert!(may_see(&status(v, true), &member(1)));
        }
    }

    #[test]
    fn private_needs_follow_or_mention() {
        let s = status(Visibility::Private, false);
        assert!(!may_see(&s, &member(2)));
        assert!(!may_see(&s, &ViewerFacts::default()));
        assert!(may_see(
            &s,
            &ViewerFacts {
                follows_author: true,
                ..member(2)
            }
        ));
        assert!(may_see(
            &s,
            &ViewerFacts {
                mentioned: true,
                ..member(2)
            }
        ));
    }

    #[test]
    fn direct_needs_mention_even_for_followers() {
        let s = status(Visibility::Direct, false);
        assert!(!may_see(
            &s,
            &ViewerFacts {
                follows_author: true,
                ..member(2)
            }
        ));
        assert!(may_see(
            &s,
            &ViewerFacts {
                mentioned: true,
                ..member(2)
            }
        ));
    }

    #[test]
    fn local_only_hidden_from_anonymous_and_remote() {
        let s = status(Visibility::Public, true);
        assert!(!may_see(&s, &ViewerFacts::default()));
        assert!(!may_see(
            &s,
            &ViewerFacts {
                id: Some(3),
                ..ViewerFacts::default()
            }
        ));
        assert!(may_see(&s, &member(2)));
    }

    #[test]
    fn blocks_and_suspension_hide_everything() {
        let s = status(Visibility::Public, false);
        assert!(!may_see(
            &s,
            &ViewerFacts {
                blocked_either_way: true,
                ..member(2)
            }
        ));
        let mut gone = s;
        gone.author_active = false;
        assert!(!may_see(&gone, &member(2)));
    }

    #[test]
    fn audiences_parse_and_federation() {
        let local = Audience::parse("local", false).unwrap();
        assert_eq!(local.visibility, Visibility::Public);
        assert!(local.local_only && !local.federates());
        assert!(!Audience::parse("direct", false).unwrap().federates());
        assert!(Audience::parse("unlisted", false).unwrap().federates());
        assert!(!Audience::parse("public", true).unwrap().federates());
        assert!(Audience::parse("friends", false).is_err());
        assert_eq!(
            Visibility::Public.at_most(Visibility::Private),
            Visibility::Private
        );
    }
}
