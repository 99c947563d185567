#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("key generation failed")]
    KeyGeneration,
    #[error("malformed resource")]
    MalformedResource,
    #[error("not a local resource")]
    NotLocal,
}

impl FederationError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyGeneration => "key_generation_failed",
            Self::MalformedResource => "malformed_resource",
            Self::NotLocal => "not_local",
        }
    }
}
