//! iCalendar for meetings: one meeting, a group's public feed, the instance's public
//! feed, and a personal feed at a secret, revocable address. Public feeds are built
//! with `Location::Public` only; the full place goes into an entry only where the
//! domain's `Disclosure` was decided for the reader (one meeting fetched by its
//! facilitator or an accepted attendee; the personal feed's accepted meetings).

use kindred_domain::meetings::ParticipationState;
use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use kindred_db::models::meetings::{self as store, MeetingPlaceRow, Scope};
use kindred_db::AccountRow;
use kindred_domain::meetings::ics::{self, EventInfo};
use kindred_domain::meetings::{
    ContentCategory, Disclosure, FullPlace, MeetingStatus, MeetingTime, PublicPlace, Recurrence,
};

use super::{load, load_many, Access, Loaded};
use crate::crypto::{random_token, sha256_hex};
use crate::services::ServiceError;
use crate::AppState;

/// Most entries in one feed.
const FEED_LIMIT: i64 = 200;

/// Everything one entry needs, owned, so `ics::Event`s can borrow from it.
struct Entry {
    uid: String,
    title: String,
    description: String,
    time: MeetingTime,
    rule: Option<Recurrence>,
    cancelled: Vec<NaiveDateTime>,
    status: MeetingStatus,
    category: Option<ContentCategory>,
    created: NaiveDateTime,
    updated: NaiveDateTime,
    public: PublicPlace,
    /// Present only where a disclosure was decided.
    full: Option<FullPlace>,
}

/// Builds the entries; `disclose` says whether an entry may carry the full place
/// (it is then still checked against the domain's `Disclosure`).
async fn entries(
    state: &AppState,
    list: Vec<Loaded>,
    disclose: impl Fn(&Access) -> bool,
) -> Result<Vec<Entry>, ServiceError> {
    let ids: Vec<i64> = list.iter().map(|l| l.meeting.meeting.id).collect();
    let disclosed: Vec<i64> = list
        .iter()
        .filter(|l| disclose(&l.access) && Disclosure::decide(&l.access.domain_viewer()).is_some())
        .map(|l| l.meeting.meeting.id)
        .collect();
    let (cancellations, places) = state
        .db
        .run(move |c| {
            let mut places: HashMap<i64, MeetingPlaceRow> = HashMap::new();
            for id in disclosed {
                if let Some(p) = store::private_place(c, id)? {
                    places.insert(id, p);
                }
            }
            Ok((store::cancellations(c, &ids)?, places))
        })
        .await?;
    let domain = state.urls.domain().to_string();
    let mut out = Vec::with_capacity(list.len());
    for l in list {
        let row = &l.meeting.meeting;
        // A row the rules no longer accept is left out rather than guessed at.
        let Ok((time, rule)) = l.meeting.time.schedule() else {
            continue;
        };
        let full = match (
            Disclosure::decide(&l.access.domain_viewer()),
            places.get(&row.id),
        ) {
            (Some(d), Some(p)) if disclose(&l.access) => Some(row.place(p).full(&d).clone()),
            _ => None,
        };
        out.push(Entry {
            uid: ics::uid(row.id, &domain),
            title: row.title.clone(),
            description: row.description.clone(),
            time,
            rule,
            cancelled: cancellations.get(&row.id).cloned().unwrap_or_default(),
            status: MeetingStatus::parse(&row.status).unwrap_or(MeetingStatus::Confirmed),
            category: row
                .content_category
                .as_deref()
                .and_then(|c| ContentCategory::parse(c).ok()),
            created: row.created_at,
            updated: row.updated_at,
            public: row.public_place(),
            full,
        });
    }
    Ok(out)
}

fn render(name: &str, entries: &[Entry]) -> String {
    let events: Vec<ics::Event<'_>> = entries
        .iter()
        .map(|e| {
            let info = EventInfo {
                uid: &e.uid,
                url: None,
                title: &e.title,
                description: &e.description,
                time: &e.time,
                rule: e.rule.as_ref(),
                cancelled: &e.cancelled,
                status: e.status,
                content_category: e.category,
                updated: e.updated.and_utc(),
                created: e.created.and_utc(),
            };
            match &e.full {
                Some(full) => ics::Event::full(info, full),
                None => ics::Event::public(info, &e.public),
            }
        })
        .collect();
    ics::calendar(name, &events, Utc::now())
}

