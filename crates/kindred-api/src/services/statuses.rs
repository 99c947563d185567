//! Posting and acting on statuses: the rules, in one place for every handler.

use actix_web::web::Data;
use chrono::{Duration, Utc};
use kindred_core::groups::{mentions, placement};
use kindred_core::interactions::{self as core_interactions, Boosted};
use kindred_core::statuses::{created, edited};
use kindred_db::models::interactions::{self, Mark};
use kindred_db::models::statuses::{self as repo, NewStatus, StatusInsert};
use kindred_db::models::{accounts, groups, outbound};
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError, StatusRow};
use kindred_domain::polls::{NewPoll, PollLimits};
use kindred_domain::status_text::{self, MentionTarget};
use kindred_domain::{Audience, DomainError, GroupId, Visibility};
use kindred_federation::outbox::Outbox;

use super::viewer::Viewer;
use super::ServiceError;
use crate::crypto::sha256_hex;
use crate::AppState;

/// Most statuses an account may pin, as Mastodon.
pub const MAX_PINS: i64 = 5;

pub struct NewPost {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    /// As sent; `None` takes the account's default.
    pub visibility: Option<String>,
    pub local_only: bool,
    pub in_reply_to_id: Option<i64>,
    pub language: Option<String>,
    pub idempotency_key: Option<String>,
    /// A poll, as sent (checked against `PollLimits` here).
    pub poll: Option<PollInput>,
    /// Uploads to attach (`media_ids[]`), in order.
    pub media_ids: Vec<i64>,
}

/// A poll as the request carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollInput {
    pub options: Vec<String>,
    pub expires_in: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// Rendered text and what it points at.
struct Rendered {
    html: String,
    mentioned: Vec<AccountRow>,
    tags: Vec<String>,
}

/// Resolves mentions against local accounts (`@name` or `@name@this-domain`); remote
/// ones stay plain text until federation resolves them. A private group that does
/// not exist for the author (`GroupVisibility::exists_for`) is not resolved: its name
/// stays plain text, exactly as a name that was never taken.
async fn render(
    state: &Data<AppState>,
    author: &AccountRow,
    text: &str,
) -> Result<Rendered, ServiceError> {
    let parsed = status_text::parse(text);
    let ours = state.urls.domain().to_string();
    let is_ours = |d: &Option<String>| d.as_deref().is_none_or(|d| d.eq_ignore_ascii_case(&ours));
    let all = parsed.mentions();
    let wanted: Vec<String> = all
        .iter()
        .filter(|(_, d)| is_ours(d))
        .map(|(u, _)| u.to_ascii_lowercase())
        .take(MAX_MENTIONS)
        .collect();
    let mut remote_wanted: Vec<(String, String)> = all
        .iter()
        .filter_map(|(u, d)| match d {
            Some(d) if !is_ours(&Some(d.clone())) => Some((u.clone(), d.to_ascii_lowercase())),
            _ => None,
        })
        .collect();
    remote_wanted.dedup();
    remote_wanted.truncate(MAX_MENTIONS);
    let author_id = author.id;
    let found: Vec<AccountRow> = state
        .db
        .run(move |c| {
            let found = accounts::find_local_by_usernames(c, &wanted)?;
            let group_ids: Vec<i64> = found
                .iter()
                .filter(|a| a.role.is_group())
                .map(|a| a.id)
                .collect();
            let hidden = groups::hidden_private(c, Some(author_id), &group_ids)?;
            Ok(found
                .into_iter()
                .filter(|a| a.is_active() && !hidden.contains(&a.id))
                .collect())
        })
        .await?;
    let remote = remote_mentions(state, remote_wanted).await?;
    let urls = &state.urls;
    let html = status_text::render(&parsed, &urls.tags_base(), |name, domain| {
        if let Some(d) = domain.filter(|d| !d.eq_ignore_ascii_case(&ours)) {
            return remote
                .iter()
                .find(|(a, _)| {
                    a.username.eq_ignore_ascii_case(name) && a.domain.eq_ignore_ascii_case(d)
                })
                .map(|(a, url)| MentionTarget {
                    url: url.clone(),
                    acct_display: a.username.clone(),
                });
        }
        found
            .iter()
            .find(|a| a.username.eq_ignore_ascii_case(name))
            .map(|a| MentionTarget {
                url: urls.profile_page(&a.username).to_string(),
                acct_display: a.username.clone(),
            })
    });
    let mut mentioned = found;
    mentioned.extend(remote.into_iter().map(|(a, _)| a));
    Ok(Rendered {
        html,
        mentioned,
        tags: parsed.hashtags().into_iter().take(20).collect(),
    })
}

