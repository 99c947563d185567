//! Who is fetching: the verified signer of a GET for a non-public object. The same
//! checks as the inbox (covered headers, Date window, signature against the actor's
//! key fetched from its origin), without a body.
//!
//! The signature is verified here rather than by `activitypub_federation`'s
//! `signing_actor`, which demands a `Digest` header even on a GET: Mastodon signs
//! its fetches over `(request-target) host date` without one, and would be refused.
//! A `Digest` that is present must still name the empty body.

use std::time::SystemTime;

use activitypub_federation::config::FederationConfig;
use activitypub_federation::error::Error as LibError;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Actor;
use actix_web::HttpRequest;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use url::Url;

use super::precheck::{self, InboundRefusal};
use super::verify;
use crate::inbox::context::FedData;
use crate::inbox::error::InboxError;
use crate::inbox::remote_actor::RemoteActor;

/// Why a fetch is not signed well enough to be answered.
#[derive(Debug)]
pub enum FetchRefusal {
    /// No signature, or one that does not cover what it must.
    Unsigned(InboundRefusal),
    /// Signed, but the signature does not verify.
    Invalid(InboxError),
}

fn invalid() -> FetchRefusal {
    FetchRefusal::Invalid(LibError::ActivitySignatureInvalid.into())
}

pub async fn signed_fetcher(
    config: &FederationConfig<FedData>,
    req: &HttpRequest,
) -> Result<RemoteActor, FetchRefusal> {
    let signature = req
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(FetchRefusal::Unsigned(InboundRefusal::NoSignature))?;
    let params = precheck::parse_signature(signature).map_err(FetchRefusal::Unsigned)?;
    precheck::require_covered(&params, false).map_err(FetchRefusal::Unsigned)?;
    let date = req.headers().get("date").and_then(|v| v.to_str().ok());
    precheck::check_date(date, SystemTime::now()).map_err(FetchRefusal::Unsigned)?;
    if !digest_names_empty_body(req) {
        return Err(FetchRefusal::Invalid(
            LibError::ActivityBodyDigestInvalid.into(),
        ));
    }
    // The key belongs to the actor whose id is the key id without its fragment.
    let mut actor_url = Url::parse(&params.key_id).map_err(|_| invalid())?;
    if actor_url.fragment().is_none() {
        return Err(invalid());
    }
    actor_url.set_fragment(None);
    let data = config.to_request_data();
    let actor = ObjectId::<RemoteActor>::from(actor_url)
        .dereference(&data)
        .await
        .map_err(FetchRefusal::Invalid)?;
    let key = data.keys.get(actor.uri(), actor.public_key_pem());
    if key.is_some_and(|k| verify::verifies(req, &k, false)) {
        Ok(actor)
    } else {
        Err(invalid())
    }
}

/// No `Digest`, or one whose SHA-256 entries all name the empty body.
fn digest_names_empty_body(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get("digest") else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let empty = BASE64.encode(Sha256::digest(b""));
    value
        .split(',')
        .filter_map(|part| part.trim().split_once('='))
        .all(|(alg, v)| !alg.eq_ignore_ascii_case("sha-256") || v == empty)
}
