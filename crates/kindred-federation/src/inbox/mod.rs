//! The inbox: what remote servers may tell us, and the checks before anything is
//! stored. `receive` is the one entry point; the HTTP layer does the cheap checks
//! first (body size, JSON depth, signature coverage, Date window) and maps the
//! outcome to a status code.

pub mod activities;
pub mod addressing;
pub mod attachments;
pub mod content;
pub mod context;
pub mod directory;
pub mod error;
pub mod event;
pub mod flag;
pub mod follows;
pub mod groups;
pub mod known_actors;
pub mod lookup;
pub mod note;
pub mod receipt;
pub mod receive;
pub mod refs;
pub mod remote_actor;
pub mod rsvp;

pub use activities::InboxActivity;
pub use context::{federation_config, EventSink, FedData, FetchSigner};
pub use error::{ErrorClass, InboxError, Refusal};
pub use receive::{receive, Outcome};
pub use remote_actor::RemoteActor;
