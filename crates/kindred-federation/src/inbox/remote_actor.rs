//! Remote actors (Person, Service, Group, Application, Organization): fetched from
//! their own origin, checked, and stored as an `accounts` row plus `remote_accounts`.

use std::sync::Arc;

use activitypub_federation::config::Data;
use activitypub_federation::protocol::helpers::deserialize_skip_error;
use activitypub_federation::protocol::public_key::PublicKey;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use kindred_db::models::remote_accounts::{self, RemoteAccountRow, RemoteProfile};
use kindred_db::{AccountRow, DbError};
use serde::Deserialize;
use url::Url;

use super::addressing::{domain_of, same_origin};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::known_actors;
use crate::sanitize;

/// The actor types we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ActorKind {
    Person,
    Service,
    Group,
    Application,
    Organization,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "Person",
            Self::Service => "Service",
            Self::Group => "Group",
            Self::Application => "Application",
            Self::Organization => "Organization",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorEndpoints {
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub shared_inbox: Option<Url>,
}

/// An actor document as other servers publish it (the fields we use).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApActor {
    #[serde(rename = "type")]
    pub kind: ActorKind,
    pub id: Url,
    pub preferred_username: String,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub url: Option<Url>,
    pub inbox: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub followers: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub endpoints: Option<ActorEndpoints>,
    pub public_key: PublicKey,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub discoverable: Option<bool>,
    /// Mastodon's `toot:suspended`: its own server suspended it.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub suspended: Option<bool>,
}

/// A stored remote actor.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub account: AccountRow,
    pub remote: RemoteAccountRow,
}

impl RemoteActor {
    pub fn uri(&self) -> &str {
        &self.remote.uri
    }
}

const MAX_USERNAME: usize = 64;
const MAX_DISPLAY_NAME: usize = 100;
const MAX_NOTE: usize = 1000;
const MAX_KEY_PEM: usize = 8 * 1024;

fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= MAX_USERNAME
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The checks every actor document must pass, wherever it came from.
pub fn check_actor(json: &ApActor, fetched_from: &Url, data: &FedData) -> Result<(), InboxError> {
    if !same_origin(&json.id, fetched_from) {
        return Err(Refusal::OriginMismatch.into());
    }
    if data.urls.is_local(&json.id) {
        return Err(Refusal::LocalObject.into());
    }
    if !same_origin(&json.inbox, &json.id) {
        return Err(Refusal::OriginMismatch.into());
    }
    if json.public_key.owner != json.id
        || json.public_key.public_key_pem.len() > MAX_KEY_PEM
        || !json.public_key.id.starts_with(json.id.as_str())
    {
        return Err(Refusal::Malformed.into());
    }
    if !valid_username(&json.preferred_username) {
        return Err(Refusal::Malformed.into());
    }
    Ok(())
}

#[async_trait::async_trait]
impl Object for RemoteActor {
    type DataType = FedData;
    type Kind = ApActor;
    type Error = InboxError;

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.remote.fetched_at.and_utc())
    }

    async fn read_from_id(id: Url, data: &Data<FedData>) -> Result<Option<Self>, InboxError> {
        if data.urls.is_local(&id) {
            return Ok(None);
        }
        Ok(known_actors::find(data, id.as_str())
            .await?
            .map(Arc::unwrap_or_clone))
    }

    /// The origin answered 410: the actor is gone, and so is our copy.
    async fn delete(self, data: &Data<FedData>) -> Result<(), InboxError> {
        forget(data, &self).await
    }

    async fn into_json(self, _data: &Data<FedData>) -> Result<ApActor, InboxError> {
        // Remote actors are never served from here.
        Err(Refusal::LocalObject.into())
    }

    async fn verify(
        json: &ApActor,
        expected: &Url,
        data: &Data<FedData>,
    ) -> Result<(), InboxError> {
        check_actor(json, expected, data.app_data())
    }

    async fn from_json(json: ApActor, data: &Data<FedData>) -> Result<Self, InboxError> {
        // `verify` ran first on every path that reaches here; the local check is
        // repeated because overwriting a local account must be impossible.
        if data.urls.is_local(&json.id) {
            return Err(Refusal::LocalObject.into());
        }
        let domain = domain_of(&json.id).ok_or(Refusal::Malformed)?;
        let shared_inbox = json
            .endpoints
            .and_then(|e| e.shared_inbox)
            .filter(|s| same_origin(s, &json.id));
        let profile = RemoteProfile {
            uri: json.id.to_string(),
            username: json.preferred_username.clone(),
            domain,
            display_name: sanitize::truncate(
                json.name.as_deref().unwrap_or_default().trim(),
                MAX_DISPLAY_NAME,
            ),
            note: sanitize::truncate(
                &sanitize::plain_text(json.summary.as_deref().unwrap_or_default()),
                MAX_NOTE,
            ),
            public_key_pem: json.public_key.public_key_pem,
            locked: json.manually_approves_followers.unwrap_or(false),
            bot: matches!(json.kind, ActorKind::Service | ActorKind::Application),
            discoverable: json.discoverable.unwrap_or(false),
            inbox_url: json.inbox.to_string(),
            shared_inbox_url: shared_inbox.map(|u| u.to_string()),
            followers_url: json.followers.map(|u| u.to_string()),
            url: json.url.map(|u| u.to_string()),
            actor_type: json.kind.as_str().to_owned(),
        };
        let now = Utc::now();
        let new_id = data.ids.next_at(now);
        let suspended = json.suspended.unwrap_or(false);
        let (account, remote) = data
            .db
            .run(move |c| {
                kindred_db::transaction::atomically(c, |c| {
                    let (account, remote) =
                        remote_accounts::upsert(c, new_id, &profile, now.naive_utc())?;
                    if suspended || account.suspended {
                        kindred_core::moderation::remote_says_suspended(
                            c, &account, suspended, now,
                        )?;
                    }
                    let account = kindred_db::models::accounts::find(c, account.id)?
                        .ok_or(DbError::NotFound)?;
                    Ok((account, remote))
                })
            })
            .await?;
        let actor = Self { account, remote };
        data.actors.put(Arc::new(actor.clone()));
        Ok(actor)
    }
}

/// Deletes our copy of a remote actor (its statuses and relations go with it) and
/// forgets it.
pub async fn forget(data: &FedData, actor: &RemoteActor) -> Result<(), InboxError> {
    let id = actor.account.id;
    data.actors.forget(actor.uri());
    data.db.run(move |c| remote_accounts::delete(c, id)).await?;
    // Again: a look-up that read the row before the delete may have put it back.
    data.actors.forget(actor.uri());
    Ok(())
}

impl Actor for RemoteActor {
    fn id(&self) -> Url {
        // Stored only after parsing as a URL.
        Url::parse(&self.remote.uri).unwrap_or_else(|_| self.inbox())
    }

    fn public_key_pem(&self) -> &str {
        &self.account.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        #[allow(clippy::expect_used)] // a constant that parses
        Url::parse(&self.remote.inbox_url)
            .unwrap_or_else(|_| Url::parse("https://invalid.invalid/").expect("valid url"))
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.remote
            .shared_inbox_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
    }
}
