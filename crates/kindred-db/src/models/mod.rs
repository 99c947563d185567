pub mod accounts;
pub mod instance_actor;
pub mod interactions;
pub mod invites;
pub mod notifications;
pub mod oauth;
pub mod search;
pub mod social;
pub mod statuses;

pub use accounts::{AccountRow, NewAccount, NewUser, PreferenceChanges, ProfileChanges, UserRow};
pub use instance_actor::InstanceActorRow;
pub use invites::NewInvite;
pub use notifications::{MarkerRow, NotificationRow};
pub use oauth::{
    ApplicationRow, AuthorizationCodeRow, NewApplication, NewAuthorizationCode, NewToken, TokenRow,
};
pub use statuses::{NewStatus, StatusRow};
