pub mod account_stats;
pub mod accounts;
pub mod announcements;
pub mod conversations;
pub mod deliveries;
pub mod delivery_worker;
pub mod domain_policy;
pub mod federated;
pub mod filters;
pub mod groups;
pub mod home_feed;
pub mod instance_actor;
pub mod interactions;
pub mod invites;
pub mod lists;
pub mod meeting_directory;
pub mod meeting_posts;
pub mod meeting_reminders;
pub mod meetings;
pub mod notifications;
pub mod oauth;
pub mod outbound;
pub mod received;
pub mod remote_accounts;
pub mod remote_meetings;
pub mod search;
pub mod silenced;
pub mod social;
pub mod statuses;
pub mod tag_follows;

pub use accounts::{AccountRow, NewAccount, NewUser, PreferenceChanges, ProfileChanges, UserRow};
pub use instance_actor::InstanceActorRow;
pub use invites::NewInvite;
pub use notifications::{MarkerRow, NotificationRow};
pub use oauth::{
    ApplicationRow, AuthorizationCodeRow, NewApplication, NewAuthorizationCode, NewToken, TokenRow,
};
pub use statuses::{NewStatus, StatusRow};
