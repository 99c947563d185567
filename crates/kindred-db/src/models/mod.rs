pub mod accounts;
pub mod instance_actor;
pub mod invites;
pub mod oauth;

pub use accounts::{AccountRow, NewAccount, NewUser, PreferenceChanges, ProfileChanges, UserRow};
pub use instance_actor::InstanceActorRow;
pub use invites::NewInvite;
pub use oauth::{
    ApplicationRow, AuthorizationCodeRow, NewApplication, NewAuthorizationCode, NewToken, TokenRow,
};
