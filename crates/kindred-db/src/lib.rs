//! Kindred storage. The only crate that speaks diesel. One code path serves SQLite and
//! PostgreSQL through [`AnyConnection`]; what the two cannot share is written per
//! backend by matching on the connection variant, here and nowhere else.

pub mod connection;
pub mod error;
pub mod group_commit;
pub mod introspect;
pub mod migrate;
pub mod models;
pub mod schema;

/// Bulk seeding and query timing for `crates/kindred-server/benches`; compiled only
/// with the `bench` feature, so the server binary never carries it.
#[cfg(feature = "bench")]
pub mod bench;

pub use connection::{redacted_url, AnyConnection, Backend, Db, DbSettings};
pub use error::DbError;
pub use models::*;
