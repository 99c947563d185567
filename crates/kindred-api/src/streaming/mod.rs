//! The Mastodon streaming API. Services publish small events to the [`Hub`] once their
//! work is committed; each open stream (WebSocket or server-sent events) renders every
//! event for its own viewer through the same rules and presenter as the REST
//! timelines, so a stream never shows what the viewer could not read there. On
//! PostgreSQL the [`relay`] carries events between processes sharing the database.

pub mod hub;
pub mod relay;
pub mod render;
pub mod socket;
pub mod sse;
pub mod streams;

pub use hub::{Event, Hub, StatusChange, StreamLimits};
pub use streams::StreamKey;
