//! Why `kindred serve` could not start (its own module so that the parts
//! `startup` wires, such as `metrics`, can return it without importing `startup`).

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Secret(String),
    #[error("cannot prepare the database directory: {0}")]
    DataDir(String),
    #[error("database unreachable: {0}")]
    Database(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("start-up failed: {0}")]
    Other(String),
}
