//! The `kindred` binary's library half: configuration, start-up and the admin
//! commands. Kept as a library so tests can start real servers in-process.

pub mod admin;
pub mod admin_federation;
pub mod cli;
pub mod config;
pub mod reminders;
pub mod secrets;
pub mod startup;
pub mod telemetry;
