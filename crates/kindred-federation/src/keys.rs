use crate::FederationError;

/// An RSA-2048 key pair in PEM, as HTTP signatures (rsa-sha256) need.
pub struct KeyPair {
    pub private_key_pem: String,
    pub public_key_pem: String,
}

/// Generates a key pair. CPU-heavy (tens of milliseconds optimised): call it off the
/// async executor.
pub fn generate_keypair() -> Result<KeyPair, FederationError> {
    let kp = activitypub_federation::http_signatures::generate_actor_keypair()
        .map_err(|_| FederationError::KeyGeneration)?;
    Ok(KeyPair {
        private_key_pem: kp.private_key,
        public_key_pem: kp.public_key,
    })
}
