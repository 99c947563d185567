//! Rows to entities, a page at a time: one query per kind of fact, never one per row.

use kindred_domain::groups::MembershipState;
use kindred_domain::NotificationKind;
use std::collections::HashMap;

use chrono::Utc;
use kindred_db::models::account_stats::{self, AccountStats};
use kindred_db::models::notifications::NotificationRow;
use kindred_db::models::polls::PollView;
use kindred_db::models::statuses as repo;
use kindred_db::models::{groups, remote_accounts, social};
use kindred_db::{AccountRow, StatusRow};

use super::viewer::Viewer;
use super::ServiceError;
use crate::entities::admin::AccountWarning;
use crate::entities::polls::{Poll, PollOption};
use crate::entities::status::{timestamp, Mention, NotificationExtension, Tag};
use crate::entities::{Account, Notification, Relationship, Status};
use crate::AppState;

/// Accounts with their totals. Collections an account hides show 0 to others, as
/// Mastodon does.
pub async fn accounts(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<AccountRow>,
) -> Result<Vec<Account>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let remote_ids: Vec<i64> = rows
        .iter()
        .filter(|a| !a.is_local())
        .map(|a| a.id)
        .collect();
    let group_ids: Vec<i64> = rows
        .iter()
        .filter(|a| a.role.is_group())
        .map(|a| a.id)
        .collect();
    let now = chrono::Utc::now().naive_utc();
    let (stats, (remote, remote_groups, limited), hidden, members) = state
        .db
        .run(move |c| {
            Ok((
                account_stats::load(c, &ids)?,
                (
                    remote_accounts::addresses(c, &remote_ids)?,
                    remote_accounts::groups_among(c, &remote_ids)?,
                    kindred_db::models::silenced::among(c, &ids)?,
                ),
                match viewer {
                    Some(v) => groups::hidden_unless_shunned(c, v, &group_ids, now)?,
                    None => groups::hidden_private(c, None, &group_ids)?,
                },
                groups::member_counts(c, &group_ids)?,
            ))
        })
        .await?;
    Ok(rows
        .iter()
        // A private group does not exist for anyone but its members (and whoever
        // blocks or mutes it, so their lists of blocks and mutes can lift that).
        .filter(|row| !hidden.contains(&row.id))
        .map(|row| {
            let mut a = account_entity(state, row, viewer, &stats);
            if row.role.is_group() {
                // A group shows how many belong to it (remote followers included),
                // never who: membership is for its facilitators (invariant 3).
                a.group = true;
                a.followers_count = (members.get(&row.id).copied().unwrap_or(0)
                    + stats.get(&row.id).map_or(0, |s| s.followers_count))
                .max(0) as u64;
                a.following_count = 0;
            }
            // A silenced account (one by one, or of a silenced server) shows
            // behind a warning in apps.
            a.limited = limited.contains(&row.id);
            if row.suspended {
                // As Mastodon shows a suspended account: no profile, no totals.
                a.suspended = true;
                a.display_name = String::new();
                a.note = String::new();
                a.followers_count = 0;
                a.following_count = 0;
                a.statuses_count = 0;
                a.last_status_at = None;
                a.limited = false;
            }
            // A remote Group actor (a Lemmy community, a Mobilizon group) is a group.
            if remote_groups.contains(&row.id) {
                a.group = true;
            }
            // A remote account's links point to its home server.
            if let Some((uri, url)) = remote.get(&row.id) {
                a.url = url.clone().unwrap_or_else(|| uri.clone());
                a.uri = uri.clone();
            }
            a
        })
        .collect())
}

/// Whether the account's follower and following totals show as 0 to this viewer.
fn collections_hidden(row: &AccountRow, viewer: Option<i64>) -> bool {
    row.hide_collections && viewer != Some(row.id)
}

