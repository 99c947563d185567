//! One inbound activity, start to end: envelope, origin, digest, the actor (from
//! `known_actors`), the activity parsed (once: the handler parsed the body into JSON
//! for the policy check, and that value is used here), its URLs checked, the
//! signature verified with the actor's cached key, de-duplication (after the
//! signature, so an unsigned caller learns nothing of what we have seen; for a
//! `Create` of a note on SQLite only in the transaction that stores it), then our
//! `verify`/`receive`. On a failed signature the actor is re-fetched once (at most
//! once per 5 minutes) in case its key was rotated. Logs carry the activity type,
//! the origin's domain and the outcome code, never the body.
//!
//! These are the steps of `activitypub_federation`'s `receive_activity`, done here
//! so that nothing is done twice (it parses the body and dereferences the actor
//! again, and parses the PEM key on every verification). Its URL check also resolves
//! the activity id's host and refuses private addresses; that id is never fetched
//! here, and every fetch goes through `http::client`, which refuses non-global
//! addresses when it connects.

use std::sync::Arc;

use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::error::Error as LibError;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::{ActivityHandler, Actor};
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use chrono::{Duration, Utc};
use kindred_db::models::received::Seen;
use kindred_db::models::remote_accounts;
use kindred_db::Backend;
use serde_json::Value;
use url::Url;

use super::activities::{supported_object, InboxActivity, SUPPORTED};
use super::addressing::{domain_of, same_origin};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::known_actors;
use super::receipt::Receipt;
use super::refs::object_id;
use super::remote_actor::RemoteActor;
use crate::http_signatures::sign::digest_header;
use crate::http_signatures::verify;

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
struct Envelope {
    id: Url,
    kind: String,
    /// The actor's id (read once: the log line, the actor cache and `process`
    /// all need it). None when the activity names no actor it can be read from.
    actor: Option<Url>,
    object_type: Option<String>,
    object_id: Option<Url>,
}

impl Envelope {
    /// A `Create` of a note (not of a meeting listing): the inbox's hot path,
    /// de-duplicated by the transaction that stores the note (on SQLite only
    /// there; see `process`).
    fn creates_note(&self) -> bool {
        self.kind == "Create" && self.object_type.as_deref() != Some("Event")
    }

