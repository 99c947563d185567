//! Peer-support groups: who may join, who may do what, and where a post lands.
//! Discussion posts stay with the group's members (invariant 1); membership is seen
//! by facilitators only (invariant 3). The storage and the API follow these rules;
//! nothing here does IO.

use std::fmt;

use crate::{DomainError, Visibility};

/// Who can find and join a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupVisibility {
    /// Listed; anyone on the instance joins at once.
    Public,
    /// Listed; joining needs a facilitator's approval.
    Closed,
    /// Not listed nor discoverable, by invitation only; nothing about it federates.
    Private,
}

impl GroupVisibility {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "public" => Ok(Self::Public),
            "closed" => Ok(Self::Closed),
            "private" => Ok(Self::Private),
            _ => Err(DomainError::InvalidGroup(
                "visibility must be public, closed or private",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Closed => "closed",
            Self::Private => "private",
        }
    }

    /// Whether the group is listed, found by search and known outside its members.
    pub fn is_listed(self) -> bool {
        self != Self::Private
    }

    /// Whether the group's card and public announcements may leave the instance.
    pub fn federates(self) -> bool {
        self != Self::Private
    }

    /// Whether the group exists for an account in this state (`None`: no
    /// membership, or nobody signed in). A private group exists only for its members
    /// and whoever it invited; for anyone else it answers exactly as a name that was
    /// never taken — in look-ups, and in mentions of it.
    pub fn exists_for(self, state: Option<MembershipState>) -> bool {
        self != Self::Private
            || matches!(
                state,
                Some(MembershipState::Member | MembershipState::Invited)
            )
    }

    /// What asking to join does, given the asker's current state: `None` when it is
    /// refused (banned, or a private group without an invitation). An invitation is
    /// accepted by joining, whatever the visibility.
    pub fn on_join_request(self, current: Option<MembershipState>) -> Option<MembershipState> {
        match (current, self) {
            (Some(MembershipState::Banned), _) => None,
            (Some(MembershipState::Member), _) => Some(MembershipState::Member),
            (Some(MembershipState::Invited), _) => Some(MembershipState::Member),
            (_, Self::Public) => Some(MembershipState::Member),
            (_, Self::Closed) => Some(MembershipState::Requested),
            (_, Self::Private) => None,
        }
    }
}

impl fmt::Display for GroupVisibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's role in one group (not the instance role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupRole {
    Member,
    Facilitator,
    Owner,
}

impl GroupRole {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "member" => Ok(Self::Member),
            "facilitator" => Ok(Self::Facilitator),
            "owner" => Ok(Self::Owner),
            _ => Err(DomainError::InvalidGroup(
                "role must be member, facilitator or owner",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Facilitator => "facilitator",
            Self::Owner => "owner",
        }
    }

    /// Facilitators and owners moderate: approve joins, review and remove posts,
    /// ban, pin and announce.
    pub fn moderates(self) -> bool {
        self >= Self::Facilitator
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipState {
    /// Asked to join a closed group (with answers); not yet a member.
    Requested,
    Member,
    /// Removed and kept out: may not ask again, sees nothing of the group.
    Banned,
    /// Invited by a facilitator; becomes a member only by accepting (joining).
    Invited,
}

impl MembershipState {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "requested" => Ok(Self::Requested),
            "member" => Ok(Self::Member),
            "banned" => Ok(Self::Banned),
            "invited" => Ok(Self::Invited),
            _ => Err(DomainError::InvalidGroup(
                "state must be requested, member, banned or invited",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Member => "member",
            Self::Banned => "banned",
            Self::Invited => "invited",
        }
    }
}

/// The two kinds of group post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// Members only; never federates.
    Discussion,
    /// Written by a facilitator; public ones federate.
    Announcement,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discussion => "discussion",
            Self::Announcement => "announcement",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "discussion" => Ok(Self::Discussion),
            "announcement" => Ok(Self::Announcement),
            _ => Err(DomainError::InvalidGroup(
                "kind must be discussion or announcement",
            )),
        }
    }
}

/// Limits on what a group's settings may hold.
pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_RULES: usize = 5_000;
pub const MAX_QUESTIONS: usize = 5;
pub const MAX_QUESTION: usize = 300;
pub const MAX_ANSWER: usize = 1_000;
pub const MAX_CONTENT_WARNING: usize = 200;
pub const MAX_REVIEW_FIRST_POSTS: i64 = 100;

