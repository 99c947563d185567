//! HTTP signature verification (cavage draft, `rsa-sha256`) for the inbox and for
//! signed fetches. The signing string is rebuilt by `http_signature_normalization`
//! (as `activitypub_federation` does); the RSA check is `ring`'s, several times
//! faster than the `rsa` crate, with each actor's key parsed once and kept in a
//! bounded cache. A cached key is used only while the stored PEM is the very same
//! text, so a re-fetched (rotated) key replaces it on its first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::HttpRequest;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Distinct actors' keys kept; past this the cache starts over (a parse is cheap
/// next to a fetch, the bound keeps memory flat whatever the traffic).
pub const MAX_CACHED_KEYS: usize = 10_000;

/// A signature older than this does not verify (the inbox's Date window is checked
/// before, with the same bound).
const EXPIRES_AFTER: Duration = Duration::from_secs(60 * 60);

/// An actor's public key, parsed.
#[derive(Debug)]
pub struct PublicKey {
    pem: String,
    check: Check,
}

#[derive(Debug)]
enum Check {
    /// PKCS#1 DER of a 2048–8192-bit key, for `ring`.
    Ring(Vec<u8>),
    /// Keys `ring` refuses (shorter than 2048 bits), as the library accepted them.
    Rsa(RsaPublicKey),
}

impl PublicKey {
    /// Parses a `BEGIN PUBLIC KEY` (SPKI) PEM, as actor documents carry.
    pub fn parse(pem: &str) -> Option<Self> {
        let key = RsaPublicKey::from_public_key_pem(pem).ok()?;
        let bits = key.n().bits();
        let check = if (2048..=8192).contains(&bits) {
            Check::Ring(key.to_pkcs1_der().ok()?.as_bytes().to_vec())
        } else {
            Check::Rsa(key)
        };
        Some(Self {
            pem: pem.to_owned(),
            check,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.check {
            Check::Ring(der) => UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
                .verify(message, signature)
                .is_ok(),
            Check::Rsa(key) => key
                .verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(message),
                    signature,
                )
                .is_ok(),
        }
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
    use crate::keys::generate_keypair;
    use crate::signing::Signer;
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
}
