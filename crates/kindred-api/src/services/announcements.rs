//! Instance announcements: admins write them (crisis lines, opening hours, changes to
//! the service); every member sees them in their app until dismissed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use kindred_db::models::announcements::{self as repo, AnnouncementRow};
use kindred_domain::status_text;
use kindred_domain::DomainError;

use super::ServiceError;
use crate::entities::announcements::{Announcement, Reaction};
use crate::entities::status::timestamp;
use crate::AppState;

/// Longest announcement text.
pub const MAX_TEXT: usize = 5000;

/// What an admin sends; `None` keeps the stored value on update.
#[derive(Debug, Default)]
pub struct AnnouncementInput {
    pub text: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: Option<bool>,
    pub published: Option<bool>,
}

fn invalid(m: &'static str) -> ServiceError {
    DomainError::InvalidAnnouncement(m).into()
}

/// RFC 3339 or, for all-day announcements, a plain date. Empty clears the value.
fn parse_time(raw: &str) -> Result<Option<NaiveDateTime>, ServiceError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc).naive_utc()));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(Some)
        .ok_or_else(|| invalid("starts_at and ends_at must be RFC 3339 times"))
}

fn render(state: &AppState, text: &str) -> String {
    // Mentions stay plain text: an announcement addresses everyone, not someone.
    status_text::render(
        &status_text::parse(text),
        &state.urls.tags_base(),
        |_, _| None,
    )
}

/// Applies `input` over `row` (a new or stored announcement) and checks the result.
pub fn apply(
    state: &AppState,
    mut row: AnnouncementRow,
    input: AnnouncementInput,
    now: NaiveDateTime,
) -> Result<AnnouncementRow, ServiceError> {
    if let Some(text) = input.text {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(invalid("text can't be blank"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(invalid("text is too long"));
        }
        row.content = render(state, &text);
        row.text = text;
    }
    if let Some(s) = input.starts_at.as_deref() {
        row.starts_at = parse_time(s)?;
    }
    if let Some(e) = input.ends_at.as_deref() {
        row.ends_at = parse_time(e)?;
    }
    if let Some(a) = input.all_day {
        row.all_day = a;
    }
    if let (Some(s), Some(e)) = (row.starts_at, row.ends_at) {
        if e < s {
            return Err(invalid("ends_at must be after starts_at"));
        }
    }
    if let Some(p) = input.published {
        if p && !row.published {
            row.published_at = Some(now);
        }
        row.published = p;
    }
    row.updated_at = now;
    Ok(row)
}

pub fn blank(id: i64, now: NaiveDateTime) -> AnnouncementRow {
    AnnouncementRow {
        id,
        text: String::new(),
        content: String::new(),
        published: false,
        all_day: false,
        starts_at: None,
        ends_at: None,
        published_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Announcements as a member sees them; `with_text` adds the source for admins.
pub async fn present(
    state: &AppState,
    member: i64,
    rows: Vec<AnnouncementRow>,
    with_text: bool,
) -> Result<Vec<Announcement>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let (dismissed, mut reactions) = state
        .db
        .run(move |c| {
            Ok((
                repo::dismissed(c, member, &ids)?,
                repo::reactions(c, member, &ids)?,
            ))
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let mine = reactions.mine.remove(&a.id).unwrap_or_default();
            Announcement {
                id: a.id.to_string(),
                content: a.content,
                starts_at: a.starts_at.map(timestamp),
                ends_at: a.ends_at.map(timestamp),
                published: a.published,
                all_day: a.all_day,
                published_at: a.published_at.map(timestamp),
                updated_at: timestamp(a.updated_at),
                read: dismissed.contains(&a.id),
                mentions: Vec::new(),
                statuses: Vec::new(),
                tags: Vec::new(),
                emojis: Vec::new(),
                reactions: reactions
                    .counts
                    .remove(&a.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, count)| Reaction {
                        me: mine.contains(&name),
                        name,
                        count,
                        url: None,
                        static_url: None,
                    })
                    .collect(),
                text: with_text.then_some(a.text),
            }
        })
        .collect())
}

/// A reaction name: one emoji (we have no custom emojis), a few code points at most.
pub fn parse_reaction(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    let n = name.chars().count();
    let emoji_like = name.chars().all(|c| {
        !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
            || c == '\u{200d}'
            || ('\u{fe00}'..='\u{fe0f}').contains(&c)
    });
    if n == 0 || n > 10 || !emoji_like {
        return Err(invalid("reaction must be an emoji"));
    }
    Ok(name.to_owned())
}

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Creates an announcement; published at once unless `input.published` says no.
pub async fn create(
    state: &AppState,
    mut input: AnnouncementInput,
) -> Result<AnnouncementRow, ServiceError> {
    let at = Utc::now();
    input.text.get_or_insert_with(String::new);
    input.published = Some(input.published.unwrap_or(true));
    let row = apply(
        state,
        blank(state.ids.next_at(at), at.naive_utc()),
        input,
        at.naive_utc(),
    )?;
    let stored = row.clone();
    state.db.run(move |c| repo::insert(c, &stored)).await?;
    tracing::info!(
        announcement_id = row.id,
        published = row.published,
        "announcement created"
    );
    Ok(row)
}

pub async fn update(
    state: &AppState,
    id: i64,
    input: AnnouncementInput,
) -> Result<AnnouncementRow, ServiceError> {
    let existing = state
        .db
        .run(move |c| repo::find(c, id))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let row = apply(state, existing, input, now())?;
    let stored = row.clone();
    state.db.run(move |c| repo::update(c, &stored)).await?;
    tracing::info!(
        announcement_id = row.id,
        published = row.published,
        "announcement updated"
    );
    Ok(row)
}

pub async fn delete(state: &AppState, id: i64) -> Result<(), ServiceError> {
    if !state.db.run(move |c| repo::delete(c, id)).await? {
        return Err(ServiceError::NotFound);
    }
    tracing::info!(announcement_id = id, "announcement deleted");
    Ok(())
}

pub async fn all(state: &AppState) -> Result<Vec<AnnouncementRow>, ServiceError> {
    Ok(state.db.run(repo::all).await?)
}

/// The announcements in force for `member` at `now` (those they dismissed too, when
/// asked).
pub async fn current(
    state: &AppState,
    member: i64,
    now: NaiveDateTime,
    with_dismissed: bool,
) -> Result<Vec<AnnouncementRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::current(c, member, now, with_dismissed))
        .await?)
}

pub async fn find(state: &AppState, id: i64) -> Result<Option<AnnouncementRow>, ServiceError> {
    Ok(state.db.run(move |c| repo::find(c, id)).await?)
}

pub async fn dismiss(state: &AppState, id: i64, member: i64) -> Result<(), ServiceError> {
    Ok(state.db.run(move |c| repo::dismiss(c, id, member)).await?)
}

/// False when the announcement has as many distinct reactions as it may.
pub async fn react(
    state: &AppState,
    id: i64,
    member: i64,
    name: String,
) -> Result<bool, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::react(c, id, member, &name))
        .await?)
}

pub async fn unreact(
    state: &AppState,
    id: i64,
    member: i64,
    name: String,
) -> Result<(), ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::unreact(c, id, member, &name))
        .await?)
}
