//! The ActivityPub documents for local actors. Built only from public profile
//! fields: nothing from a member's login (email, password, private key) is reachable
//! from here, because [`AccountRow`] does not hold it.

use activitypub_federation::kinds::actor::{ApplicationType, GroupType, PersonType};
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::protocol::public_key::PublicKey;
use chrono::{DateTime, NaiveDateTime, Utc};
use kindred_db::models::groups::{GroupRow, PublicFigures};
use kindred_db::AccountRow;
use kindred_domain::groups::GroupVisibility;
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

/// A peer-support group that is not private, as a FEP-1b12 `Group`. It shows what
/// the group is and how to follow it; who belongs to it is never listed (its
/// collections are totals only), and its discussions never leave (invariant 1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupActor {
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub id: Url,
    pub preferred_username: String,
    pub name: String,
    pub summary: String,
    pub url: Url,
    pub inbox: Url,
    pub outbox: Url,
    pub followers: Url,
    /// Kindred's members collection: a total.
    pub members: Url,
    /// The facilitators collection (Lemmy reads moderators from here): a total.
    pub attributed_to: Url,
    pub featured: Url,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    /// Closed groups approve each follower.
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Only facilitators' announcements reach followers; nobody posts into a group
    /// from another server.
    pub posting_restricted_to_mods: bool,
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
    /// The day the instance actor was made. Lemmy 0.19 reads a server's actor only
    /// with it (its `Instance` has a required `published`).
    pub published: DateTime<Utc>,
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
        published: published_day(account),
        id,
    };
    WithContext::new(person, context())
}

/// JSON-LD terms a group document adds: Lemmy's and Mastodon's names for them.
fn group_context() -> serde_json::Value {
    serde_json::json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "lemmy": "https://join-lemmy.org/ns#",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "kindred": "https://kindred.social/ns#",
            "members": { "@id": "kindred:members", "@type": "@id" }
        }
    ])
}

/// The day an account was created, as Mastodon shows it: the exact moment of
/// sign-up is not public.
fn published_day(account: &AccountRow) -> DateTime<Utc> {
    account
        .created_at
        .date()
        .and_hms_opt(0, 0, 0)
        .unwrap_or(account.created_at)
        .and_utc()
}

/// The `Group` document; `None` for a private group, which has no document.
pub fn group(
    account: &AccountRow,
    group: &GroupRow,
    urls: &LocalUrls,
) -> Option<WithContext<GroupActor>> {
    if group.is_private() {
        return None;
    }
    let name = &account.username;
    let id = urls.actor(name);
    let actor = GroupActor {
        kind: GroupType::Group,
        preferred_username: account.username.clone(),
        name: account.display_name.clone(),
        summary: plain_text_to_html(&account.note),
        url: urls.profile_page(name),
        inbox: urls.inbox(name),
        outbox: urls.outbox(name),
        followers: urls.followers(name),
        members: urls.members(name),
        attributed_to: urls.facilitators(name),
        featured: urls.featured(name),
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey {
            id: urls.actor_key_id(name),
            owner: id.clone(),
            public_key_pem: account.public_key_pem.clone(),
        },
        manually_approves_followers: group.visibility == GroupVisibility::Closed,
        discoverable: true,
        indexable: false,
        posting_restricted_to_mods: true,
        published: published_day(account),
        id,
    };
    Some(WithContext::new(actor, group_context()))
}

/// Which of a group's collections, with the total it reveals.
pub fn group_collection_total(which: &str, figures: &PublicFigures) -> Option<i64> {
    Some(match which {
        // Local members and remote followers alike follow a group's announcements.
        "followers" => figures.members + figures.remote_followers,
        "members" => figures.members,
        "facilitators" => figures.facilitators,
        "outbox" => figures.public_announcements,
        // A group follows nobody.
        "following" => 0,
        _ => return None,
    })
}

/// The instance actor's document; `created` is when its keys were made (shown as
/// that day).
pub fn instance_actor(
    public_key_pem: &str,
    created: NaiveDateTime,
    urls: &LocalUrls,
) -> WithContext<InstanceActor> {
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
        published: created
            .date()
            .and_hms_opt(0, 0, 0)
            .unwrap_or(created)
            .and_utc(),
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
