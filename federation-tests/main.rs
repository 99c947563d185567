//! The federation harness: several Kindred instances on loopback, each with its own
//! database, talking ActivityPub to each other with real signatures through the real
//! persistent delivery queue. In-process instances for the quick scenarios, separate
//! `kindred serve` processes for the crash scenario; every scenario on SQLite and on
//! PostgreSQL. See README.md in this directory.

// Test helpers panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The integration tests' harness, shared rather than copied. Not every helper there
// is used here.
#[allow(dead_code)]
#[path = "../crates/kindred-server/tests/integration/common.rs"]
mod common;
#[allow(dead_code)]
#[path = "../crates/kindred-server/tests/integration/pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../crates/kindred-server/tests/integration/receiver.rs"]
mod receiver;

mod support;

mod crash;
mod directory;
mod erasure;
mod exchange;
mod group_relay;
mod groups;
mod hardening;
mod hostile;
mod lemmy;
mod media;
mod meetings;
mod moderation;
mod outage;
mod reports;
mod rsvps;
mod signed_fetch;
mod stays_home;
mod two_processes;
