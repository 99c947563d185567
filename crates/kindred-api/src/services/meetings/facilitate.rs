//! What facilitators do with participations: approve, reject, invite, and list
//! them (facilitators only: who comes is private, invariant 3).

use chrono::Utc;
use kindred_core::meetings as core;
use kindred_db::models::meetings::{self as store, Participant, ParticipationRow};
use kindred_db::transaction::atomically;
use kindred_db::{AccountRow, DbError};
use kindred_domain::meetings::{FacilitatorAction, ParticipationState};
use kindred_domain::MeetingId;
use kindred_federation::outbox::Outbox;

use super::{as_facilitator, is_local_user, load, tell_remote_attendees, Loaded};
use crate::services::ServiceError;
use crate::AppState;

/// Whom a facilitator decides on: an account, or an anonymous attendee from
/// another instance, named by the participation's id as the participation lists
/// show it (`anonymous-ID`). The token the attendee's instance chose is never
/// shown nor taken: it is that instance's secret for routing our answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Account(i64),
    /// A participation id (of an anonymous attendee).
    Anonymous(i64),
}

impl Target {
    const ANONYMOUS: &'static str = "anonymous-";

    /// The stable opaque id of an anonymous attendee's participation.
    pub fn anonymous_id(participation_id: i64) -> String {
        format!("{}{participation_id}", Self::ANONYMOUS)
    }

    /// An account id, or `anonymous-ID`; `None` when it is neither.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        match raw.strip_prefix(Self::ANONYMOUS) {
            Some(id) => id.parse().ok().map(Self::Anonymous),
            None => raw.parse().ok().map(Self::Account),
        }
    }
}

/// A facilitator approves or declines one person's request (an account, or an
/// anonymous attendee from another instance), or invites a local user.
pub async fn facilitate(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    target: Target,
    action: FacilitatorAction,
) -> Result<Loaded, ServiceError> {
    as_facilitator(state, me, id).await?;
    let invite = action == FacilitatorAction::Invite;
    if invite {
        // Only a user of this instance who can see the meeting (and may come: not
        // banned) is invited.
        let Target::Account(account_id) = target else {
            return Err(ServiceError::Unprocessable(
                "only users of this instance can be invited",
            ));
        };
        let invitee = state
            .db
            .run(move |c| kindred_db::models::accounts::find(c, account_id))
            .await?
            .filter(|a| is_local_user(a) && !a.suspended)
            .ok_or(ServiceError::NotFound)?;
        if load(state, Some(&invitee), id).await?.access.banned {
            return Err(ServiceError::Unprocessable(
                "this person is banned from the group",
            ));
        }
    }
    let now = Utc::now();
    let new_id = state.ids.next_at(now);
    let who = match target {
        Target::Account(a) => Participant::Account(a),
        Target::Anonymous(pid) => {
            let row = state
                .db
                .run(move |c| store::anonymous_participation(c, id, pid))
                .await?
                .ok_or(ServiceError::NotFound)?;
            match (row.anonymous_token, row.anonymous_domain) {
                (Some(token), Some(domain)) => Participant::Anonymous { token, domain },
                _ => return Err(ServiceError::NotFound),
            }
        }
    };
    let ids = state.ids.clone();
    let outbox = Outbox::new(&state.urls, &state.ids, now);
    let stored = state
        .db
        .run(move |c| {
            atomically(c, |c| {
                // Approving or declining needs an answer to decide on.
                if !invite && store::participation(c, id, &who)?.is_none() {
                    return Err(DbError::NotFound);
                }
                let r = core::decide(c, &ids, MeetingId::new(id), &who, action, now, new_id)?;
                // A remote attendee hears the decision (the place with an Accept).
                if let Ok(done) = &r {
                    tell_remote_attendees(c, &outbox, &done.applied)?;
                }
                Ok(r.map(|done| done.notifications))
            })
        })
        .await??;
    state.streaming.notifications(&stored);
    state.delivery.wake();
    tracing::info!(meeting_id = id, action = ?action, "meeting participation decided");
    load(state, Some(me), id).await
}

/// Participations of a meeting, for its facilitators only, with their accounts.
pub async fn participations(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    which: Option<ParticipationState>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(ParticipationRow, Option<AccountRow>)>, ServiceError> {
    as_facilitator(state, me, id).await?;
    Ok(state
        .db
        .run(move |c| {
            let rows = store::participations(c, id, which, after, limit)?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let account = match r.account_id {
                    Some(a) => kindred_db::models::accounts::find(c, a)?,
                    None => None,
                };
                out.push((r, account));
            }
            Ok(out)
        })
        .await?)
}
