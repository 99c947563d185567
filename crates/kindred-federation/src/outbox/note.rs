//! The ActivityPub `Note` for a local status, with Mastodon's addressing: the same
//! document is delivered in `Create`/`Update` and served at the status's id.

use chrono::{NaiveDateTime, SecondsFormat};
use kindred_db::models::{groups, remote_accounts, social, statuses};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use kindred_domain::Visibility;
use serde_json::{json, Value};

use crate::LocalUrls;

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// JSON-LD context for notes and the activities that carry them.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "blurhash": "toot:blurhash",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}
        }
    ])
}

pub fn timestamp(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A mentioned account as a note names it.
#[derive(Debug, Clone)]
pub struct Mentioned {
    /// Actor id.
    pub uri: String,
    /// `@name@domain`.
    pub acct: String,
}

/// Everything a note says besides the status row.
#[derive(Debug, Clone, Default)]
pub struct NoteParts {
    pub mentioned: Vec<Mentioned>,
    pub tags: Vec<String>,
    pub in_reply_to: Option<String>,
    /// The group an announcement was posted in (FEP-1b12 `audience`).
    pub audience: Option<String>,
    /// Pictures, as Mastodon sends them (`attachments`).
    pub attachments: Vec<Value>,
}

/// Where a status was posted: its `group_posts` row and, for an announcement, the
/// group with its account. Loaded once per outbound note: the group relay
/// (`Outbox::relay_of`) and the note's `audience` both read it.
#[derive(Debug, Clone)]
pub struct Placed {
    pub post: groups::GroupPostRow,
    pub group: Option<(groups::GroupRow, AccountRow)>,
}

pub fn placement(conn: &mut AnyConnection, status: &StatusRow) -> Result<Option<Placed>, DbError> {
    let Some(post) = groups::posts_of(conn, &[status.id])?.remove(&status.id) else {
        return Ok(None);
    };
    let group = if post.is_announcement() {
        groups::find(conn, post.group_id)?
    } else {
        None
    };
    Ok(Some(Placed { post, group }))
}

/// Loads mentions (with their actor ids), hashtags and the id of the status replied to.
pub fn parts(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    status: &StatusRow,
) -> Result<NoteParts, DbError> {
    let placed = placement(conn, status)?;
    parts_placed(conn, urls, status, placed.as_ref())
}

/// [`parts`] with the status's placement already loaded.
pub fn parts_placed(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    status: &StatusRow,
    placed: Option<&Placed>,
) -> Result<NoteParts, DbError> {
    let mut extras = statuses::extras(conn, &[status.id], None)?;
    let mention_ids = extras.mentions.remove(&status.id).unwrap_or_default();
    let accounts = social::find_accounts(conn, &mention_ids)?;
    let remote = remote_accounts::addresses(conn, &mention_ids)?;
    let mentioned = accounts
        .iter()
        .filter_map(|a| {
            if a.is_local() {
                Some(Mentioned {
                    uri: urls.actor(&a.username).to_string(),
                    acct: format!("@{}@{}", a.username, urls.domain()),
                })
            } else {
                remote.get(&a.id).map(|(uri, _)| Mentioned {
                    uri: uri.clone(),
                    acct: format!("@{}@{}", a.username, a.domain),
                })
            }
        })
        .collect();
    let in_reply_to = match status.in_reply_to_id {
        Some(parent) => statuses::find(conn, parent)?.map(|p| p.uri),
        None => None,
    };
    let audience = placed
        .filter(|p| p.post.is_announcement())
        .and_then(|p| p.group.as_ref())
        .filter(|(g, _)| !g.is_private())
        .map(|(_, a)| urls.actor(&a.username).to_string());
    Ok(NoteParts {
        mentioned,
        tags: extras.tags.remove(&status.id).unwrap_or_default(),
        in_reply_to,
        audience,
        attachments: attachments(conn, urls, status)?,
    })
}

/// A local status's pictures as Mastodon sends them: `Document` with `mediaType`,
/// `url` (on our origin), `name` (alt text), `blurhash`, `width`, `height`,
/// `focalPoint`. Only for a public or unlisted post: the URL of any other post's
/// picture answers nobody without a signature (`kindred_api::services::media`), so
/// a followers-only or direct post federates its text alone (docs/security.md). A
/// group discussion post never federates at all, nor its pictures.
fn attachments(
    conn: &mut AnyConnection,
    urls: &LocalUrls,
    status: &StatusRow,
) -> Result<Vec<Value>, DbError> {
    if !status.local
        || status.local_only
        || !matches!(status.visibility, Visibility::Public | Visibility::Unlisted)
    {
        return Ok(Vec::new());
    }
    let rows = kindred_db::models::media::of_statuses(conn, &[status.id])?
        .remove(&status.id)
        .unwrap_or_default();
    Ok(rows
        .iter()
        .filter_map(|r| {
            let format = kindred_domain::media::StoredFormat::from_content_type(&r.content_type)?;
            let mut doc = json!({
                "type": "Document",
                "mediaType": format.content_type(),
                "url": urls.media_file(&r.token, "original", format.extension()),
                "name": r.description,
                "blurhash": r.blurhash,
                "width": r.width,
                "height": r.height,
            });
            if let Some((x, y)) = r.focus.as_deref().and_then(|f| {
                let (x, y) = f.split_once(',')?;
                Some((x.parse::<f64>().ok()?, y.parse::<f64>().ok()?))
            }) {
                doc["focalPoint"] = json!([x, y]);
            }
            Some(doc)
        })
        .collect())
}

/// Mastodon's `to`/`cc` for a status by a local author.
pub fn addressing(
    urls: &LocalUrls,
    author: &AccountRow,
    status: &StatusRow,
    mentioned: &[Mentioned],
) -> (Vec<String>, Vec<String>) {
    let followers = urls.followers(&author.username).to_string();
    let mentions = mentioned.iter().map(|m| m.uri.clone());
    match status.visibility {
        Visibility::Public => (
            vec![PUBLIC.to_owned()],
            std::iter::once(followers).chain(mentions).collect(),
        ),
        Visibility::Unlisted => (
            vec![followers],
            std::iter::once(PUBLIC.to_owned()).chain(mentions).collect(),
        ),
        Visibility::Private => (vec![followers], mentions.collect()),
        // Direct, and group posts (which never federate): the mentioned accounts only.
        Visibility::Direct | Visibility::Group => (mentions.collect(), Vec::new()),
    }
}

/// The note, without `@context` (the caller adds it at the top level).
pub fn note(urls: &LocalUrls, author: &AccountRow, status: &StatusRow, parts: &NoteParts) -> Value {
    let (to, cc) = addressing(urls, author, status, &parts.mentioned);
    let mut tag: Vec<Value> = parts
        .mentioned
        .iter()
        .map(|m| json!({ "type": "Mention", "href": m.uri, "name": m.acct }))
        .collect();
    let tags_base = urls.tags_base();
    tag.extend(
        parts
            .tags
            .iter()
            .map(|t| json!({ "type": "Hashtag", "href": format!("{tags_base}{t}"), "name": format!("#{t}") })),
    );
    let mut note = json!({
        "id": status.uri,
        "type": "Note",
        "attributedTo": urls.actor(&author.username),
        "url": urls.status_page(&author.username, status.id),
        "published": timestamp(status.created_at),
        "to": to,
        "cc": cc,
        "inReplyTo": parts.in_reply_to,
        "summary": if status.spoiler_text.is_empty() { Value::Null } else { Value::String(status.spoiler_text.clone()) },
        "sensitive": status.sensitive,
        "content": status.content,
        "tag": tag,
        "attachment": parts.attachments,
    });
    if let Some(lang) = &status.language {
        note["contentMap"] = json!({ lang: status.content });
    }
    if let Some(group) = &parts.audience {
        note["audience"] = json!(group);
    }
    if let Some(edited) = status.edited_at {
        note["updated"] = json!(timestamp(edited));
    }
    note
}

/// `Create` or `Update` carrying a note, addressed as the note is.
pub fn wrap(urls: &LocalUrls, kind: &str, id: String, author: &AccountRow, note: Value) -> Value {
    json!({
        "id": id,
        "type": kind,
        "actor": urls.actor(&author.username),
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    })
}