/// Most accounts one status may mention.
const MAX_MENTIONS: usize = 50;
/// Unknown remote accounts looked up by WebFinger while posting; more stay plain text.
const MAX_LOOKUPS: usize = 5;

/// `@user@other.server` mentions: known accounts at once, a few unknown ones looked
/// up by WebFinger (as Mastodon does); an account that cannot be found stays text.
async fn remote_mentions(
    state: &Data<AppState>,
    wanted: Vec<(String, String)>,
) -> Result<Vec<(AccountRow, String)>, ServiceError> {
    let mut out = Vec::new();
    let mut lookups = 0;
    for (user, domain) in wanted {
        let (u, d) = (user.clone(), domain.clone());
        let known = state
            .db
            .run(move |c| outbound::remote_by_handle(c, &u, &d))
            .await?;
        let found = match known {
            Some(found) => Some(found),
            None if lookups < MAX_LOOKUPS => {
                lookups += 1;
                let Ok(config) = state.federation.config(state).await else {
                    continue;
                };
                match kindred_federation::resolve::account(config, &user, &domain).await {
                    Ok(_) => {
                        state
                            .db
                            .run(move |c| outbound::remote_by_handle(c, &user, &domain))
                            .await?
                    }
                    Err(e) => {
                        tracing::info!(refusal = e.code(), "mentioned account not found");
                        None
                    }
                }
            }
            None => None,
        };
        if let Some((a, url)) = found.filter(|(a, _)| a.is_active()) {
            out.push((a, url));
        }
    }
    Ok(out)
}

fn check_length(state: &AppState, text: &str, spoiler: &str) -> Result<(), ServiceError> {
    let max = state.instance.max_status_chars;
    if status_text::plain_length(text) + spoiler.chars().count() > max {
        return Err(DomainError::StatusTooLong { max }.into());
    }
    Ok(())
}

/// What can be checked of a post before it is made (a scheduled post, at the time it
/// is scheduled): text, length, poll and audience, as `create` checks them.
pub fn precheck(state: &AppState, post: &NewPost) -> Result<(), ServiceError> {
    let text = post.text.trim();
    if text.is_empty() {
        return Err(DomainError::EmptyStatus.into());
    }
    check_length(state, text, post.spoiler_text.trim())?;
    if let Some(p) = &post.poll {
        NewPoll::parse(
            p.options.clone(),
            p.expires_in,
            p.multiple,
            p.hide_totals,
            &PollLimits::default(),
        )
        .map_err(DomainError::from)?;
    }
    if let Some(v) = post.visibility.as_deref() {
        Audience::parse(v, post.local_only)?;
    }
    Ok(())
}

