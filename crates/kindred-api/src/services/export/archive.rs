//! The export archive: a zip in Mastodon's layout, so other servers' import tools
//! recognise it — `actor.json` (the Person), `outbox.json` (an OrderedCollection of
//! the member's `Create`s and `Announce`s), `likes.json` and `bookmarks.json`
//! (collections of object ids), `following_accounts.csv`, `blocked_accounts.csv`
//! and `muted_accounts.csv` (Mastodon's CSVs) — plus Kindred's own files under
//! `kindred/`: group memberships, the member's own discussion posts (which never
//! leave the instance, so are not in the outbox), meetings answered as the member
//! sees them (the place only where it was disclosed to them), and read markers.
//! Of other people it holds only what they showed the member: the addresses the
//! member follows, blocks or mutes, and the ids of posts they liked or replied to.

use std::io::Write;

use kindred_db::models::erasure;
use kindred_db::models::exports as store;
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::groups::PostKind;
use kindred_federation::outbox::note;
use serde_json::{json, Value};

use crate::services::meetings::{self, present};
use crate::services::ServiceError;
use crate::AppState;

const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

const README: &str = "Your data from a Kindred community server.\n\n\
actor.json              your profile (ActivityPub Person)\n\
outbox.json             your posts and boosts (ActivityStreams), not your group discussion posts\n\
likes.json              posts you favourited (their ids)\n\
bookmarks.json          posts you bookmarked (their ids)\n\
following_accounts.csv  whom you follow (Mastodon's import format)\n\
blocked_accounts.csv    whom you block (Mastodon's import format)\n\
muted_accounts.csv      whom you mute (Mastodon's import format)\n\
kindred/groups.json      your group memberships\n\
kindred/group_posts.json your posts in group discussions (they never left this server)\n\
kindred/meetings.json    meetings you answered, as you see them (the exact place only where it was given to you)\n\
kindred/notification_settings.json  how you are notified, and your read markers\n";

fn address(urls_domain: &str, (username, domain): &(String, String)) -> String {
    if domain.is_empty() {
        format!("{username}@{urls_domain}")
    } else {
        format!("{username}@{domain}")
    }
}

fn timestamp(t: chrono::NaiveDateTime) -> String {
    note::timestamp(t)
}

/// Everything read from storage in one go.
struct Rows {
    statuses: Vec<(StatusRow, Value)>,
    discussion: Vec<(StatusRow, String)>,
    liked: Vec<String>,
    bookmarked: Vec<String>,
    followed: Vec<(store::Address, bool, bool)>,
    blocked: Vec<store::Address>,
    muted: Vec<(store::Address, bool)>,
    memberships: Vec<store::Membership>,
    markers: Vec<(String, String, chrono::NaiveDateTime)>,
    meetings: Vec<i64>,
}

fn collection(id: &str, items: Vec<Value>) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })
}

