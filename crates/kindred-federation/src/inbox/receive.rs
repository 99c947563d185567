//! One inbound activity, start to end: envelope, origin, digest, de-duplication,
//! the actor, then the library's signature check and our `verify`/`receive`; on a
//! failed signature the actor is re-fetched once (at most once per 5 minutes) in
//! case its key was rotated. Logs carry the activity type, the origin's domain and
//! the outcome code, never the body.

use activitypub_federation::actix_web::inbox::receive_activity;
use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::error::Error as LibError;
use activitypub_federation::fetch::object_id::ObjectId;
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use chrono::{Duration, Utc};
use kindred_db::models::received::{self, Seen};
use kindred_db::models::remote_accounts;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::activities::{supported_object, InboxActivity, SUPPORTED};
use super::actor::RemoteActor;
use super::addressing::{domain_of, same_origin};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::follows::object_id;
use crate::signing::digest_header;

/// How long a received activity id is remembered.
pub const DEDUPE_DAYS: i64 = 14;
/// Least time between two key re-fetches of one actor.
pub const KEY_REFETCH_MINUTES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Verified and processed.
    Accepted,
    /// Processed before; acknowledged, nothing done.
    Duplicate,
    /// Understood but not for us (an unsupported type, a gone actor's farewell).
    Ignored(&'static str),
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Ignored(why) => why,
        }
    }
}

/// The few fields read before anything else.
#[derive(Deserialize)]
struct Envelope {
    id: Url,
    #[serde(rename = "type")]
    kind: String,
    actor: serde_json::Value,
    #[serde(default)]
    object: serde_json::Value,
}

fn sha256_hex(s: &[u8]) -> String {
    Sha256::digest(s)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `Digest` header names this body (any SHA-256 entry matches).
fn digest_matches(request: &HttpRequest, body: &[u8]) -> bool {
    let want = digest_header(body);
    let want_value = want.trim_start_matches("SHA-256=");
    request
        .headers()
        .get_all("digest")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().split_once('='))
        .any(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == want_value)
}

pub async fn receive(
    config: &FederationConfig<FedData>,
    request: &HttpRequest,
    body: Bytes,
) -> Result<Outcome, InboxError> {
    let envelope: Option<Envelope> = serde_json::from_slice(&body).ok();
    let (kind, origin) = match &envelope {
        Some(e) => (
            SUPPORTED
                .iter()
                .find(|k| **k == e.kind)
                .copied()
                .unwrap_or("other"),
            object_id(&e.actor)
                .and_then(|u| domain_of(&u))
                .unwrap_or_default(),
        ),
        None => ("unreadable", String::new()),
    };
    let result = match envelope {
        Some(e) => process(config, request, body, e).await,
        None => Err(Refusal::Malformed.into()),
    };
    match &result {
        Ok(outcome) => {
            tracing::info!(activity = kind, origin = %origin, outcome = outcome.code(), "inbox")
        }
        Err(e) => {
            tracing::warn!(activity = kind, origin = %origin, refusal = e.code(), "inbox refused")
        }
    }
    result
}

async fn process(
    config: &FederationConfig<FedData>,
    request: &HttpRequest,
    body: Bytes,
    e: Envelope,
) -> Result<Outcome, InboxError> {
    let object_type = e.object.get("type").and_then(|t| t.as_str());
    if !SUPPORTED.contains(&e.kind.as_str()) || !supported_object(&e.kind, object_type) {
        return Ok(Outcome::Ignored("unsupported_type"));
    }
    let actor_url = object_id(&e.actor).ok_or(Refusal::Malformed)?;
    let data = config.to_request_data();
    if !same_origin(&actor_url, &e.id) {
        return Err(Refusal::OriginMismatch.into());
    }
    if data.urls.is_local(&actor_url) {
        return Err(Refusal::ActorUnverifiable.into());
    }
    if !digest_matches(request, &body) {
        return Err(LibError::ActivityBodyDigestInvalid.into());
    }

    let id_hash = sha256_hex(e.id.as_str().as_bytes());
    let signature = request
        .headers()
        .get("signature")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let sig_hash = sha256_hex(signature);
    let (h, s) = (id_hash.clone(), sig_hash.clone());
    match data.db.run(move |c| received::check(c, &h, &s)).await? {
        Seen::New => {}
        Seen::Duplicate => return Ok(Outcome::Duplicate),
        Seen::Replay => return Err(Refusal::Replay.into()),
    }

    let actor = match ObjectId::<RemoteActor>::from(actor_url.clone())
        .dereference(&data)
        .await
    {
        Ok(a) => a,
        Err(InboxError::Db(d)) => return Err(InboxError::Db(d)),
        // A deleted account's farewell: its document is gone, so is our interest.
        Err(_) if e.kind == "Delete" && object_id(&e.object).as_ref() == Some(&actor_url) => {
            return Ok(Outcome::Ignored("actor_gone"))
        }
        Err(_) => return Err(Refusal::ActorUnverifiable.into()),
    };
    if actor.uri() != actor_url.as_str() {
        return Err(Refusal::ActorUnverifiable.into());
    }

    let first = receive_activity::<InboxActivity, RemoteActor, FedData>(
        request.clone(),
        body.clone(),
        &data,
    )
    .await;
    match first {
        Ok(_) => {}
        Err(InboxError::Federation(LibError::ActivitySignatureInvalid | LibError::Other(_))) => {
            retry_with_fresh_key(config, request, body, &actor, &actor_url).await?
        }
        Err(other) => return Err(other),
    }

    let now = Utc::now();
    let prune = id_hash.starts_with("00");
    data.db
        .run(move |c| {
            received::record(c, &id_hash, &sig_hash, now.naive_utc())?;
            // About one in 256 activities also sweeps out the expired ids.
            if prune {
                received::prune(c, (now - Duration::days(DEDUPE_DAYS)).naive_utc())?;
            }
            Ok(())
        })
        .await?;
    Ok(Outcome::Accepted)
}

/// The signature did not verify with the key we hold: fetch the actor again (if its
/// last re-fetch is more than 5 minutes ago) and verify once more.
async fn retry_with_fresh_key(
    config: &FederationConfig<FedData>,
    request: &HttpRequest,
    body: Bytes,
    actor: &RemoteActor,
    actor_url: &Url,
) -> Result<(), InboxError> {
    let unverified = || InboxError::Federation(LibError::ActivitySignatureInvalid);
    let now = Utc::now();
    let id = actor.account.id;
    let claimed = config
        .to_request_data()
        .db
        .run(move |c| {
            remote_accounts::claim_key_refetch(
                c,
                id,
                now.naive_utc(),
                (now - Duration::minutes(KEY_REFETCH_MINUTES)).naive_utc(),
            )
        })
        .await?;
    if !claimed {
        return Err(unverified());
    }
    let data: Data<FedData> = config.to_request_data();
    let fresh = ObjectId::<RemoteActor>::from(actor_url.clone())
        .dereference_forced(&data)
        .await
        .map_err(|_| unverified())?;
    if fresh.account.public_key_pem == actor.account.public_key_pem {
        return Err(unverified());
    }
    receive_activity::<InboxActivity, RemoteActor, FedData>(request.clone(), body, &data).await?;
    Ok(())
}
