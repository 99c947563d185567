//! ActivityPub for Kindred: the documents we publish about local actors, keys,
//! WebFinger and NodeInfo. Signing, verification and fetching come from
//! `activitypub_federation`; inbox handling and the delivery queue arrive with the
//! federation engine.

pub mod actors;
pub mod delivery;
pub mod error;
pub mod http;
pub mod inbound;
pub mod keys;
pub mod nodeinfo;
pub mod signing;
pub mod urls;
pub mod webfinger;

pub use activitypub_federation::FEDERATION_CONTENT_TYPE;
pub use error::FederationError;
pub use urls::LocalUrls;
