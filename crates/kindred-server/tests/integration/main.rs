//! Integration tests: real servers over loopback HTTP, on SQLite and PostgreSQL.

// Test helpers panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod pg;
mod receiver;

mod account_stats;
mod accounts;
mod backup;
mod browser;
mod cli;
mod client_extras;
mod crisis;
mod delivery;
mod delivery_logs;
mod erasure;
mod group_safety;
mod groups;
mod home_query;
mod inbox;
mod limits;
mod mail;
mod mastodon_py;
mod media;
mod meeting_notifications;
mod meetings;
mod meetings_store;
mod megalodon;
mod metrics;
mod migrations;
mod moderation_accounts;
mod oauth;
mod policy;
mod polls;
mod remote_groups;
mod remote_meetings;
mod reports;
mod scheduled;
mod search;
mod social;
mod statuses;
mod storage;
mod streaming;
mod thin_handlers;
mod web_member;
mod well_known;