/// A status the viewer may see, with its author; anything else is "not found", so
/// nobody learns that a private status exists.
pub async fn visible(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(StatusRow, AccountRow), ServiceError> {
    let found = state
        .db
        .run(move |c| {
            let Some(s) = repo::find(c, id)? else {
                return Ok(None);
            };
            let Some(author) = accounts::find(c, s.account_id)? else {
                return Ok(None);
            };
            let mentioned = repo::mentions_of(c, &[s.id])?
                .remove(&s.id)
                .unwrap_or_default();
            let placed = groups::posts_of(c, &[s.id])?.remove(&s.id);
            Ok(Some((s, author, mentioned, placed)))
        })
        .await?;
    match found {
        Some((s, author, mentioned, placed))
            if viewer.may_see(&s, &author, &mentioned, placed.as_ref()) =>
        {
            Ok((s, author))
        }
        _ => Err(ServiceError::NotFound),
    }
}

/// A status's text under the rules every post obeys: mentions resolved as the author
/// may name them, the group placement (`placement::place`) and what it changes —
/// the audience, the group's content warning. Create and edit both call this, so an
/// edit can reach nothing that create refuses.
struct Composed {
    rendered: Rendered,
    placement: Option<placement::Placed>,
    audience: Audience,
    spoiler: String,
}

async fn compose(
    state: &Data<AppState>,
    author: &AccountRow,
    text: &str,
    spoiler: String,
    mut audience: Audience,
    reply_group: Option<i64>,
) -> Result<Composed, ServiceError> {
    let rendered = render(state, author, text).await?;
    let (who, named) = (author.clone(), rendered.mentioned.clone());
    let placement = state
        .db
        .run(move |c| {
            let reply_group = reply_group.map(GroupId::new);
            Ok(placement::place(c, &who, &named, reply_group, audience))
        })
        .await??;
    let mut spoiler = spoiler;
    if let Some(p) = &placement {
        audience.visibility = p.placement.visibility;
        audience.local_only = p.placement.local_only;
        // A group's content warning covers posts that bring none of their own.
        if spoiler.is_empty() {
            spoiler = p.content_warning.clone();
        }
    }
    Ok(Composed {
        rendered,
        placement,
        audience,
        spoiler,
    })
}

/// The group a reply stays in: the parent's, when the parent is a discussion post
/// (or a members-only announcement).
async fn reply_group_of(
    state: &AppState,
    parent_id: i64,
    parent_visibility: Visibility,
) -> Result<Option<i64>, ServiceError> {
    Ok(state
        .db
        .run(move |c| Ok(groups::posts_of(c, &[parent_id])?.remove(&parent_id)))
        .await?
        .filter(|p| !p.is_announcement() || parent_visibility == Visibility::Group)
        .map(|p| p.group_id))
}

pub async fn create(
    state: &Data<AppState>,
    author: &AccountRow,
    viewer: &Viewer,
    post: NewPost,
) -> Result<StatusRow, ServiceError> {
    let now = Utc::now();
    let key_hash = post
        .idempotency_key
        .as_deref()
        .filter(|k| !k.is_empty())
        .map(|k| sha256_hex(&format!("{}:{k}", author.id)));
    if let Some(key) = key_hash.clone() {
        let author_id = author.id;
        let since = (now - Duration::hours(24)).naive_utc();
        if let Some(existing) = state
            .db
            .run(move |c| repo::find_by_idempotency_key(c, author_id, &key, since))
            .await?
        {
            return Ok(existing);
        }
    }
    let text = post.text.trim().to_owned();
    // A post of pictures alone needs no text (as Mastodon).
    if text.is_empty() && post.media_ids.is_empty() {
        return Err(DomainError::EmptyStatus.into());
    }
    let media_ids = attachable(state, author, None, post.media_ids).await?;
    let spoiler = post.spoiler_text.trim().to_owned();
    check_length(state, &text, &spoiler)?;
    let poll = match post.poll {
        Some(p) => Some(
            NewPoll::parse(
                p.options,
                p.expires_in,
                p.multiple,
                p.hide_totals,
                &PollLimits::default(),
            )
            .map_err(DomainError::from)?,
        ),
        None => None,
    };
    let default_visibility = {
        let id = author.id;
        state
            .db
            .run(move |c| accounts::find_user(c, id))
            .await?
            .map(|u| u.default_privacy)
            .unwrap_or_else(|| "public".to_owned())
    };
    let mut audience = Audience::parse(
        post.visibility.as_deref().unwrap_or(&default_visibility),
        post.local_only,
    )?;
    let mut reply_account = None;
    let mut reply_group = None;
    if let Some(parent_id) = post.in_reply_to_id {
        let (parent, parent_author) = visible(state, viewer, parent_id)
            .await
            .map_err(|_| ServiceError::ReplyTargetNotFound)?;
        // A reply is never more public than what it answers, nor escapes the instance.
        let parent_visibility = parent.visibility;
        audience.visibility = audience.visibility.at_most(parent_visibility);
        audience.local_only |= parent.local_only;
        reply_account = Some(parent_author.id);
        reply_group = reply_group_of(state, parent_id, parent_visibility).await?;
    }
    let Composed {
        rendered,
        placement,
        audience,
        spoiler,
    } = compose(state, author, &text, spoiler, audience, reply_group).await?;
    let held = placement.as_ref().is_some_and(|p| p.placement.held);
    let mentioned = mentions::carried(author.account_id(), &rendered.mentioned, held);
    let id = state.ids.next_at(now);
    let tags: Vec<(String, i64)> = rendered
        .tags
        .iter()
        .map(|t| (t.clone(), state.ids.next_at(now)))
        .collect();
    let insert = StatusInsert {
        status: NewStatus {
            id,
            uri: state.urls.status(&author.username, id).to_string(),
            account_id: author.id,
            local: author.is_local(),
            in_reply_to_id: post.in_reply_to_id,
            in_reply_to_account_id: reply_account,
            reblog_of_id: None,
            text,
            content: rendered.html,
            spoiler_text: spoiler.clone(),
            sensitive: post.sensitive || !spoiler.is_empty(),
            visibility: audience.visibility,
            local_only: audience.local_only,
            language: post.language.filter(|l| (2..=3).contains(&l.len())),
            created_at: now.naive_utc(),
        },
        mentioned_account_ids: mentioned.iter().map(|a| a.id).collect(),
        tags,
        idempotency_key: key_hash,
    };
    let ids = state.ids.clone();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let author_row = author.clone();
    let tag_names = rendered.tags;
    let crisis = state.instance.crisis_notice.clone();
    let (row, events) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let row = repo::insert(c, &insert)?;
                kindred_core::media::attach(c, row.account_id, row.id, &media_ids)?;
                if let Some(p) = &placement {
                    placement::record(c, &row, p)?;
                }
                if let Some(poll) = &poll {
                    kindred_core::polls::create(c, &row, poll, now)?;
                }
                let events = created::settle(
                    c,
                    &row,
                    &tag_names,
                    &mentioned,
                    crisis.as_deref(),
                    &ids,
                    now,
                )?;
                outbox.created(c, &author_row, &row)?;
                Ok((row, events))
            })
        })
        .await?;
    state.delivery.wake();
    tracing::info!(status_id = row.id, visibility = %row.visibility, "status created");
    state.streaming.announce(events);
    Ok(row)
}

