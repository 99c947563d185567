//! ActivityPub for Kindred: what we publish (`local_actors`, `webfinger`, `nodeinfo`),
//! what we send (`outbox` builds activities inside the caller's transaction,
//! `delivery` POSTs the persistent queue), what we accept (`inbox`, behind the one
//! federation-policy check in `policy`), and look-ups on request (`resolve`).
//!
//! HTTP signatures are our own, both ways (`http_signatures`: signing with AWS-LC,
//! verification with a parsed-key cache, the pre-checks and signed GETs), and so is
//! the inbox pipeline (`inbox::receive`) and the one HTTP client every fetch and
//! delivery goes through (`http`, which refuses non-global addresses).
//! `activitypub_federation` supplies the vocabulary and traits (`Object`, `Actor`,
//! `ActivityHandler`, activity kinds), key generation, and fetching remote objects
//! by id and WebFinger (`ObjectId::dereference`, signed with the instance actor).
//! `sanitize` cleans remote HTML.

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
