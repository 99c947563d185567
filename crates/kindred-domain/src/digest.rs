//! The one SHA-256 hex form the project stores: hashed tokens and codes, the email
//! look-up key's siblings, and received activity ids and signatures.

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes` as lower-case hex, in one formatting pass (it runs for every
/// authenticated request and twice per received activity).
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_hex_is_the_lower_case_digest() {
        // FIPS 180-2's "abc" vector: hashes already stored were written this way.
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