    fn read(v: &Value) -> Option<Self> {
        let object = v.get("object").unwrap_or(&Value::Null);
        Some(Self {
            id: Url::parse(v.get("id")?.as_str()?).ok()?,
            kind: v.get("type")?.as_str()?.to_owned(),
            actor: object_id(v.get("actor")?),
            object_type: object
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            object_id: object_id(object),
        })
    }
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

/// `activity` is the body parsed as JSON (None when it is not JSON).
pub async fn receive(
    config: &FederationConfig<FedData>,
    request: &HttpRequest,
    body: Bytes,
    activity: Option<Value>,
) -> Result<Outcome, InboxError> {
    let envelope = activity.as_ref().and_then(Envelope::read);
    let (kind, origin) = match &envelope {
        Some(e) => (
            SUPPORTED
                .iter()
                .find(|k| **k == e.kind)
                .copied()
                .unwrap_or("other"),
            e.actor.as_ref().and_then(domain_of).unwrap_or_default(),
        ),
        None => ("unreadable", String::new()),
    };
    let result = match (envelope, activity) {
        (Some(e), Some(activity)) => {
            let actor = e.actor.clone();
            let result = process(config, request, body, e, activity).await;
            if let (Err(InboxError::Db(_)), Some(actor)) = (&result, actor) {
                // Perhaps an actor another process deleted meanwhile: the sender's
                // retry reads it afresh.
                config.to_request_data().actors.forget(actor.as_str());
            }
            result
        }
        _ => Err(Refusal::Malformed.into()),
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
    activity: Value,
) -> Result<Outcome, InboxError> {
    if !SUPPORTED.contains(&e.kind.as_str()) || !supported_object(&e.kind, e.object_type.as_deref())
    {
        return Ok(Outcome::Ignored("unsupported_type"));
    }
    let actor_url = e.actor.clone().ok_or(Refusal::Malformed)?;
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

    let signature = request
        .headers()
        .get("signature")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let receipt = Receipt::new(e.id.as_str(), signature, Utc::now());
    // The actor as stored (fetched only when unknown or stale, as the library
    // would).
    let stored = known_actors::find(&data, actor_url.as_str())
        .await?
        .filter(|a| fresh(a));
    let actor = match stored {
        Some(a) => a,
        None => match ObjectId::<RemoteActor>::from(actor_url.clone())
            .dereference(&data)
            .await
        {
            Ok(a) => Arc::new(a),
            Err(InboxError::Db(d)) => return Err(InboxError::Db(d)),
            // A deleted account's farewell: its document is gone, so is our interest.
            Err(_) if e.kind == "Delete" && e.object_id.as_ref() == Some(&actor_url) => {
                return Ok(Outcome::Ignored("actor_gone"))
            }
            Err(_) => return Err(Refusal::ActorUnverifiable.into()),
        },
    };
    if actor.uri() != actor_url.as_str() {
        return Err(Refusal::ActorUnverifiable.into());
    }

    let activity = parse(&e, activity)?;
    check_urls(&data, &activity)?;
    if !signed_by(&data, request, &actor) {
        retry_with_fresh_key(config, request, &actor, &actor_url).await?;
    }
    // Only now, signed: "already seen" told to anyone who asks would say which
    // activity ids we hold (issue 21). A `Create` of a note is de-duplicated by the
    // transaction that stores it (`note::store`; it also settles two deliveries
    // racing each other). On SQLite nothing is read for it here: a pooled
    // connection's page cache is emptied by every commit, and this read cost a
    // sixth of the inbox's CPU. On PostgreSQL it is read here as well, from shared
    // buffers: measured, the inbox is about 940 activities/s so and 530–710
    // without, for reasons not understood (docs/performance.md, seventh federation
    // entry).
    if !e.creates_note() || data.db.backend() == Backend::Postgres {
        let r = receipt.clone();
        match data.db.run(move |c| r.seen(c)).await? {
            Seen::New => {}
            Seen::Duplicate => return Ok(Outcome::Duplicate),
            Seen::Replay => return Err(Refusal::Replay.into()),
        }
    }
    activity.verify(&data).await?;
    match activity {
        // The hot path: the note and the receipt in one write transaction, with the
        // actor verified above (no second look-up); the receipt looked for there.
        InboxActivity::Create(create) => {
            match create
                .receive_from(data.app_data(), &actor, Some(receipt))
                .await?
            {
                Seen::New => {}
                Seen::Duplicate => return Ok(Outcome::Duplicate),
                Seen::Replay => return Err(Refusal::Replay.into()),
            }
        }
        other => {
            other.receive(&data).await?;
            data.db.write_grouped(move |c| receipt.record(c)).await?;
        }
    }
    Ok(Outcome::Accepted)
}

/// Whether a stored actor is recent enough to use without fetching it again: the
/// library's rule (`ObjectId::dereference` refetches after a day, 20 s in debug
/// builds).
fn fresh(actor: &RemoteActor) -> bool {
    let max = if cfg!(debug_assertions) {
        Duration::seconds(20)
    } else {
        Duration::days(1)
    };
    Utc::now() - actor.remote.fetched_at.and_utc() < max
}

/// The activity as the type it names (no trial of every variant in turn).
fn parse(e: &Envelope, v: Value) -> Result<InboxActivity, InboxError> {
    use serde_json::from_value as from;
    let event = e.object_type.as_deref() == Some("Event");
    let parsed = match e.kind.as_str() {
        // `creates_note` names the same split: a `Create` parsed here is
        // de-duplicated by the transaction that stores its note.
        "Create" if e.creates_note() => from(v).map(InboxActivity::Create),
        "Create" | "Update" if event => from(v).map(InboxActivity::Event),
        "Accept" | "Reject" if e.object_type.as_deref() == Some("Join") => {
            from(v).map(InboxActivity::JoinAnswer)
        }
        "Follow" => from(v).map(InboxActivity::Follow),
        "Accept" => from(v).map(InboxActivity::Accept),
        "Reject" => from(v).map(InboxActivity::Reject),
        "Undo" => from(v).map(InboxActivity::Undo),
        "Update" => from(v).map(InboxActivity::Update),
        "Delete" => from(v).map(InboxActivity::Delete),
        "Like" => from(v).map(InboxActivity::Like),
        "Announce" => from(v).map(InboxActivity::Announce),
        "Join" => from(v).map(InboxActivity::Join),
        "Leave" => from(v).map(InboxActivity::Leave),
        "Flag" => from(v).map(InboxActivity::Flag),
        // `process` let only the supported types through.
        _ => return Err(Refusal::Malformed.into()),
    };
    parsed.map_err(|err| LibError::ParseReceivedActivity(err, Some(e.id.clone())).into())
}

/// The library's URL rules for a received activity: id and actor on one domain,
/// `https` (or `http` where allowed), a plain domain name, not ours, and no explicit
/// port outside test setups.
fn check_urls(data: &Data<FedData>, activity: &InboxActivity) -> Result<(), InboxError> {
    let id = activity.id();
    let invalid = |why| InboxError::Federation(LibError::UrlVerificationError(why));
    if id.domain() != activity.actor().domain() {
        return Err(invalid("Activity id and actor are on different domains"));
    }
    match id.scheme() {
        "https" => {}
        "http" if data.http.allow_http => {}
        _ => return Err(invalid("Invalid url scheme")),
    }
    if data.urls.is_local(id) {
        return Err(invalid("Activity was sent from local instance"));
    }
    let Some(domain) = id.domain() else {
        return Err(invalid("Url must have a domain"));
    };
    if !domain
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(invalid("Invalid characters in domain"));
    }
    // The library's debug mode (our test setups on loopback) allows ports.
    if !data.http.allow_private_networks && id.port().is_some() {
        return Err(invalid("Explicit port is not allowed"));
    }
    Ok(())
}

/// Whether the request is signed with the key we hold for `actor`.
fn signed_by(data: &Data<FedData>, request: &HttpRequest, actor: &RemoteActor) -> bool {
    data.keys
        .get(actor.uri(), actor.public_key_pem())
        .is_some_and(|key| verify::verifies(request, &key, true))
}

/// The signature did not verify with the key we hold: read the actor as stored (a
/// key another process re-fetched reaches here before `known_actors` expires it),
/// else fetch the actor again (if its last re-fetch is more than 5 minutes ago),
/// and verify once more.
async fn retry_with_fresh_key(
    config: &FederationConfig<FedData>,
    request: &HttpRequest,
    actor: &RemoteActor,
    actor_url: &Url,
) -> Result<(), InboxError> {
    let unverified = || InboxError::Federation(LibError::ActivitySignatureInvalid);
    let data: Data<FedData> = config.to_request_data();
    if let Some(stored) = known_actors::stored(&data, actor.uri()).await? {
        if stored.account.public_key_pem != actor.account.public_key_pem {
            let verified = signed_by(&data, request, &stored);
            data.actors.put(stored);
            if verified {
                return Ok(());
            }
        }
    }
    let now = Utc::now();
    let id = actor.account.id;
    let claimed = data
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
    let fresh = ObjectId::<RemoteActor>::from(actor_url.clone())
        .dereference_forced(&data)
        .await
        .map_err(|_| unverified())?;
    if fresh.account.public_key_pem == actor.account.public_key_pem {
        return Err(unverified());
    }
    if !signed_by(&data, request, &fresh) {
        return Err(unverified());
    }
    Ok(())
}
