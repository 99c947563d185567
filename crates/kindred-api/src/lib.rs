//! Kindred's HTTP surface: the Mastodon client API, OAuth, the ActivityPub actor
//! documents and the well-known endpoints. The only crate that knows HTTP status
//! codes. Handlers are thin: they parse, call a service, and shape an entity.

pub mod auth;
pub mod bearer;
pub mod crypto;
pub mod csrf_cookie;
pub mod entities;
pub mod error;
pub mod federation;
pub mod handlers;
pub mod html;
pub mod limits;
pub mod metrics;
pub mod pagination;
pub mod params;
pub mod rate;
pub mod ratelimit;
pub mod routes;
pub mod services;
pub mod state;
pub mod streaming;

pub use error::ApiError;
pub use routes::configure;
pub use state::{AppState, InstanceSettings, Secrets};

/// Our own version, and the Mastodon API level we answer to (apps gate features on it).
pub const KINDRED_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const MASTODON_COMPAT_VERSION: &str = "4.3.0";

pub fn instance_version() -> String {
    format!("{MASTODON_COMPAT_VERSION} (compatible; Kindred {KINDRED_VERSION})")
}
