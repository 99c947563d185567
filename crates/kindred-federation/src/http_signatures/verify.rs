//! HTTP signature verification (cavage draft, `rsa-sha256`) for the inbox and for
//! signed fetches. The signing string is rebuilt by `http_signature_normalization`
//! (as `activitypub_federation` does); the RSA check is AWS-LC's (`aws-lc-rs`), with
//! each actor's key parsed once — Montgomery constants included, which `ring`
//! re-derives on every verification — and kept in a bounded cache. A cached key is
//! used only while the stored PEM is the very same text, so a re-fetched (rotated)
//! key replaces it on its first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::HttpRequest;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;

/// Distinct actors' keys kept; past this the cache starts over (a parse is cheap
/// next to a fetch, the bound keeps memory flat whatever the traffic).
pub const MAX_CACHED_KEYS: usize = 10_000;

/// Keys shorter than this are refused: a 512-bit modulus is factored in hours, so
/// its signatures prove nothing. 1024-bit keys still exist on old servers.
pub const MIN_KEY_BITS: usize = 1024;

/// A signature older than this does not verify (the inbox's Date window is checked
/// before, with the same bound).
const EXPIRES_AFTER: Duration = Duration::from_secs(60 * 60);

/// An actor's public key, parsed.
pub struct PublicKey {
    pem: String,
    key: ParsedPublicKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey").finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Parses a `BEGIN PUBLIC KEY` (SPKI) PEM, as actor documents carry. None for
    /// an unreadable key or one outside 1024–8192 bits.
    pub fn parse(pem: &str) -> Option<Self> {
        // The `rsa` crate reads the PEM (line endings and all) and tells the size;
        // AWS-LC keeps the parsed key for verifying.
        let key = RsaPublicKey::from_public_key_pem(pem).ok()?;
        let params = match key.n().bits() {
            2048..=8192 => &RSA_PKCS1_2048_8192_SHA256,
            MIN_KEY_BITS..=2047 => &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            _ => return None,
        };
        let der = key.to_pkcs1_der().ok()?;
        Some(Self {
            pem: pem.to_owned(),
            key: ParsedPublicKey::new(params, der.as_bytes()).ok()?,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

/// Parsed keys by actor id.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, Arc<PublicKey>>>,
}

impl KeyCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<PublicKey>>> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The parsed key of `actor` whose stored PEM is `pem`; parsed (and cached) when
    /// not cached yet or when the PEM changed. None for an unreadable key.
    pub fn get(&self, actor: &str, pem: &str) -> Option<Arc<PublicKey>> {
        if let Some(k) = self.lock().get(actor).filter(|k| k.pem == pem) {
            return Some(k.clone());
        }
        let parsed = Arc::new(PublicKey::parse(pem)?);
        let mut keys = self.lock();
        if keys.len() >= MAX_CACHED_KEYS && !keys.contains_key(actor) {
            keys.clear();
        }
        keys.insert(actor.to_owned(), parsed.clone());
        Some(parsed)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether the request's `Signature` verifies with `key` over the headers it names
/// (which must include `digest` when `require_digest`), and is not expired.
pub fn verifies(req: &HttpRequest, key: &PublicKey, require_digest: bool) -> bool {
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut config = http_signature_normalization::Config::new().set_expiration(EXPIRES_AFTER);
    if require_digest {
        config = config.require_digest();
    }
    let Ok(unverified) = config.begin_verify(req.method().as_str(), target, headers) else {
        return false;
    };
    unverified.verify(|signature, signing_string| {
        BASE64
            .decode(signature)
            .is_ok_and(|sig| key.verify(signing_string.as_bytes(), &sig))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_signatures::sign::Signer;
    use crate::keys::generate_keypair;
    use std::time::SystemTime;

    fn signed_request(signer: &Signer, body: &[u8]) -> HttpRequest {
        let url = url::Url::parse("https://b.example/inbox").unwrap();
        let h = signer
            .sign("POST", &url, Some(body), SystemTime::now())
            .unwrap();
        let mut req = actix_web::test::TestRequest::post().uri("/inbox");
        for (k, v) in h.pairs() {
            req = req.insert_header((k, v));
        }
        req.to_http_request()
    }

    #[test]
    fn verifies_our_signatures_and_refuses_other_keys() {
        let keys = generate_keypair().unwrap();
        let other = generate_keypair().unwrap();
        let signer =
            Signer::new(&keys.private_key_pem, "https://a.example/u#main-key".into()).unwrap();
        let req = signed_request(&signer, b"{}");
        let good = PublicKey::parse(&keys.public_key_pem).unwrap();
        let bad = PublicKey::parse(&other.public_key_pem).unwrap();
        assert!(verifies(&req, &good, true));
        assert!(!verifies(&req, &bad, true));
    }

    #[test]
    fn a_changed_pem_replaces_the_cached_key() {
        let a = generate_keypair().unwrap();
        let b = generate_keypair().unwrap();
        let cache = KeyCache::default();
        let first = cache.get("https://a.example/u", &a.public_key_pem).unwrap();
        let again = cache.get("https://a.example/u", &a.public_key_pem).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let rotated = cache.get("https://a.example/u", &b.public_key_pem).unwrap();
        assert!(!Arc::ptr_eq(&first, &rotated));
        assert_eq!(cache.len(), 1);
        assert!(cache.get("https://a.example/v", "not a key").is_none());
    }

    /// Signs `message` with a fresh `bits`-bit key as any RSA implementation
    /// would; returns the key's SPKI PEM and the signature.
    fn signed_with_a_key_of(bits: usize, message: &[u8]) -> (String, Vec<u8>) {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        use rsa::{Pkcs1v15Sign, RsaPrivateKey};
        use sha2::{Digest, Sha256};
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, bits).unwrap();
        let signature = key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
            .unwrap();
        let pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        (pem, signature)
    }

    #[test]
    fn old_1024_bit_keys_verify_and_shorter_ones_are_refused() {
        let message = b"(request-target): post /inbox";
        let (pem, signature) = signed_with_a_key_of(1024, message);
        let key = PublicKey::parse(&pem).unwrap();
        assert!(key.verify(message, &signature));
        assert!(!key.verify(b"(request-target): post /other", &signature));

        let (pem, signature) = signed_with_a_key_of(4096, message);
        assert!(PublicKey::parse(&pem).unwrap().verify(message, &signature));

        let (pem, _) = signed_with_a_key_of(512, message);
        assert!(
            PublicKey::parse(&pem).is_none(),
            "a 512-bit key is factorable"
        );
    }
}
