//! Remote notes → statuses rows: sanitized content, Mastodon's addressing read back
//! into a visibility, mentions of local accounts, hashtags, replies to statuses we
//! know, content warnings. Lemmy's `Page` and Mobilizon's `Article` (a thread or post
//! with a title) become statuses too: the title first, in bold, then the body.

use std::collections::HashMap;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::helpers::{deserialize_one_or_many, deserialize_skip_error};
use activitypub_federation::traits::Object;
use chrono::{DateTime, Utc};
use kindred_core::groups::mentions;
use kindred_core::statuses::{created, edited};
use kindred_core::Event;
use kindred_db::models::received::Seen;
use kindred_db::models::statuses::{self as repo, NewStatus, StatusInsert};
use kindred_db::models::{accounts, federated};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::{AccountId, Visibility};
use serde::Deserialize;
use url::Url;

use super::addressing::{self, same_origin};
use super::context::FedData;
use super::error::{InboxError, Refusal};
use super::lookup;
use super::receipt::Receipt;
use super::remote_actor::RemoteActor;
use crate::{sanitize, LocalUrls};

const MAX_CONTENT: usize = 100_000;
const MAX_SPOILER: usize = 1_000;
const MAX_MENTIONS: usize = 50;
const MAX_TAGS: usize = 20;
const MAX_TITLE: usize = 500;

/// The object types stored as statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ObjectKind {
    Note,
    /// A Lemmy post (a thread with a title).
    Page,
    /// A Mobilizon group post, or a blog article.
    Article,
}

impl ObjectKind {
    pub const ALL: [&'static str; 3] = ["Note", "Page", "Article"];

    /// Whether a title (`name`) is shown; a `Note`'s `name` is not (Mastodon sets it
    /// on poll answers).
    fn titled(self) -> bool {
        !matches!(self, Self::Note)
    }
}

/// A note as other servers send it (the fields we use).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApNote {
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    pub id: Url,
    /// The one author, read from the shapes servers use (see [`attribution`]).
    #[serde(deserialize_with = "attribution")]
    pub attributed_to: Url,
    /// A thread's or article's title.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub content_map: Option<HashMap<String, String>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub in_reply_to: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub published: Option<DateTime<Utc>>,
    /// One object or an array of them (Mention, Hashtag, Emoji...).
    #[serde(default)]
    pub tag: serde_json::Value,
    /// Lemmy's link posts name their link here (`{"type": "Link", "href": ...}`).
    #[serde(default)]
    pub attachment: serde_json::Value,
}

impl ApNote {
    pub fn tags(&self) -> &[serde_json::Value] {
        match &self.tag {
            serde_json::Value::Array(items) => items,
            serde_json::Value::Null => &[],
            one => std::slice::from_ref(one),
        }
    }
}

/// `attributedTo` as one author. Mastodon and Lemmy send the author's id; some
/// servers send an object (`{"type": "Person", "id": ...}`) or an array of them
/// (PeerTube-style: the person and the channel or group). Mobilizon's `Article` names
/// its group, which is then the author. An array is read when it holds one entry or
/// exactly one `Person`; anything else cannot be attributed and is refused.
fn attribution<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    use serde::de::Error;
    use serde_json::Value;

    fn entry(v: &Value) -> Option<(Url, Option<&str>)> {
        match v {
            Value::String(s) => Url::parse(s).ok().map(|u| (u, None)),
            Value::Object(o) => {
                let id = o.get("id").or_else(|| o.get("href"))?.as_str()?;
                Some((Url::parse(id).ok()?, o.get("type").and_then(Value::as_str)))
            }
            _ => None,
        }
    }
    let v = Value::deserialize(d)?;
    let unreadable = || D::Error::custom("attributedTo names no single author");
    match &v {
        Value::Array(items) => {
            let entries: Vec<(Url, Option<&str>)> = items
                .iter()
                .map(entry)
                .collect::<Option<_>>()
                .ok_or_else(unreadable)?;
            if let [(only, _)] = entries.as_slice() {
                return Ok(only.clone());
            }
            let mut people = entries.into_iter().filter(|(_, t)| *t == Some("Person"));
            match (people.next(), people.next()) {
                (Some((author, _)), None) => Ok(author),
                _ => Err(unreadable()),
            }
        }
        one => entry(one).map(|(u, _)| u).ok_or_else(unreadable),
    }
}

