//! What every inbound handler gets: storage, our URLs, the id generator, and a way to
//! announce committed changes (the streaming API lives above this crate).

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use activitypub_federation::config::FederationConfig;
use kindred_core::Event;
use kindred_db::Db;
use kindred_domain::IdGenerator;
use url::Url;

use super::known_actors::KnownActors;
use crate::http::{self, HttpPolicy};
use crate::http_signatures::verify::KeyCache;
use crate::LocalUrls;

/// Where the inbox hands what it committed (`kindred_core::Event`, the one event
/// type): the streaming API, which lives above this crate.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

pub struct Inner {
    pub db: Db,
    pub urls: LocalUrls,
    pub ids: Arc<IdGenerator>,
    pub events: EventSink,
    /// Which peers may be reached (and which URLs are acceptable in activities).
    pub http: HttpPolicy,
    /// Remote actors' public keys, parsed once (see `signature`).
    pub keys: KeyCache,
    /// Remote actors recently read or stored (see `known_actors`).
    pub actors: KnownActors,
    /// The library's HTTP client, for the one fetch that must see the status code
    /// (`groups::origin_says_gone`); set by `federation_config`.
    pub client: OnceLock<reqwest_middleware::ClientWithMiddleware>,
    /// The federation policy, for rules that depend on who a partner is (RSVPs:
    /// `rsvp`); set by `federation_config`. Unset: nobody is a partner.
    pub policy: OnceLock<Arc<crate::policy::PolicyHandle>>,
    /// `meetings.max_per_remote_domain`: places one remote server may hold on a
    /// meeting that (nor its group) sets no cap.
    pub max_per_remote_domain: u32,
}

/// The library's app data (`Data<FedData>` in every trait method).
#[derive(Clone)]
pub struct FedData(Arc<Inner>);

impl FedData {
    pub fn new(
        db: Db,
        urls: LocalUrls,
        ids: Arc<IdGenerator>,
        events: EventSink,
        http: HttpPolicy,
        max_per_remote_domain: u32,
    ) -> Self {
        Self(Arc::new(Inner {
            db,
            urls,
            ids,
            events,
            http,
            keys: KeyCache::default(),
            actors: KnownActors::default(),
            client: OnceLock::new(),
            policy: OnceLock::new(),
            max_per_remote_domain,
        }))
    }

    /// What the policy says about the server of `actor` (refused when it is unset
    /// or cannot be read: failing closed).
    pub async fn decide(&self, actor: &Url) -> kindred_domain::federation_policy::Decision {
        match self.policy.get() {
            Some(p) => p.decide(actor.as_str()).await,
            None => kindred_domain::federation_policy::Decision::Refuse,
        }
    }

    pub fn publish(&self, e: Event) {
        (self.events)(e);
    }

    /// Publishes what a core function committed, in order.
    pub fn publish_all(&self, events: Vec<Event>) {
        for e in events {
            self.publish(e);
        }
    }
}

impl Deref for FedData {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The instance actor, which signs our fetches (never a member: fetching must not
/// reveal who is reading).
pub struct FetchSigner {
    pub actor_id: Url,
    pub private_key_pem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("http client: {0}")]
    Client(String),
    #[error("federation config: {0}")]
    Build(String),
}

/// Builds the library's configuration around our HTTP client. The library's `debug`
/// switch is on only with `allow_private_networks` (tests), where it lifts its URL
/// checks (ports, loopback); we never use its activity sending or queue.
pub async fn federation_config(
    data: FedData,
    user_agent: &str,
    signer: FetchSigner,
    rules: Option<std::sync::Arc<crate::policy::PolicyHandle>>,
) -> Result<FederationConfig<FedData>, ConfigError> {
    let policy = data.http;
    if let Some(r) = &rules {
        let _ = data.policy.set(r.clone());
    }
    // Fetches are signed by our middleware (AWS-LC), not by the library (`rsa`).
    let key_id = format!("{}#main-key", signer.actor_id);
    let fetch_signer = crate::http_signatures::sign::Signer::new(&signer.private_key_pem, key_id)
        .map_err(|e| ConfigError::Client(e.to_string()))?;
    let client = http::client(policy, user_agent, rules, Some(fetch_signer))
        .map_err(|e| ConfigError::Client(e.to_string()))?;
    let domain = data.urls.domain().to_string();
    // Set once: a second configuration around the same data keeps the first client.
    let _ = data.client.set(client.clone());
    FederationConfig::builder()
        .domain(domain)
        .app_data(data)
        .client(client)
        .debug(policy.allow_private_networks)
        .allow_http_urls(policy.allow_http)
        .http_fetch_limit(20)
        .build()
        .await
        .map_err(|e| ConfigError::Build(e.to_string()))
}