fn account_entity(
    state: &AppState,
    row: &AccountRow,
    viewer: Option<i64>,
    stats: &HashMap<i64, AccountStats>,
) -> Account {
    let mut a = Account::from_row(row, &state.urls);
    let s = stats.get(&row.id).copied().unwrap_or_default();
    let hidden = collections_hidden(row, viewer);
    a.followers_count = if hidden {
        0
    } else {
        s.followers_count.max(0) as u64
    };
    a.following_count = if hidden {
        0
    } else {
        s.following_count.max(0) as u64
    };
    a.statuses_count = s.statuses_count.max(0) as u64;
    // The day only, as Mastodon: not when exactly someone was last active.
    a.last_status_at = s
        .last_status_at
        .map(|t| t.date().format("%Y-%m-%d").to_string());
    a
}

pub async fn account(
    state: &AppState,
    viewer: Option<i64>,
    row: AccountRow,
) -> Result<Account, ServiceError> {
    accounts(state, viewer, vec![row])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}

/// The preview card of a meeting's status: its page, title, and when and where
/// (public part only).
fn meeting_card(
    state: &AppState,
    meeting: &kindred_db::models::meetings::MeetingRow,
    time: &kindred_db::models::meetings::MeetingTimeRow,
) -> serde_json::Value {
    use crate::services::meetings::posts;
    let place = meeting.public_place();
    let description =
        kindred_domain::meetings::listing::when_and_where(&posts::facts(meeting, time, &place));
    serde_json::json!({
        "url": posts::link(&state.urls, meeting.id),
        "title": meeting.title,
        "description": description,
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": state.urls.domain().to_string(),
        "provider_url": state.urls.base().to_string(),
        "html": "",
        "width": 0,
        "height": 0,
        "image": null,
        "embed_url": "",
        "blurhash": null,
    })
}

/// Statuses as the viewer sees them, boosts with their originals. Whatever the viewer
/// may not see (`Viewer::may_see`, for a boost also its original) is left out here, so
/// no caller can present a hidden status by forgetting a check.
pub async fn statuses(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<StatusRow>,
) -> Result<Vec<Status>, ServiceError> {
    statuses_sieved(state, viewer, rows, true).await
}

/// The statuses a report names, for a viewer `kindred_core::reports::view_of` let
/// see that report (a moderator, or a facilitator for their group's posts): shown
/// whatever their audience, so harm in a closed group or a direct message can be
/// handled. Never call it for anything else.
pub async fn reported_statuses(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<StatusRow>,
) -> Result<Vec<Status>, ServiceError> {
    statuses_sieved(state, viewer, rows, false).await
}