/// A group's editable settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    pub name: String,
    pub description: String,
    pub rules: String,
    pub questions: Vec<String>,
    pub content_warning: String,
    pub visibility: GroupVisibility,
    /// A new member's first N posts wait for a facilitator's approval (0: none).
    pub review_first_posts: i64,
    /// Everyone who sees the group's meetings sees how many are coming; otherwise
    /// only facilitators see counts (invariant 3). Off unless set after `parse`.
    pub show_participant_count: bool,
    /// Default cap on places held through one remote server on the group's
    /// meetings (`meetings::RemoteCap`); `None`: the instance's setting. Unset
    /// unless set after `parse`.
    pub max_per_remote_domain: Option<u32>,
}

impl GroupSettings {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        name: &str,
        description: &str,
        rules: &str,
        questions: &[String],
        content_warning: &str,
        visibility: &str,
        review_first_posts: i64,
    ) -> Result<Self, DomainError> {
        let name = bounded(name, MAX_NAME, "name must be 1 to 100 characters")?;
        if name.is_empty() {
            return Err(DomainError::InvalidGroup(
                "name must be 1 to 100 characters",
            ));
        }
        if questions.len() > MAX_QUESTIONS {
            return Err(DomainError::InvalidGroup("at most 5 join questions"));
        }
        let questions = questions
            .iter()
            .map(|q| bounded(q, MAX_QUESTION, "a join question is at most 300 characters"))
            .filter(|q| !q.as_ref().is_ok_and(String::is_empty))
            .collect::<Result<Vec<_>, _>>()?;
        if !(0..=MAX_REVIEW_FIRST_POSTS).contains(&review_first_posts) {
            return Err(DomainError::InvalidGroup(
                "review_first_posts must be between 0 and 100",
            ));
        }
        Ok(Self {
            name,
            description: bounded(
                description,
                MAX_DESCRIPTION,
                "description is at most 2000 characters",
            )?,
            rules: bounded(rules, MAX_RULES, "rules are at most 5000 characters")?,
            questions,
            content_warning: bounded(
                content_warning,
                MAX_CONTENT_WARNING,
                "content_warning is at most 200 characters",
            )?,
            visibility: GroupVisibility::parse(visibility)?,
            review_first_posts,
            show_participant_count: false,
            max_per_remote_domain: None,
        })
    }

    /// The group's default remote cap as a facilitator writes it: the meetings'
    /// bounds (`meetings::RemoteCap::parse`), refused as a group setting.
    pub fn remote_cap(n: i64) -> Result<u32, DomainError> {
        crate::meetings::RemoteCap::parse(n)
            .map_err(|_| DomainError::InvalidGroup("max_per_remote_domain must be 0 to 10000"))
    }
}

fn bounded(s: &str, max: usize, why: &'static str) -> Result<String, DomainError> {
    let t = s.trim().to_owned();
    if t.chars().count() > max {
        return Err(DomainError::InvalidGroup(why));
    }
    Ok(t)
}

/// Answers to a closed group's join questions: one per question, bounded.
pub fn parse_answers(questions: &[String], answers: &[String]) -> Result<Vec<String>, DomainError> {
    if answers.len() > questions.len() {
        return Err(DomainError::InvalidGroup("more answers than questions"));
    }
    answers
        .iter()
        .map(|a| bounded(a, MAX_ANSWER, "an answer is at most 1000 characters"))
        .collect()
}

/// One account's standing in one group, as far as posting needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub state: MembershipState,
    pub role: GroupRole,
    /// Posts of this member a facilitator has let through (or that needed no review).
    pub approved_posts: i64,
    /// Muted by a facilitator: may read, may not post.
    pub muted: bool,
}

/// Where a new status lands and how it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub group_id: i64,
    pub kind: PostKind,
    /// The visibility stored on the status.
    pub visibility: Visibility,
    /// Group posts never leave the instance unless they are public announcements.
    pub local_only: bool,
    /// Waits in the review queue until a facilitator approves it.
    pub held: bool,
}

/// Why a post into a group was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostRefusal {
    TwoGroups,
    NotAMember,
    Banned,
    Muted,
    MentionsOutsider,
}

