//! A group's meeting shows in Mastodon apps as a status from the group: title, time
//! in the meeting's zone, locality and a link (docs/meetings.md), placed in the
//! group as an announcement so members see it at home and in the group timeline.
//! A public meeting of a listed group is a public status, a members-only one (or
//! any meeting of a private group) has the group's audience. It is local-only: other
//! servers receive the meeting itself as an `Event`, not a second copy as a note.
//! The status is written, and rewritten when the meeting changes, inside the
//! meeting's own transaction.

use kindred_domain::groups::PostKind;
use kindred_domain::Visibility;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kindred_db::models::groups::{self, GroupPostRow};
use kindred_db::models::meeting_posts;
use kindred_db::models::meetings::{self as store, MeetingRow, MeetingTimeRow};
use kindred_db::models::statuses::{self as repo, NewStatus, StatusInsert};
use kindred_db::{AnyConnection, DbError};
use kindred_domain::id::IdGenerator;
use kindred_domain::meetings::listing::{self, ListingFacts};
use kindred_domain::meetings::MeetingZone;
use kindred_domain::text::plain_text_to_html;
use kindred_federation::LocalUrls;

/// The listing facts of stored rows (public part only).
pub fn facts<'a>(
    meeting: &'a MeetingRow,
    time: &'a MeetingTimeRow,
    place: &'a kindred_domain::meetings::PublicPlace,
) -> ListingFacts<'a> {
    let start_local = MeetingZone::parse(&time.time_zone)
        .map(|z| z.local(time.starts_at.and_utc()))
        .unwrap_or(time.starts_at);
    ListingFacts {
        title: &meeting.title,
        start_local,
        zone: &time.time_zone,
        place,
        online: meeting.online,
        recurring: time.recurrence.is_some(),
        cancelled: meeting.status == "cancelled",
    }
}

/// The page a meeting's link and card point to.
pub fn link(urls: &LocalUrls, meeting_id: i64) -> String {
    urls.path(&format!("/meetings/{meeting_id}")).to_string()
}

fn text_and_content(
    urls: &LocalUrls,
    meeting: &MeetingRow,
    time: &MeetingTimeRow,
) -> (String, String) {
    let place = meeting.public_place();
    let text = listing::status_text(&facts(meeting, time, &place), &link(urls, meeting.id));
    let content = plain_text_to_html(&text);
    (text, content)
}

/// Posts the status of a new group meeting (nothing for the instance's own).
pub fn publish(
    c: &mut AnyConnection,
    urls: &LocalUrls,
    ids: &Arc<IdGenerator>,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Some(found) = store::find(c, meeting_id)? else {
        return Ok(());
    };
    let (meeting, time) = (found.meeting, found.time);
    let Some(group_id) = meeting.group_id else {
        return Ok(());
    };
    let Some((group, account)) = groups::find(c, group_id)? else {
        return Ok(());
    };
    if !account.is_local() {
        return Ok(());
    }
    let public = meeting.audience == "public" && !group.is_private();
    let (text, content) = text_and_content(urls, &meeting, &time);
    let id = ids.next_at(now);
    let n = now.naive_utc();
    repo::insert(
        c,
        &StatusInsert {
            status: NewStatus {
                id,
                uri: urls.status(&account.username, id).to_string(),
                account_id: account.id,
                local: true,
                in_reply_to_id: None,
                in_reply_to_account_id: None,
                reblog_of_id: None,
                text,
                content,
                spoiler_text: meeting.content_category.clone().unwrap_or_default(),
                sensitive: meeting.content_category.is_some(),
                visibility: if public {
                    Visibility::Public
                } else {
                    Visibility::Group
                },
                local_only: true,
                language: None,
                created_at: n,
            },
            mentioned_account_ids: Vec::new(),
            tags: Vec::new(),
            idempotency_key: None,
        },
    )?;
    groups::insert_post(
        c,
        &GroupPostRow {
            status_id: id,
            group_id,
            account_id: account.id,
            kind: PostKind::Announcement,
            held: false,
            pinned_at: None,
            created_at: n,
        },
    )?;
    meeting_posts::link(c, meeting_id, id)
}

/// Rewrites a meeting's status after the meeting changed (an edit, as Mastodon
/// shows edits).
pub fn refresh(
    c: &mut AnyConnection,
    urls: &LocalUrls,
    ids: &Arc<IdGenerator>,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (Some(found), Some(status_id)) = (
        store::find(c, meeting_id)?,
        meeting_posts::status_of(c, meeting_id)?,
    ) else {
        return Ok(());
    };
    let Some(previous) = repo::find(c, status_id)? else {
        return Ok(());
    };
    let (text, content) = text_and_content(urls, &found.meeting, &found.time);
    if text == previous.text {
        return Ok(());
    }
    // Each edit keeps the version before it, as status edits do.
    let edit_id = Some(ids.next_at(now));
    let category = found.meeting.content_category.clone().unwrap_or_default();
    repo::edit(
        c,
        &previous,
        edit_id,
        &text,
        &content,
        &category,
        !category.is_empty(),
        None,
        &[],
        &[],
        now.naive_utc(),
    )?;
    Ok(())
}