async fn statuses_sieved(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<StatusRow>,
    sieve: bool,
) -> Result<Vec<Status>, ServiceError> {
    let viewer_id = viewer.id();
    let originals_ids: Vec<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    let (originals, extras, accounts_rows) = state
        .db
        .run(move |c| {
            let originals = repo::find_many(c, &originals_ids)?;
            let mut ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
            ids.extend(originals.iter().map(|s| s.id));
            let extras = repo::extras(c, &ids, viewer_id)?;
            let placed = groups::posts_of(c, &ids)?;
            let meetings = kindred_db::models::meeting_posts::meetings_of(c, &ids)?;
            let polls = kindred_db::models::polls::views_of(c, &ids, viewer_id)?;
            let media = kindred_db::models::media::of_statuses(c, &ids)?;
            let mut account_ids: Vec<i64> = rows.iter().map(|s| s.account_id).collect();
            account_ids.extend(originals.iter().map(|s| s.account_id));
            account_ids.extend(extras.mentions.values().flatten().copied());
            account_ids.sort_unstable();
            account_ids.dedup();
            let accounts = social::find_accounts(c, &account_ids)?;
            Ok((
                (rows, originals, placed, meetings, polls, media),
                extras,
                accounts,
            ))
        })
        .await?;
    let (rows, originals, placed, meetings, polls, media) = originals;
    let now = chrono::Utc::now();
    let account_entities: HashMap<i64, Account> = {
        let list = accounts(state, viewer_id, accounts_rows.clone()).await?;
        list.into_iter()
            .filter_map(|a| a.id.parse().ok().map(|id: i64| (id, a)))
            .collect()
    };
    let may_see = |s: &StatusRow| -> bool {
        let Some(author) = accounts_rows.iter().find(|a| a.id == s.account_id) else {
            return false;
        };
        let mentioned = extras.mentions.get(&s.id).map_or(&[][..], Vec::as_slice);
        !sieve || viewer.may_see(s, author, mentioned, placed.get(&s.id))
    };
    let build = |s: &StatusRow| -> Option<Status> {
        if !may_see(s) {
            return None;
        }
        let account = account_entities.get(&s.account_id)?.clone();
        let mentions = extras
            .mentions
            .get(&s.id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| accounts_rows.iter().find(|a| a.id == *id))
                    .map(|a| Mention {
                        id: a.id.to_string(),
                        username: a.username.clone(),
                        url: account_entities
                            .get(&a.id)
                            .map(|e| e.url.clone())
                            .unwrap_or_else(|| state.urls.profile_page(&a.username).to_string()),
                        acct: if a.is_local() {
                            a.username.clone()
                        } else {
                            format!("{}@{}", a.username, a.domain)
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tags = extras
            .tags
            .get(&s.id)
            .map(|names| {
                names
                    .iter()
                    .map(|n| Tag {
                        name: n.clone(),
                        url: format!("{}{}", state.urls.tags_base(), n),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let author = accounts_rows.iter().find(|a| a.id == s.account_id)?;
        let flag = |list: &Vec<i64>| viewer_id.map(|_| list.contains(&s.id));
        Some(Status {
            id: s.id.to_string(),
            uri: s.uri.clone(),
            url: Some(if author.is_local() {
                state.urls.status_page(&author.username, s.id).to_string()
            } else {
                s.uri.clone()
            }),
            created_at: timestamp(s.created_at),
            edited_at: s.edited_at.map(timestamp),
            account,
            content: s.content.clone(),
            // Apps know four audiences; a group post shows as followers-only.
            visibility: s.visibility.as_client_str().to_owned(),
            local_only: s.local_only,
            sensitive: s.sensitive,
            spoiler_text: s.spoiler_text.clone(),
            media_attachments: media_attachments(
                state,
                media.get(&s.id).map_or(&[][..], Vec::as_slice),
                // Unsigned URLs only where anyone may see the post (the same rule).
                super::media::is_public(
                    s,
                    author,
                    extras.mentions.get(&s.id).map_or(&[][..], Vec::as_slice),
                    placed.get(&s.id),
                ),
            ),
            application: None,
            mentions,
            tags,
            emojis: Vec::new(),
            reblogs_count: extras.reblogs_count.get(&s.id).copied().unwrap_or(0),
            favourites_count: extras.favourites_count.get(&s.id).copied().unwrap_or(0),
            replies_count: extras.replies_count.get(&s.id).copied().unwrap_or(0),
            in_reply_to_id: s.in_reply_to_id.map(|i| i.to_string()),
            in_reply_to_account_id: s.in_reply_to_account_id.map(|i| i.to_string()),
            reblog: None,
            poll: polls
                .get(&s.id)
                .map(|p| poll(p, viewer_id == Some(s.account_id), now)),
            card: meetings.get(&s.id).map(|(m, t)| meeting_card(state, m, t)),
            language: s.language.clone(),
            text: None,
            favourited: flag(&extras.favourited),
            reblogged: flag(&extras.reblogged),
            muted: viewer_id.map(|_| false),
            bookmarked: flag(&extras.bookmarked),
            pinned: if viewer_id == Some(s.account_id) {
                flag(&extras.pinned)
            } else {
                None
            },
            filtered: viewer_id.map(|_| Vec::new()),
        })
    };
    Ok(rows
        .iter()
        .filter_map(|s| {
            let mut status = build(s)?;
            if let Some(orig_id) = s.reblog_of_id {
                let orig = originals.iter().find(|o| o.id == orig_id)?;
                let inner = build(orig)?;
                // A boost shows its original's flags, as Mastodon does.
                status.favourited = inner.favourited;
                status.reblogged = inner.reblogged;
                status.bookmarked = inner.bookmarked;
                status.content = String::new();
                status.reblog = Some(Box::new(inner));
            }
            Some(status)
        })
        .collect())
}

/// Mastodon's Poll entity: counts, and the viewer's own choices (`own_votes` is
/// `None` for an anonymous viewer); never who voted. The author counts as having
/// voted (they may not vote; Mastodon shows them the results so).
pub fn poll(view: &PollView, by_author: bool, now: chrono::DateTime<chrono::Utc>) -> Poll {
    let expires_at = view.poll.expires_at.map(|t| t.and_utc());
    let expired = expires_at.is_some_and(|at| at <= now);
    let shown = kindred_domain::polls::shows_totals(view.poll.hide_totals, expired);
    Poll {
        id: view.poll.status_id.to_string(),
        expires_at: view.poll.expires_at.map(timestamp),
        expired,
        multiple: view.poll.multiple,
        votes_count: view.votes_count,
        voters_count: Some(view.voters_count),
        options: view
            .options
            .iter()
            .map(|(title, n)| PollOption {
                title: title.clone(),
                votes_count: shown.then_some(*n),
            })
            .collect(),
        emojis: Vec::new(),
        voted: view.own_votes.as_ref().map(|v| by_author || !v.is_empty()),
        own_votes: view.own_votes.clone(),
    }
}

/// A status's pictures as entities (`services::media::entity`).
fn media_attachments(
    state: &AppState,
    rows: &[kindred_db::models::media::MediaRow],
    public: bool,
) -> Vec<serde_json::Value> {
    rows.iter()
        .filter_map(|r| serde_json::to_value(super::media::entity(state, r, public)).ok())
        .collect()
}

/// Timelines (REST and streaming) also leave out boosts of muted or blocked accounts'
/// statuses.
pub fn drop_hidden_boosts(viewer: &Viewer, statuses: &mut Vec<Status>) {
    statuses.retain(|s| {
        s.reblog.as_ref().is_none_or(|r| {
            r.account
                .id
                .parse::<i64>()
                .is_ok_and(|id| !viewer.hidden.contains(&id))
        })
    });
}

pub async fn status(
    state: &AppState,
    viewer: &Viewer,
    row: StatusRow,
) -> Result<Status, ServiceError> {
    statuses(state, viewer, vec![row])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}

pub async fn relationships(
    state: &AppState,
    viewer: i64,
    ids: Vec<i64>,
) -> Result<Vec<Relationship>, ServiceError> {
    let now = Utc::now().naive_utc();
    let rels = state
        .db
        .run(move |c| {
            let group_ids: Vec<i64> = groups::find_many(c, &ids)?
                .into_iter()
                .map(|g| g.account_id)
                .collect();
            ids.into_iter()
                .map(|id| {
                    let mut r = social::relation(c, viewer, id, now)?;
                    // For a group, "following" is membership and "requested" a
                    // request to join; nobody else's relation to it is shown.
                    if group_ids.contains(&id) {
                        let m = groups::membership(c, id, viewer)?;
                        let state = m.as_ref().map(|m| m.state);
                        r.following =
                            (state == Some(MembershipState::Member)).then_some((true, false));
                        r.requested = state == Some(MembershipState::Requested);
                        r.followed_by = false;
                        r.requested_by = false;
                    }
                    Ok((id, r))
                })
                .collect::<Result<Vec<_>, kindred_db::DbError>>()
        })
        .await?;
    Ok(rels
        .into_iter()
        .map(|(id, r)| Relationship {
            id: id.to_string(),
            following: r.following.is_some(),
            showing_reblogs: r.following.is_some_and(|(s, _)| s)
                || (r.requested && r.following.is_none()),
            notifying: r.following.is_some_and(|(_, n)| n),
            languages: None,
            followed_by: r.followed_by,
            blocking: r.blocking,
            blocked_by: r.blocked_by,
            muting: r.muting.is_some(),
            muting_notifications: r.muting.unwrap_or(false),
            requested: r.requested,
            requested_by: r.requested_by,
            domain_blocking: false,
            endorsed: false,
            note: String::new(),
        })
        .collect())
}

pub async fn notifications(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<NotificationRow>,
) -> Result<Vec<Notification>, ServiceError> {
    let mut account_ids: Vec<i64> = rows.iter().map(|n| n.from_account_id).collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|n| n.status_id).collect();
    let crisis = rows
        .iter()
        .any(|n| n.kind == NotificationKind::CrisisResources);
    let report_ids: Vec<i64> = rows.iter().filter_map(|n| n.report_id).collect();
    let warning_ids: Vec<i64> = rows
        .iter()
        .filter(|n| n.kind == kindred_domain::NotificationKind::ModerationWarning)
        .map(|n| n.id)
        .collect();
    let (accounts_rows, status_rows, crisis_rows, reports, warnings) = state
        .db
        .run(move |c| {
            // An `admin.report` notice carries its report (Mastodon's `report`).
            let mut reports = HashMap::new();
            let found = kindred_db::models::reports::find_many_with_statuses(c, &report_ids)?;
            // An erased member is shown as such at once, before their rows are purged.
            let targets: Vec<i64> = found
                .iter()
                .filter_map(|(r, _)| r.target_account_id)
                .collect();
            let erased = kindred_db::models::erasure::erased_among(c, &targets)?;
            for (r, named) in found {
                let target = r.target_account_id.filter(|t| !erased.contains(t));
                account_ids.extend(target);
                reports.insert(r.id, (r, named, target));
            }
            Ok((
                social::find_accounts(c, &account_ids)?,
                repo::find_many(c, &status_ids)?,
                // The notice shows the list as it is now, not as it was.
                if crisis {
                    kindred_core::crisis::list(c)?
                } else {
                    Vec::new()
                },
                reports,
                kindred_db::models::moderation::warnings_by_ids(c, &warning_ids)?,
            ))
        })
        .await?;
    let notice = super::crisis::notice(&crisis_rows);
    // A notification about a status the viewer can no longer see is dropped below.
    let statuses = statuses(state, viewer, status_rows).await?;
    let accounts = accounts(state, viewer.id(), accounts_rows).await?;
    Ok(rows
        .into_iter()
        .filter_map(|n| {
            let account = accounts
                .iter()
                .find(|a| a.id == n.from_account_id.to_string())?
                .clone();
            let seen = |sid: i64| statuses.iter().find(|s| s.id == sid.to_string()).cloned();
            let status = match (n.status_id, n.meeting_id) {
                // A meeting notification stands without the meeting's status when the
                // viewer can't see that status (the notification is about the meeting).
                (Some(sid), Some(_)) => seen(sid),
                // A notification about a status the viewer can no longer see is dropped.
                (Some(sid), None) => Some(seen(sid)?),
                (None, _) => None,
            };
            let report = match n.report_id {
                Some(rid) => {
                    // A notice whose report is gone is dropped.
                    let (r, named, target) = reports.get(&rid)?;
                    // An erased member shows as the placeholder.
                    let target = target
                        .and_then(|t| accounts.iter().find(|a| a.id == t.to_string()).cloned());
                    Some(crate::entities::reports::report(r, named, target))
                }
                None => None,
            };
            Some(Notification {
                id: n.id.to_string(),
                report,
                group_key: format!("ungrouped-{}", n.id),
                kind: n.kind.as_str().to_owned(),
                created_at: timestamp(n.created_at),
                status,
                kindred: match (n.meeting_id, n.kind) {
                    (Some(m), _) => Some(NotificationExtension {
                        meeting_id: Some(m.to_string()),
                        crisis_resources: None,
                    }),
                    (None, NotificationKind::CrisisResources) => Some(NotificationExtension {
                        meeting_id: None,
                        crisis_resources: Some(notice.clone()),
                    }),
                    (None, _) => None,
                },
                moderation_warning: warnings
                    .iter()
                    .find(|w| w.id == n.id)
                    .map(|w| AccountWarning::new(w, account.clone())),
                account,
            })
        })
        .collect())
}
