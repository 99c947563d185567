//! What a meeting answer and a wait-list move do, whichever entrance they come
//! through (the events API, the inbox): who is seated, wait-listed or moved up, and
//! who is told. The seating rules themselves are pure (`kindred_domain::meetings::rsvp`)
//! and applied by storage (`kindred_db::models::meetings`); this module adds the
//! rules that need storage around them: who may come at all, and the notifications.
//!
//! Every function runs inside the caller's transaction and returns what it stored,
//! so the caller streams the notifications once committed and sends what federation
//! sends (Accept/Reject, Update) in the same transaction: core sits below the outbox.
//!
//! - `notices`: the notification types and who receives them.
//! - `answer`: someone's answer (going, interested, not going), local or remote,
//!   anonymous RSVPs included.
//! - `waitlist`: a facilitator's decision and a change of capacity, time or place.
//! - `attending`: the host's answer to one of our members' RSVPs to a meeting
//!   listed by another server.

mod answer;
mod attending;
pub mod notices;
mod waitlist;

pub use answer::{answer, may_come, Answered, Remote, Via};
pub use attending::host_answered;
pub use waitlist::{decide, update, Updated};