/// A status, local or remote, reached through its ActivityPub id.
#[derive(Debug, Clone)]
pub struct RemoteNote(pub StatusRow);

/// The checks every note must pass: it comes from where its id says, its author is
/// on the same origin, and it does not claim to be ours.
pub fn check_note(json: &ApNote, expected: &Url, data: &FedData) -> Result<(), InboxError> {
    if data.urls.is_local(&json.id) {
        return Err(Refusal::LocalObject.into());
    }
    if !same_origin(&json.id, expected) || !same_origin(&json.attributed_to, &json.id) {
        return Err(Refusal::OriginMismatch.into());
    }
    Ok(())
}

#[async_trait::async_trait]
impl Object for RemoteNote {
    type DataType = FedData;
    type Kind = ApNote;
    type Error = InboxError;

    async fn read_from_id(id: Url, data: &Data<FedData>) -> Result<Option<Self>, InboxError> {
        Ok(lookup::status(data.app_data(), &id).await?.map(Self))
    }

    async fn into_json(self, _data: &Data<FedData>) -> Result<ApNote, InboxError> {
        Err(Refusal::LocalObject.into())
    }

    async fn verify(json: &ApNote, expected: &Url, data: &Data<FedData>) -> Result<(), InboxError> {
        check_note(json, expected, data.app_data())
    }

    /// Stores a note seen for the first time; a known one is returned as it is
    /// (changes come only through `Update`, from its author).
    async fn from_json(json: ApNote, data: &Data<FedData>) -> Result<Self, InboxError> {
        if let Some(existing) = lookup::status(data.app_data(), &json.id).await? {
            return Ok(Self(existing));
        }
        let author = ObjectId::<RemoteActor>::from(json.attributed_to.clone())
            .dereference(data)
            .await?;
        create(data.app_data(), json, &author).await.map(Self)
    }
}

/// What a note says, rendered for storage (no database needed).
struct Rendered {
    text: String,
    content: String,
    spoiler_text: String,
    sensitive: bool,
    visibility: Visibility,
    language: Option<String>,
    /// Local usernames mentioned or addressed (lower case).
    names: Vec<String>,
    tags: Vec<String>,
    published: DateTime<Utc>,
    /// Pictures, kept as references until first viewed (`attachments`).
    pictures: Vec<super::attachments::RemoteAttachment>,
}

fn hashtag_name(tag: &serde_json::Value) -> Option<String> {
    if tag.get("type")?.as_str()? != "Hashtag" {
        return None;
    }
    let name = tag
        .get("name")?
        .as_str()?
        .trim_start_matches('#')
        .to_lowercase();
    let ok = !name.is_empty()
        && name.chars().count() <= 100
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    ok.then_some(name)
}

fn mention_href(tag: &serde_json::Value) -> Option<Url> {
    if tag.get("type")?.as_str()? != "Mention" {
        return None;
    }
    Url::parse(tag.get("href")?.as_str()?).ok()
}

