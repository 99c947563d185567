//! Who is fetching: the verified signer of a GET for a non-public object. The same
//! checks as the inbox (covered headers, Date window, signature against the actor's
//! key fetched from its origin), without a body.

use std::time::SystemTime;

use activitypub_federation::actix_web::signing_actor;
use activitypub_federation::config::FederationConfig;
use actix_web::HttpRequest;

use super::actor::RemoteActor;
use super::context::FedData;
use super::error::InboxError;
use crate::inbound::{self, InboundRefusal};

/// Why a fetch is not signed well enough to be answered.
#[derive(Debug)]
pub enum FetchRefusal {
    /// No signature, or one that does not cover what it must.
    Unsigned(InboundRefusal),
    /// Signed, but the signature does not verify.
    Invalid(InboxError),
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
    let params = inbound::parse_signature(signature).map_err(FetchRefusal::Unsigned)?;
    inbound::require_covered(&params, false).map_err(FetchRefusal::Unsigned)?;
    let date = req.headers().get("date").and_then(|v| v.to_str().ok());
    inbound::check_date(date, SystemTime::now()).map_err(FetchRefusal::Unsigned)?;
    let data = config.to_request_data();
    signing_actor::<RemoteActor>(req, None, &data)
        .await
        .map_err(FetchRefusal::Invalid)
}
