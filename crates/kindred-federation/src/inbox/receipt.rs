//! The record that an activity was processed, for de-duplication. Built by
//! `receive` for every signed activity and handed to the handlers that store it in
//! their own transaction (`note`, `content`), so they need not reach up into the
//! receive pipeline for it.

use chrono::{DateTime, Duration, Utc};
use kindred_db::models::received::{self, Seen};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::digest::sha256_hex;

/// How long a received activity id is remembered.
pub const DEDUPE_DAYS: i64 = 14;

/// The record that an activity was processed (its id and signature, hashed), for
/// de-duplication. Written in the same transaction as the activity's work where
/// the handler takes it (`Create`), so a crash can neither record an activity
/// without its work nor let a re-delivery do the work twice.
#[derive(Debug, Clone)]
pub struct Receipt {
    id_hash: String,
    sig_hash: String,
    at: DateTime<Utc>,
}

impl Receipt {
    /// The receipt of the activity `id` delivered with the `Signature` header
    /// `signature`, at `at`.
    pub fn new(id: &str, signature: &[u8], at: DateTime<Utc>) -> Self {
        Self {
            id_hash: sha256_hex(id.as_bytes()),
            sig_hash: sha256_hex(signature),
            at,
        }
    }

    /// Whether the activity was processed before, and how it comes again.
    pub fn seen(&self, c: &mut AnyConnection) -> Result<Seen, DbError> {
        received::check(c, &self.id_hash, &self.sig_hash)
    }

    /// Records the activity as processed; answers whether it was new.
    pub fn record(&self, c: &mut AnyConnection) -> Result<Seen, DbError> {
        let seen = received::record(c, &self.id_hash, &self.sig_hash, self.at.naive_utc())?;
        // About one in 256 activities also sweeps out the expired ids.
        if self.id_hash.starts_with("00") {
            received::prune(c, (self.at - Duration::days(DEDUPE_DAYS)).naive_utc())?;
        }
        Ok(seen)
    }
}
