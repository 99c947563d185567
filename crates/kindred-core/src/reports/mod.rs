//! Reports, whichever entrance files them: a member through
//! `POST /api/v1/reports`, another server through a `Flag`, and what moderators
//! and facilitators do with them (the admin API, the groups extension, the CLI).
//!
//! The rules, once:
//! - A report names one account and, optionally, statuses of that account only.
//! - A report about a post in a group reaches that group's facilitators: they see
//!   the post and the reported member, never the reporter
//!   (`kindred_domain::reports::view_for`).
//! - Moderators and admins hear of a new report (`admin.report`), except the
//!   reported account itself, who is never shown the report.
//! - What facilitators and moderators do on a report is recorded against it
//!   (`report_actions`), so moderators see the whole story.

pub mod acting;
pub mod filing;
pub mod reading;

pub use acting::{assign, mark_done, record, record_group_action, reopen, resolve, update, Step};
pub use filing::{file, Filed, NewReport, Reporter};
pub use reading::{view_of, Seen};

/// Why a report is refused, with stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRefusal {
    /// The reported account does not exist here.
    UnknownAccount,
    /// A named status does not exist, is not the reported account's, or is not
    /// visible to the reporter.
    StatusNotOfAccount,
    /// Nobody reports themselves.
    OwnAccount,
}

impl ReportRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownAccount => "report_unknown_account",
            Self::StatusNotOfAccount => "report_status_mismatch",
            Self::OwnAccount => "report_own_account",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::UnknownAccount => "The reported account does not exist",
            Self::StatusNotOfAccount => {
                "status_ids must name statuses of the reported account that you can see"
            }
            Self::OwnAccount => "You cannot report yourself",
        }
    }
}
