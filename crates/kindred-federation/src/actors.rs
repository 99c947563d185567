//! The ActivityPub documents for local actors. Built only from public profile
//! fields: nothing from a member's login (email, password, private key) is reachable
//! from here, because [`AccountRow`] does not hold it.

use activitypub_federation::kinds::actor::{ApplicationType, PersonType};
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::protocol::public_key::PublicKey;
use chrono::{DateTime, Utc};
use kindred_db::AccountRow;
use kindred_domain::text::plain_text_to_html;
use serde::Serialize;
use url::Url;

use crate::LocalUrls;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: Url,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(rename = "type")]
    pub kind: PersonType,
    pub id: Url,
    pub preferred_username: String,
    pub name: String,
    pub summary: String,
    pub url: Url,
    pub inbox: Url,
    pub outbox: Url,
    pub followers: Url,
    pub following: Url,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub published: DateTime<Utc>,
}

/// The instance actor: signs fetches on behalf of the server itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceActor {
    #[serde(rename = "type")]
    pub kind: ApplicationType,
    pub id: Url,
    pub preferred_username: String,
    pub name: String,
    pub url: Url,
    pub inbox: Url,
    pub outbox: Url,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
}

/// Name of the instance actor in WebFinger (`kindred.internal@domain`); it cannot clash
/// with a member because usernames have no dots.
pub const INSTANCE_ACTOR_NAME: &str = "kindred.internal";

/// Extra JSON-LD terms Mastodon uses; sent so Mastodon reads `discoverable` and
/// `manuallyApprovesFollowers` the way it writes them.
fn context() -> serde_json::Value {
    serde_json::json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable"
        }
    ])
}

pub fn person(account: &AccountRow, urls: &LocalUrls) -> WithContext<Person> {
    let name = &account.username;
    let id = urls.actor(name);
    let person = Person {
        kind: PersonType::Person,
        preferred_username: account.username.clone(),
        name: account.display_name.clone(),
        summary: plain_text_to_html(&account.note),
        url: urls.profile_page(name),
        inbox: urls.inbox(name),
        outbox: urls.outbox(name),
        followers: urls.followers(name),
        following: urls.following(name),
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey {
            id: urls.actor_key_id(name),
            owner: id.clone(),
            public_key_pem: account.public_key_pem.clone(),
        },
        manually_approves_followers: account.locked,
        discoverable: account.discoverable,
        // Search engines and full-text search of posts: never by default here.
        indexable: false,
        // The day only, as Mastodon does: the exact moment of sign-up is not public.
        published: account
            .created_at
            .date()
            .and_hms_opt(0, 0, 0)
            .unwrap_or(account.created_at)
            .and_utc(),
        id,
    };
    WithContext::new(person, context())
}

pub fn instance_actor(public_key_pem: &str, urls: &LocalUrls) -> WithContext<InstanceActor> {
    let id = urls.instance_actor();
    let actor = InstanceActor {
        kind: ApplicationType::Application,
        preferred_username: INSTANCE_ACTOR_NAME.to_owned(),
        name: urls.domain().to_string(),
        url: urls.base().clone(),
        inbox: urls.instance_actor_inbox(),
        outbox: urls.instance_actor_outbox(),
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey {
            id: urls.instance_actor_key_id(),
            owner: id.clone(),
            public_key_pem: public_key_pem.to_owned(),
        },
        manually_approves_followers: true,
        id,
    };
    WithContext::new(actor, context())
}

/// An empty ordered collection that reveals only a total, used for outboxes and
/// follower lists until those hold anything (and for members' lists, always).
pub fn ordered_collection(id: Url, total_items: u64) -> serde_json::Value {
    serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total_items,
    })
}