/// Sanitizing, title, warning, addressing, mentioned names and tags.
fn render(urls: &LocalUrls, json: &ApNote, followers_url: Option<&str>) -> Rendered {
    let (language, raw) = match (&json.content, &json.content_map) {
        (Some(c), map) => (
            map.as_ref()
                .filter(|m| m.len() == 1)
                .and_then(|m| m.keys().next().cloned()),
            c.as_str(),
        ),
        (None, Some(map)) => match map.iter().next() {
            Some((lang, c)) => (Some(lang.clone()), c.as_str()),
            None => (None, ""),
        },
        (None, None) => (None, ""),
    };
    let mut content = if raw.chars().nth(MAX_CONTENT).is_some() {
        sanitize::html(&sanitize::truncate(raw, MAX_CONTENT))
    } else {
        sanitize::html(raw)
    };
    let mut text = sanitize::plain_text(&content);
    // A thread's title first, in bold. `name` is plain text (ActivityStreams): it is
    // escaped, never read as markup.
    let title = json
        .name
        .as_deref()
        .filter(|_| json.kind.titled())
        .map(|n| {
            let one_line: String = n
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            sanitize::truncate(one_line.trim(), MAX_TITLE)
        })
        .filter(|n| !n.is_empty());
    // A link post's link, after the body (sanitized like the body).
    if json.kind.titled() {
        if let Some(href) = link_attachment(&json.attachment) {
            let link = sanitize::html(&format!(
                "<p><a href=\"{0}\">{0}</a></p>",
                kindred_domain::text::escape_html(href.as_str())
            ));
            content.push_str(&link);
        }
    }
    if let Some(title) = title {
        content = format!(
            "<p><strong>{}</strong></p>{content}",
            kindred_domain::text::escape_html(&title)
        );
        text = if text.is_empty() {
            title
        } else {
            format!("{title}\n\n{text}")
        };
    }
    let spoiler_text = match json.summary.as_deref() {
        None | Some("") => String::new(),
        Some(s) => sanitize::truncate(&sanitize::plain_text(s), MAX_SPOILER),
    };
    let visibility = addressing::visibility(&json.to, &json.cc, followers_url);

    // Local accounts named in `tag` (Mention) or addressed in to/cc (how direct
    // messages name their recipients).
    let mut names: Vec<String> = json
        .tags()
        .iter()
        .filter_map(mention_href)
        .chain(
            json.to
                .iter()
                .chain(&json.cc)
                .filter_map(|u| Url::parse(u).ok()),
        )
        .filter_map(|u| match urls.parse_local(u.as_str()) {
            Some(crate::urls::LocalObject::Account(name)) => Some(name.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_MENTIONS);
    let mut tags: Vec<String> = json.tags().iter().filter_map(hashtag_name).collect();
    tags.sort();
    tags.dedup();
    tags.truncate(MAX_TAGS);
    let now = Utc::now();
    Rendered {
        text,
        content,
        sensitive: json.sensitive.unwrap_or(false) || !spoiler_text.is_empty(),
        spoiler_text,
        visibility,
        language: language.filter(|l| (2..=3).contains(&l.len())),
        names,
        tags,
        published: json.published.filter(|p| *p < now).unwrap_or(now),
        pictures: super::attachments::pictures(&json.attachment),
    }
}

/// The mentions a note by `author_id` carries: the active local accounts among
/// `names`, as every post's mentions are kept (`mentions::carried`).
fn mentioned_in(
    c: &mut AnyConnection,
    author_id: i64,
    names: &[String],
) -> Result<Vec<AccountRow>, DbError> {
    let named: Vec<AccountRow> = accounts::find_local_by_usernames(c, names)?
        .into_iter()
        .filter(AccountRow::is_active)
        .collect();
    // A remote note is never placed in a group, nor held for review.
    Ok(mentions::carried(AccountId::new(author_id), &named, false))
}

/// The first `Link` attachment's `http(s)` address.
fn link_attachment(attachment: &serde_json::Value) -> Option<Url> {
    let items = match attachment {
        serde_json::Value::Array(items) => items.as_slice(),
        one => std::slice::from_ref(one),
    };
    items
        .iter()
        .filter(|a| a.get("type").and_then(|t| t.as_str()) == Some("Link"))
        .filter_map(|a| Url::parse(a.get("href")?.as_str()?).ok())
        .find(|u| matches!(u.scheme(), "http" | "https"))
}

/// Whether a pushed note concerns this instance: a local account follows its
/// author, an existing local actor (or its followers collection) is addressed or
/// mentioned, or it replies to a status we hold (`parent`, already looked up: a
/// local one only if it exists and federates). Naming a URL at our host is not enough.
fn concerns_us(
    c: &mut AnyConnection,
    urls: &LocalUrls,
    json: &ApNote,
    parent: Option<&StatusRow>,
    author_id: i64,
) -> Result<bool, DbError> {
    let tags = json.tags();
    let mentioned = tags
        .iter()
        .filter(|t| t.get("type").and_then(|v| v.as_str()) == Some("Mention"))
        .filter_map(|t| t.get("href").and_then(|v| v.as_str()));
    let addressed = json.to.iter().chain(&json.cc).map(String::as_str);
    if parent.is_some() || lookup::names_local_actor(c, urls, addressed.chain(mentioned))? {
        return Ok(true);
    }
    federated::followed_locally(c, author_id)
}

/// How storing a note ended.
enum Stored {
    /// Stored now, with the events to publish once committed.
    New(StatusRow, Vec<Event>),
    Existing(StatusRow),
    /// Pushed to us but of no concern here: dropped.
    Unrelated,
    /// The activity carrying it was processed before (its receipt is stored):
    /// nothing done. A value, not an error, so that the jobs sharing its commit
    /// are not rolled back and run again.
    Seen(Seen),
}

/// Everything a new note needs from storage, as one group-commit job (so one
/// all-or-nothing unit; run it only through `Db::write_grouped`): the status by id
/// (stored meanwhile?), the status it answers, the local accounts it mentions,
/// whether it concerns us (`pushed`), then the status (`rendered` beforehand)
/// with its mentions, tags, conversation and notifications — and `receipt`, the
/// record that the activity carrying it was processed, in the same transaction.
/// The receipt is written first, and says whether the activity was seen before:
/// the inbox leaves de-duplicating a `Create` to this job (a concurrent second
/// delivery queues behind the first and finds its receipt), so it reads nothing
/// beforehand, and the one writer spends one statement on it, as it did to record
/// it.
fn store(
    c: &mut AnyConnection,
    data: &FedData,
    json: &ApNote,
    rendered: &Rendered,
    author_id: i64,
    pushed: bool,
    receipt: Option<&Receipt>,
) -> Result<Stored, DbError> {
    if let Some(r) = receipt {
        match r.record(c)? {
            Seen::New => {}
            seen => return Ok(Stored::Seen(seen)),
        }
    }
    let uri = json.id.as_str();
    if let Some(existing) = federated::status_by_uri(c, uri)? {
        return Ok(Stored::Existing(existing));
    }
    // A local parent counts only if it federates: a group's discussion post or a
    // local-only post is not there for another server to answer (guessing its URL
    // must not plant a reply under it).
    let parent = match &json.in_reply_to {
        Some(p) => {
            lookup::status_in(c, &data.urls, p)?.filter(|p| !p.local || crate::outbox::federates(p))
        }
        None => None,
    };
    if pushed && !concerns_us(c, &data.urls, json, parent.as_ref(), author_id)? {
        // Logged without content, author or addressees.
        tracing::info!("create of a note addressed to no one here dropped");
        return Ok(Stored::Unrelated);
    }
    let mentioned = mentioned_in(c, author_id, &rendered.names)?;
    let now = Utc::now();
    let insert = StatusInsert {
        status: NewStatus {
            id: data.ids.next_at(rendered.published),
            uri: uri.to_owned(),
            account_id: author_id,
            local: false,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            text: rendered.text.clone(),
            content: rendered.content.clone(),
            spoiler_text: rendered.spoiler_text.clone(),
            sensitive: rendered.sensitive,
            visibility: rendered.visibility,
            local_only: false,
            language: rendered.language.clone(),
            created_at: rendered.published.naive_utc(),
        },
        mentioned_account_ids: mentioned.iter().map(|a| a.id).collect(),
        tags: rendered
            .tags
            .iter()
            .map(|t| (t.clone(), data.ids.next_at(now)))
            .collect(),
        idempotency_key: None,
    };
    // No transaction or savepoint of its own: `store` runs as one group-commit
    // job, which is all-or-nothing already (status, notifications and receipt).
    let row = repo::insert_in_transaction(c, &insert)?;
    store_pictures(c, data, &row, &rendered.pictures, now)?;
    let events = created::settle(c, &row, &rendered.tags, &mentioned, None, &data.ids, now)?;
    // A public reply in one of our groups' threads goes on to the group's followers.
    crate::outbox::Outbox::new(&data.urls, &data.ids, now).remote_reply(
        c,
        &row,
        crate::outbox::ReplyChange::Created,
    )?;
    Ok(Stored::New(row, events))
}

/// A remote note's pictures, as references: nothing is fetched until someone
/// views one, and then by our server (`kindred_api::services::remote_media`).
fn store_pictures(
    c: &mut AnyConnection,
    data: &FedData,
    row: &StatusRow,
    pictures: &[super::attachments::RemoteAttachment],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for (position, p) in pictures.iter().enumerate() {
        kindred_db::models::media::insert(
            c,
            &kindred_db::models::media::MediaRow {
                id: data.ids.next_at(now),
                token: kindred_core::media::new_token(),
                account_id: row.account_id,
                status_id: Some(row.id),
                position: position as i32,
                content_type: p.content_type.to_owned(),
                width: p.width,
                height: p.height,
                blurhash: p.blurhash.clone(),
                description: p.description.clone(),
                focus: None,
                stored_bytes: 0,
                remote_url: Some(p.url.clone()),
                fetched_at: None,
                created_at: now.naive_utc(),
            },
        )?;
    }
    Ok(())
}

async fn store_note(
    data: &FedData,
    json: ApNote,
    author: &RemoteActor,
    pushed: bool,
    receipt: Option<Receipt>,
) -> Result<Stored, InboxError> {
    if author.uri() != json.attributed_to.as_str() {
        return Err(Refusal::NotOwner.into());
    }
    let d = data.clone();
    let author_id = author.account.id;
    // Sanitizing is done here, by the request's thread, not by the one writer
    // every inbox write waits for. A note that turns out to concern nobody here
    // was rendered for nothing: bounded work, like parsing its JSON was.
    let rendered = render(&data.urls, &json, author.remote.followers_url.as_deref());
    // Grouped: under load many inbox writes share one commit (`Db::write_grouped`).
    let stored = data
        .db
        .write_grouped(move |c| store(c, &d, &json, &rendered, author_id, pushed, receipt.as_ref()))
        .await?;
    if let Stored::New(_, events) = &stored {
        data.publish_all(events.clone());
    }
    Ok(stored)
}

/// Stores a new remote status with its mentions, tags and notifications, then
/// announces it. A status with the same id stored meanwhile is returned instead.
pub async fn create(
    data: &FedData,
    json: ApNote,
    author: &RemoteActor,
) -> Result<StatusRow, InboxError> {
    match store_note(data, json, author, false, None).await? {
        Stored::New(row, _) | Stored::Existing(row) => Ok(row),
        // Neither happens without a receipt and `pushed`.
        Stored::Unrelated | Stored::Seen(_) => Err(Refusal::Malformed.into()),
    }
}

/// A note pushed to our inbox in a `Create`: stored (as [`create`]) only when it
/// concerns someone here (as Mastodon does), so no server can fill our storage
/// and timelines with posts nobody asked for. `receipt` is recorded in the same
/// transaction as the note, or on its own when nothing is stored. Answers
/// whether the activity was new (processed now) or seen before (nothing done).
pub async fn create_pushed(
    data: &FedData,
    json: ApNote,
    author: &RemoteActor,
    receipt: Option<Receipt>,
) -> Result<Seen, InboxError> {
    Ok(match store_note(data, json, author, true, receipt).await? {
        Stored::Seen(seen) => seen,
        Stored::New(..) | Stored::Existing(_) | Stored::Unrelated => Seen::New,
    })
}

/// Applies an `Update` of a remote status by its author; the audience never changes
/// (as in Mastodon), the text, warning, mentions and tags do.
pub async fn update(
    data: &FedData,
    existing: StatusRow,
    json: ApNote,
    author: &RemoteActor,
) -> Result<(), InboxError> {
    if existing.local || data.urls.is_local(&json.id) {
        return Err(Refusal::LocalObject.into());
    }
    if existing.account_id != author.account.id || author.uri() != json.attributed_to.as_str() {
        return Err(Refusal::NotOwner.into());
    }
    let p = render(&data.urls, &json, author.remote.followers_url.as_deref());
    let ids = data.ids.clone();
    let urls = data.urls.clone();
    let author_id = author.account.id;
    let events = data
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let mentioned = mentioned_in(c, author_id, &p.names)?;
                let edit = edited::Edit {
                    text: &p.text,
                    content: &p.content,
                    spoiler_text: &p.spoiler_text,
                    sensitive: p.sensitive,
                    language: p.language.as_deref().or(existing.language.as_deref()),
                    mentioned: &mentioned,
                    tags: &p.tags,
                };
                let now = Utc::now();
                let (row, events) = edited::apply(c, &existing, &edit, &ids, now)?;
                crate::outbox::Outbox::new(&urls, &ids, now).remote_reply(
                    c,
                    &row,
                    crate::outbox::ReplyChange::Edited,
                )?;
                Ok(events)
            })
        })
        .await?;
    data.publish_all(events);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<ApNote, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn lemmy_page_and_mobilizon_article() {
        let page = parse(json!({
            "type": "Page", "id": "https://lemmy.example/post/1",
            "attributedTo": "https://lemmy.example/u/ann",
            "to": ["https://lemmy.example/c/peers", "https://www.w3.org/ns/activitystreams#Public"],
            "name": "Welcome", "content": "<p>Hi</p>", "mediaType": "text/html",
            "audience": "https://lemmy.example/c/peers",
            "language": { "identifier": "en", "name": "English" },
        }))
        .unwrap();
        assert_eq!(page.kind, ObjectKind::Page);
        assert_eq!(page.attributed_to.as_str(), "https://lemmy.example/u/ann");
        assert_eq!(page.name.as_deref(), Some("Welcome"));

        let article = parse(json!({
            "type": "Article", "id": "https://mz.example/p/1",
            "actor": "https://mz.example/@mia", "attributedTo": "https://mz.example/@walkers",
            "name": "Walk", "content": "<p>Go</p>", "to": [], "cc": [],
        }))
        .unwrap();
        assert_eq!(article.kind, ObjectKind::Article);
        assert_eq!(
            article.attributed_to.as_str(),
            "https://mz.example/@walkers"
        );
    }

    #[test]
    fn attribution_shapes() {
        let with = |a: serde_json::Value| {
            parse(json!({ "type": "Note", "id": "https://a.example/n/1", "attributedTo": a }))
                .map(|n| n.attributed_to.to_string())
        };
        let ann = "https://a.example/u/ann";
        let group = "https://a.example/c/peers";
        assert_eq!(with(json!(ann)).unwrap(), ann);
        assert_eq!(with(json!([ann])).unwrap(), ann);
        assert_eq!(with(json!({ "type": "Person", "id": ann })).unwrap(), ann);
        assert_eq!(
            with(json!([{ "type": "Group", "id": group }, { "type": "Person", "id": ann }]))
                .unwrap(),
            ann
        );
        // Two people, two bare ids, nothing, or not a URL: nobody can be named.
        assert!(with(json!([ann, group])).is_err());
        assert!(
            with(json!([{ "type": "Person", "id": ann }, { "type": "Person", "id": group }]))
                .is_err()
        );
        assert!(with(json!([])).is_err());
        assert!(with(json!("not a url")).is_err());
        assert!(with(json!(null)).is_err());
        assert!(parse(json!({ "type": "Note", "id": "https://a.example/n/1" })).is_err());
        assert!(parse(
            json!({ "type": "Event", "id": "https://a.example/e/1", "attributedTo": ann })
        )
        .is_err());
    }
}
