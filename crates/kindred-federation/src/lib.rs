//! ActivityPub for Kindred: the documents we publish about local actors, keys,
//! WebFinger and NodeInfo. Signing, verification and fetching come from
//! `activitypub_federation`; `inbox` receives activities, `sanitize` cleans remote
//! HTML.

pub mod delivery;
pub mod error;
pub mod http;
pub mod http_signatures;
pub mod inbox;
pub mod keys;
pub mod local_actors;
pub mod nodeinfo;
pub mod outbox;
pub mod policy;
pub mod resolve;
pub mod sanitize;
pub mod software;
pub mod urls;
pub mod webfinger;

pub use activitypub_federation::config::FederationConfig;
pub use activitypub_federation::FEDERATION_CONTENT_TYPE;
pub use error::FederationError;
pub use urls::LocalUrls;