/// Deletes the caller's own status; returns it for redraft.
pub async fn delete(
    state: &AppState,
    author: &AccountRow,
    id: i64,
) -> Result<StatusRow, ServiceError> {
    let author_id = author.id;
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    let author_row = author.clone();
    let (row, event) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let Some(s) = repo::find(c, id)? else {
                    return Err(DbError::NotFound);
                };
                if s.account_id != author_id || s.reblog_of_id.is_some() {
                    return Err(DbError::NotFound);
                }
                // Recipients come from the mentions, so the Delete is queued first.
                outbox.deleted(c, &author_row, &s)?;
                let event = kindred_core::statuses::deleted(c, &s)?;
                Ok((s, event))
            })
        })
        .await
        .map_err(not_found)?;
    state.delivery.wake();
    state.streaming.announce([event]);
    Ok(row)
}

pub struct EditPost {
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    /// The pictures the post keeps (`media_ids[]`); `None`: as they are.
    pub media_ids: Option<Vec<i64>>,
}

/// The uploads a post may take (`kindred_core::media::attachable`), checked before
/// its transaction.
async fn attachable(
    state: &AppState,
    author: &AccountRow,
    status_id: Option<i64>,
    ids: Vec<i64>,
) -> Result<Vec<i64>, ServiceError> {
    if ids.is_empty() {
        return Ok(ids);
    }
    let author_id = author.id;
    Ok(state
        .db
        .run(move |c| {
            Ok(kindred_core::media::attachable(
                c, author_id, status_id, &ids,
            ))
        })
        .await??)
}

