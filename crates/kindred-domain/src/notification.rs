//! What a notification is about. The stored text is Mastodon's `type` name on the
//! wire (Pleroma's for meetings), so the API shows `as_str()` as it is.

use std::fmt;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// Mentioned in a status.
    Mention,
    /// A followed account with notifications on posted (Mastodon's `status`).
    Status,
    Reblog,
    Follow,
    FollowRequest,
    Favourite,
    Poll,
    /// A status the recipient boosted was edited.
    Update,
    AdminSignUp,
    AdminReport,
    /// A moderator acted on the recipient's account (Mastodon 4.3's type; the
    /// notification's id is its account warning's).
    ModerationWarning,
    /// Someone asked to join a group the recipient facilitates.
    GroupRequest,
    // Meetings (docs/api/meetings.md), named as Pleroma/Rebased name them.
    EventReminder,
    ParticipationRequest,
    ParticipationAccepted,
    EventUpdate,
    /// The opt-in gentle notice with the instance's crisis resources, to the author
    /// of a post that matched a configured phrase (docs/moderation.md).
    CrisisResources,
    /// The member's data export is ready to download (issue 26).
    ExportReady,
}

impl NotificationKind {
    pub const ALL: &'static [NotificationKind] = &[
        Self::Mention,
        Self::Status,
        Self::Reblog,
        Self::Follow,
        Self::FollowRequest,
        Self::Favourite,
        Self::Poll,
        Self::Update,
        Self::AdminSignUp,
        Self::AdminReport,
        Self::ModerationWarning,
        Self::GroupRequest,
        Self::EventReminder,
        Self::ParticipationRequest,
        Self::ParticipationAccepted,
        Self::EventUpdate,
        Self::CrisisResources,
        Self::ExportReady,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Status => "status",
            Self::Reblog => "reblog",
            Self::Follow => "follow",
            Self::FollowRequest => "follow_request",
            Self::Favourite => "favourite",
            Self::Poll => "poll",
            Self::Update => "update",
            Self::AdminSignUp => "admin.sign_up",
            Self::AdminReport => "admin.report",
            Self::ModerationWarning => "moderation_warning",
            Self::GroupRequest => "group_request",
            Self::EventReminder => "pleroma:event_reminder",
            Self::ParticipationRequest => "pleroma:participation_request",
            Self::ParticipationAccepted => "pleroma:participation_accepted",
            Self::EventUpdate => "pleroma:event_update",
            Self::CrisisResources => "kindred.crisis_resources",
            Self::ExportReady => "kindred.export_ready",
        }
    }

    /// A notice from the instance itself rather than from someone: stored with the
    /// recipient as its account, as Mastodon stores its moderation warnings.
    pub fn from_instance(self) -> bool {
        matches!(self, Self::CrisisResources | Self::ExportReady)
    }

    /// Whether it may reach the account it is about: instance notices, and `poll`,
    /// which tells an author that their own poll ended (as Mastodon does).
    pub fn may_reach_self(self) -> bool {
        self.from_instance() || self == Self::Poll
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::InvalidNotificationKind(s.to_owned()))
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