/// One meeting, as the viewer may see it. Returns the calendar and whether it holds
/// private details (so it is not cached anywhere shared).
pub async fn one(
    state: &AppState,
    viewer: Option<&AccountRow>,
    id: i64,
) -> Result<(String, bool), ServiceError> {
    let loaded = load(state, viewer, id).await?;
    let name = loaded.meeting.meeting.title.clone();
    let e = entries(state, vec![loaded], |_| true).await?;
    let private = e.iter().any(|e| e.full.is_some());
    Ok((render(&name, &e), private))
}

/// A group's public feed: its public meetings, public places only. A private group
/// has none (404, as the group itself).
pub async fn group_feed(state: &AppState, group_id: i64) -> Result<String, ServiceError> {
    let (group, _) = super::find_visible(state, None, group_id).await?;
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| store::upcoming(c, Scope::Group(group_id), false, now, None, FEED_LIMIT))
        .await?;
    let list = load_many(state, None, list).await?;
    let name = format!("{} – meetings", group.account.display_name);
    Ok(render(&name, &entries(state, list, |_| false).await?))
}

/// The instance's public feed: every public listing, public places only.
pub async fn instance_feed(state: &AppState) -> Result<String, ServiceError> {
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| store::upcoming(c, Scope::Public, false, now, None, FEED_LIMIT))
        .await?;
    let list = load_many(state, None, list).await?;
    let name = format!("{} – meetings", state.instance.name);
    Ok(render(&name, &entries(state, list, |_| false).await?))
}

/// A new secret address for the caller's personal feed; the previous one stops
/// working. Only the hash is stored.
pub async fn create_token(state: &AppState, me: &AccountRow) -> Result<String, ServiceError> {
    if !super::is_local_user(me) {
        return Err(ServiceError::Forbidden(
            "only members of this instance have a personal calendar",
        ));
    }
    let token = random_token();
    let hash = sha256_hex(&token);
    let me_id = me.id;
    let now = Utc::now().naive_utc();
    state
        .db
        .run(move |c| store::create_feed_token(c, me_id, &hash, now))
        .await?;
    tracing::info!("personal calendar address created");
    Ok(token)
}

/// Revokes the caller's personal feed address; whether there was one.
pub async fn revoke_token(state: &AppState, me: &AccountRow) -> Result<bool, ServiceError> {
    let me_id = me.id;
    let had = state
        .db
        .run(move |c| store::revoke_feed_token(c, me_id))
        .await?;
    tracing::info!(had, "personal calendar address revoked");
    Ok(had)
}

/// The personal feed behind a secret address: the member's upcoming meetings (going,
/// wait-listed or asking), with the full place only where they are accepted.
pub async fn personal_feed(state: &AppState, token: &str) -> Result<String, ServiceError> {
    let hash = sha256_hex(token.trim());
    let account = state
        .db
        .run(move |c| {
            let Some(id) = store::feed_token_account(c, &hash)? else {
                return Ok(None);
            };
            kindred_db::models::accounts::find(c, id)
        })
        .await?
        .filter(|a| !a.suspended && a.approved)
        .ok_or(ServiceError::NotFound)?;
    let me_id = account.id;
    let now = Utc::now().naive_utc();
    let list = state
        .db
        .run(move |c| store::joined(c, me_id, now, None, FEED_LIMIT))
        .await?;
    let list = load_many(
        state,
        Some(&account),
        list.into_iter().map(|(m, _)| m).collect(),
    )
    .await?;
    // A secret address is weaker than a login: it discloses only to accepted
    // attendees, not on the strength of a facilitator role.
    let accepted = |a: &Access| {
        a.participation
            .as_ref()
            .is_some_and(|p| p.state == ParticipationState::Accepted)
    };
    let name = format!("{} – my meetings", state.instance.name);
    Ok(render(&name, &entries(state, list, accepted).await?))
}
