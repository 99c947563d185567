//! The `kindred` binary's library half: configuration, start-up and the admin
//! commands. Kept as a library so tests can start real servers in-process.

pub mod admin;
pub mod admin_accounts;
pub mod admin_crisis;
pub mod admin_federation;
pub mod admin_reports;
pub mod audit_retention;
pub mod backup;
pub mod cli;
pub mod config;
pub mod erasure;
pub mod error;
pub mod files;
pub mod follow_resends;
pub mod mail;
pub mod metrics;
pub mod polls;
pub mod reminders;
pub mod scheduled;
pub mod secrets;
pub mod startup;
pub mod telemetry;

/// mimalloc instead of the system allocator, for the binary and everything built on
/// this library (tests, benches). The inbox allocates and frees a great deal (SQLite
/// page caches dropped at every database change, JSON, HTML); with glibc's malloc
/// freed pages went back to the kernel and came again (`munmap`, TLB shootdowns).
/// Measured in docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
