//! What core refuses, with stable codes for every entrance to answer with.

use kindred_db::DbError;
use kindred_domain::groups::PostRefusal;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A post a group does not take (see `groups::placement`).
    #[error("{}", .0.message())]
    PostRefused(PostRefusal),
    /// A report not taken (see `reports`).
    #[error("{}", .0.message())]
    ReportRefused(crate::reports::ReportRefusal),
    /// A moderation request refused (see `moderation`).
    #[error("{}", .0.message())]
    Moderation(crate::moderation::Refusal),
    /// An account that erasure does not apply to (remote, a group, already erased).
    #[error("{0}")]
    NotErasable(&'static str),
    /// A poll or a vote refused (see `polls`).
    #[error("{}", .0.message())]
    Poll(kindred_domain::polls::PollRefusal),
    /// A picture refused (see `media`).
    #[error("{}", .0.message())]
    Media(kindred_domain::media::MediaRefusal),
    /// The file store failed (the message names no person).
    #[error("file store: {0}")]
    Files(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CoreError {
    /// Stable snake_case code, for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PostRefused(r) => match r {
                PostRefusal::TwoGroups => "post_two_groups",
                PostRefusal::NotAMember => "post_not_a_member",
                PostRefusal::Banned => "post_banned",
                PostRefusal::Muted => "post_muted",
                PostRefusal::MentionsOutsider => "post_mentions_outsider",
            },
            Self::ReportRefused(r) => r.code(),
            Self::Moderation(r) => r.code(),
            Self::NotErasable(_) => "not_erasable",
            Self::Poll(r) => r.code(),
            Self::Media(r) => r.code(),
            Self::Files(_) => "file_store",
            Self::Db(_) => "storage",
        }
    }
}
