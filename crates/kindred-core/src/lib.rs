//! The rules that need storage, written once for every entrance.
//!
//! A change arrives through the client API, the inbox, the web portal or the command
//! line; what it does (who is notified, which conversation a post joins, where a post
//! is placed in a group, what happens to a meeting's wait list) is decided here, inside
//! the caller's transaction. `kindred-db` stores; `kindred-federation` translates
//! ActivityPub to and from these calls and never re-implements one; `kindred-api`
//! parses, authorizes and calls.

pub mod audit;
pub mod crisis;
pub mod erasure;
pub mod error;
pub mod events;
pub mod files;
pub mod follows;
pub mod groups;
pub mod interactions;
pub mod mail;
pub mod media;
pub mod meetings;
pub mod moderation;
pub mod polls;
pub mod reports;
pub mod retention;
pub mod statuses;

pub use error::CoreError;
pub use events::{Event, StatusChange};
