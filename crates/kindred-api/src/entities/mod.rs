//! Mastodon API entities, shaped as Mastodon documents them so existing apps parse
//! them. Built from rows that hold no secrets; each output path has a test that it
//! carries no email address.

pub mod account;
pub mod admin;
pub mod announcements;
pub mod application;
pub mod conversations;
pub mod crisis;
pub mod filters;
pub mod groups;
pub mod instance;
pub mod lists;
pub mod media;
pub mod meetings;
pub mod polls;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod status;
pub mod time;
pub mod token;

pub use account::{Account, CredentialAccount};
pub use application::{Application, CredentialApplication};
pub use status::{Context, Marker, Notification, Relationship, Status};
pub use token::Token;
