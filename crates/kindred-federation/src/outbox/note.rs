//! The ActivityPub `Note` for a local status, with Mastodon's addressing: the same
//! document is delivered in `Create`/`Update` and served at the status's id.

use chrono::{NaiveDateTime, SecondsFormat};
use kindred_db::models::{groups, polls, remote_accounts, social, statuses};
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
            "votersCount": "toot:votersCount",
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
    /// Its poll: the note goes out as Mastodon's `Question`.
    pub poll: Option<polls::PollView>,
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
        poll: polls::views_of(conn, &[status.id], None)?.remove(&status.id),
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
    if let Some(poll) = &parts.poll {
        question(&mut note, poll, chrono::Utc::now());
    }
    note
}

/// A status with a poll as Mastodon's `Question`: its options as `Note`s with a
/// `name` and their count in `replies.totalItems` (`oneOf`, or `anyOf` when several
/// may be chosen), `endTime`, `closed` once ended, `votersCount`. Counts only,
/// never a voter; while the author hides the totals they go out as 0.
fn question(note: &mut Value, poll: &polls::PollView, now: chrono::DateTime<chrono::Utc>) {
    let ended = poll.poll.expires_at.is_some_and(|t| t.and_utc() <= now);
    let shown = kindred_domain::polls::shows_totals(poll.poll.hide_totals, ended);
    let options: Vec<Value> = poll
        .options
        .iter()
        .map(|(title, n)| {
            json!({
                "type": "Note",
                "name": title,
                "replies": { "type": "Collection", "totalItems": if shown { *n } else { 0 } },
            })
        })
        .collect();
    note["type"] = json!("Question");
    note[if poll.poll.multiple { "anyOf" } else { "oneOf" }] = json!(options);
    note["votersCount"] = json!(if shown { poll.voters_count } else { 0 });
    if let Some(end) = poll.poll.expires_at {
        note["endTime"] = json!(timestamp(end));
        if ended {
            note["closed"] = json!(timestamp(end));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use kindred_db::models::polls::{PollRow, PollView};

    fn view(hide_totals: bool, multiple: bool, ends_in: Duration) -> PollView {
        let now = Utc::now();
        PollView {
            poll: PollRow {
                status_id: 1,
                expires_at: Some((now + ends_in).naive_utc()),
                multiple,
                hide_totals,
                remote_voters_count: None,
                ended_at: None,
                created_at: now.naive_utc(),
            },
            options: vec![("yes".into(), 2), ("no".into(), 1)],
            votes_count: 3,
            voters_count: 3,
            own_votes: None,
        }
    }

    #[test]
    fn a_poll_goes_out_as_a_question_with_counts_only() {
        let mut note = json!({"type": "Note"});
        question(
            &mut note,
            &view(false, false, Duration::hours(1)),
            Utc::now(),
        );
        assert_eq!(note["type"], "Question");
        assert_eq!(note["oneOf"][0]["name"], "yes");
        assert_eq!(note["oneOf"][0]["replies"]["totalItems"], 2);
        assert_eq!(note["votersCount"], 3);
        assert!(note["endTime"].is_string());
        assert!(note.get("closed").is_none());
        assert!(note.get("anyOf").is_none());

        let mut hidden = json!({"type": "Note"});
        question(
            &mut hidden,
            &view(true, true, Duration::hours(1)),
            Utc::now(),
        );
        assert_eq!(hidden["anyOf"][1]["replies"]["totalItems"], 0);
        assert_eq!(hidden["votersCount"], 0);

        let mut ended = json!({"type": "Note"});
        question(
            &mut ended,
            &view(true, true, -Duration::hours(1)),
            Utc::now(),
        );
        assert_eq!(ended["anyOf"][1]["replies"]["totalItems"], 1);
        assert_eq!(ended["closed"], ended["endTime"]);
    }
}