pub async fn edit(
    state: &Data<AppState>,
    author: &AccountRow,
    id: i64,
    e: EditPost,
) -> Result<StatusRow, ServiceError> {
    let author_id = author.id;
    let previous = state
        .db
        .run(move |c| repo::find(c, id))
        .await?
        .filter(|s| s.account_id == author_id && s.reblog_of_id.is_none())
        .ok_or(ServiceError::NotFound)?;
    let text = e.text.trim().to_owned();
    let media_ids = match e.media_ids {
        Some(ids) => Some(attachable(state, author, Some(previous.id), ids).await?),
        None => None,
    };
    let keeps_media = match &media_ids {
        Some(ids) => !ids.is_empty(),
        None => {
            let id = previous.id;
            !state
                .db
                .run(move |c| kindred_db::models::media::ids_of_status(c, id))
                .await?
                .is_empty()
        }
    };
    if text.is_empty() && !keeps_media {
        return Err(DomainError::EmptyStatus.into());
    }
    let spoiler = e.spoiler_text.trim().to_owned();
    check_length(state, &text, &spoiler)?;
    // The rules of create, on the post as it stands: its audience, and the group its
    // parent keeps it in.
    let (prev_id, parent_id) = (previous.id, previous.in_reply_to_id);
    let (placed_now, parent) = state
        .db
        .run(move |c| {
            let placed = groups::posts_of(c, &[prev_id])?.remove(&prev_id);
            let parent = match parent_id {
                Some(p) => repo::find(c, p)?,
                None => None,
            };
            Ok((placed, parent))
        })
        .await?;
    let reply_group = match &parent {
        Some(p) => reply_group_of(state, p.id, p.visibility).await?,
        // A reply whose parent is gone stays in the group it was placed in.
        None if parent_id.is_some() => placed_now
            .as_ref()
            .filter(|p| !p.is_announcement())
            .map(|p| p.group_id),
        None => None,
    };
    let audience = Audience {
        visibility: previous.visibility,
        local_only: previous.local_only,
    };
    let Composed {
        rendered,
        placement,
        spoiler,
        ..
    } = compose(state, author, &text, spoiler, audience, reply_group).await?;
    // An edit keeps the post where it is, neither into a group nor out of one; its
    // audience and kind stay as they were placed.
    let was = placed_now.as_ref().map(|p| p.group_id);
    if was != placement.as_ref().map(|p| p.placement.group_id) {
        return Err(ServiceError::Unprocessable(
            "an edit cannot move a post into or out of a group: post it anew",
        ));
    }
    // Still waiting for review: nobody is mentioned yet.
    let held = placed_now.as_ref().is_some_and(|p| p.held);
    let mentioned = mentions::carried(author.account_id(), &rendered.mentioned, held);
    let now = Utc::now();
    let sensitive = e.sensitive || !spoiler.is_empty();
    let language = e.language.or(previous.language.clone());
    let ids = state.ids.clone();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let author_row = author.clone();
    let (row, events) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let edit = edited::Edit {
                    text: &text,
                    content: &rendered.html,
                    spoiler_text: &spoiler,
                    sensitive,
                    language: language.as_deref(),
                    mentioned: &mentioned,
                    tags: &rendered.tags,
                };
                let (row, events) = edited::apply(c, &previous, &edit, &ids, now)?;
                if let Some(media_ids) = &media_ids {
                    kindred_core::media::attach(c, row.account_id, row.id, media_ids)?;
                }
                outbox.edited(c, &author_row, &row)?;
                Ok((row, events))
            })
        })
        .await?;
    state.delivery.wake();
    state.streaming.announce(events);
    Ok(row)
}

