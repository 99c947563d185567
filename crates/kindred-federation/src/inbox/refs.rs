//! How an activity names the object it is about: by id, or with the object embedded
//! (a Follow inside an Accept, Reject or Undo). Used across the inbox, so kept apart
//! from the handlers (`follows`, `rsvp`, `directory`, `content`, `groups`), which
//! would otherwise import each other for them.

use activitypub_federation::kinds::activity::FollowType;
use serde::Deserialize;
use url::Url;

/// A Follow inside an Accept, Reject or Undo.
#[derive(Debug, Clone, Deserialize)]
pub struct EmbeddedFollow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(default)]
    pub id: Option<Url>,
    pub actor: Url,
    pub object: Url,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(EmbeddedFollow),
    Id(Url),
}

/// The id in an `object` that is either a URL string or an object with an `id`.
pub fn object_id(v: &serde_json::Value) -> Option<Url> {
    let s = v.as_str().or_else(|| v.get("id")?.as_str())?;
    Url::parse(s).ok()
}