/// Builds the member's archive (the zip's bytes).
pub async fn build(state: &AppState, account: &AccountRow) -> Result<Vec<u8>, ServiceError> {
    let urls = state.urls.clone();
    let me = account.clone();
    let rows = state
        .db
        .run(move |c| {
            let id = me.id;
            let placements = store::group_placements(c, id)?;
            let mut group_names = std::collections::HashMap::new();
            for (g, _) in placements.values() {
                if !group_names.contains_key(g) {
                    let name = kindred_db::models::accounts::find(c, *g)?
                        .map(|a| a.username)
                        .unwrap_or_default();
                    group_names.insert(*g, name);
                }
            }
            let mut statuses = Vec::new();
            let mut discussion = Vec::new();
            let mut after = 0;
            loop {
                let page = store::statuses_page(c, id, after, 200)?;
                let Some(last) = page.last() else { break };
                after = last.id;
                for s in page {
                    match placements.get(&s.id) {
                        Some((g, kind)) if kind == PostKind::Discussion.as_str() => {
                            let name = group_names.get(g).cloned().unwrap_or_default();
                            discussion.push((s, name));
                        }
                        _ => {
                            let parts = note::parts(c, &urls, &s)?;
                            let object = match s.reblog_of_id {
                                Some(boosted) => Value::String(
                                    kindred_db::models::statuses::find(c, boosted)?
                                        .map(|b| b.uri)
                                        .unwrap_or_default(),
                                ),
                                None => note::note(&urls, &me, &s, &parts),
                            };
                            statuses.push((s, object));
                        }
                    }
                }
            }
            Ok(Rows {
                statuses,
                discussion,
                liked: store::liked(c, id)?,
                bookmarked: store::bookmarked(c, id)?,
                followed: store::followed(c, id)?,
                blocked: store::blocked(c, id)?,
                muted: store::muted(c, id)?,
                memberships: store::memberships(c, id)?,
                markers: store::read_markers(c, id)?,
                meetings: erasure::answered_meetings(c, id)?
                    .into_iter()
                    .map(|(m, _)| m)
                    .collect(),
            })
        })
        .await?;

    // Meetings as the member sees them through the events API: the same access
    // rules and presenter, so the place is there only where it was disclosed.
    let mut loaded = Vec::new();
    for id in &rows.meetings {
        match meetings::load(state, Some(account), *id).await {
            Ok(l) => loaded.push(l),
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let events = present::events(state, loaded).await?;

    let domain = state.urls.domain().to_string();
    let actor = state.urls.actor(&account.username).to_string();
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let person = serde_json::to_value(kindred_federation::local_actors::person(
        account,
        &state.urls,
    ))
    .unwrap_or_default();
    files.push(("actor.json", json_bytes(&person)));
    let outbox_items: Vec<Value> = rows
        .statuses
        .iter()
        .map(|(s, object)| {
            let kind = if s.reblog_of_id.is_some() {
                "Announce"
            } else {
                "Create"
            };
            let (to, cc) = match object {
                Value::Object(o) => (o.get("to").cloned(), o.get("cc").cloned()),
                _ => (Some(json!([note::PUBLIC])), None),
            };
            json!({
                "id": format!("{}/activity", s.uri),
                "type": kind,
                "actor": actor,
                "published": timestamp(s.created_at),
                "to": to.unwrap_or(json!([])),
                "cc": cc.unwrap_or(json!([])),
                "object": object,
            })
        })
        .collect();
    files.push((
        "outbox.json",
        json_bytes(&collection("outbox.json", outbox_items)),
    ));
    let ids = |v: &[String]| -> Vec<Value> { v.iter().map(|u| Value::String(u.clone())).collect() };
    files.push((
        "likes.json",
        json_bytes(&collection("likes.json", ids(&rows.liked))),
    ));
    files.push((
        "bookmarks.json",
        json_bytes(&collection("bookmarks.json", ids(&rows.bookmarked))),
    ));
    files.push((
        "following_accounts.csv",
        csv_following(&domain, &rows.followed)?,
    ));
    files.push(("blocked_accounts.csv", csv_plain(&domain, &rows.blocked)?));
    files.push(("muted_accounts.csv", csv_muted(&domain, &rows.muted)?));
    let groups_json: Vec<Value> = rows
        .memberships
        .iter()
        .map(|(_, name, role, st, since)| {
            json!({"group": format!("{name}@{domain}"), "role": role, "state": st,
                   "since": timestamp(*since)})
        })
        .collect();
    files.push(("kindred/groups.json", json_bytes(&json!(groups_json))));
    let posts: Vec<Value> = rows
        .discussion
        .iter()
        .map(|(s, group)| {
            json!({
                "id": s.id.to_string(),
                "group": format!("{group}@{domain}"),
                "created_at": timestamp(s.created_at),
                "edited_at": s.edited_at.map(timestamp),
                "in_reply_to_id": s.in_reply_to_id.map(|i| i.to_string()),
                "spoiler_text": s.spoiler_text,
                "text": s.text,
            })
        })
        .collect();
    files.push(("kindred/group_posts.json", json_bytes(&json!(posts))));
    files.push((
        "kindred/meetings.json",
        json_bytes(&serde_json::to_value(&events).unwrap_or_default()),
    ));
    let markers: Vec<Value> = rows
        .markers
        .iter()
        .map(|(t, last, at)| json!({"timeline": t, "last_read_id": last, "updated_at": timestamp(*at)}))
        .collect();
    let notify: Vec<Value> = rows
        .followed
        .iter()
        .filter(|(_, _, n)| *n)
        .map(|(a, _, _)| Value::String(address(&domain, a)))
        .collect();
    files.push((
        "kindred/notification_settings.json",
        json_bytes(&json!({
            "notify_on_new_posts_of": notify,
            "read_markers": markers,
        })),
    ));
    files.push(("README.txt", README.as_bytes().to_vec()));
    let mut files: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(n, b)| (n.to_owned(), b)).collect();
    files.extend(own_pictures(state, account.id).await?);
    tokio::task::spawn_blocking(move || zip(files))
        .await
        .map_err(|_| ServiceError::Internal("export_failed"))?
}

fn json_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

fn csv_error(_: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal("export_failed")
}

fn csv_following(
    domain: &str,
    rows: &[(store::Address, bool, bool)],
) -> Result<Vec<u8>, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Account address",
        "Show boosts",
        "Notify on new posts",
        "Languages",
    ])
    .map_err(csv_error)?;
    for (a, boosts, notify) in rows {
        w.write_record([
            address(domain, a),
            boosts.to_string(),
            notify.to_string(),
            String::new(),
        ])
        .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

/// Mastodon's block list: one address per line, no header.
fn csv_plain(domain: &str, rows: &[store::Address]) -> Result<Vec<u8>, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for a in rows {
        w.write_record([address(domain, a)]).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

fn csv_muted(domain: &str, rows: &[(store::Address, bool)]) -> Result<Vec<u8>, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["Account address", "Hide notifications"])
        .map_err(csv_error)?;
    for (a, hide) in rows {
        w.write_record([address(domain, a), hide.to_string()])
            .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

/// The member's own pictures, as stored (already stripped), under
/// `media_attachments/`, with `kindred/media.json` saying which post each belongs to
/// and its alt text.
async fn own_pictures(
    state: &AppState,
    account_id: i64,
) -> Result<Vec<(String, Vec<u8>)>, ServiceError> {
    use kindred_core::media::{key, Variant};
    let rows = state
        .db
        .run(move |c| kindred_db::models::media::of_account(c, account_id))
        .await?;
    let store = state.media.store.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let mut listing = Vec::new();
        for row in rows.iter().filter(|r| !r.is_remote()) {
            let Some((k, content_type)) = key(row, Variant::Original) else {
                continue;
            };
            let Ok(Some(bytes)) = store.get(&k) else {
                continue;
            };
            let name = format!("media_attachments/{}", k.name());
            listing.push(json!({
                "id": row.id.to_string(),
                "status_id": row.status_id.map(|i| i.to_string()),
                "file": name,
                "type": content_type,
                "description": row.description,
                "created_at": timestamp(row.created_at),
            }));
            out.push((name, bytes));
        }
        out.push(("kindred/media.json".to_owned(), json_bytes(&json!(listing))));
        out
    })
    .await
    .map_err(|_| ServiceError::Internal("export_failed"))
}

fn zip(files: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, ServiceError> {
    let fail = |_| ServiceError::Internal("export_failed");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for (name, bytes) in files {
        w.start_file(name.as_str(), options).map_err(fail)?;
        w.write_all(&bytes)
            .map_err(|_| ServiceError::Internal("export_failed"))?;
    }
    Ok(w.finish().map_err(fail)?.into_inner())
}