/// Boosts a status the viewer can see; public and unlisted only. Idempotent.
pub async fn reblog(
    state: &AppState,
    viewer: &Viewer,
    account: &AccountRow,
    id: i64,
    visibility: Option<&str>,
) -> Result<StatusRow, ServiceError> {
    let (target, _) = visible(state, viewer, id).await?;
    // Boosting a boost boosts the original.
    let target = match target.reblog_of_id {
        Some(orig) => visible(state, viewer, orig).await?.0,
        None => target,
    };
    let vis = target.visibility;
    if !vis.can_reblog() {
        return Err(ServiceError::Forbidden("This action is not allowed"));
    }
    let boost_visibility = match visibility {
        Some(v) => match v.parse::<Visibility>()? {
            Visibility::Direct => Visibility::Public,
            v => v,
        },
        None => Visibility::Public,
    };
    let account_id = account.id;
    let now = Utc::now();
    let boost_id = state.ids.next_at(now);
    let uri = format!(
        "{}/activity",
        state.urls.status(&account.username, boost_id)
    );
    let insert = StatusInsert {
        status: NewStatus {
            id: boost_id,
            uri,
            account_id,
            local: account.is_local(),
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: Some(target.id),
            text: String::new(),
            content: String::new(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: boost_visibility,
            local_only: target.local_only,
            language: None,
            created_at: now.naive_utc(),
        },
        mentioned_account_ids: Vec::new(),
        tags: Vec::new(),
        idempotency_key: None,
    };
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let booster = account.clone();
    let original = target.clone();
    let ids = state.ids.clone();
    let (row, events) = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                match core_interactions::boost(c, &insert, &original, &ids, now)? {
                    Boosted::New(row, events) => {
                        outbox.reblogged(c, &booster, &row, &original)?;
                        Ok((row, events))
                    }
                    Boosted::Existing(row) => Ok((row, Vec::new())),
                }
            })
        })
        .await?;
    state.delivery.wake();
    state.streaming.announce(events);
    Ok(row)
}

/// Removes the viewer's boost of a status; returns the original.
pub async fn unreblog(
    state: &AppState,
    viewer: &Viewer,
    account: &AccountRow,
    id: i64,
) -> Result<StatusRow, ServiceError> {
    let (target, _) = visible(state, viewer, id).await?;
    let account_id = account.id;
    let target_id = target.reblog_of_id.unwrap_or(target.id);
    let outbox = Outbox::new(&state.urls, &state.ids, Utc::now());
    let booster = account.clone();
    let events = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                let Some(boost) = repo::find_reblog(c, account_id, target_id)? else {
                    return Ok(Vec::new());
                };
                core_interactions::unboost(c, &boost, |c, orig| {
                    outbox.unreblogged(c, &booster, &boost, orig).map(drop)
                })
            })
        })
        .await?;
    state.delivery.wake();
    state.streaming.announce(events);
    Ok(visible(state, viewer, target_id).await?.0)
}

