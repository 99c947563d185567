/// Why an input was refused. Messages are safe to show to the person who sent it:
/// they never echo secrets back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("username must be 1 to 30 letters, digits or underscores")]
    InvalidUsername,
    #[error("this username is reserved")]
    ReservedUsername,
    #[error("email address is not valid")]
    InvalidEmail,
    #[error("password must be between {min} and {max} characters")]
    InvalidPassword { min: usize, max: usize },
    #[error("display name must be at most {max} characters")]
    DisplayNameTooLong { max: usize },
    #[error("bio must be at most {max} characters")]
    NoteTooLong { max: usize },
    #[error("unknown role `{0}` (expected member, facilitator, moderator or admin)")]
    InvalidRole(String),
    #[error(
        "unknown account action `{0}` (expected none, sensitive, disable, silence or suspend)"
    )]
    InvalidAccountAction(String),
    #[error("unknown registration mode `{0}` (expected closed, approval, invite or open)")]
    InvalidRegistrationMode(String),
    #[error("unknown visibility `{0}` (expected public, unlisted or private)")]
    InvalidPrivacy(String),
    #[error("invalid instance domain `{0}`: expected a host name with an optional port")]
    InvalidDomain(String),
    #[error("unknown scope `{0}`")]
    InvalidScope(String),
    #[error("visibility must be public, unlisted, private, direct or local")]
    InvalidVisibility,
    #[error("text can't be blank")]
    EmptyStatus,
    #[error("text character limit of {max} exceeded")]
    StatusTooLong { max: usize },
    #[error("{0}")]
    InvalidFilter(&'static str),
    #[error("{0}")]
    InvalidList(&'static str),
    #[error("{0}")]
    InvalidAnnouncement(&'static str),
    #[error("{0}")]
    InvalidPolicy(String),
    #[error("{0}")]
    InvalidGroup(&'static str),
    #[error("{0}")]
    InvalidMeeting(&'static str),
    #[error("{0}")]
    InvalidMeetingTime(&'static str),
    #[error("unknown time zone `{0}`: expected an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    #[error("recurrence not supported: {0}")]
    UnsupportedRecurrence(String),
    #[error("{0}")]
    InvalidPlace(&'static str),
    #[error("capacity can't be below the {accepted} people already accepted")]
    CapacityBelowAccepted { accepted: u32 },
    #[error("unknown notification type `{0}`")]
    InvalidNotificationKind(String),
    #[error("{}", .0.message())]
    Rsvp(crate::meetings::RsvpRefusal),
    #[error("{0}")]
    InvalidCrisisResource(&'static str),
    #[error("{0}")]
    InvalidCrisisPhrase(&'static str),
    #[error("{0}")]
    InvalidReport(&'static str),
    #[error("{}", .0.message())]
    Poll(crate::polls::PollRefusal),
}

impl DomainError {
    /// Stable snake_case code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUsername => "invalid_username",
            Self::ReservedUsername => "reserved_username",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidPassword { .. } => "invalid_password",
            Self::DisplayNameTooLong { .. } => "display_name_too_long",
            Self::NoteTooLong { .. } => "note_too_long",
            Self::InvalidRole(_) => "invalid_role",
            Self::InvalidAccountAction(_) => "invalid_account_action",
            Self::InvalidRegistrationMode(_) => "invalid_registration_mode",
            Self::InvalidPrivacy(_) => "invalid_privacy",
            Self::InvalidDomain(_) => "invalid_domain",
            Self::InvalidScope(_) => "invalid_scope",
            Self::InvalidVisibility => "invalid_visibility",
            Self::EmptyStatus => "empty_status",
            Self::StatusTooLong { .. } => "status_too_long",
            Self::InvalidFilter(_) => "invalid_filter",
            Self::InvalidList(_) => "invalid_list",
            Self::InvalidAnnouncement(_) => "invalid_announcement",
            Self::InvalidPolicy(_) => "invalid_policy",
            Self::InvalidGroup(_) => "invalid_group",
            Self::InvalidMeeting(_) => "invalid_meeting",
            Self::InvalidMeetingTime(_) => "invalid_meeting_time",
            Self::UnknownTimeZone(_) => "unknown_time_zone",
            Self::UnsupportedRecurrence(_) => "unsupported_recurrence",
            Self::InvalidPlace(_) => "invalid_place",
            Self::CapacityBelowAccepted { .. } => "capacity_below_accepted",
            Self::InvalidNotificationKind(_) => "invalid_notification_kind",
            Self::Rsvp(r) => r.code(),
            Self::InvalidCrisisResource(_) => "invalid_crisis_resource",
            Self::InvalidCrisisPhrase(_) => "invalid_crisis_phrase",
            Self::InvalidReport(_) => "invalid_report",
            Self::Poll(r) => r.code(),
        }
    }
}
