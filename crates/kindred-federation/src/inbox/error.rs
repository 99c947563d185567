use kindred_db::DbError;

/// Why an inbound activity was refused by our own rules (the library's signature,
/// digest and fetch errors come as [`InboxError::Federation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the activity is malformed")]
    Malformed,
    #[error("the actor and the activity are not from the same origin")]
    OriginMismatch,
    #[error("the actor could not be verified")]
    ActorUnverifiable,
    #[error("the actor does not own the object")]
    NotOwner,
    #[error("a remote activity cannot change a local object")]
    LocalObject,
    #[error("the activity is not addressed to an account here")]
    NotLocalTarget,
    #[error("the object could not be fetched from its origin")]
    Unfetchable,
    #[error("the object cannot be boosted")]
    NotBoostable,
    #[error("this request was already received")]
    Replay,
    #[error("the actor conflicts with another account")]
    Conflict,
    #[error("anonymous answers are taken only from a trusted partner's instance actor")]
    AnonymousNotTrusted,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "invalid_activity",
            Self::OriginMismatch => "origin_mismatch",
            Self::ActorUnverifiable => "actor_unverifiable",
            Self::NotOwner => "not_owner",
            Self::LocalObject => "local_object",
            Self::NotLocalTarget => "not_local_target",
            Self::Unfetchable => "object_unavailable",
            Self::NotBoostable => "not_boostable",
            Self::Replay => "replayed_request",
            Self::Conflict => "actor_conflict",
            Self::AnonymousNotTrusted => "anonymous_not_trusted",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("federation: {0}")]
    Federation(activitypub_federation::error::Error),
    #[error(transparent)]
    Db(DbError),
}

impl From<activitypub_federation::error::Error> for InboxError {
    fn from(e: activitypub_federation::error::Error) -> Self {
        Self::Federation(e)
    }
}

impl From<DbError> for InboxError {
    fn from(e: DbError) -> Self {
        match e {
            // A unique clash from remote data (a username held by another actor).
            DbError::Conflict => Self::Refused(Refusal::Conflict),
            other => Self::Db(other),
        }
    }
}

/// How a refusal is classed for the HTTP layer and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad or unverifiable signature, digest or actor: 401.
    Unauthenticated,
    /// Verified sender, but not allowed to do this: 403.
    Forbidden,
    /// Malformed or unusable input: 400.
    BadRequest,
    /// The same signed request again: 409.
    Replay,
    /// Our fault (storage): 500/503.
    Internal,
}

impl InboxError {
    pub fn class(&self) -> ErrorClass {
        use activitypub_federation::error::Error as E;
        match self {
            Self::Refused(r) => match r {
                Refusal::OriginMismatch | Refusal::ActorUnverifiable => ErrorClass::Unauthenticated,
                Refusal::NotOwner | Refusal::LocalObject | Refusal::AnonymousNotTrusted => {
                    ErrorClass::Forbidden
                }
                Refusal::Replay => ErrorClass::Replay,
                _ => ErrorClass::BadRequest,
            },
            Self::Federation(e) => match e {
                E::ActivityBodyDigestInvalid | E::ActivitySignatureInvalid | E::Other(_) => {
                    ErrorClass::Unauthenticated
                }
                _ => ErrorClass::BadRequest,
            },
            Self::Db(_) => ErrorClass::Internal,
        }
    }

    /// A stable snake_case code, safe to log and to show.
    pub fn code(&self) -> &'static str {
        use activitypub_federation::error::Error as E;
        match self {
            Self::Refused(r) => r.code(),
            Self::Federation(e) => match e {
                E::ActivityBodyDigestInvalid => "digest_mismatch",
                E::ActivitySignatureInvalid | E::Other(_) => "signature_invalid",
                E::ParseReceivedActivity(..) => "invalid_activity",
                E::UrlVerificationError(_) => "invalid_url",
                E::RequestLimit => "fetch_limit",
                _ => "object_unavailable",
            },
            Self::Db(d) => d.code(),
        }
    }
}