/// Favourite, bookmark or pin, and their undo. Returns the status.
pub async fn mark(
    state: &AppState,
    viewer: &Viewer,
    account: &AccountRow,
    id: i64,
    mark: Mark,
    on: bool,
) -> Result<StatusRow, ServiceError> {
    let (status, _) = visible(state, viewer, id).await?;
    if mark == Mark::Pin && on {
        if status.account_id != account.id || status.reblog_of_id.is_some() {
            return Err(ServiceError::Unprocessable(
                "Validation failed: You can only pin your own statuses",
            ));
        }
        if status.visibility == Visibility::Direct {
            return Err(ServiceError::Unprocessable(
                "Validation failed: Direct messages cannot be pinned",
            ));
        }
        let account_id = account.id;
        let n = state
            .db
            .run(move |c| interactions::pin_count(c, account_id))
            .await?;
        if n >= MAX_PINS {
            return Err(ServiceError::Unprocessable(
                "Validation failed: You have already pinned the maximum number of statuses",
            ));
        }
    }
    let now = Utc::now();
    let row_id = state.ids.next_at(now);
    let account_id = account.id;
    let status_id = status.id;
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let (actor, liked) = (account.clone(), status.clone());
    let ids = state.ids.clone();
    let events = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                match (mark, on) {
                    (Mark::Favourite, true) => {
                        let (new, events) = core_interactions::favourite(
                            c,
                            row_id,
                            actor.account_id(),
                            &liked,
                            &ids,
                            now,
                        )?;
                        if new {
                            outbox.like(c, &actor, &liked, row_id, false)?;
                        }
                        return Ok(events);
                    }
                    (Mark::Favourite, false) => {
                        // The Undo names the favourite: read before it goes.
                        if let Some(fav) = outbound::favourite_id(c, account_id, status_id)? {
                            outbox.like(c, &actor, &liked, fav, true)?;
                            core_interactions::unfavourite(c, actor.account_id(), &liked)?;
                        }
                    }
                    (_, true) => {
                        interactions::add(c, mark, row_id, account_id, status_id, now.naive_utc())?;
                    }
                    (_, false) => {
                        interactions::remove(c, mark, account_id, status_id)?;
                    }
                }
                Ok(Vec::new())
            })
        })
        .await?;
    state.delivery.wake();
    state.streaming.announce(events);
    Ok(status)
}

/// Ancestors (oldest first) and descendants (depth-first, in reply order); presenting
/// them leaves out what the viewer may not see.
pub async fn context(
    state: &AppState,
    status: &StatusRow,
) -> Result<(Vec<StatusRow>, Vec<StatusRow>), ServiceError> {
    let start = status.clone();
    let (ancestors, descendants) = state
        .db
        .run(move |c| {
            let mut ancestors = Vec::new();
            let mut next = start.in_reply_to_id;
            while let Some(id) = next {
                if ancestors.len() >= 40 {
                    break;
                }
                match repo::find(c, id)? {
                    Some(s) => {
                        next = s.in_reply_to_id;
                        ancestors.push(s);
                    }
                    None => break,
                }
            }
            ancestors.reverse();
            // Breadth-first fetch, then order depth-first by walking the tree.
            let mut all = Vec::new();
            let mut frontier = vec![start.id];
            while !frontier.is_empty() && all.len() < 4096 {
                let level = repo::replies_to(c, &frontier)?;
                frontier = level.iter().map(|s| s.id).collect();
                all.extend(level);
            }
            let mut ordered = Vec::new();
            let mut stack = vec![start.id];
            while let Some(parent) = stack.pop() {
                let mut children: Vec<&StatusRow> = all
                    .iter()
                    .filter(|s| s.in_reply_to_id == Some(parent))
                    .collect();
                children.sort_by_key(|s| std::cmp::Reverse(s.id));
                for child in children {
                    stack.push(child.id);
                }
                if parent != start.id {
                    if let Some(s) = all.iter().find(|s| s.id == parent) {
                        ordered.push(s.clone());
                    }
                }
            }
            Ok((ancestors, ordered))
        })
        .await?;
    // Presenting leaves out what the viewer may not see.
    Ok((ancestors, descendants))
}

fn not_found(e: DbError) -> ServiceError {
    match e {
        DbError::NotFound => ServiceError::NotFound,
        other => other.into(),
    }
}

/// A status's earlier versions, oldest first.
pub async fn edits(
    state: &AppState,
    id: i64,
) -> Result<Vec<kindred_db::models::statuses::StatusEditRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::edits(c, id)).await?)
}

/// A page of who favourited (`favourites`) or boosted the status, each with the id
/// of the favourite or boost (what the page is paged by).
pub async fn reacted_by(
    state: &AppState,
    id: i64,
    favourites: bool,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, AccountRow)>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            if favourites {
                interactions::favourited_by(c, id, max_id, limit)
            } else {
                interactions::reblogged_by(c, id, max_id, limit)
            }
        })
        .await?)
}
