//! Kindred's domain: identifiers, parsed newtypes and rules. No IO lives here, so
//! every rule can be tested without a database or a network.

pub mod account;
pub mod address;
pub mod crisis;
pub mod digest;
pub mod email;
pub mod error;
pub mod federation_policy;
pub mod filters;
pub mod follow_resend;
pub mod groups;
pub mod handle;
pub mod id;
pub mod ids;
pub mod instance;
pub mod mail;
pub mod media;
pub mod meetings;
pub mod moderation;
pub mod notification;
pub mod polls;
pub mod reports;
pub mod retention;
pub mod scope;
pub mod search;
pub mod status_text;
pub mod stored;
pub mod text;
pub mod username;
pub mod visibility;

pub use account::{AccountRole, DisplayName, Note, Password, PostingPrivacy, Role};
pub use email::EmailAddress;
pub use error::DomainError;
pub use id::IdGenerator;
pub use ids::{AccountId, GroupId, MeetingId, StatusId};
pub use instance::{InstanceDomain, RegistrationMode};
pub use notification::NotificationKind;
pub use scope::{Scope, Scopes};
pub use username::Username;
pub use visibility::{Audience, Visibility};
