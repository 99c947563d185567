//! Time as entities show it.

/// Mastodon's timestamp format: UTC with milliseconds.
pub fn timestamp(t: chrono::NaiveDateTime) -> String {
    t.and_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
