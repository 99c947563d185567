//! The client API's rules that need storage: accounts and sign-up, OAuth, statuses,
//! groups, meetings and the meeting directory, announcements, filters, search, the
//! federation policy and follow re-sends, and presenting rows as entities (`present`,
//! `viewer`). Handlers and the command line both call these, so a rule is written
//! once; rules the inbox shares belong in `kindred-core`.

pub mod accounts;
pub mod actors;
pub mod announcements;
pub mod authorized_apps;
pub mod conversations;
pub mod crisis;
pub mod email;
pub mod erasure;
pub mod export;
pub mod featured_tags;
pub mod federation_policy;
pub mod filtering;
pub mod filters;
pub mod follow_resends;
pub mod groups;
pub mod instance;
pub mod lists;
pub mod media;
pub mod meeting_directory;
pub mod meetings;
pub mod moderation;
pub mod notifications;
pub mod oauth;
pub mod passwords;
pub mod polls;
pub mod present;
pub mod relations;
pub mod remote_media;
pub mod reports;
pub mod retention;
pub mod scheduled;
pub mod search;
pub mod statuses;
pub mod tags;
pub mod timelines;
pub mod viewer;

use kindred_db::DbError;
use kindred_domain::DomainError;

/// Rows the handlers hand to entity rendering, named without reaching into storage
/// (handlers never import `kindred_db`: `tests/thin_handlers.rs`).
pub use kindred_db::models::interactions::Mark;
pub use kindred_db::{AccountRow, ApplicationRow};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("username is already taken")]
    UsernameTaken,
    #[error("registrations are closed")]
    RegistrationClosed,
    #[error("invite code is invalid or expired")]
    InvalidInvite,
    #[error("agreement must be accepted")]
    AgreementRequired,
    #[error("too many requests")]
    Throttled,
    #[error("record not found")]
    NotFound,
    #[error("the status replied to was not found")]
    ReplyTargetNotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Unprocessable(&'static str),
    /// A 422 with its own stable code (a rule's refusal).
    #[error("{1}")]
    Refused(&'static str, &'static str),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl ServiceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(d) => d.code(),
            Self::UsernameTaken => "username_taken",
            Self::RegistrationClosed => "registrations_closed",
            Self::InvalidInvite => "invalid_invite",
            Self::AgreementRequired => "agreement_required",
            Self::Throttled => "too_many_requests",
            Self::NotFound => "not_found",
            Self::ReplyTargetNotFound => "reply_target_not_found",
            Self::Forbidden(_) => "forbidden",
            Self::Unprocessable(_) => "unprocessable",
            Self::Refused(code, _) => code,
            Self::Db(d) => d.code(),
            Self::Internal(c) => c,
        }
    }
}

impl From<kindred_core::CoreError> for ServiceError {
    fn from(e: kindred_core::CoreError) -> Self {
        match e {
            // Answered as before: 422 with the rule's own words.
            kindred_core::CoreError::PostRefused(r) => Self::Unprocessable(r.message()),
            kindred_core::CoreError::ReportRefused(r) => Self::Refused(r.code(), r.message()),
            kindred_core::CoreError::Moderation(r) => {
                use kindred_core::moderation::Refusal;
                match r {
                    Refusal::NotFound => Self::NotFound,
                    Refusal::OnSelf | Refusal::OnStaff => Self::Forbidden(r.message()),
                    _ => Self::Unprocessable(r.message()),
                }
            }
            kindred_core::CoreError::NotErasable(m) => Self::Unprocessable(m),
            kindred_core::CoreError::Poll(r) => Self::Invalid(r.into()),
            kindred_core::CoreError::Media(r) => Self::Refused(r.code(), r.message()),
            kindred_core::CoreError::Files(_) => Self::Internal("file_store_failed"),
            kindred_core::CoreError::Db(d) => Self::Db(d),
        }
    }
}
