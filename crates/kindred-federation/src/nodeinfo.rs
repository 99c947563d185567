//! NodeInfo 2.1: what software this is and whether it speaks the Mastodon client API.

use serde_json::{json, Value};

use crate::LocalUrls;

pub const SCHEMA_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

pub fn discovery(urls: &LocalUrls) -> Value {
    json!({ "links": [{ "rel": SCHEMA_21, "href": urls.path("/nodeinfo/2.1") }] })
}

pub struct NodeInfoInput<'a> {
    pub version: &'a str,
    pub node_name: &'a str,
    pub node_description: &'a str,
    pub open_registrations: bool,
    pub users_total: i64,
    pub local_posts: i64,
}

/// Counts only: never a list of who is here.
pub fn document(input: &NodeInfoInput<'_>) -> Value {
    json!({
        "version": "2.1",
        "software": {
            "name": "kindred",
            "version": input.version,
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": input.open_registrations,
        "usage": {
            "users": { "total": input.users_total },
            "localPosts": input.local_posts,
        },
        "metadata": {
            "nodeName": input.node_name,
            "nodeDescription": input.node_description,
            // The way Pleroma/Akkoma and GoToSocial announce a Mastodon-compatible
            // client API (and its streaming API); client libraries that sniff the
            // software read this.
            "features": ["mastodon_api", "mastodon_api_streaming"],
            "mastodonApiCompatible": true,
            // megalodon (npm, behind several desktop apps) knows a server by
            // `software.name` alone and refuses a name it does not know, except when
            // `metadata.upstream.name` is "mastodon", which it reads as "speaks
            // Mastodon's client API". Kindred is not a Mastodon fork; it publishes
            // this for that API family only, and keeps its own name above.
            "upstream": { "name": "mastodon" },
            "federation": { "enabled": true },
        },
    })
}
