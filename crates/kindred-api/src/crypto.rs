//! Secrets handling: password hashes, bearer tokens, email encryption and CSRF tokens.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use kindred_domain::{EmailAddress, Password};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// A sub-key for one purpose, so one leaked sub-key does not expose the others.
pub fn derive_key(master: &[u8; 32], purpose: &[u8]) -> [u8; 32] {
    #[allow(clippy::expect_used)] // HMAC accepts keys of any length
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("hmac key");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

/// 256 random bits, URL-safe: bearer tokens, authorization codes, client credentials.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens and codes are high-entropy, so a plain SHA-256 is a safe one-way store.
pub fn sha256_hex(input: &str) -> String {
    kindred_domain::digest::sha256_hex(input.as_bytes())
}

/// PKCE S256: BASE64URL(SHA256(verifier)) compared in constant time.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// argon2id with the crate's recommended parameters.
pub fn hash_password(password: &Password) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(hash: &str, candidate: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so a login for an unknown username cannot be
/// told apart by its timing.
pub fn burn_password_check(candidate: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| {
        let p = Password::parse("kindred-timing-dummy").unwrap_or_else(|_| unreachable!());
        hash_password(&p).unwrap_or_default()
    });
    let _ = verify_password(hash, candidate);
}

/// A strong password for accounts created from the command line: 24 characters from
/// 62 symbols (about 142 bits).
pub fn generate_password() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
}

/// Encrypts email addresses at rest and derives the keyed look-up hash used at login.
/// Download tokens of data exports: the token of export `id` is a keyed hash of
/// the id, so the URL can be shown again while only its SHA-256 is stored, and
/// nobody without the instance secret can guess one.
pub struct DownloadKey(Zeroizing<[u8; 32]>);

impl DownloadKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(Zeroizing::new(key))
    }

    pub fn token(&self, id: i64) -> String {
        #[allow(clippy::expect_used)] // HMAC accepts keys of any length
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.0.as_ref()).expect("hmac key");
        mac.update(b"export ");
        mac.update(id.to_string().as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Signed, expiring addresses of pictures that are not public (a followers-only,
/// direct or group post's, an upload not yet posted). Apps load a picture's URL
/// without the bearer token, so the presenter, which shows the post only to whom
/// may see it, hands each such viewer a URL that works until `expires` (a Unix
/// time) and names one version of one picture; nobody without the instance secret
/// can make one.
pub struct MediaUrlKey(Zeroizing<[u8; 32]>);

impl MediaUrlKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(Zeroizing::new(key))
    }

    pub fn sign(&self, token: &str, variant: &str, expires: i64) -> String {
        #[allow(clippy::expect_used)] // HMAC accepts keys of any length
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.0.as_ref()).expect("hmac key");
        mac.update(format!("media {token} {variant} {expires}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    pub fn verify(&self, token: &str, variant: &str, expires: i64, sig: &str) -> bool {
        constant_time_eq(
            self.sign(token, variant, expires).as_bytes(),
            sig.as_bytes(),
        )
    }
}

pub struct EmailCipher {
    cipher: XChaCha20Poly1305,
    lookup_key: Zeroizing<[u8; 32]>,
}

impl EmailCipher {
    pub fn new(encryption_key: [u8; 32], lookup_key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&encryption_key.into()),
            lookup_key: Zeroizing::new(lookup_key),
        }
    }

    /// nonce (24 bytes) || ciphertext.
    pub fn encrypt(&self, email: &EmailAddress) -> Vec<u8> {
        self.seal(email.as_str())
    }

    /// Any short secret the same way (a queued email's link token), opened with
    /// `decrypt`.
    pub fn seal(&self, text: &str) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        #[allow(clippy::expect_used)] // encryption of a short buffer cannot fail
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), text.as_bytes())
            .expect("encrypt");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn decrypt(&self, data: &[u8]) -> Option<String> {
        if data.len() < 24 {
            return None;
        }
        let (nonce, sealed) = data.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .ok()?;
        String::from_utf8(plain).ok()
    }

    pub fn lookup(&self, email: &EmailAddress) -> String {
        #[allow(clippy::expect_used)]
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(self.lookup_key.as_ref()).expect("hmac key");
        mac.update(email.lookup_form().as_bytes());
        format!("{:x}", mac.finalize().into_bytes())
    }
}

/// CSRF tokens for the HTML forms: the browser holds a random nonce in a strict
/// same-site cookie, and the form carries HMAC(nonce). A forged form cannot know the
/// nonce, and a cookie planted by a neighbour cannot produce a valid MAC.
pub struct CsrfSigner {
    key: Zeroizing<[u8; 32]>,
}

impl CsrfSigner {
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            key: Zeroizing::new(key),
        }
    }

    pub fn new_nonce() -> String {
        random_token()
    }

    pub fn token_for(&self, nonce: &str) -> String {
        #[allow(clippy::expect_used)]
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.key.as_ref()).expect("hmac key");
        mac.update(nonce.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    pub fn verify(&self, nonce: &str, token: &str) -> bool {
        !nonce.is_empty() && constant_time_eq(self.token_for(nonce).as_bytes(), token.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_round_trip_and_lookup() {
        let c = EmailCipher::new([1; 32], [2; 32]);
        let e = EmailAddress::parse("Alice@Example.org").unwrap();
        let sealed = c.encrypt(&e);
        assert!(!sealed.windows(5).any(|w| w == b"Alice"));
        assert_eq!(c.decrypt(&sealed).as_deref(), Some("Alice@example.org"));
        assert_eq!(
            c.lookup(&e),
            c.lookup(&EmailAddress::parse("alice@EXAMPLE.org").unwrap())
        );
        let other = EmailCipher::new([3; 32], [2; 32]);
        assert_eq!(other.decrypt(&sealed), None);
    }

    #[test]
    fn passwords() {
        let p = Password::parse("correct horse").unwrap();
        let h = hash_password(&p).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "wrong horse"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn pkce_rfc7636_example() {
        assert!(pkce_s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_s256_matches(
            "other",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn csrf() {
        let s = CsrfSigner::new([9; 32]);
        let n = CsrfSigner::new_nonce();
        let t = s.token_for(&n);
        assert!(s.verify(&n, &t));
        assert!(!s.verify(&n, "forged"));
        assert!(!s.verify("", &s.token_for("")));
    }
}