impl PostRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::TwoGroups => "a post can go to one group only: mention a single group",
            Self::NotAMember => "only members can post in this group",
            Self::Banned => "you can no longer post in this group",
            Self::Muted => "a facilitator has paused your posting in this group",
            Self::MentionsOutsider => {
                "a group post can mention only the group and its members: it is seen by members only"
            }
        }
    }
}

/// What the rule needs to know about a new status.
#[derive(Debug, Clone, Copy)]
pub struct PostRequest<'a> {
    /// Local groups the text mentions.
    pub mentioned_groups: &'a [i64],
    /// The group of the status it answers, if that is a group post.
    pub reply_group: Option<i64>,
    /// The visibility the client asked for.
    pub requested: Visibility,
    pub local_only: bool,
    /// Whether every person mentioned is a member of the group (checked by the caller
    /// once the group is known).
    pub mentions_only_members: bool,
}

/// Decides whether a status is a group post, and which kind. `standing` is the
/// author's standing in the group the post would land in (`None`: no membership).
///
/// - No group mentioned and not a reply in a group: an ordinary status (`Ok(None)`).
/// - A reply to a group post stays in that group as a discussion post.
/// - Mentioning one group posts into it; two or more is refused.
/// - A facilitator's public or unlisted post is a public announcement; anything else
///   a discussion post, held for review while the author is within the group's
///   first-posts window.
pub fn place_post(
    req: &PostRequest<'_>,
    group_of_interest: Option<(i64, Option<Standing>, i64)>,
) -> Result<Option<Placement>, PostRefusal> {
    let mut groups: Vec<i64> = req.mentioned_groups.to_vec();
    groups.sort_unstable();
    groups.dedup();
    if groups.len() > 1 {
        return Err(PostRefusal::TwoGroups);
    }
    if let (Some(reply), Some(mentioned)) = (req.reply_group, groups.first()) {
        if reply != *mentioned {
            return Err(PostRefusal::TwoGroups);
        }
    }
    let Some((group_id, standing, review_first_posts)) = group_of_interest else {
        return Ok(None);
    };
    let standing = match standing {
        Some(s) if s.state == MembershipState::Banned => return Err(PostRefusal::Banned),
        Some(s) if s.state == MembershipState::Member => s,
        _ => return Err(PostRefusal::NotAMember),
    };
    if standing.muted {
        return Err(PostRefusal::Muted);
    }
    if !req.mentions_only_members {
        return Err(PostRefusal::MentionsOutsider);
    }
    let announces = req.reply_group.is_none()
        && standing.role.moderates()
        && matches!(req.requested, Visibility::Public | Visibility::Unlisted);
    if announces {
        return Ok(Some(Placement {
            group_id,
            kind: PostKind::Announcement,
            visibility: req.requested,
            local_only: req.local_only,
            held: false,
        }));
    }
    Ok(Some(Placement {
        group_id,
        kind: PostKind::Discussion,
        visibility: Visibility::Group,
        local_only: true,
        held: !standing.role.moderates() && standing.approved_posts < review_first_posts,
    }))
}

/// What blocking a group does to the blocker's standing in it. A block hides the
/// group from the blocker; the group's facilitators are never told (invariant 3
/// the other way round: nobody learns who turned away from a group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBlock {
    /// Not in the group, or banned from it (a ban stays): only the block is kept.
    Keep,
    /// Leaves the group, withdraws a request to join or declines an invitation.
    Leave,
}

/// Why blocking a group was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockRefusal {
    /// The owner cannot leave, so cannot block either.
    Owner,
}

impl BlockRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::Owner => {
                "the owner cannot block the group: make another facilitator the owner first"
            }
        }
    }
}

/// Blocking a group, given the blocker's standing (state and role) in it.
pub fn on_block(standing: Option<(MembershipState, GroupRole)>) -> Result<OnBlock, BlockRefusal> {
    match standing {
        None | Some((MembershipState::Banned, _)) => Ok(OnBlock::Keep),
        Some((_, GroupRole::Owner)) => Err(BlockRefusal::Owner),
        Some(_) => Ok(OnBlock::Leave),
    }
}

/// Whether a facilitator's invitation reaches the account. An account that blocked
/// the group never hears of it; the facilitator is answered as for any invitation,
/// so the block stays the blocker's own business.
pub fn invitation_reaches(invitee_blocks_group: bool) -> bool {
    !invitee_blocks_group
}

