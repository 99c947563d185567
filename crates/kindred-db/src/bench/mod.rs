//! Benchmark support, used by `crates/kindred-server/benches` and nothing in the
//! server: bulk seeding that bypasses the service rules, and per-query timing.

pub mod profile;
pub mod seed;