/// Whether `actor` may act on `target`'s membership (approve, ban, remove posts):
/// facilitators and owners moderate members; only an owner acts on a facilitator;
/// nobody acts on an owner but through ownership transfer.
pub fn may_moderate(actor: GroupRole, target: GroupRole) -> bool {
    actor.moderates()
        && match target {
            GroupRole::Member => true,
            GroupRole::Facilitator => actor == GroupRole::Owner,
            GroupRole::Owner => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_remote_cap_is_refused_as_a_group_setting() {
        assert_eq!(GroupSettings::remote_cap(0), Ok(0));
        assert_eq!(GroupSettings::remote_cap(10_000), Ok(10_000));
        for bad in [-1, 10_001] {
            assert_eq!(
                GroupSettings::remote_cap(bad).map_err(|e| e.code()),
                Err("invalid_group")
            );
        }
    }

    fn standing(role: GroupRole, approved: i64) -> Option<Standing> {
        Some(Standing {
            state: MembershipState::Member,
            role,
            approved_posts: approved,
            muted: false,
        })
    }

    fn req(groups: &[i64], requested: Visibility) -> PostRequest<'_> {
        PostRequest {
            mentioned_groups: groups,
            reply_group: None,
            requested,
            local_only: false,
            mentions_only_members: true,
        }
    }

    #[test]
    fn no_group_is_an_ordinary_status() {
        assert_eq!(place_post(&req(&[], Visibility::Public), None), Ok(None));
    }

    #[test]
    fn a_members_post_is_a_discussion_that_stays_home() {
        let p = place_post(
            &req(&[7], Visibility::Public),
            Some((7, standing(GroupRole::Member, 0), 0)),
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.kind, PostKind::Discussion);
        assert_eq!(p.visibility, Visibility::Group);
        assert!(p.local_only);
        assert!(!p.held);
    }

    #[test]
    fn first_posts_are_held_for_members_only() {
        let member = place_post(
            &req(&[7], Visibility::Private),
            Some((7, standing(GroupRole::Member, 1), 2)),
        )
        .unwrap()
        .unwrap();
        assert!(member.held);
        let past = place_post(
            &req(&[7], Visibility::Private),
            Some((7, standing(GroupRole::Member, 2), 2)),
        )
        .unwrap()
        .unwrap();
        assert!(!past.held);
        let facilitator = place_post(
            &req(&[7], Visibility::Private),
            Some((7, standing(GroupRole::Facilitator, 0), 2)),
        )
        .unwrap()
        .unwrap();
        assert!(!facilitator.held);
    }

    #[test]
    fn a_facilitators_public_post_is_an_announcement() {
        for (v, kind) in [
            (Visibility::Public, PostKind::Announcement),
            (Visibility::Unlisted, PostKind::Announcement),
            (Visibility::Private, PostKind::Discussion),
            (Visibility::Direct, PostKind::Discussion),
        ] {
            let p = place_post(
                &req(&[7], v),
                Some((7, standing(GroupRole::Facilitator, 0), 0)),
            )
            .unwrap()
            .unwrap();
            assert_eq!(p.kind, kind, "{v}");
        }
    }

    #[test]
    fn replies_stay_in_their_group_as_discussion() {
        let r = PostRequest {
            reply_group: Some(7),
            ..req(&[], Visibility::Public)
        };
        let p = place_post(&r, Some((7, standing(GroupRole::Owner, 0), 0)))
            .unwrap()
            .unwrap();
        assert_eq!(p.kind, PostKind::Discussion);
        assert_eq!(p.visibility, Visibility::Group);
    }

    #[test]
    fn refusals() {
        assert_eq!(
            place_post(&req(&[7, 8], Visibility::Public), None),
            Err(PostRefusal::TwoGroups)
        );
        let other = PostRequest {
            reply_group: Some(8),
            ..req(&[7], Visibility::Public)
        };
        assert_eq!(place_post(&other, None), Err(PostRefusal::TwoGroups));
        assert_eq!(
            place_post(&req(&[7], Visibility::Public), Some((7, None, 0))),
            Err(PostRefusal::NotAMember)
        );
        for (state, refusal) in [
            (MembershipState::Requested, PostRefusal::NotAMember),
            (MembershipState::Banned, PostRefusal::Banned),
        ] {
            let s = Some(Standing {
                state,
                role: GroupRole::Member,
                approved_posts: 0,
                muted: false,
            });
            assert_eq!(
                place_post(&req(&[7], Visibility::Public), Some((7, s, 0))),
                Err(refusal)
            );
        }
        let muted = Some(Standing {
            state: MembershipState::Member,
            role: GroupRole::Member,
            approved_posts: 0,
            muted: true,
        });
        assert_eq!(
            place_post(&req(&[7], Visibility::Public), Some((7, muted, 0))),
            Err(PostRefusal::Muted)
        );
        let outsider = PostRequest {
            mentions_only_members: false,
            ..req(&[7], Visibility::Public)
        };
        assert_eq!(
            place_post(&outsider, Some((7, standing(GroupRole::Member, 0), 0))),
            Err(PostRefusal::MentionsOutsider)
        );
    }

    #[test]
    fn blocking_a_group_leaves_it_but_not_a_ban_nor_ownership() {
        use MembershipState::*;
        assert_eq!(on_block(None), Ok(OnBlock::Keep));
        for state in [Member, Requested, Invited] {
            assert_eq!(
                on_block(Some((state, GroupRole::Member))),
                Ok(OnBlock::Leave)
            );
        }
        assert_eq!(
            on_block(Some((Member, GroupRole::Facilitator))),
            Ok(OnBlock::Leave)
        );
        assert_eq!(
            on_block(Some((Banned, GroupRole::Member))),
            Ok(OnBlock::Keep)
        );
        assert_eq!(
            on_block(Some((Member, GroupRole::Owner))),
            Err(BlockRefusal::Owner)
        );
        assert!(invitation_reaches(false));
        assert!(!invitation_reaches(true));
    }

    #[test]
    fn a_private_group_exists_for_members_and_invitees_only() {
        use MembershipState::*;
        for state in [None, Some(Requested), Some(Banned)] {
            assert!(!GroupVisibility::Private.exists_for(state), "{state:?}");
            assert!(GroupVisibility::Closed.exists_for(state), "{state:?}");
            assert!(GroupVisibility::Public.exists_for(state), "{state:?}");
        }
        assert!(GroupVisibility::Private.exists_for(Some(Member)));
        assert!(GroupVisibility::Private.exists_for(Some(Invited)));
    }

    #[test]
    fn moderation_ladder() {
        use GroupRole::*;
        assert!(may_moderate(Facilitator, Member));
        assert!(!may_moderate(Facilitator, Facilitator));
        assert!(may_moderate(Owner, Facilitator));
        assert!(!may_moderate(Owner, Owner));
        assert!(!may_moderate(Member, Member));
    }

    #[test]
    fn settings_are_bounded() {
        let ok = GroupSettings::parse("Young carers", "", "", &[], "", "closed", 2).unwrap();
        assert_eq!(ok.visibility, GroupVisibility::Closed);
        assert!(GroupSettings::parse("", "", "", &[], "", "public", 0).is_err());
        assert!(GroupSettings::parse("x", "", "", &[], "", "secret", 0).is_err());
        assert!(GroupSettings::parse("x", "", "", &[], "", "public", -1).is_err());
        let many: Vec<String> = (0..6).map(|i| format!("q{i}")).collect();
        assert!(GroupSettings::parse("x", "", "", &many, "", "public", 0).is_err());
        assert!(GroupSettings::parse(&"n".repeat(101), "", "", &[], "", "public", 0).is_err());
    }

    #[test]
    fn joining_depends_on_visibility_and_standing() {
        use MembershipState::*;
        assert_eq!(GroupVisibility::Public.on_join_request(None), Some(Member));
        assert_eq!(
            GroupVisibility::Closed.on_join_request(None),
            Some(Requested)
        );
        assert_eq!(GroupVisibility::Private.on_join_request(None), None);
        assert_eq!(
            GroupVisibility::Private.on_join_request(Some(Invited)),
            Some(Member)
        );
        assert_eq!(
            GroupVisibility::Closed.on_join_request(Some(Invited)),
            Some(Member)
        );
        for v in [
            GroupVisibility::Public,
            GroupVisibility::Closed,
            GroupVisibility::Private,
        ] {
            assert_eq!(v.on_join_request(Some(Banned)), None);
        }
        assert_eq!(
            GroupVisibility::Closed.on_join_request(Some(Requested)),
            Some(Requested)
        );
    }
}
